"""The name to show for a message's author once the subject has had it corrected (LGPD art. 18 III).

A message keeps the name it was sent under (`author_name`, chained evidence); after a correction
the console shows the contact's corrected name instead (services/governance/correction.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from atalaia.db.models import Contact


def corrected_names(session: Session, *, tenant_id: int, contact_ids: Iterable[int | None]) -> dict[int, str]:
    """Contact id -> corrected name, for those of `contact_ids` whose name was corrected."""
    ids = sorted({contact_id for contact_id in contact_ids if contact_id is not None})
    if not ids:
        return {}
    rows = session.execute(
        select(Contact.id, Contact.profile_name).where(
            Contact.tenant_id == tenant_id,
            Contact.id.in_(ids),
            Contact.name_corrected_at.is_not(None),
            Contact.profile_name.is_not(None),
        )
    ).all()
    return {int(contact_id): str(name) for contact_id, name in rows}
