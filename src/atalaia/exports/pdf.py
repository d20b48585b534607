"""PDF transcript: the conversations as a reviewer reads them, in the line's time zone.

Each message shows its local time, author and direction, its current text, and markers for what
happened to it: edits (with every earlier version), a deletion for everyone (the text is kept and
shown), replies, reactions, delivery and read times, attachments (their file in the export, or
why they are missing). Built with reportlab's platypus in volumes of at most `VOLUME_MESSAGES` messages
(`transcript-001.pdf`, ...), so memory stays bounded whatever the selection holds. Characters the
standard fonts cannot draw are named in brackets (see `pdf_text`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
from reportlab.lib.styles import ParagraphStyle  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer  # type: ignore[import-untyped]

from atalaia.exports.attachments import AttachmentFolder, Placed
from atalaia.exports.model import ExportConversation, ExportMessage
from atalaia.exports.pdf_text import fold, markup
from atalaia.exports.records import utc_iso
from atalaia.exports.writer import ExportContext

VOLUME_MESSAGES: Final = 5_000
VOLUME_CHARS: Final = 5_000_000  # long texts make a volume end sooner: reportlab holds it all until built
LOCAL: Final = "%d/%m/%Y %H:%M:%S"
KINDS: Final = {
    "image": "imagem", "audio": "áudio", "video": "vídeo", "document": "documento", "sticker": "figurinha",
    "location": "localização", "contacts": "contato", "interactive": "mensagem interativa", "button": "botão",
    "order": "pedido", "media": "mídia", "deleted": "mensagem apagada", "system": "mensagem do sistema",
    "unsupported": "tipo não suportado",
}  # fmt: skip
STATUS_NAMES: Final = {"sent": "enviada", "delivered": "entregue", "read": "lida", "played": "reproduzida",
                       "failed": "falhou", "deleted": "apagada"}  # fmt: skip
NOTICE: Final = (
    "Caracteres que as fontes padrão do PDF não desenham (emojis, outras escritas, marcas invisíveis ou de "
    "direção do texto) aparecem pelo nome entre colchetes, como [thumbs up sign]. O texto exato está nas "
    "exportações JSON Lines e RSMF."
)

STYLES: Final = {
    "title": ParagraphStyle("title", fontName="Helvetica-Bold", fontSize=14, leading=18, spaceAfter=4),
    "meta": ParagraphStyle("meta", fontName="Helvetica", fontSize=8, leading=10, textColor=colors.grey),
    "conversation": ParagraphStyle(
        "conversation", fontName="Helvetica-Bold", fontSize=11, leading=14, spaceBefore=10, spaceAfter=4
    ),
    "header": ParagraphStyle("header", fontName="Helvetica-Bold", fontSize=8.5, leading=11, spaceBefore=5),
    "text": ParagraphStyle("text", fontName="Helvetica", fontSize=9, leading=12),
    "deleted": ParagraphStyle(
        "deleted", fontName="Helvetica-Oblique", fontSize=9, leading=12, textColor=colors.darkred
    ),
    "note": ParagraphStyle(
        "note", fontName="Helvetica", fontSize=8, leading=10, leftIndent=4 * mm, textColor=colors.dimgrey
    ),
}


def _local(moment: datetime, timezone: str) -> str:
    return moment.astimezone(ZoneInfo(timezone)).strftime(LOCAL)


def _size(size: int | None) -> str:
    if size is None:
        return "tamanho desconhecido"
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


class PdfWriter:
    def __init__(self, ctx: ExportContext) -> None:
        self._ctx = ctx
        self._folder = AttachmentFolder(ctx.root, ctx.attachments)
        self._story: list[Any] = []
        self._messages = 0
        self._chars = 0
        self._volume = 0
        self._conversation: ExportConversation | None = None

    def begin_conversation(self, conversation: ExportConversation) -> None:
        self._conversation = conversation
        self._story.extend(self._heading(conversation, continued=False))

    def write(self, messages: Sequence[ExportMessage]) -> None:
        conversation = self._conversation
        assert conversation is not None
        for message in messages:
            if self._messages >= VOLUME_MESSAGES or self._chars >= VOLUME_CHARS:
                self._flush()
                self._story.extend(self._heading(conversation, continued=True))
            placed = [self._folder.place(a, message_id=message.id) for a in message.attachments]
            self._story.extend(self._message(message, conversation, placed))
            self._messages += 1
            self._chars += len(message.text or "") + sum(len(r.text) for r in message.revisions)

    def end_conversation(self) -> None:
        self._conversation = None

    def close(self) -> None:
        if self._story or self._volume == 0:
            self._flush()

    def _flush(self) -> None:
        self._volume += 1
        checkpoint = self._ctx.checkpoint
        title = f"Transcrição de conversas do WhatsApp — parte {self._volume}"
        front = [
            Paragraph(markup(title), STYLES["title"]),
            Paragraph(
                markup(
                    f"Organização: {self._ctx.tenant_name} ({self._ctx.tenant_slug}) · gerado por "
                    f"{self._ctx.generator} · checkpoint assinado nº {checkpoint.seq} "
                    f"(hash {checkpoint.head_hash[:16]}…, {utc_iso(checkpoint.created_at)})"
                ),
                STYLES["meta"],
            ),
            Paragraph(markup(NOTICE), STYLES["meta"]),
            Spacer(1, 4 * mm),
        ]
        path = self._ctx.root / f"transcript-{self._volume:03d}.pdf"
        footer = fold(f"Atalaia · {self._ctx.tenant_slug} · checkpoint {checkpoint.seq} · parte {self._volume}")

        def on_page(canvas: Any, doc: Any) -> None:
            canvas.saveState()
            canvas.setFont("Helvetica", 7)
            canvas.setFillColor(colors.grey)
            canvas.drawString(15 * mm, 8 * mm, footer)
            canvas.drawRightString(A4[0] - 15 * mm, 8 * mm, f"página {doc.page}")
            canvas.restoreState()

        document = SimpleDocTemplate(
            str(path), pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
            bottomMargin=15 * mm, title=fold(title), author="Atalaia", creator=self._ctx.generator,
            subject=fold(f"Exportação para eDiscovery — {self._ctx.tenant_name}"),
        )  # fmt: skip
        document.build(front + (self._story or [Paragraph("Nenhuma mensagem.", STYLES["text"])]),
                       onFirstPage=on_page, onLaterPages=on_page)  # fmt: skip
        self._story = []
        self._messages = 0
        self._chars = 0

    @staticmethod
    def _heading(conversation: ExportConversation, *, continued: bool) -> list[Any]:
        kind = "grupo" if conversation.kind == "group" else "conversa individual"
        title = f"Conversa #{conversation.id} — {conversation.display}" + (" (continuação)" if continued else "")
        members = ", ".join(party.display for party in conversation.participants)
        meta = (
            f"{kind} · linha {conversation.line_number} (custódia: {conversation.custodian.display}) · "
            f"horários em {conversation.timezone} · participantes: {members}"
        )
        return [Paragraph(markup(title), STYLES["conversation"]), Paragraph(markup(meta), STYLES["meta"])]

    def _message(self, message: ExportMessage, conversation: ExportConversation, placed: Sequence[Placed]) -> list[Any]:
        tz = conversation.timezone
        direction = "enviada" if message.direction == "outbound" else "recebida"
        who = message.author.display
        if message.author.phone and message.author.phone not in who:
            who = f"{who} ({message.author.phone})"
        flags = [direction]
        if message.forwarded:
            flags.append("encaminhada")
        if message.edited:
            flags.append("EDITADA")
        if message.deleted:
            flags.append("APAGADA PARA TODOS")
        header = f"{_local(message.sent_at, tz)} · {who} · {' · '.join(flags)} · #{message.id}"
        parts = [Paragraph(markup(header), STYLES["header"])]
        if message.reply_to:
            target = f"mensagem #{message.reply_to_id}" if message.reply_to_id else f"mensagem {message.reply_to}"
            parts.append(Paragraph(markup(f"Em resposta à {target}"), STYLES["note"]))
        if message.deleted and message.revocation is not None:
            by = "pelo colaborador" if message.revocation.by_line else "pelo contato"
            note = f"Apagada para todos em {_local(message.revocation.revoked_at, tz)} {by}; o texto foi preservado:"
            parts.append(Paragraph(markup(note), STYLES["deleted"]))
        text = message.latest_text
        if text:
            parts.append(Paragraph(markup(text), STYLES["deleted" if message.deleted else "text"]))
        elif message.kind != "text":
            parts.append(Paragraph(markup(f"[{KINDS.get(message.kind, message.kind)}]"), STYLES["text"]))
        if message.edited:
            parts.append(Paragraph(markup(f"Texto original: {message.text or ''}"), STYLES["note"]))
            for revision in message.revisions:
                line = f"Editada em {_local(revision.edited_at, tz)}: {revision.text}"
                parts.append(Paragraph(markup(line), STYLES["note"]))
        for attachment, where in zip(message.attachments, placed, strict=True):
            name = attachment.file_name or "sem nome"
            if where.path:
                line = (
                    f"Anexo: {name} ({attachment.mime_type or 'tipo desconhecido'}, {_size(attachment.size)}, "
                    f"SHA-256 {attachment.sha256}), arquivo {where.path}"
                )
            else:
                line = f"Anexo ausente: {name} ({attachment.status}) — {where.missing_reason}"
            parts.append(Paragraph(markup(line), STYLES["note"]))
        for reaction in message.reactions:
            if reaction.emoji:
                line = f"Reação {reaction.emoji} de {reaction.author.display} em {_local(reaction.reacted_at, tz)}"
            else:
                line = f"Reação removida por {reaction.author.display} em {_local(reaction.reacted_at, tz)}"
            parts.append(Paragraph(markup(line), STYLES["note"]))
        if message.statuses:
            line = ", ".join(f"{STATUS_NAMES.get(s.status, s.status)} {_local(s.at, tz)}" for s in message.statuses)
            parts.append(Paragraph(markup(f"Situação: {line}"), STYLES["note"]))
        return parts
