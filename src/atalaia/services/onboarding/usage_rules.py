"""A tenant's usage rules: versions are published, never edited; the highest version is in force.

A tenant that never published gets the built-in Portuguese document as version 1 the first time
anyone asks (`current_rules`). Publishing a version makes every earlier acceptance stale: the
acceptance report and the reminders look only at the version in force.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from atalaia.archive.sanitize import clean_text
from atalaia.db.models import UsageRuleVersion
from atalaia.db.upsert import insert_ignore
from atalaia.errors import Conflict, InvalidInput, NotFound
from atalaia.services import audit
from atalaia.services.onboarding.default_rules import DEFAULT_RULES
from atalaia.services.onboarding.markdown import MAX_MARKDOWN_CHARS

SYSTEM_ACTOR: Final = "atalaia"
VERSIONS: Table = UsageRuleVersion.__table__  # type: ignore[assignment]


def current_rules(session: Session, *, tenant_id: int) -> UsageRuleVersion:
    """The version in force; the built-in document becomes version 1 when there is none."""
    latest = _latest(session, tenant_id)
    if latest is not None:
        return latest
    # Two first readers at once: one insert wins, the other finds its row.
    _insert(session, tenant_id=tenant_id, version=1, body=DEFAULT_RULES, actor=SYSTEM_ACTOR)
    found = _latest(session, tenant_id)
    assert found is not None
    return found


def _insert(session: Session, *, tenant_id: int, version: int, body: str, actor: str) -> bool:
    row = {"tenant_id": tenant_id, "version": version, "body": body, "published_at": datetime.now(UTC),
           "published_by": actor[:320]}  # fmt: skip
    return bool(insert_ignore(session, VERSIONS, [row], conflict_columns=["tenant_id", "version"]))


def _latest(session: Session, tenant_id: int) -> UsageRuleVersion | None:
    return session.execute(
        select(UsageRuleVersion)
        .where(UsageRuleVersion.tenant_id == tenant_id)
        .order_by(UsageRuleVersion.version.desc())
        .limit(1)
    ).scalar_one_or_none()


def checked_body(body: str) -> str:
    """The Markdown as it will be stored: NUL-free, line endings unified, within the size limit."""
    text = (clean_text(body, limit=MAX_MARKDOWN_CHARS + 1) or "").replace("\r\n", "\n").strip()
    if not text:
        raise InvalidInput("o texto das regras está vazio")
    if len(text) > MAX_MARKDOWN_CHARS:
        raise InvalidInput(f"o texto das regras passa de {MAX_MARKDOWN_CHARS} caracteres")
    return text + "\n"


def publish_rules(
    session: Session, *, tenant_id: int, body: str, actor: str, user_id: int | None = None, ip: str | None = None
) -> UsageRuleVersion:
    """A new version in force from now on; every employee must accept it again. Audited."""
    text = checked_body(body)
    current = current_rules(session, tenant_id=tenant_id)
    if current.body.strip() == text.strip():
        raise Conflict("o texto é igual ao da versão em vigor; nada foi publicado")
    if not _insert(session, tenant_id=tenant_id, version=current.version + 1, body=text, actor=actor):
        raise Conflict("outra versão foi publicada ao mesmo tempo; recarregue a página")
    row = _latest(session, tenant_id)
    assert row is not None
    audit.record(session, tenant_id=tenant_id, actor=actor, user_id=user_id, action="usage_rules_published",
                 object_type="usage_rules", object_id=row.version, ip=ip,
                 detail={"version": row.version, "chars": len(text)})  # fmt: skip
    return row


def rules_history(session: Session, *, tenant_id: int) -> list[UsageRuleVersion]:
    """Every version, newest first."""
    current_rules(session, tenant_id=tenant_id)
    return list(
        session.execute(
            select(UsageRuleVersion)
            .where(UsageRuleVersion.tenant_id == tenant_id)
            .order_by(UsageRuleVersion.version.desc())
        ).scalars()
    )


def get_version(session: Session, *, tenant_id: int, version: int) -> UsageRuleVersion:
    row = session.execute(
        select(UsageRuleVersion).where(UsageRuleVersion.tenant_id == tenant_id, UsageRuleVersion.version == version)
    ).scalar_one_or_none()
    if row is None:
        raise NotFound("versão das regras não encontrada")
    return row
