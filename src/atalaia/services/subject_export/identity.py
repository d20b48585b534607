"""Who the data subject is: every contact row behind one phone number or WhatsApp id.

A person reaches the archive under several ids: the phone (`+55...`, and `wa_id` digits that for
older Brazilian mobile accounts still lack the ninth digit), a business-scoped user id (Cloud
API `user_id`, BSUID) and a privacy id (`@lid`, gateways). Rows are found by the phone and the
`wa_id` in both ninth-digit forms, then by the BSUID and LID those rows carry: only aliases a row
itself links, never a guess from a name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from atalaia.db.models import Contact
from atalaia.errors import InvalidInput, NotFound

MIN_DIGITS: Final = 8
MAX_DIGITS: Final = 15  # E.164
PHONE_JID_SERVERS: Final = frozenset({"s.whatsapp.net", "c.us"})
_NOT_DIGITS = re.compile(r"\D")


@dataclass(frozen=True, slots=True)
class Subject:
    query: str  # as the operator typed it
    numbers: tuple[str, ...]  # the digit strings looked up
    contacts: tuple[dict[str, Any], ...]  # the contact rows, as exported

    @property
    def contact_ids(self) -> tuple[int, ...]:
        return tuple(int(row["id"]) for row in self.contacts)

    @property
    def label(self) -> str:
        """The number as the audit log and the report name it."""
        return "+" + self.numbers[0]


def _ninth_digit_twin(digits: str) -> str | None:
    """The same Brazilian mobile with or without the ninth digit (added 2012-2016; old WhatsApp ids lack it)."""
    if not digits.startswith("55"):
        return None
    if len(digits) == 13 and digits[4] == "9" and digits[5] in "6789":
        return digits[:4] + digits[5:]
    if len(digits) == 12 and digits[4] in "6789":
        return digits[:4] + "9" + digits[4:]
    return None


def number_variants(query: str) -> tuple[str, ...]:
    """Digit strings the person may be stored under, the international form first."""
    text = query.strip()
    user, at, server = text.partition("@")
    if at and server.lower() in PHONE_JID_SERVERS:
        text = user.split(":", 1)[0]  # a WhatsApp id written as a JID, perhaps with a device suffix
    digits = _NOT_DIGITS.sub("", text)
    if not MIN_DIGITS <= len(digits) <= MAX_DIGITS or (text and not re.fullmatch(r"[+\d\s().-]+", text)):
        raise InvalidInput(f"telefone inválido: {query!r}; use +55 DDD número, por exemplo +5521988887777")
    found = []
    if not text.startswith("+") and len(digits) in (10, 11):
        found.append("55" + digits)  # a Brazilian number written without +55
    found.append(digits)
    for number in list(found):
        twin = _ninth_digit_twin(number)
        if twin:
            found.append(twin)
    return tuple(dict.fromkeys(found))


COLUMNS: Final = (
    Contact.id, Contact.key, Contact.wa_id, Contact.phone, Contact.bsuid, Contact.lid, Contact.profile_name,
    Contact.is_internal, Contact.created_at, Contact.email, Contact.note,  # the last two: set by a correction
)  # fmt: skip


def find_subject(session: Session, *, tenant_id: int, query: str) -> Subject:
    """The subject's contact rows, or NotFound: an unknown number is an error, never an empty export."""
    numbers = number_variants(query)
    direct = session.execute(
        select(*COLUMNS).where(
            Contact.tenant_id == tenant_id,
            or_(
                Contact.phone.in_(["+" + n for n in numbers]),
                Contact.wa_id.in_(numbers),
                Contact.key.in_(["wa:" + n for n in numbers]),
            ),
        )
    ).all()
    if not direct:
        raise NotFound(f"nenhum contato com o telefone {query.strip()} (nem +{numbers[0]}) neste tenant")
    lids = {row.lid for row in direct if row.lid}
    bsuids = {row.bsuid for row in direct if row.bsuid}
    keys = {"lid:" + lid.split("@", 1)[0] for lid in lids} | {"bsuid:" + bsuid for bsuid in bsuids}
    aliases = (
        session.execute(
            select(*COLUMNS).where(
                Contact.tenant_id == tenant_id,
                or_(Contact.lid.in_(lids), Contact.bsuid.in_(bsuids), Contact.key.in_(keys)),
            )
        ).all()
        if keys
        else []
    )
    rows = {row.id: row._asdict() for row in [*direct, *aliases]}
    return Subject(query=query, numbers=numbers, contacts=tuple(rows[key] for key in sorted(rows)))
