"""Loading the deterministic demo company into a tenant, for `atalaia demo` and the benchmarks.

1. The plan (teams, managers, lines, employees) becomes rows; colleagues' numbers are marked
   internal contacts.
2. The generator's events are archived through the same `archive_events` as real traffic, in
   batches per line, so the demo exercises idempotency, the chain and the blob store.
3. A compliance officer (the DPO, who reviews) and an administrator (who creates lines, invites
   employees, publishes the usage rules) are created with random passwords, kept in
   ATALAIA_HOME/demo-login.txt (owner-only) so running the demo again can print the same sign-ins.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Final

from sqlalchemy import func, select, update

from atalaia.archive import ArchiveResult, archive_events
from atalaia.archive.chain import checkpoint_now
from atalaia.db.engine import transaction
from atalaia.db.models import Contact, Line, Message, Tenant, User
from atalaia.demo import build_plan, iter_events
from atalaia.demo.plan import ContactRole, DemoPlan
from atalaia.domain.events import ArchiveEvent
from atalaia.runtime import Runtime
from atalaia.security.passwords import generate_password, hash_password
from atalaia.services import audit
from atalaia.services.compliance import import_default_policies, scan_new_messages
from atalaia.services.lines import add_line
from atalaia.services.people import create_user, ensure_team
from atalaia.services.tenancy import ensure_tenant

BATCH: Final = 500
LOGIN_FILE: Final = "demo-login.txt"
DEMO_EMAIL: Final = "dpo@exemplo.com.br"
ADMIN_EMAIL: Final = "admin@exemplo.com.br"

Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class DemoLogin:
    email: str
    password: str


@dataclass(frozen=True, slots=True)
class DemoSummary:
    login: DemoLogin  # the DPO: the console's daily user
    admin: DemoLogin  # lines, people, usage rules
    loaded: bool  # False when the tenant already held the demo
    result: ArchiveResult


def load_demo(
    runtime: Runtime,
    *,
    messages: int,
    seed: int,
    days: int = 90,
    end: date | None = None,
    progress: Progress | None = None,
) -> DemoSummary:
    plan = build_plan(seed=seed)
    with transaction(runtime.sessions) as session:
        tenant = ensure_tenant(session, keyring=runtime.keyring)
        already = session.execute(
            select(func.count()).select_from(Line).where(Line.tenant_id == tenant.id)
        ).scalar_one()
    login_path = runtime.settings.home / LOGIN_FILE
    if already:
        login, admin = _read_logins(runtime, tenant, login_path)
        return DemoSummary(login=login, admin=admin, loaded=False, result=ArchiveResult())
    login, admin = _create_people(runtime, tenant, plan)
    _write_logins(login_path, login, admin)
    line_ids = _line_ids(runtime, tenant)
    result = ArchiveResult()
    pending: dict[int, list[ArchiveEvent]] = {}
    for demo_line, event in iter_events(
        plan, seed=seed, messages=messages, days=days, end=end or datetime.now(UTC).date()
    ):
        batch = pending.setdefault(demo_line.index, [])
        batch.append(event)
        if len(batch) >= BATCH:
            _flush(runtime, tenant, line_ids[demo_line.number], batch, result, progress)
            pending[demo_line.index] = []
    for index, batch in pending.items():
        if batch:
            _flush(runtime, tenant, line_ids[plan.lines[index].number], batch, result, progress)
    _mark_internal(runtime, tenant, plan)
    with transaction(runtime.sessions) as session:
        checkpoint_now(session, tenant_id=tenant.id, signer=lambda: runtime.signer(tenant))
    return DemoSummary(login=login, admin=admin, loaded=True, result=result)


def _create_people(runtime: Runtime, tenant: Tenant, plan: DemoPlan) -> tuple[DemoLogin, DemoLogin]:
    password, admin_password = generate_password(), generate_password()
    with transaction(runtime.sessions) as session:
        for team in plan.teams:
            ensure_team(session, tenant_id=tenant.id, name=team.name)
            create_user(session, tenant_id=tenant.id, email=team.manager.email, role="manager",
                        teams=[team.name], name=team.manager.name)  # fmt: skip
        create_user(session, tenant_id=tenant.id, email=DEMO_EMAIL, role="compliance", password=password,
                    name="Encarregada de Dados (DPO)")  # fmt: skip
        create_user(session, tenant_id=tenant.id, email=ADMIN_EMAIL, role="admin", password=admin_password,
                    name="Administração do Atalaia")  # fmt: skip
        for line in plan.lines:
            add_line(
                session,
                tenant_id=tenant.id,
                number=line.number,
                provider=line.provider.value,
                phone_number_id=line.phone_number_id,
                instance=line.instance,
                team=line.team,
                employee_email=line.employee.email,
                employee_name=line.employee.name,
                timezone=line.timezone,
                data_key=runtime.data_key(tenant),
            )
        session.execute(update(Line).where(Line.tenant_id == tenant.id).values(status="connected"))
        audit.record(session, tenant_id=tenant.id, actor="cli", action="demo_loaded", detail={"seed": plan.seed})
        import_default_policies(session, tenant_id=tenant.id, actor="cli")
    return DemoLogin(email=DEMO_EMAIL, password=password), DemoLogin(email=ADMIN_EMAIL, password=admin_password)


def _line_ids(runtime: Runtime, tenant: Tenant) -> dict[str, int]:
    with runtime.sessions() as session:
        return dict(session.execute(select(Line.number, Line.id).where(Line.tenant_id == tenant.id)).all())


def _flush(
    runtime: Runtime,
    tenant: Tenant,
    line_id: int,
    batch: list[ArchiveEvent],
    result: ArchiveResult,
    progress: Progress | None,
) -> None:
    with transaction(runtime.sessions) as session:
        outcome = archive_events(session, runtime.archive_context(tenant, line_id=line_id), batch)
        scan_new_messages(session, tenant_id=tenant.id, message_ids=outcome.new_message_ids, notify=False)
    result.add(outcome)
    if progress is not None:
        progress(outcome.messages)
    batch.clear()


def _mark_internal(runtime: Runtime, tenant: Tenant, plan: DemoPlan) -> None:
    internal = [c.ref.key for c in plan.contacts if c.role is ContactRole.COLLEAGUE]
    with transaction(runtime.sessions) as session:
        session.execute(
            update(Contact).where(Contact.tenant_id == tenant.id, Contact.key.in_(internal)).values(is_internal=True)
        )


def _write_logins(path: Path, *logins: DemoLogin) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.writelines(f"{login.email}\n{login.password}\n" for login in logins)


def _read_logins(runtime: Runtime, tenant: Tenant, path: Path) -> tuple[DemoLogin, DemoLogin]:
    """The sign-ins kept by the first load. A missing one (the file gone, or a demo loaded before
    the administrator existed) gets a new password, its user created if need be."""
    try:
        words = path.read_text(encoding="utf-8").split()
    except OSError:
        words = []
    kept = {words[i]: words[i + 1] for i in range(0, len(words) - 1, 2)}
    logins = []
    for email, role, name in ((DEMO_EMAIL, "compliance", "Encarregada de Dados (DPO)"),
                              (ADMIN_EMAIL, "admin", "Administração do Atalaia")):  # fmt: skip
        if email in kept:
            logins.append(DemoLogin(email=email, password=kept[email]))
            continue
        login = DemoLogin(email=email, password=generate_password())
        with transaction(runtime.sessions) as session:
            user = session.execute(
                select(User).where(User.tenant_id == tenant.id, User.email == email)
            ).scalar_one_or_none()
            if user is None:
                create_user(session, tenant_id=tenant.id, email=email, role=role, password=login.password, name=name)
            else:
                user.password_hash = hash_password(login.password)
            audit.record(
                session, tenant_id=tenant.id, actor="cli", action="demo_password_reset", detail={"email": email}
            )
        logins.append(login)
    _write_logins(path, *logins)
    return logins[0], logins[1]


def demo_message_count(runtime: Runtime, tenant: Tenant) -> int:
    with runtime.sessions() as session:
        return int(
            session.execute(
                select(func.count()).select_from(Message).where(Message.tenant_id == tenant.id)
            ).scalar_one()
        )
