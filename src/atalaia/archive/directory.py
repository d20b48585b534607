"""Contacts and conversations: found or created in bulk for a batch of events."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from atalaia.archive.sanitize import bounded_id, clip
from atalaia.db.models import Contact, Conversation, Participant
from atalaia.db.upsert import insert_ignore
from atalaia.domain.events import ContactRef, ConversationRef

CONTACTS: Table = Contact.__table__  # type: ignore[assignment]
CONVERSATIONS: Table = Conversation.__table__  # type: ignore[assignment]
PARTICIPANTS: Table = Participant.__table__  # type: ignore[assignment]


def resolve_contacts(session: Session, *, tenant_id: int, refs: Iterable[ContactRef], now: datetime) -> dict[str, int]:
    """Map each contact key to its row id, creating missing contacts and refreshing names."""
    by_key: dict[str, ContactRef] = {}
    for ref in refs:
        key = bounded_id(ref.key)
        known = by_key.get(key)
        # Prefer the ref that carries the most: a later event may know the name or phone.
        if known is None or (ref.name and not known.name) or (ref.phone and not known.phone):
            by_key[key] = ref
    if not by_key:
        return {}
    existing = {
        row.key: row
        for row in session.execute(
            select(Contact.id, Contact.key, Contact.profile_name, Contact.phone, Contact.name_corrected_at).where(
                Contact.tenant_id == tenant_id, Contact.key.in_(by_key)
            )
        )
    }
    missing = [
        {
            "tenant_id": tenant_id,
            "key": key,
            "wa_id": clip(ref.wa_id, 64),
            "phone": clip(ref.phone, 20),
            "bsuid": clip(ref.bsuid, 128),
            "lid": clip(ref.lid, 64),
            "profile_name": clip(ref.name, 200),
            "is_internal": False,
            "created_at": now,
        }
        for key, ref in by_key.items()
        if key not in existing
    ]
    insert_ignore(session, CONTACTS, missing, conflict_columns=["tenant_id", "key"])
    for key, row in existing.items():
        ref = by_key[key]
        # A name corrected at the subject's request (LGPD art. 18 III) is not undone by the next message.
        name = clip(ref.name, 200) if row.name_corrected_at is None else None
        if (name and name != row.profile_name) or (ref.phone and not row.phone):
            session.execute(
                update(Contact)
                .where(Contact.id == row.id)
                .values(profile_name=name or row.profile_name, phone=row.phone or clip(ref.phone, 20))
            )
    ids = {key: row.id for key, row in existing.items()}
    if missing:
        ids.update(
            session.execute(
                select(Contact.key, Contact.id).where(
                    Contact.tenant_id == tenant_id, Contact.key.in_([m["key"] for m in missing])
                )
            ).all()
        )
    return ids


def resolve_conversations(
    session: Session,
    *,
    tenant_id: int,
    refs: Iterable[tuple[int, ConversationRef]],
    contact_ids: dict[str, int],
    now: datetime,
) -> dict[tuple[int, str], int]:
    """Map each (line id, conversation key) to its row id, creating missing conversations."""
    by_key: dict[tuple[int, str], ConversationRef] = {}
    for line_id, ref in refs:
        by_key.setdefault((line_id, bounded_id(ref.key)), ref)
    if not by_key:
        return {}
    existing = _conversation_ids(session, set(by_key))
    absent = {pair for pair in by_key if pair not in existing}
    missing = [
        {
            "tenant_id": tenant_id,
            "line_id": line_id,
            "key": key,
            "kind": ref.kind.value,
            "subject": clip(ref.subject, 300),
            "contact_id": contact_ids.get(bounded_id(ref.contact.key)) if ref.contact else None,
            "created_at": now,
        }
        for (line_id, key), ref in by_key.items()
        if (line_id, key) in absent
    ]
    insert_ignore(session, CONVERSATIONS, missing, conflict_columns=["line_id", "key"])
    if absent:
        existing.update(_conversation_ids(session, absent))
    return existing


def _conversation_ids(session: Session, wanted: set[tuple[int, str]]) -> dict[tuple[int, str], int]:
    """Ids of these (line, key) pairs; two IN lists on the unique index, then the exact pairs."""
    rows = session.execute(
        select(Conversation.line_id, Conversation.key, Conversation.id).where(
            Conversation.line_id.in_({line_id for line_id, _ in wanted}),
            Conversation.key.in_({key for _, key in wanted}),
        )
    )
    return {(row.line_id, row.key): row.id for row in rows if (row.line_id, row.key) in wanted}


def add_participants(session: Session, *, tenant_id: int, pairs: Iterable[tuple[int, int]]) -> None:
    rows = [
        {"tenant_id": tenant_id, "conversation_id": conversation_id, "contact_id": contact_id}
        for conversation_id, contact_id in sorted(set(pairs))
    ]
    insert_ignore(
        session,
        PARTICIPANTS,
        rows,
        conflict_columns=["conversation_id", "contact_id"],
        returning=("conversation_id",),
    )


def sync_address_book(session: Session, *, tenant_id: int, refs: Iterable[ContactRef], now: datetime) -> int:
    """Contacts from a phone's address book (Coexistence `smb_app_state_sync`); returns how many were new.

    A contact already known by its phone (perhaps keyed by its BSUID) is not duplicated: it only
    gains the saved name when it has none, since the profile name it chose is evidence too.
    """
    wanted = {ref.wa_id: ref for ref in refs if ref.wa_id}
    if not wanted:
        return 0
    known = {
        row.wa_id: row
        for row in session.execute(
            select(Contact.id, Contact.wa_id, Contact.profile_name).where(
                Contact.tenant_id == tenant_id, Contact.wa_id.in_(wanted)
            )
        )
    }
    for wa_id, row in known.items():
        name = clip(wanted[wa_id].name, 200)
        if name and not row.profile_name:
            session.execute(update(Contact).where(Contact.id == row.id).values(profile_name=name))
    missing = [ref for wa_id, ref in wanted.items() if wa_id not in known]
    resolve_contacts(session, tenant_id=tenant_id, refs=missing, now=now)
    return len(missing)
