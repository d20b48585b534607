"""`relatorio.html`: everything in the export as one document a person can read, in Portuguese.

It needs no library and opens in any browser from the unzipped folder. Every archived text is
escaped and isolated (`<bdi>`), so a message full of markup or direction marks is shown as
text; a strict Content-Security-Policy forbids scripts and remote content anyway. Conversations
stream into a scratch file as they are read; the summary, known only at the end, is written
first when the document is assembled, so memory stays bounded by one batch.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Sequence
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

from atalaia.exports.attachments import AttachmentFolder, AttachmentSource, Placed
from atalaia.exports.model import ExportConversation, ExportMessage

FILE_NAME: Final = "relatorio.html"
LOCAL: Final = "%d/%m/%Y %H:%M:%S"
STATUS_NAMES: Final = {"sent": "enviada", "delivered": "entregue", "read": "lida", "played": "reproduzida",
                       "failed": "falhou", "deleted": "apagada"}  # fmt: skip
STYLE: Final = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.4}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ccc}h3{font-size:1rem}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left;
vertical-align:top}ol.mensagens{list-style:none;padding:0}li.msg{margin:.6rem 0;padding:.4rem .6rem;
border-left:3px solid #8ab}li.enviada{border-color:#b98}.cab{font-size:.85rem;color:#555;margin:0}
.texto{white-space:pre-wrap;margin:.2rem 0}.apagada{color:#900;font-style:italic}.nota{font-size:.85rem;
color:#555;margin:.1rem 0 .1rem 1rem}.meta{color:#555;font-size:.9rem}
"""
CSP: Final = "default-src 'none'; style-src 'unsafe-inline'"


def text(value: object) -> str:
    """Archived text as inert HTML: escaped, and isolated from the direction of what surrounds it."""
    return f"<bdi>{escape(str(value), quote=True)}</bdi>"


def _local(moment: datetime, timezone: str) -> str:
    return moment.astimezone(ZoneInfo(timezone)).strftime(LOCAL)


