"""Gateway webhook ingestion (Evolution API, WAHA): journal first, then authenticate the line,
parse, archive.

1. The body is appended to the journal and committed before anything else.
2. The line is authenticated: `Authorization: Bearer <token>` names the line whose token hash it
   is (a lookup by hash, so constant-time by construction) and whose provider is this endpoint's;
   for WAHA, `X-Webhook-Hmac` (HMAC-SHA512 of the raw body keyed with the line's token) is
   accepted too, checked against the lines whose instance is the body's `session`. Failure marks
   the entry rejected: 401, nothing parsed into the archive.
3. The entry records its line at once, so a crash from here on leaves it to `journal replay`.
4. The body is parsed and archived into the authenticated line only: the body's `instance` or
   `session` never picks a line, and one that contradicts the line's is refused (403), since one
   leaked or shared token must not file another number's chats under this line.
5. Connection events update the line's status, group events its groups' subjects; the entry is
   marked processed, or failed with the reason (replayable).
Nothing here logs a token, an `apikey` or a body.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Final, Literal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from atalaia.archive import archive_events
from atalaia.archive.directory import resolve_conversations
from atalaia.archive.sanitize import bounded_id, clip
from atalaia.connectors.evolution import parse_envelope
from atalaia.connectors.evolution.parse import author_jids
from atalaia.connectors.evolution.secret_edit import decrypt_edit, edited_text
from atalaia.connectors.gateway import EncryptedEdit, GatewayParse
from atalaia.connectors.waha import parse_webhook
from atalaia.db.engine import transaction
from atalaia.db.models import Conversation, JournalEntry, Line, Message, Tenant
from atalaia.domain.enums import ConversationKind, JournalStatus, LineStatus, Provider
from atalaia.domain.events import ArchiveEvent, ConversationRef, EditEvent, MessageEvent, RevokeEvent
from atalaia.errors import TamperedData
from atalaia.journal import append_entry, mark_entry
from atalaia.runtime import Runtime
from atalaia.security.tokens import hash_token
from atalaia.services.capture_gaps import DISCONNECTED, open_on_disconnection
from atalaia.services.compliance.scanning import scan_new_messages
from atalaia.services.ingest import IngestOutcome
from atalaia.services.line_connections import record_gateway_qr
from atalaia.services.lines import line_token
from atalaia.services.message_secrets import open_secret, seal_secrets, secret_aad
from atalaia.services.notices import queue_notices

log = logging.getLogger(__name__)

GatewaySource = Literal["evolution", "waha"]
SOURCES: Final = frozenset({Provider.EVOLUTION.value, Provider.WAHA.value})
HMAC_ALGORITHM: Final = "sha512"
MAX_REASON_NOTES: Final = 2000  # characters of problem notes kept on a journal entry


@dataclass(frozen=True, slots=True)
class _Authenticated:
    line_id: int
    tenant_id: int


def receive_gateway(
    runtime: Runtime, *, source: GatewaySource, body: bytes, headers: Mapping[str, str]
) -> IngestOutcome:
    """Handle one `POST /webhooks/evolution` or `POST /webhooks/waha` body end to end."""
    if source not in SOURCES:
        raise ValueError(f"not a gateway source: {source!r}")
    with transaction(runtime.sessions) as session:
        entry_id = append_entry(session, source=source, body=body, headers=headers)
    found = authenticate(runtime, source=source, body=body, headers=headers)
    if isinstance(found, str):
        with transaction(runtime.sessions) as session:
            mark_entry(session, entry_id, status=JournalStatus.REJECTED, reason=found, processed=True)
        log.warning("%s webhook %s rejected: %s", source, entry_id, found)
        # The reason stays in the journal; the caller learns only that it is not authenticated.
        return IngestOutcome(401, entry_id, "invalid or missing line credentials")
    with transaction(runtime.sessions) as session:
        mark_entry(session, entry_id, status=JournalStatus.ACCEPTED, tenant_id=found.tenant_id, line_id=found.line_id)
    return process_gateway_entry(runtime, entry_id=entry_id, body=body, source=source, line_id=found.line_id)


def authenticate(
    runtime: Runtime, *, source: GatewaySource, body: bytes, headers: Mapping[str, str]
) -> _Authenticated | str:
    """The line the request proves it speaks for, or the reason it proves none."""
    reasons: list[str] = []
    authorization = _header(headers, "authorization")
    if authorization:
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            found = _by_token(runtime, source=source, token=token.strip())
            if not isinstance(found, str):
                return found
            reasons.append(found)
        else:
            reasons.append("Authorization is not a bearer token")
    signature = _header(headers, "x-webhook-hmac")
    if source == Provider.WAHA.value and signature:
        found = _by_waha_hmac(runtime, body=body, signature=signature, headers=headers)
        if not isinstance(found, str):
            return found
        reasons.append(found)
    if not reasons:
        alternative = " or X-Webhook-Hmac" if source == Provider.WAHA.value else ""
        reasons.append(f"missing Authorization: Bearer <line token>{alternative}")
    return "; ".join(reasons)


def process_gateway_entry(
    runtime: Runtime, *, entry_id: int, body: bytes, source: str, line_id: int | None
) -> IngestOutcome:
    """Parse and archive a journal entry into its authenticated line; safe to run again (replay).

    `line_id` is the entry's recorded line. None means the process stopped between journaling and
    authenticating: a WAHA body is authenticated again from its journaled `X-Webhook-Hmac`; an
    Evolution one cannot be (its bearer token is never stored) and is marked failed.
    """
    with runtime.sessions() as session:
        entry = session.get(JournalEntry, entry_id)
        received_at = entry.received_at if entry else None
        kept_headers = dict(entry.headers or {}) if entry else {}
    if line_id is None:
        found = (
            _by_waha_hmac(runtime, body=body, signature=kept_headers.get("x-webhook-hmac") or "", headers=kept_headers)
            if source == Provider.WAHA.value and kept_headers.get("x-webhook-hmac")
            else "no authenticated line recorded and no signature kept: cannot be replayed"
        )
        if isinstance(found, str):
            _finish(runtime, entry_id, status=JournalStatus.FAILED, reason=found)
            return IngestOutcome(401, entry_id, found)
        line_id = found.line_id
    with runtime.sessions() as session:
        line = session.get(Line, line_id)
        tenant = session.get(Tenant, line.tenant_id) if line else None
    if line is None or tenant is None or line.provider != source:
        reason = f"line {line_id} is gone or is not a {source} line"
        _finish(runtime, entry_id, status=JournalStatus.FAILED, reason=reason)
        return IngestOutcome(500, entry_id, reason)
    try:
        payload: Any = json.loads(body)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError, absurd nesting
        reason = f"malformed JSON: {type(exc).__name__}"
        _finish(runtime, entry_id, status=JournalStatus.FAILED, reason=reason, line=line)
        return IngestOutcome(400, entry_id, "malformed JSON")
    parsed = _parse(runtime, source=source, payload=payload, received_at=received_at)
    if parsed.instance and line.instance and parsed.instance != line.instance:
        reason = f"body is for instance {parsed.instance[:60]!r}, not this line's {line.instance!r}"
        _finish(runtime, entry_id, status=JournalStatus.REJECTED, reason=reason, line=line)
        log.warning("%s webhook %s refused: %s", source, entry_id, reason)
        return IngestOutcome(403, entry_id, "the body's instance is not this line's")
    outcome = IngestOutcome(200, entry_id, problems=list(parsed.problems))
    try:
        with transaction(runtime.sessions) as session:
            data_key = runtime.data_key(tenant)
            events: list[ArchiveEvent] = [
                *(_seal_secret(e, line=line, data_key=data_key) for e in parsed.events),
                *_place(session, line, parsed.unplaced, outcome.problems),
                *_decrypt(session, line, parsed.encrypted_edits, data_key=data_key, problems=outcome.problems),
            ]
            if events:
                outcome.result = archive_events(session, runtime.archive_context(tenant, line_id=line.id), events)
                scan_new_messages(session, tenant_id=tenant.id, message_ids=outcome.result.new_message_ids)
                queue_notices(session, tenant=tenant, message_ids=outcome.result.new_message_ids,
                              public_url=runtime.settings.public_url, now=datetime.now(UTC))  # fmt: skip
            _apply_line_status(session, line, parsed)
            record_gateway_qr(session, line, source=source, payload=payload, data_key=data_key,
                              now=received_at or datetime.now(UTC))  # a replayed QR keeps its age  # fmt: skip
            _apply_group_subjects(session, line, parsed.group_subjects)
    except Exception as exc:
        # Keep the body for replay and say why; the gateway gets a 500 and retries.
        log.exception("%s webhook %s failed", source, entry_id)
        _finish(runtime, entry_id, status=JournalStatus.FAILED, reason=f"{type(exc).__name__}: {exc}", line=line,
                processed=False)  # fmt: skip
        return IngestOutcome(500, entry_id, "archiving failed; kept in the journal for replay")
    notes = "; ".join(outcome.problems)[:MAX_REASON_NOTES] or None
    _finish(runtime, entry_id, status=JournalStatus.ACCEPTED, reason=notes, line=line)
    return outcome


def _parse(runtime: Runtime, *, source: str, payload: Any, received_at: datetime | None) -> GatewayParse:
    if received_at is not None and received_at.tzinfo is None:
        received_at = received_at.replace(tzinfo=UTC)
    if source == Provider.WAHA.value:
        return parse_webhook(payload, received_at=received_at)
    # ATALAIA_MAX_MEDIA_BYTES is not a setting yet; the default holds until it is.
    limit = runtime.settings.max_media_bytes
    return parse_envelope(payload, received_at=received_at, max_media_bytes=limit)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    return next((value for key, value in headers.items() if key.lower() == name), None)


def _by_token(runtime: Runtime, *, source: str, token: str) -> _Authenticated | str:
    with runtime.sessions() as session:
        line = session.execute(select(Line).where(Line.token_hash == hash_token(token))).scalar_one_or_none()
    if line is None:
        return "unknown line token"
    if line.provider != source:
        return f"the token belongs to a {line.provider} line, not a {source} one"
    if line.status == LineStatus.RETIRED.value:
        return "the token's line is retired"
    return _Authenticated(line_id=line.id, tenant_id=line.tenant_id)


def _by_waha_hmac(runtime: Runtime, *, body: bytes, signature: str, headers: Mapping[str, str]) -> _Authenticated | str:
    """WAHA's `X-Webhook-Hmac`: HMAC-SHA512 hex of the raw body with the session's webhook key,
    which must be the line's token. The session name only narrows the candidates."""
    algorithm = (_header(headers, "x-webhook-hmac-algorithm") or HMAC_ALGORITHM).strip().lower()
    if algorithm != HMAC_ALGORITHM:
        return f"unsupported X-Webhook-Hmac-Algorithm {algorithm[:20]!r}"
    try:
        session_name = json.loads(body).get("session")
    except (ValueError, RecursionError, AttributeError):
        return "X-Webhook-Hmac on a body whose session cannot be read"
    if not isinstance(session_name, str) or not session_name:
        return "X-Webhook-Hmac on a body without a session"
    received = signature.strip().lower()
    with runtime.sessions() as session:
        candidates = session.execute(
            select(Line, Tenant)
            .join(Tenant, Tenant.id == Line.tenant_id)
            .where(
                Line.provider == Provider.WAHA.value,
                Line.instance == session_name,
                Line.status != LineStatus.RETIRED.value,
            )
        ).all()
    for line, tenant in candidates:
        try:
            token = line_token(line, data_key=runtime.data_key(tenant))
        except TamperedData:
            log.error("line %s: sealed gateway token cannot be opened", line.id)
            continue
        if token is None:
            continue
        expected = hmac.new(token.encode("utf-8"), body, hashlib.sha512).hexdigest()
        if hmac.compare_digest(expected, received):
            return _Authenticated(line_id=line.id, tenant_id=line.tenant_id)
    return "invalid X-Webhook-Hmac"


