"""A structural check of an RSMF 2.0 file, written from Relativity's specification for the tests.

The container: an RFC 5322 message with `X-RSMF-Version`, a multipart/mixed body whose first part
is text/plain and which has exactly one attachment, `rsmf.zip`, in base64. The zip: a root
`rsmf_manifest.json` plus every attachment file it names. The manifest: `version`,
`participants`, `conversations` and `events` required; unique ids; every reference (a
conversation's participants and custodian, an event's participant, conversation and parent, the
participants of reactions, edits and read receipts, attachment files) resolves; enumerations
(event type, direction, conversation type, importance, receipt action) hold; timestamps are ISO
8601 with an offset; custom properties are non-empty name/value strings.
"""

from __future__ import annotations

import email
import email.policy
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Any

EVENT_TYPES = {"message", "disclaimer", "join", "leave", "history", "unknown"}


@dataclass
class RsmfPackage:
    message: EmailMessage
    body: str
    archive: zipfile.ZipFile
    manifest: dict[str, Any]


def open_rsmf(data: bytes) -> RsmfPackage:
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    parts = list(message.iter_parts())
    zip_bytes = parts[-1].get_payload(decode=True)
    assert isinstance(zip_bytes, bytes)
    archive = zipfile.ZipFile(io.BytesIO(zip_bytes))
    body = parts[0].get_content()
    return RsmfPackage(message, body, archive, json.loads(archive.read("rsmf_manifest.json")))


def container_problems(message: EmailMessage) -> list[str]:
    problems = []
    if not message["X-RSMF-Version"]:
        problems.append("no X-RSMF-Version header")
    if message.get_content_type() != "multipart/mixed":
        problems.append(f"body is {message.get_content_type()}, not multipart/mixed")
    parts = list(message.iter_parts())
    if not parts or parts[0].get_content_type() != "text/plain":
        problems.append("the first part is not text/plain")
    attachments = [p for p in parts if p.get_content_disposition() == "attachment"]
    if len(attachments) != 1:
        problems.append(f"{len(attachments)} attachments, RSMF allows exactly one")
    elif attachments[0].get_filename() != "rsmf.zip" or attachments[0]["Content-Transfer-Encoding"] != "base64":
        problems.append("the attachment is not a base64 rsmf.zip")
    return problems


def _text(value: Any, *, required: bool = False) -> bool:
    return isinstance(value, str) and (not required or len(value) > 0)


def _custom(owner: str, items: Any) -> list[str]:
    if items is None:
        return []
    if not isinstance(items, list):
        return [f"{owner}: custom is not a list"]
    return [
        f"{owner}: custom property {item!r} needs non-empty name and value strings"
        for item in items
        if not (
            isinstance(item, dict)
            and _text(item.get("name"), required=True)
            and _text(item.get("value"), required=True)
        )
    ]


def _timestamp(owner: str, value: Any) -> list[str]:
    if value is None:
        return []
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return [f"{owner}: timestamp {value!r} is not ISO 8601"]
    return [] if moment.tzinfo is not None else [f"{owner}: timestamp {value!r} has no offset"]


def manifest_problems(manifest: Any, files: set[str]) -> list[str]:
    """Everything wrong with a manifest whose zip holds `files`."""
    if not isinstance(manifest, dict):
        return ["the manifest is not an object"]
    problems = [
        f"missing {key}" for key in ("version", "participants", "conversations", "events") if key not in manifest
    ]
    if problems:
        return problems
    if not (_text(manifest["version"]) and len(manifest["version"]) >= 5):
        problems.append("version must be a string like 2.0.0")
    participants: set[str] = set()
    for participant in manifest["participants"]:
        pid = participant.get("id")
        if not _text(pid, required=True):
            problems.append(f"participant without a string id: {participant!r}")
            continue
        if pid in participants:
            problems.append(f"participant {pid} declared twice")
        participants.add(pid)
        for key in ("display", "email", "avatar", "account_id"):
            if key in participant and not _text(participant[key]):
                problems.append(f"participant {pid}: {key} is not a string")
        if participant.get("avatar") and participant["avatar"] not in files:
            problems.append(f"participant {pid}: avatar {participant['avatar']} is not in the zip")
        problems += _custom(f"participant {pid}", participant.get("custom"))
    conversations: set[str] = set()
    for conversation in manifest["conversations"]:
        cid = conversation.get("id")
        if not (_text(cid, required=True) and _text(conversation.get("platform"), required=True)):
            problems.append(f"conversation needs id and platform: {conversation!r}")
            continue
        conversations.add(cid)
        members = conversation.get("participants")
        if not isinstance(members, list):
            problems.append(f"conversation {cid}: participants is not a list")
            members = []
        problems += [f"conversation {cid}: unknown participant {m}" for m in members if m not in participants]
        if conversation.get("type") not in (None, "direct", "channel"):
            problems.append(f"conversation {cid}: type {conversation['type']!r}")
        if "custodian" in conversation and conversation["custodian"] not in members:
            problems.append(f"conversation {cid}: custodian is not one of its participants")
        problems += _custom(f"conversation {cid}", conversation.get("custom"))
    event_ids: dict[str, str] = {}
    for event in manifest["events"]:
        if "id" in event:
            event_ids[event["id"]] = event.get("conversation", "")
    for number, event in enumerate(manifest["events"]):
        owner = f"event {event.get('id', number)}"
        if event.get("type") not in EVENT_TYPES:
            problems.append(f"{owner}: type {event.get('type')!r}")
        if "participant" in event and event["participant"] not in participants:
            problems.append(f"{owner}: undeclared participant {event['participant']}")
        if "conversation" in event and event["conversation"] not in conversations:
            problems.append(f"{owner}: unknown conversation {event['conversation']}")
        if "parent" in event and event_ids.get(event["parent"]) != event.get("conversation", ""):
            problems.append(f"{owner}: parent {event['parent']} is not an event of its conversation")
        if "body" in event and not _text(event["body"]):
            problems.append(f"{owner}: body is not a string")
        if "deleted" in event and not isinstance(event["deleted"], bool):
            problems.append(f"{owner}: deleted is not a boolean")
        if event.get("direction") not in (None, "incoming", "outgoing"):
            problems.append(f"{owner}: direction {event['direction']!r}")
        if event.get("importance") not in (None, "normal", "high"):
            problems.append(f"{owner}: importance {event['importance']!r}")
        problems += _timestamp(owner, event.get("timestamp"))
        for attachment in event.get("attachments", []):
            if not _text(attachment.get("id"), required=True) or attachment["id"] not in files:
                problems.append(f"{owner}: attachment {attachment.get('id')!r} is not in the zip")
            if "size" in attachment and not isinstance(attachment["size"], int):
                problems.append(f"{owner}: attachment size is not an integer")
        for reaction in event.get("reactions", []):
            if not _text(reaction.get("value"), required=True):
                problems.append(f"{owner}: reaction without a value")
            problems += [
                f"{owner}: reaction by unknown {p}" for p in reaction.get("participants", []) if p not in participants
            ]
        for edit in event.get("edits", []):
            if edit.get("participant") not in participants:
                problems.append(f"{owner}: edit by unknown {edit.get('participant')}")
            problems += _timestamp(owner, edit.get("timestamp"))
        for receipt in event.get("read_receipts", []):
            if receipt.get("participant") not in participants:
                problems.append(f"{owner}: receipt of unknown {receipt.get('participant')}")
            if receipt.get("action") not in (None, "read", "delivered"):
                problems.append(f"{owner}: receipt action {receipt.get('action')!r}")
        problems += _custom(owner, event.get("custom"))
    return problems
