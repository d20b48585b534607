"""The plain-text body of an RSMF file: who took part and what was said, for search and preview.

Review platforms index this text rather than the manifest, so it carries every text a message
ever had (edits and deleted ones too), attachment names and reactions, in the line's local time.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from atalaia.exports.model import ExportConversation, ExportMessage

LOCAL = "%d/%m/%Y %H:%M:%S %z"


def _local(moment: datetime, timezone: str) -> str:
    return moment.astimezone(ZoneInfo(timezone)).strftime(LOCAL)


def preamble(conversation: ExportConversation, *, part: int) -> str:
    kind = "Grupo" if conversation.kind == "group" else "Conversa individual"
    members = "\n".join(f"  - {p.display}" + (f" <{p.phone}>" if p.phone else "") for p in conversation.participants)
    suffix = f" (parte {part})" if part > 1 else ""
    return (
        f"WhatsApp — {kind}: {conversation.display}{suffix}\n"
        f"Linha: {conversation.line_number} (custódia: {conversation.custodian.display})\n"
        f"Horários em {conversation.timezone}\nParticipantes:\n{members}\n\n"
    )


def message_text(message: ExportMessage, conversation: ExportConversation, *, missing: Mapping[int, str]) -> str:
    """`missing`: attachment id -> why its bytes are not in the file."""
    tz = conversation.timezone
    lines = [f"[{_local(message.sent_at, tz)}] {message.author.display}: {message.latest_text or ''}"]
    if message.revisions:
        lines.append(f"    (editada; texto original: {message.text or ''})")
        lines.extend(f"    (edição em {_local(r.edited_at, tz)}: {r.text})" for r in message.revisions)
    if message.revocation is not None:
        lines.append(f"    (apagada para todos em {_local(message.revocation.revoked_at, tz)}; texto preservado)")
    for attachment in message.attachments:
        name = attachment.file_name or attachment.id
        reason = missing.get(attachment.id)
        lines.append(f"    [anexo ausente: {name} — {reason}]" if reason else f"    [anexo: {name}]")
    for reaction in message.reactions:
        action = f"reagiu com {reaction.emoji}" if reaction.emoji else "removeu a reação"
        lines.append(f"    ({reaction.author.display} {action})")
    return "\n".join(lines) + "\n\n"