def table(rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]]) -> str:
    """A table of `rows` with (key, heading) `columns`; a short sentence when there is nothing."""
    if not rows:
        return "<p class='meta'>Nenhum registro.</p>"
    head = "".join(f"<th>{escape(heading)}</th>" for _, heading in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{'' if row.get(key) is None else text(row[key])}</td>" for key, _ in columns) + "</tr>"
        for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


class HtmlReport:
    """An ExportWriter for the messages, plus the sections and summary around them."""

    def __init__(self, root: Path, scratch: Path, attachments: AttachmentSource) -> None:
        self._root = root
        self._folder = AttachmentFolder(root, attachments)
        self._body_path = scratch / "relatorio-corpo.html"
        self._body = self._body_path.open("w", encoding="utf-8", newline="\n")
        self._conversation: ExportConversation | None = None
        self._columns: Sequence[tuple[str, str]] = ()
        self._rows = 0
        self._body.write("<h2>Conversas e mensagens</h2>\n")

    def begin_conversation(self, conversation: ExportConversation) -> None:
        self._conversation = conversation
        kind = "grupo (somente as suas mensagens)" if conversation.kind == "group" else "conversa individual"
        members = ", ".join(text(party.display) for party in conversation.participants)
        self._body.write(
            f"<section><h3>Conversa #{conversation.id} — {text(conversation.display)}</h3>"
            f"<p class='meta'>{kind} · linha {text(conversation.line_number)} · horários de "
            f"{text(conversation.timezone)} · participantes: {members}</p><ol class='mensagens'>\n"
        )

    def write(self, messages: Sequence[ExportMessage]) -> None:
        conversation = self._conversation
        assert conversation is not None
        for message in messages:
            placed = [self._folder.place(a, message_id=message.id) for a in message.attachments]
            self._body.write(self._message(message, conversation.timezone, placed))

    def end_conversation(self) -> None:
        self._body.write("</ol></section>\n")
        self._conversation = None

    def close(self) -> None:
        """Nothing to do: the document is assembled by `finish`, once the other sections are in."""

    def begin_section(self, title: str, intro: str, columns: Sequence[tuple[str, str]]) -> None:
        """A table section written row by row (`row`), for lists that may be long."""
        self._columns = columns
        self._rows = 0
        head = "".join(f"<th>{escape(heading)}</th>" for _, heading in columns)
        self._body.write(f"<h2>{escape(title)}</h2><p class='meta'>{escape(intro)}</p><table><tr>{head}</tr>\n")

    def row(self, values: dict[str, Any]) -> None:
        cells = "".join(f"<td>{'' if values.get(key) is None else text(values[key])}</td>" for key, _ in self._columns)
        self._body.write(f"<tr>{cells}</tr>\n")
        self._rows += 1

    def end_section(self) -> None:
        self._body.write("</table>\n" if self._rows else "</table><p class='meta'>Nenhum registro.</p>\n")

    def finish(self, *, title: str, facts: Iterable[tuple[str, object]], prelude: str) -> None:
        """Write the document: title, facts, `prelude` (already HTML), then the streamed body."""
        self._body.close()
        rows = "".join(f"<tr><th>{escape(label)}</th><td>{text(value)}</td></tr>" for label, value in facts)
        with (self._root / FILE_NAME).open("w", encoding="utf-8", newline="\n") as out:
            out.write(
                "<!doctype html><html lang='pt-BR'><head><meta charset='utf-8'>"
                f"<meta http-equiv='Content-Security-Policy' content=\"{CSP}\">"
                f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
                f"<h1>{escape(title)}</h1><table>{rows}</table>{prelude}\n"
            )
            with self._body_path.open("r", encoding="utf-8") as body:
                shutil.copyfileobj(body, out)
            out.write("</body></html>\n")
        self._body_path.unlink()

    @staticmethod
    def _message(message: ExportMessage, timezone: str, placed: Sequence[Placed]) -> str:
        direction = "enviada" if message.direction == "outbound" else "recebida"
        who = message.author.display
        if message.author.phone and message.author.phone not in who:
            who = f"{who} ({message.author.phone})"
        flags = [direction]
        if message.forwarded:
            flags.append("encaminhada")
        if message.edited:
            flags.append("editada")
        if message.deleted:
            flags.append("apagada para todos")
        parts = [
            f"<li class='msg {direction}' id='m{message.id}'><p class='cab'>{_local(message.sent_at, timezone)} · "
            f"{text(who)} · {' · '.join(flags)} · #{message.id}</p>"
        ]
        if message.reply_to:
            target = f"#{message.reply_to_id}" if message.reply_to_id else text(message.reply_to)
            parts.append(f"<p class='nota'>Em resposta à mensagem {target}</p>")
        if message.revocation is not None:
            by = "pela empresa" if message.revocation.by_line else "por você"
            parts.append(
                f"<p class='nota apagada'>Apagada para todos em {_local(message.revocation.revoked_at, timezone)} "
                f"{by}; o texto foi preservado:</p>"
            )
        if message.latest_text:
            parts.append(f"<p class='texto{' apagada' if message.deleted else ''}'>{text(message.latest_text)}</p>")
        elif message.kind != "text":
            parts.append(f"<p class='texto'>[{text(message.kind)}]</p>")
        if message.edited:
            parts.append(f"<p class='nota'>Texto original: {text(message.text or '')}</p>")
            parts.extend(
                f"<p class='nota'>Editada em {_local(r.edited_at, timezone)}: {text(r.text)}</p>"
                for r in message.revisions
            )
        for attachment, where in zip(message.attachments, placed, strict=True):
            name = text(attachment.file_name or "sem nome")
            if where.path:
                parts.append(
                    f"<p class='nota'>Anexo: <a href='{escape(where.path, quote=True)}'>{name}</a> "
                    f"({text(attachment.mime_type or 'tipo desconhecido')}, {attachment.size} bytes, "
                    f"SHA-256 {attachment.sha256})</p>"
                )
            else:
                parts.append(f"<p class='nota'>Anexo ausente: {name} — {text(where.missing_reason or '')}</p>")
        for reaction in message.reactions:
            what = f"Reação {text(reaction.emoji)}" if reaction.emoji else "Reação removida"
            parts.append(
                f"<p class='nota'>{what} de {text(reaction.author.display)} em "
                f"{_local(reaction.reacted_at, timezone)}</p>"
            )
        if message.statuses:
            line = ", ".join(
                f"{STATUS_NAMES.get(s.status, s.status)} {_local(s.at, timezone)}" for s in message.statuses
            )
            parts.append(f"<p class='nota'>Situação: {text(line)}</p>")
        parts.append("</li>\n")
        return "".join(parts)
