"""The subject's messages, through every writer at once, with other people's data taken out.

Several writers (JSON Lines, the HTML report, the PDF transcript) place the same attachments in
the same folder; `OnceAttachments` decrypts each one once per batch and lets the others find the
file already written. In conversations that are not the subject's own one-to-one chats (groups),
only the subject's messages are read, members other than the subject disappear from the
participant list, and so do reactions by other members. The company's side is shown as the
line, without the employee's name or e-mail: the export is about the subject, not the staff.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from atalaia.blobs import EncryptedBlobStore
from atalaia.exports import ExportProgress
from atalaia.exports.attachments import AttachmentSource
from atalaia.exports.model import ExportAttachment, ExportConversation, ExportMessage, Party
from atalaia.exports.spool import JsonSpool
from atalaia.exports.writer import ExportWriter


class OnceAttachments(AttachmentSource):
    """Reads each attachment once although several writers ask for it within a batch."""

    def __init__(self, *, blobs: EncryptedBlobStore, tenant_id: int, data_key: bytes, missing: JsonSpool) -> None:
        super().__init__(blobs=blobs, tenant_id=tenant_id, data_key=data_key, missing=missing)
        self._seen: dict[int, str | None] = {}  # attachment id -> why missing, or None once its file is written

    def read(self, attachment: ExportAttachment, *, message_id: int) -> bytes | str:
        if attachment.id in self._seen:
            reason = self._seen[attachment.id]
            return b"" if reason is None else reason  # b"": the file is in place, the folder will not rewrite it
        data = super().read(attachment, message_id=message_id)
        self._seen[attachment.id] = data if isinstance(data, str) else None
        return data

    def forget(self) -> None:
        """After every writer had the batch: the memory stays bounded by one batch."""
        self._seen.clear()


@dataclass(slots=True)
class SubjectTranscript:
    writers: Sequence[ExportWriter]
    attachments: OnceAttachments
    subject_party_ids: frozenset[str]  # contact-17, ... : the subject's parties
    company: str  # how the company's side is named
    progress: ExportProgress | None = None
    messages: int = 0
    _custodians: dict[str, Party] = field(default_factory=dict)

    def conversation(
        self, conversation: ExportConversation, batches: Iterable[list[ExportMessage]], *, whole: bool
    ) -> int:
        """Write one conversation's batches to every writer; returns how many messages went out."""
        conversation = self._conversation(conversation, whole=whole)
        written = 0
        for batch in batches:
            cleaned = [self._message(message, conversation, whole=whole) for message in batch]
            if written == 0:
                for writer in self.writers:
                    writer.begin_conversation(conversation)
            for writer in self.writers:
                writer.write(cleaned)
            self.attachments.forget()
            written += len(cleaned)
            if self.progress is not None:
                self.progress.advance(len(cleaned))
        if written:
            for writer in self.writers:
                writer.end_conversation()
        self.messages += written
        return written

    def close(self) -> None:
        for writer in self.writers:
            writer.close()

    def _line(self, party: Party) -> Party:
        if party.id not in self._custodians:
            self._custodians[party.id] = Party(
                id=party.id, display=f"{self.company} ({party.phone})" if party.phone else self.company,
                phone=party.phone, is_line=True,
            )  # fmt: skip
        return self._custodians[party.id]

    def _kept(self, party: Party) -> bool:
        return party.is_line or party.id in self.subject_party_ids

    def _conversation(self, conversation: ExportConversation, *, whole: bool) -> ExportConversation:
        participants = tuple(
            self._line(party) if party.is_line else party
            for party in conversation.participants
            if whole or self._kept(party)
        )
        return replace(conversation, custodian=self._line(conversation.custodian), participants=participants)

    def _message(self, message: ExportMessage, conversation: ExportConversation, *, whole: bool) -> ExportMessage:
        reactions = tuple(
            replace(reaction, author=self._line(reaction.author)) if reaction.author.is_line else reaction
            for reaction in message.reactions
            if whole or self._kept(reaction.author)
        )
        if message.author.is_line:
            return replace(message, author=conversation.custodian, author_name=None, reactions=reactions)
        return replace(message, reactions=reactions)
