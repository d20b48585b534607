"""Who is who in an export: stable participant ids and the names reviewers will read.

Ids come from archive rows (`line-3`, `contact-17`), so the same person has the same id in every
format and every export; an author known only by a name in a chat export gets an id derived from
that name.
"""

from __future__ import annotations

import hashlib
from typing import Final

from atalaia.exports.model import Party

UNKNOWN: Final = Party(id="unknown", display="Desconhecido")


def line_party(*, line_id: int, number: str, employee_name: str | None, employee_email: str | None) -> Party:
    display = f"{employee_name} ({number})" if employee_name else number
    return Party(id=f"line-{line_id}", display=display, phone=number, email=employee_email, is_line=True)


def contact_party(*, contact_id: int, name: str | None, phone: str | None, wa_id: str | None, key: str) -> Party:
    display = name or phone or (f"+{wa_id}" if wa_id and wa_id.isdigit() else wa_id) or key.split(":", 1)[-1]
    return Party(id=f"contact-{contact_id}", display=display, phone=phone)


def name_party(name: str) -> Party:
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return Party(id=f"name-{digest}", display=name)
