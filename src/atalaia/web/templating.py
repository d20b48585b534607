"""Jinja2 with autoescaping on; WhatsApp content is never marked safe."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo

from fastapi.templating import Jinja2Templates

from atalaia.domain.enums import Role

TEMPLATES_DIR = Path(__file__).parent / "templates"
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
VIEWER_ZONE = ZoneInfo("America/Sao_Paulo")


def local_time(value: datetime | None, fmt: str = "%d/%m/%Y %H:%M") -> str:
    if value is None:
        return ""
    return value.astimezone(VIEWER_ZONE).strftime(fmt)


ROLE_LABELS: Final[dict[str, str]] = {
    Role.ADMIN: "administração",
    Role.COMPLIANCE: "conformidade",
    Role.MANAGER: "gestão de equipe",
    Role.AUDITOR: "auditoria",
}


def role_label(role: Role | str) -> str:
    return ROLE_LABELS.get(str(role), str(role))


templates.env.filters["local_time"] = local_time
templates.env.filters["role_label"] = role_label
assert templates.env.autoescape  # never turned off: everything from WhatsApp is hostile
