"""Which raw journal entries an erasure or a retention purge redacts, and which a legal hold keeps.

The journal holds webhook bodies byte for byte (journal/), so after `subject erase` the person's
words would still be there and `journal replay` would archive them again. Here:
1. `subject_needles`: every id the subject is known by — the phone's digits in both ninth-digit
   forms, each row's `wa_id`, LID and BSUID (services/subject_export/identity.py found the rows).
2. `entries_mentioning`: the tenant's entries (and unrouted ones, which belong to no tenant yet)
   whose body contains one of them between non-alphanumeric bytes; the database finds candidates
   with a byte search (`instr` on SQLite, `LIKE` on bytea), Python confirms the boundaries.
3. `held_entries`: an entry is kept whole when any message it carries (or edits, deletes, reacts
   to, reports a status of) is under an active legal hold — anyone's, since a body may batch
   several people's messages. Parsing uses the same pure connectors as ingestion.
4. `redact_for_subject` and `expire_line_journal` replace the rest with tombstones
   (journal/redaction.py). Decision: docs/decisions/0020-subject-rights-journal-sqlcipher.md.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import ColumnElement, LargeBinary, func, literal, or_, select
from sqlalchemy.orm import Session

from atalaia.archive.sanitize import bounded_id
from atalaia.connectors.cloud_api import parse_notification
from atalaia.connectors.evolution import parse_envelope
from atalaia.connectors.waha import parse_webhook
from atalaia.db.models import JournalEntry, Line, Message
from atalaia.errors import InvalidInput
from atalaia.journal import redact_entries
from atalaia.services.governance.holds import held, is_active, list_holds
from atalaia.services.subject_export.identity import Subject, number_variants

CHUNK: Final = 200  # bodies loaded at once (each up to ATALAIA_MAX_WEBHOOK_BYTES)
MIN_NEEDLE: Final = 8  # characters; a shorter id would match unrelated numbers
_SAFE = re.compile(r"[0-9A-Za-z._:+-]+")  # ids go into LIKE patterns: nothing else is let through
ERASURE_REASON: Final = "apagado a pedido do titular (LGPD), pedido nº {request}"
RETENTION_REASON: Final = "retenção: corpo expirado pela regra mais longa da linha ({days} dias)"


@dataclass(slots=True)
class JournalSweep:
    redacted: int = 0  # entries whose body became a tombstone
    held: int = 0  # entries kept whole because they carry a held message


def subject_needles(subject: Subject) -> tuple[bytes, ...]:
    """Every id of the subject as a webhook body spells it: digits (both ninth-digit forms), LID, BSUID."""
    found: set[str] = set(subject.numbers)
    for row in subject.contacts:
        for value in (row.get("wa_id"), row.get("phone"), row.get("lid")):
            digits = (value or "").split("@", 1)[0].split(":", 1)[0].lstrip("+")
            if digits.isdigit():
                found.update(_twins(digits))
            elif digits:
                found.add(digits)
        if row.get("bsuid"):
            found.add(str(row["bsuid"]))
    return tuple(sorted(n.encode() for n in found if len(n) >= MIN_NEEDLE and _SAFE.fullmatch(n)))


def _twins(digits: str) -> tuple[str, ...]:
    try:
        return number_variants("+" + digits)
    except InvalidInput:  # not a phone (a LID): itself only
        return (digits,)


def _pattern(needles: Sequence[bytes]) -> re.Pattern[bytes]:
    alternatives = b"|".join(re.escape(n) for n in sorted(needles, key=len, reverse=True))
    return re.compile(rb"(?<![0-9A-Za-z])(?:" + alternatives + rb")(?![0-9A-Za-z])")


def _contains(session: Session, needle: bytes) -> ColumnElement[bool]:
    """A byte search in the database; only a pre-filter, Python checks the boundaries."""
    if session.get_bind().dialect.name == "sqlite":
        return func.instr(JournalEntry.body, literal(needle, LargeBinary)) > 0
    return JournalEntry.body.op("LIKE", is_comparison=True)(literal(b"%" + needle + b"%", LargeBinary))


def entries_mentioning(session: Session, *, tenant_id: int, needles: Sequence[bytes]) -> list[int]:
    """Ids of the unredacted entries of the tenant (or of no tenant) that name one of `needles`."""
    if not needles:
        return []
    candidates = list(
        session.execute(
            select(JournalEntry.id)
            .where(
                or_(JournalEntry.tenant_id == tenant_id, JournalEntry.tenant_id.is_(None)),
                JournalEntry.redacted_at.is_(None),
                or_(*(_contains(session, n) for n in needles)),
            )
            .order_by(JournalEntry.id)
        ).scalars()
    )
    pattern = _pattern(needles)
    found: list[int] = []
    for chunk in _chunks(candidates):
        rows = session.execute(select(JournalEntry.id, JournalEntry.body).where(JournalEntry.id.in_(chunk))).all()
        found += [entry_id for entry_id, body in rows if pattern.search(bytes(body or b""))]
    return sorted(found)


def held_entries(session: Session, *, tenant_id: int, entry_ids: Collection[int], now: datetime) -> set[int]:
    """The entries among `entry_ids` carrying a message that an active legal hold keeps."""
    if not entry_ids or not any(is_active(h, now) for h in list_holds(session, tenant_id=tenant_id)):
        return set()
    kept: set[int] = set()
    for chunk in _chunks(sorted(entry_ids)):
        rows = session.execute(
            select(JournalEntry.id, JournalEntry.source, JournalEntry.line_id, JournalEntry.body).where(
                JournalEntry.id.in_(chunk)
            )
        ).all()
        for row in rows:
            messages = _message_ids(session, tenant_id, _refs(session, row.source, bytes(row.body or b""), row.line_id))
            if messages and held(session, tenant_id, messages, now=now):
                kept.add(row.id)
    return kept


def _refs(session: Session, source: str, body: bytes, line_id: int | None) -> list[tuple[int, str]]:
    """(line id, provider message id) of every message the body carries or refers to."""
    try:
        payload: Any = json.loads(body)
    except (ValueError, RecursionError):
        return []  # not JSON: nothing was ever archived from it
    pairs: list[tuple[str | None, list[Any]]] = []
    if source == "cloud":
        pairs = [(change.phone_number_id, change.events) for change in parse_notification(payload)]
        numbers = {p for p, _ in pairs if p}
        routes = (
            dict(session.execute(select(Line.phone_number_id, Line.id).where(Line.phone_number_id.in_(numbers))).all())
            if numbers
            else {}
        )
        lines = [routes.get(p or "") for p, _ in pairs]
    elif source in ("evolution", "waha") and line_id is not None:
        parsed = parse_webhook(payload) if source == "waha" else parse_envelope(payload)
        pairs, lines = [(None, [*parsed.events, *parsed.unplaced])], [line_id]
    else:
        return []
    found: list[tuple[int, str]] = []
    for (_, events), line in zip(pairs, lines, strict=True):
        if line is None:
            continue
        for event in events:
            provider_id = getattr(event, "provider_message_id", None) or getattr(event, "target_message_id", None)
            if isinstance(provider_id, str) and provider_id:
                found.append((int(line), bounded_id(provider_id)))
    return found


def _message_ids(session: Session, tenant_id: int, refs: Iterable[tuple[int, str]]) -> set[int]:
    by_line: dict[int, set[str]] = {}
    for line_id, provider_id in refs:
        by_line.setdefault(line_id, set()).add(provider_id)
    found: set[int] = set()
    for line_id, provider_ids in by_line.items():
        found.update(
            session.execute(
                select(Message.id).where(
                    Message.tenant_id == tenant_id,
                    Message.line_id == line_id,
                    Message.provider_message_id.in_(sorted(provider_ids)),
                )
            ).scalars()
        )
    return found


def redact_for_subject(
    session: Session, *, tenant_id: int, subject: Subject, request_id: int, now: datetime
) -> JournalSweep:
    """Tombstone every entry naming the subject, except those carrying held messages."""
    sweep = JournalSweep()
    mentioning = entries_mentioning(session, tenant_id=tenant_id, needles=subject_needles(subject))
    kept = held_entries(session, tenant_id=tenant_id, entry_ids=mentioning, now=now)
    sweep.held = len(kept)
    chosen = [entry_id for entry_id in mentioning if entry_id not in kept]
    for chunk in _chunks(chosen):
        sweep.redacted += redact_entries(session, chunk, reason=ERASURE_REASON.format(request=request_id), now=now)
    return sweep


def expired_entries(*, line_id: int, cutoff: datetime, after: int, limit: int) -> Any:
    """A batch of the line's unredacted entries received before `cutoff`, by id."""
    return (
        select(JournalEntry.id)
        .where(
            JournalEntry.line_id == line_id,
            JournalEntry.received_at < cutoff,
            JournalEntry.redacted_at.is_(None),
            JournalEntry.id > after,
        )
        .order_by(JournalEntry.id)
        .limit(limit)
    )


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start : start + CHUNK])