def _place(
    session: Session, line: Line, unplaced: list[EditEvent | RevokeEvent], problems: list[str]
) -> list[ArchiveEvent]:
    """Put edits and deletions whose chat the body did not say into their target's chat."""
    placed: list[ArchiveEvent] = []
    for event in unplaced:
        row = session.execute(
            select(Conversation.key, Conversation.kind)
            .join(Message, Message.conversation_id == Conversation.id)
            .where(Message.line_id == line.id, Message.provider_message_id == bounded_id(event.target_message_id))
        ).first()
        if row is not None:
            conversation = ConversationRef(key=row.key, kind=ConversationKind(row.kind))
            placed.append(replace(event, conversation=conversation))
        elif event.conversation.key:
            placed.append(event)
        else:
            problems.append(
                f"{type(event).__name__} of {event.target_message_id[:80]} names no chat and its message is not "
                "archived yet; kept in the journal (replay places it once the message is in)"
            )
    return placed


def _seal_secret(event: ArchiveEvent, *, line: Line, data_key: bytes) -> ArchiveEvent:
    """A new message's messageSecret is archived sealed (services/message_secrets.py)."""
    if not isinstance(event, MessageEvent) or not event.raw:
        return event
    aad = secret_aad(tenant_id=line.tenant_id, line_id=line.id, message_id=bounded_id(event.provider_message_id))
    sealed = seal_secrets(event.raw, data_key=data_key, aad=aad)
    return event if sealed is event.raw else replace(event, raw=sealed)


