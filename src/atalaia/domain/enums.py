"""Closed vocabularies shared by connectors, the archive and the interfaces."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    COMPLIANCE = "compliance"
    MANAGER = "manager"  # sees only the teams they manage
    AUDITOR = "auditor"  # read-only; everything they open is audited like anyone else's reads


class Provider(StrEnum):
    CLOUD = "cloud"
    EVOLUTION = "evolution"
    WAHA = "waha"
    EXPORT = "export"

    @property
    def is_gateway(self) -> bool:
        return self in (Provider.EVOLUTION, Provider.WAHA)


class LineStatus(StrEnum):
    PENDING = "pending"
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"
    BANNED = "banned"
    RETIRED = "retired"


class Direction(StrEnum):
    INBOUND = "inbound"  # written by someone outside the line: a customer, a supplier, a group member
    OUTBOUND = "outbound"  # written from the line itself: the employee, or the console on their behalf


class MessageKind(StrEnum):
    TEXT = "text"
    IMAGE = "image"
    AUDIO = "audio"
    VIDEO = "video"
    DOCUMENT = "document"
    STICKER = "sticker"
    LOCATION = "location"
    CONTACTS = "contacts"
    INTERACTIVE = "interactive"
    BUTTON = "button"
    ORDER = "order"
    MEDIA = "media"  # a chat export says only that some media was there
    DELETED = "deleted"  # a chat export shows only that a message was deleted
    SYSTEM = "system"
    UNSUPPORTED = "unsupported"  # kept with its raw JSON, never dropped


class ConversationKind(StrEnum):
    DIRECT = "direct"
    GROUP = "group"


class DeliveryStatus(StrEnum):
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    PLAYED = "played"
    FAILED = "failed"
    DELETED = "deleted"


class JournalStatus(StrEnum):
    ACCEPTED = "accepted"  # stored, waiting for or done with parsing
    PENDING = "pending"  # stored and authentic, archived in the background (ATALAIA_CLOUD_ACKNOWLEDGE=journaled)
    REJECTED = "rejected"  # failed authentication: kept as evidence, never parsed
    FAILED = "failed"  # could not be parsed or archived; reason recorded, replayable


class RecordType(StrEnum):
    """The archived record kinds linked into a tenant's hash chain."""

    MESSAGE = "message"
    REVISION = "revision"
    REVOCATION = "revocation"
    ATTACHMENT = "attachment"
    REACTION = "reaction"
    STATUS = "status"
    PURGE = "purge"  # a retention purge batch: what it removed, by tombstones
    ERASURE = "erasure"  # a data-subject erasure: what it rewrote, by tombstones
