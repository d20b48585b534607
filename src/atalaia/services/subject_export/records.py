"""What the archive holds about the subject besides messages: contacts, notices, alerts, reactions.

Each reader returns plain JSON-ready dicts. Alerts come with the subject's own hits only (the
redacted match, never the text), and without the reviewers' side: no comments, assignee,
employee or notifications. Reactions here are the subject's reactions to other people's
messages in groups, named by message id only: the message itself is someone else's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from typing import Any, Final

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from atalaia.db.models import Alert, AlertHit, Conversation, DeliveryStatusRecord, Line, Message, Notice, Reaction
from atalaia.exports.records import utc_iso
from atalaia.exports.selection import chunks
from atalaia.services.subject_export.scope import SubjectScope

ALERT_CHUNK: Final = 200


def _iso(moment: datetime | None) -> str | None:
    return utc_iso(moment) if moment is not None else None


def contact_record(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "created_at": _iso(row["created_at"]), "is_internal": bool(row["is_internal"])}


def conversation_records(session: Session, *, tenant_id: int, scope: SubjectScope) -> list[dict[str, Any]]:
    """Every conversation in scope, in id order; the caller adds how many messages it exported."""
    ids = [*scope.whole, *scope.own]
    found: list[dict[str, Any]] = []
    for chunk in chunks(sorted(ids)):
        for conversation, number in session.execute(
            select(Conversation, Line.number)
            .join(Line, Line.id == Conversation.line_id)
            .where(Conversation.tenant_id == tenant_id, Conversation.id.in_(chunk))
            .order_by(Conversation.id)
        ):
            found.append(
                {
                    "id": conversation.id,
                    "kind": conversation.kind,
                    "line": number,
                    "group_subject": conversation.subject,
                    "scope": scope.kind_of(conversation.id),
                    "created_at": _iso(conversation.created_at),
                    # A group's last message may be anyone's: only a chat that is wholly theirs says when.
                    "last_message_at": _iso(conversation.last_message_at) if conversation.id in scope.whole else None,
                }
            )
    return found


def notice_records(session: Session, *, tenant_id: int, contact_ids: tuple[int, ...]) -> list[dict[str, Any]]:
    """The notices owed or sent to the subject, with their delivery as WhatsApp reported it."""
    records = []
    for notice, number in session.execute(
        select(Notice, Line.number)
        .join(Line, Line.id == Notice.line_id)
        .where(Notice.tenant_id == tenant_id, Notice.contact_id.in_(contact_ids))
        .order_by(Notice.id)
    ):
        delivery = []
        if notice.provider_message_id:
            delivery = [
                {"status": status, "at": _iso(at)}
                for status, at in session.execute(
                    select(DeliveryStatusRecord.status, DeliveryStatusRecord.at)
                    .where(
                        DeliveryStatusRecord.line_id == notice.line_id,
                        DeliveryStatusRecord.target_message_id == notice.provider_message_id,
                    )
                    .order_by(DeliveryStatusRecord.at, DeliveryStatusRecord.id)
                )
            ]
        records.append(
            {
                "id": notice.id,
                "line": number,
                "conversation_id": notice.conversation_id,
                "status": notice.status,
                "text": notice.text,
                "reason": notice.reason,
                "created_at": _iso(notice.created_at),
                "sent_at": _iso(notice.sent_at),
                "delivery": delivery,
            }
        )
    return records


def alert_records(sessions: sessionmaker[Session], *, tenant_id: int, scope: SubjectScope) -> Iterator[dict[str, Any]]:
    """Alerts with a hit in the subject's messages, each with those hits only, a chunk of alerts at a time."""
    with sessions() as session:
        found = session.scalars(
            select(AlertHit.alert_id)
            .join(Message, Message.id == AlertHit.message_id)
            .where(AlertHit.tenant_id == tenant_id, AlertHit.alert_id.is_not(None), scope.messages())
            .distinct()
        ).all()
    alert_ids = sorted(alert_id for alert_id in found if alert_id is not None)
    for chunk in chunks(alert_ids, ALERT_CHUNK):
        with sessions() as session:
            hits: dict[int, list[dict[str, Any]]] = defaultdict(list)
            for hit in session.scalars(
                select(AlertHit)
                .join(Message, Message.id == AlertHit.message_id)
                .where(AlertHit.alert_id.in_(chunk), scope.messages())
                .order_by(AlertHit.alert_id, AlertHit.at, AlertHit.id)
            ):
                assert hit.alert_id is not None
                hits[hit.alert_id].append(
                    {"message_id": hit.message_id, "rule": hit.rule, "detector": hit.detector,
                     "severity": hit.severity, "match": hit.match, "source": hit.source, "at": _iso(hit.at)}
                )  # fmt: skip
            for alert in session.scalars(select(Alert).where(Alert.id.in_(chunk)).order_by(Alert.id)):
                yield {
                    "id": alert.id,
                    "conversation_id": alert.conversation_id,
                    "policy": alert.policy,
                    "title": alert.title,
                    "severity": alert.severity,
                    "category": alert.category,
                    "status": alert.status,
                    "resolution": alert.resolution,
                    "created_at": _iso(alert.created_at),
                    "resolved_at": _iso(alert.resolved_at),
                    "hits": hits.get(alert.id, []),
                }


def reaction_records(session: Session, *, tenant_id: int, scope: SubjectScope) -> Iterator[dict[str, Any]]:
    """The subject's reactions to messages that are not theirs, in the conversations where only their part goes."""
    if not scope.own:
        return
    rows = session.execute(
        select(Reaction.id, Reaction.emoji, Reaction.reacted_at, Reaction.message_id, Message.conversation_id)
        .join(Message, Message.id == Reaction.message_id)
        .where(
            Reaction.tenant_id == tenant_id,
            Reaction.author_contact_id.in_(scope.contact_ids),
            Message.conversation_id.in_(scope.own),
            or_(Message.author_contact_id.is_(None), Message.author_contact_id.not_in(scope.contact_ids)),
        )
        .order_by(Reaction.reacted_at, Reaction.id)
    )
    for row in rows:
        yield {
            "id": row.id,
            "conversation_id": row.conversation_id,
            "message_id": row.message_id,
            "emoji": row.emoji,
            "removed": row.emoji == "",
            "reacted_at": _iso(row.reacted_at),
        }