def _decrypt(
    session: Session, line: Line, edits: list[EncryptedEdit], *, data_key: bytes, problems: list[str]
) -> list[ArchiveEvent]:
    """Encrypted edits whose original is archived become revisions; the others wait in the journal."""
    placed: list[ArchiveEvent] = []
    for edit in edits:
        target = bounded_id(edit.target_message_id)
        row = session.execute(
            select(Message.raw, Conversation.key, Conversation.kind)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(Message.line_id == line.id, Message.provider_message_id == target)
        ).first()
        if row is None:
            problems.append(f"encrypted edit of {target[:80]}: its message is not archived yet; kept in the journal "
                            "(replay decrypts it once the message is in)")  # fmt: skip
            continue
        aad = secret_aad(tenant_id=line.tenant_id, line_id=line.id, message_id=target)
        secret = open_secret(row.raw, data_key=data_key, aad=aad)
        plaintext = None
        if secret is not None:
            senders = (*author_jids(row.raw), *edit.editors)
            plaintext = decrypt_edit(secret, iv=edit.iv, payload=edit.payload, original_id=edit.target_message_id,
                                     original_senders=senders, editors=edit.editors)  # fmt: skip
        text = edited_text(plaintext) if plaintext is not None else None
        if text is None:
            reason = "its message has no messageSecret" if secret is None else "it does not decrypt to an edit"
            problems.append(f"encrypted edit of {target[:80]} cannot be read: {reason}; kept in the journal")
            continue
        conversation = ConversationRef(key=row.key, kind=ConversationKind(row.kind))
        placed.append(EditEvent(edit.target_message_id, conversation, text, edit.at,
                                provider_event_id=edit.provider_event_id, raw=edit.raw))  # fmt: skip
    return placed


