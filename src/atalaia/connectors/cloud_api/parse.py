"""Cloud API notification → domain events, one group per change (each routed to its line).

1. Each `entry[].changes[]` is one `CloudChange`, routed by `value.metadata.phone_number_id`.
2. `messages` (customers), `smb_message_echoes` (the employee on the Business app, Coexistence)
   and `history` (Coexistence backfill) become message, edit, revoke and reaction events.
3. `statuses` become status events; `errors` and unknown fields are reported, never raised.
A malformed piece is skipped with a note in `problems`; the rest of the body still archives.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from atalaia.connectors.cloud_api.content import as_dict, as_str, content_of
from atalaia.domain.enums import ConversationKind, DeliveryStatus, Direction, MessageKind
from atalaia.domain.events import (
    ArchiveEvent,
    ContactRef,
    ConversationRef,
    EditEvent,
    MessageEvent,
    ReactionEvent,
    RevokeEvent,
    StatusEvent,
)

MESSAGE_FIELDS: Final = frozenset({"messages", "smb_message_echoes", "history"})
STATUS_VALUES: Final = {status.value: status for status in DeliveryStatus}


@dataclass(slots=True)
class CloudChange:
    field_name: str  # the webhook's `field`: messages, smb_message_echoes, history, ...
    phone_number_id: str | None
    display_phone_number: str | None
    events: list[ArchiveEvent] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    history_progress: int | None = None  # percent, for Coexistence backfill
    history_phase: int | None = None  # 0: day 0-1, 1: days 1-90, 2: days 90-180
    synced_contacts: list[ContactRef] = field(default_factory=list)  # the Business app's address book


def parse_notification(body: Any) -> list[CloudChange]:
    """Every change in a webhook body; raises nothing for any JSON value."""
    changes: list[CloudChange] = []
    for entry in _list(as_dict(body).get("entry")):
        for change in _list(as_dict(entry).get("changes")):
            change = as_dict(change)
            value = as_dict(change.get("value"))
            metadata = as_dict(value.get("metadata"))
            parsed = CloudChange(
                field_name=as_str(change.get("field")) or "",
                phone_number_id=as_str(metadata.get("phone_number_id")),
                display_phone_number=as_str(metadata.get("display_phone_number")),
            )
            _parse_value(parsed, value)
            changes.append(parsed)
    return changes


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _parse_value(change: CloudChange, value: dict[str, Any]) -> None:
    if change.field_name == "smb_app_state_sync":
        _add_state_sync(change, value)
        return
    if change.field_name not in MESSAGE_FIELDS and change.field_name:
        change.problems.append(f"field {change.field_name!r} carries no messages; kept in the journal only")
        return
    profiles = _profiles(value)
    for message in _list(value.get("messages")):
        _add_message(change, as_dict(message), profiles=profiles, outbound=False)
    for echo in _list(value.get("message_echoes")):
        _add_message(change, as_dict(echo), profiles=profiles, outbound=True)
    for chunk in _list(value.get("history")):
        _add_history(change, as_dict(chunk), profiles=profiles)
    for status in _list(value.get("statuses")):
        _add_status(change, as_dict(status))
    for error in _list(value.get("errors")):
        error = as_dict(error)
        change.problems.append(f"provider error {error.get('code')}: {as_str(error.get('title')) or ''}".strip())


def _profiles(value: dict[str, Any]) -> dict[str, ContactRef]:
    """Contacts of the change by every id a message may name them with."""
    refs: dict[str, ContactRef] = {}
    for contact in _list(value.get("contacts")):
        contact = as_dict(contact)
        wa_id = as_str(contact.get("wa_id"))
        bsuid = as_str(contact.get("user_id"))
        ref = _contact(wa_id=wa_id, bsuid=bsuid, name=as_str(as_dict(contact.get("profile")).get("name")))
        if ref is None:
            continue
        for key in (wa_id, bsuid):
            if key:
                refs[key] = ref
    return refs


def _contact(*, wa_id: str | None, bsuid: str | None, name: str | None = None) -> ContactRef | None:
    # The business-scoped user id is stable across a user's number changes, and may be all
    # there is once usernames roll out; the phone stays an attribute when present.
    if bsuid:
        key = f"bsuid:{bsuid}"
    elif wa_id:
        key = f"wa:{wa_id}"
    else:
        return None
    phone = f"+{wa_id}" if wa_id and wa_id.isdigit() else None
    return ContactRef(key=key, wa_id=wa_id, phone=phone, name=name, bsuid=bsuid)


def _timestamp(value: Any) -> datetime | None:
    text = as_str(value)
    if text is None:
        return None
    try:
        seconds = int(float(text))
        return datetime.fromtimestamp(seconds, UTC)
    except (ValueError, OverflowError, OSError):
        return None


def _add_message(
    change: CloudChange, message: dict[str, Any], *, profiles: dict[str, ContactRef], outbound: bool
) -> None:
    message_id = as_str(message.get("id"))
    sent_at = _timestamp(message.get("timestamp"))
    # The other party: the sender of an inbound message, the recipient of an echo.
    other_id = as_str(message.get("to" if outbound else "from"))
    other_bsuid = as_str(message.get("to_user_id" if outbound else "from_user_id"))
    contact = (
        profiles.get(other_bsuid or "") or profiles.get(other_id or "") or _contact(wa_id=other_id, bsuid=other_bsuid)
    )
    if not message_id or sent_at is None or contact is None:
        change.problems.append(f"message without id, timestamp or party skipped: {message_id or '?'}")
        return
    conversation = ConversationRef(key=contact.key, kind=ConversationKind.DIRECT, contact=contact)
    kind_name = as_str(message.get("type"))
    if kind_name == "reaction":
        reaction = as_dict(message.get("reaction"))
        target = as_str(reaction.get("message_id"))
        if target:
            change.events.append(
                ReactionEvent(
                    target_message_id=target,
                    conversation=conversation,
                    emoji=as_str(reaction.get("emoji")) or "",
                    reacted_at=sent_at,
                    provider_event_id=message_id,
                    author=None if outbound else contact,
                    raw=message,
                )
            )
            return
    if kind_name == "edit":
        edit = as_dict(message.get("edit"))
        target = as_str(edit.get("original_message_id"))
        new = content_of(as_dict(edit.get("message")))
        if target:
            change.events.append(
                EditEvent(target, conversation, new.text or "", sent_at, provider_event_id=message_id, raw=message)
            )
            return
    if kind_name == "revoke":
        target = as_str(as_dict(message.get("revoke")).get("original_message_id"))
        if target:
            change.events.append(
                RevokeEvent(target, conversation, sent_at, by_line=outbound, provider_event_id=message_id, raw=message)
            )
            return
    content = content_of(message)
    context = as_dict(message.get("context"))
    referral = message.get("referral")
    change.events.append(
        MessageEvent(
            provider_message_id=message_id,
            conversation=conversation,
            direction=Direction.OUTBOUND if outbound else Direction.INBOUND,
            kind=content.kind,
            sent_at=sent_at,
            text=content.text,
            author=None if outbound else contact,
            reply_to=as_str(context.get("id")),
            forwarded=context.get("forwarded") is True or context.get("frequently_forwarded") is True,
            frequently_forwarded=context.get("frequently_forwarded") is True,
            referral=referral if isinstance(referral, dict) else None,
            attachments=content.attachments,
            raw=message,
        )
    )
    if content.kind is MessageKind.UNSUPPORTED:
        change.problems.append(f"message {message_id} of type {kind_name!r} kept as unsupported")


def _add_history(change: CloudChange, chunk: dict[str, Any], *, profiles: dict[str, ContactRef]) -> None:
    metadata = as_dict(chunk.get("metadata"))
    progress, phase = _whole(metadata.get("progress"), 0, 100), _whole(metadata.get("phase"), 0, 2)
    if progress is not None:
        change.history_progress = progress
        change.history_phase = phase if phase is not None else change.history_phase
    business = (change.display_phone_number or "").lstrip("+")
    for thread in _list(chunk.get("threads")):
        thread = as_dict(thread)
        thread_party = as_str(thread.get("id"))
        for message in _list(thread.get("messages")):
            message = as_dict(message)
            sender = as_str(message.get("from"))
            outbound = bool(business) and sender == business
            if outbound and not message.get("to") and thread_party:
                message = {**message, "to": thread_party}
            _add_message(change, message, profiles=profiles, outbound=outbound)


def _add_state_sync(change: CloudChange, value: dict[str, Any]) -> None:
    """Coexistence address book: `add` (added or edited) names a contact; `remove` deletes nothing here."""
    for item in _list(value.get("state_sync")):
        item = as_dict(item)
        kind = as_str(item.get("type"))
        if kind != "contact":
            change.problems.append(f"state_sync item of type {str(kind)[:40]!r} kept in the journal only")
            continue
        contact = as_dict(item.get("contact"))
        digits = (as_str(contact.get("phone_number")) or "").strip().lstrip("+")
        if not digits.isdigit() or len(digits) > 20:
            change.problems.append("state_sync contact without a usable phone_number skipped")
            continue
        if as_str(item.get("action")) == "remove":
            change.problems.append(f"contact {digits} removed from the app's address book; the archive keeps it")
            continue
        name = as_str(contact.get("full_name")) or as_str(contact.get("first_name"))
        ref = _contact(wa_id=digits, bsuid=as_str(contact.get("user_id")), name=name)
        if ref is not None:
            change.synced_contacts.append(ref)


def _whole(value: Any, low: int, high: int) -> int | None:
    """A whole number within [low, high] from a JSON number or numeric string; None otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = int(float(value))
    except (ValueError, OverflowError):
        return None
    return number if low <= number <= high else None


def _add_status(change: CloudChange, status: dict[str, Any]) -> None:
    target = as_str(status.get("id"))
    value = STATUS_VALUES.get(as_str(status.get("status")) or "")
    at = _timestamp(status.get("timestamp"))
    if not target or value is None or at is None:
        change.problems.append(f"status skipped: {status.get('status')!r} for {target or '?'}")
        return
    errors = tuple(as_dict(e) for e in _list(status.get("errors")))
    change.events.append(
        StatusEvent(target, value, at, recipient=as_str(status.get("recipient_id")), errors=errors, raw=status)
    )


def iter_events(changes: list[CloudChange]) -> Iterator[ArchiveEvent]:
    for change in changes:
        yield from change.events
