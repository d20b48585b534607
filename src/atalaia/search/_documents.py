"""What is searchable about a message: its texts, read from the archive in batches.

A message's document is every text it ever had: the latest (its last edit, or the original
when never edited), the earlier edits, the original, its attachments' captions and file
names, and the text extracted from its attachments (PDF, DOCX, XLSX, CSV, OCR), last, so the
message's own words survive the document's size cap. So an edited message is found by its new
words and by its old ones, which is what a reviewer needs; a message deleted for everyone keeps
its text in the archive and in the index.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Literal

from sqlalchemy import Executable, null, select
from sqlalchemy.orm import Session

from atalaia.db.models import Attachment, AttachmentText, Message, Revision

MAX_INDEXED_CHARS: Final = 100_000  # per message; PostgreSQL refuses a tsvector over 1 MB
ID_CHUNK: Final = 500  # ids per IN (...) list

# What a document needs of its message row; the writer's rows carry these keys too.
INDEXED_COLUMNS: Final = (
    Message.id,
    Message.tenant_id,
    Message.line_id,
    Message.sent_at,
    Message.direction,
    Message.text,
)

TextSource = Literal["text", "revision", "original", "attachment", "attachment_text"]
EXTRACTED: Final = "done"  # attachment_texts.status of a text worth indexing


@dataclass(frozen=True, slots=True)
class MessageTexts:
    message_id: int
    tenant_id: int
    line_id: int
    sent_at: datetime
    direction: str
    original: str | None
    revisions: tuple[str, ...] = ()  # oldest first
    attachments: tuple[str, ...] = ()  # captions and file names
    extracted: tuple[str, ...] = ()  # text extracted from the attachments, in their order

    @property
    def latest(self) -> str:
        return self.revisions[-1] if self.revisions else (self.original or "")

    def texts(self) -> list[tuple[TextSource, str]]:
        """Each distinct text once, the latest first: the order snippets are looked for in."""
        ordered: list[tuple[TextSource, str]] = [("text", self.latest)]
        ordered += [("revision", text) for text in reversed(self.revisions[:-1])]
        ordered += [("original", self.original or "")] if self.revisions else []
        ordered += [("attachment", text) for text in self.attachments]
        ordered += [("attachment_text", text) for text in self.extracted]
        seen: set[str] = set()
        unique: list[tuple[TextSource, str]] = []
        for source, text in ordered:
            if text and text not in seen:
                seen.add(text)
                unique.append((source, text))
        return unique

    def document(self) -> str:
        return "\n".join(text for _, text in self.texts())[:MAX_INDEXED_CHARS]


def _attachment_texts(message_ids: Sequence[int], *, extracted: bool) -> Executable:
    """(message id, caption, file name, extracted text or NULL) per attachment, in their order."""
    text = AttachmentText.text if extracted else null()
    query = select(Attachment.message_id, Attachment.caption, Attachment.file_name, text)
    if extracted:
        query = query.outerjoin(
            AttachmentText, (AttachmentText.attachment_id == Attachment.id) & (AttachmentText.status == EXTRACTED)
        )
    return query.where(Attachment.message_id.in_(message_ids)).order_by(
        Attachment.message_id, Attachment.position, Attachment.id
    )


def chunks(ids: Sequence[int], size: int = ID_CHUNK) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def load_texts(
    session: Session,
    *,
    message_ids: Sequence[int],
    rows: Mapping[int, Mapping[Any, Any]] | None = None,
    extracted: bool = True,
) -> list[MessageTexts]:
    """The texts of these messages; `rows` (id -> row with tenant_id, line_id, sent_at, direction
    and text) saves re-reading them; `extracted=False` leaves out attachment text (for migrations
    older than the `attachment_texts` table).

    Three queries per chunk of ids at most: messages (unless given), revisions, attachments
    (with their extracted text).
    """
    result: list[MessageTexts] = []
    for chunk in chunks(sorted(set(message_ids))):
        if rows is not None:
            base = {mid: rows[mid] for mid in chunk}
        else:
            found = session.execute(select(*INDEXED_COLUMNS).where(Message.id.in_(chunk))).all()
            base = {row.id: row._mapping for row in found}
        revisions: dict[int, list[str]] = defaultdict(list)
        for mid, text in session.execute(
            select(Revision.message_id, Revision.text)
            .where(Revision.message_id.in_(chunk))
            .order_by(Revision.message_id, Revision.edited_at, Revision.id)
        ):
            if mid is not None:
                revisions[mid].append(text)
        extras: dict[int, list[str]] = defaultdict(list)
        found_texts: dict[int, list[str]] = defaultdict(list)
        for mid, caption, file_name, content in session.execute(_attachment_texts(chunk, extracted=extracted)):
            extras[mid].extend(text for text in (caption, file_name) if text)
            if content:
                found_texts[mid].append(content)
        for mid in chunk:
            if mid in base:
                row = base[mid]
                result.append(
                    MessageTexts(
                        message_id=mid,
                        tenant_id=row["tenant_id"],
                        line_id=row["line_id"],
                        sent_at=row["sent_at"],
                        direction=row["direction"],
                        original=row["text"],
                        revisions=tuple(revisions.get(mid, ())),
                        attachments=tuple(extras.get(mid, ())),
                        extracted=tuple(found_texts.get(mid, ())),
                    )
                )
    return result