def _apply_line_status(session: Session, line: Line, parsed: GatewayParse) -> None:
    new = parsed.line_status
    if new is None or line.status in (new.value, LineStatus.RETIRED.value):
        return  # a retired line stays retired whatever its gateway says
    session.execute(update(Line).where(Line.id == line.id).values(status=new.value))
    log.info("line %s: %s -> %s (%s)", line.id, line.status, new.value, parsed.status_reason or parsed.event)
    if new.value in DISCONNECTED:
        open_on_disconnection(session, line, now=datetime.now(UTC))


def _apply_group_subjects(session: Session, line: Line, subjects: Mapping[str, str]) -> None:
    """A group the line is in becomes a conversation with its subject, before its first message."""
    if not subjects:
        return
    refs = [ConversationRef(key=key, kind=ConversationKind.GROUP, subject=s) for key, s in subjects.items()]
    ids = resolve_conversations(
        session, tenant_id=line.tenant_id, refs=[(line.id, ref) for ref in refs], contact_ids={}, now=datetime.now(UTC)
    )
    for key, subject in subjects.items():
        conversation_id = ids.get((line.id, bounded_id(key)))
        if conversation_id is not None:
            session.execute(
                update(Conversation).where(Conversation.id == conversation_id).values(subject=clip(subject, 300))
            )


def _finish(
    runtime: Runtime,
    entry_id: int,
    *,
    status: JournalStatus,
    reason: str | None,
    line: Line | None = None,
    processed: bool = True,
) -> None:
    with transaction(runtime.sessions) as session:
        mark_entry(
            session,
            entry_id,
            status=status,
            reason=reason,
            tenant_id=line.tenant_id if line else None,
            line_id=line.id if line else None,
            processed=processed,
        )


__all__ = ["GatewaySource", "authenticate", "process_gateway_entry", "receive_gateway"]
