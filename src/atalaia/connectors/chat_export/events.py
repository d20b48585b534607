"""Exported messages -> domain `MessageEvent`s for `atalaia import` (pure: no storage, no clock).

Identity is what makes re-imports safe: `provider_message_id` is derived from what the export
shows (local time, author, text) plus the occurrence index of that triple in the file, so the
same export, or a later one that overlaps it, yields the same ids for the same messages and the
archive's idempotent upsert adds nothing twice.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime, tzinfo
from typing import Final

import phonenumbers

from atalaia.connectors.chat_export.models import ExportedMessage, ExportKind
from atalaia.domain.enums import ConversationKind, Direction, MessageKind
from atalaia.domain.events import AttachmentRef, ContactRef, ConversationRef, MessageEvent

MediaSource = Mapping[str, bytes] | Callable[[str], bytes | None]

ID_PREFIX: Final = "export:"
_KINDS: Final = {
    ExportKind.TEXT: MessageKind.TEXT,
    ExportKind.MEDIA: MessageKind.MEDIA,
    ExportKind.DELETED: MessageKind.DELETED,
    ExportKind.SYSTEM: MessageKind.SYSTEM,
}
_PHONE_AUTHOR: Final = re.compile(r"^\+[\d\s().\-]{6,}$")
_CACHE_LIMIT: Final = 4_096
_RECENT_TIMESTAMPS: Final = 1_024  # minutes (or seconds, on iOS) remembered for occurrence counts


def message_id(message: ExportedMessage, occurrence: int) -> str:
    """`export:` + 32 hex of SHA-256 over local time, author, text and occurrence index."""
    return _message_id(message.timestamp.isoformat(), message.author, message.text, occurrence)


def _message_id(local_time: str, author: str | None, text: str, occurrence: int) -> str:
    key = f"{local_time}|{author or ''}|{text}|{occurrence}"
    return ID_PREFIX + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def contact_ref_for(author: str) -> ContactRef:
    """A phone-number author (`+55 21 99999-0000`) is keyed by WhatsApp id, a name by the name."""
    if _PHONE_AUTHOR.match(author):
        try:
            parsed = phonenumbers.parse(author, None)
        except phonenumbers.NumberParseException:
            parsed = None
        if parsed is not None:
            e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
            digits = e164[1:]
            return ContactRef(key=f"wa:{digits}", wa_id=digits, phone=e164)
    return ContactRef(key=f"export:{author}", name=author)


def collect_authors(messages: Iterable[ExportedMessage]) -> tuple[str, ...]:
    """Distinct authors of non-system messages, in order of first appearance."""
    return tuple(dict.fromkeys(m.author for m in messages if m.author is not None))


def conversation_ref_for(
    *, key: str, authors: Iterable[str], owner_name: str | None, subject: str | None = None
) -> ConversationRef:
    """A group when more than two people wrote, or two besides the owner; else one-to-one.

    A one-to-one chat names its other party (the one author who is not the owner) as `contact`.
    """
    distinct = list(dict.fromkeys(authors))
    others = [a for a in distinct if a != owner_name]
    if len(distinct) > 2 or len(others) >= 2:
        return ConversationRef(key=key, kind=ConversationKind.GROUP, subject=subject)
    contact = contact_ref_for(others[0]) if others else None
    return ConversationRef(key=key, kind=ConversationKind.DIRECT, subject=subject, contact=contact)


def to_message_events(
    messages: Iterable[ExportedMessage],
    *,
    owner_name: str | None,
    tz: tzinfo,
    conversation_key: str | None = None,
    conversation: ConversationRef | None = None,
    media: MediaSource | None = None,
) -> Iterator[MessageEvent]:
    """One `MessageEvent` per exported message, streaming.

    Give `conversation` (from `conversation_ref_for`) to import a group or to name the contact;
    `conversation_key` alone makes a plain one-to-one reference. The owner's messages are
    outbound with no author; system lines are inbound with no author; local wall-clock times
    are read in `tz` and stored as UTC.
    """
    if conversation is None:
        if conversation_key is None:
            raise ValueError("to_message_events needs conversation or conversation_key")
        conversation = ConversationRef(key=conversation_key)
    fetch = _fetcher(media)
    occurrences = _Occurrences()
    contacts: dict[str, ContactRef] = {}
    last_local: datetime | None = None
    last_utc = datetime.min
    for message in messages:
        occurrence = occurrences.next(message)
        if message.timestamp != last_local:  # messages come in bursts within one minute
            last_local = message.timestamp
            last_utc = last_local.replace(tzinfo=tz).astimezone(UTC)
        author = message.author
        if author is None:
            direction, contact = Direction.INBOUND, None
        elif author == owner_name:
            direction, contact = Direction.OUTBOUND, None
        else:
            direction = Direction.INBOUND
            contact = contacts.get(author)
            if contact is None:
                if len(contacts) >= _CACHE_LIMIT:
                    contacts.clear()
                contact = contacts[author] = contact_ref_for(author)
        attachments: tuple[AttachmentRef, ...] = ()
        if message.attachment:
            attachments = (
                AttachmentRef(
                    file_name=message.attachment,
                    mime_type=mimetypes.guess_type(message.attachment)[0],
                    caption=message.text or None,
                    content=fetch(message.attachment),
                ),
            )
        raw: dict[str, object] = {"line": message.line}
        if message.edited:
            raw["edited"] = True
        if message.truncated:
            raw["truncated"] = True
        yield MessageEvent(
            provider_message_id=_message_id(message.timestamp.isoformat(), author, message.text, occurrence),
            conversation=conversation,
            direction=direction,
            kind=_KINDS[message.kind],
            sent_at=last_utc,
            text=message.text,
            author=contact,
            author_name=author,
            attachments=attachments,
            raw={"chat_export": raw},
        )


class _Occurrences:
    """How many times this (time, author, text) was already seen in the file, in bounded memory.

    Identical triples share a timestamp, so counts are kept per timestamp, for the most recent
    timestamps only: exports are nearly chronological (a few system lines out of order). Keys
    are the tuple's hash, not the text, so a 1 MB message costs 16 bytes here.
    """

    def __init__(self) -> None:
        self._by_time: OrderedDict[datetime, dict[int, int]] = OrderedDict()
        self._last: datetime | None = None
        self._counts: dict[int, int] = {}

    def next(self, message: ExportedMessage) -> int:
        stamp = message.timestamp
        if stamp != self._last:  # messages come in bursts: the same minute is the common case
            found = self._by_time.get(stamp)
            if found is None:
                if len(self._by_time) >= _RECENT_TIMESTAMPS:
                    self._by_time.popitem(last=False)
                found = self._by_time[stamp] = {}
            else:
                self._by_time.move_to_end(stamp)
            self._last, self._counts = stamp, found
        counts = self._counts
        key = hash((message.author, message.text))
        seen = counts.get(key, 0)
        if len(counts) >= _CACHE_LIMIT * 16:
            counts.clear()
        counts[key] = seen + 1
        return seen


def _fetcher(media: MediaSource | None) -> Callable[[str], bytes | None]:
    if media is None:
        return lambda _name: None
    if isinstance(media, Mapping):
        return media.get
    return media
