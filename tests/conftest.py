"""Shared fixtures: a real database per test, on SQLite and on PostgreSQL.

`db_url` is parametrised over both engines; every storage test runs twice. SQLite gets a fresh
file migrated from empty (copied from one template per test session, since running every
migration per test is slow); PostgreSQL gets a database per xdist worker, migrated once, and
each test starts from truncated tables. Under CI=true an unreachable PostgreSQL fails the run
instead of skipping.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from atalaia.archive import ArchiveResult, archive_events
from atalaia.db.engine import make_engine, transaction
from atalaia.db.migrate import upgrade
from atalaia.db.models import Base, Line, Tenant
from atalaia.domain.events import ArchiveEvent
from atalaia.runtime import Runtime
from atalaia.security.passwords import set_hasher_for_tests
from atalaia.services.lines import add_line
from atalaia.services.tenancy import ensure_tenant
from atalaia.settings import Settings

PG_ADMIN_URL = os.environ.get("ATALAIA_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"


@pytest.fixture(autouse=True, scope="session")
def _cheap_argon2() -> None:
    """argon2's defaults cost ~0.6 s a hash here; the tests create hundreds of users."""
    set_hasher_for_tests(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def _pg_available() -> bool:
    try:
        engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
    except Exception:
        return False
    return True


@pytest.fixture(scope="session")
def pg_database(worker_id: str) -> Iterator[str]:
    """A migrated PostgreSQL database for this xdist worker, dropped at the end."""
    if not _pg_available():
        if IN_CI:
            pytest.fail(f"PostgreSQL is required under CI=true and is not reachable at {PG_ADMIN_URL}")
        pytest.skip("PostgreSQL not reachable (set ATALAIA_TEST_PG_URL)")
    name = f"atalaia_test_{worker_id}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


def _truncate_all(url: str) -> None:
    engine = create_engine(url)
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "atalaia.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("pg_database")
    _truncate_all(url)
    return url


@pytest.fixture
def settings(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    home = tmp_path / "home"
    monkeypatch.setenv("ATALAIA_HOME", str(home))
    monkeypatch.setenv("ATALAIA_DATABASE_URL", db_url)
    monkeypatch.setenv("ATALAIA_SECRET_KEY", TEST_SECRET)
    return Settings()


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    rt = Runtime.from_settings(settings, migrate=False)
    yield rt
    rt.close()


@dataclass(frozen=True)
class ArchiveSetup:
    """A default tenant with one Cloud API line, ready to archive into."""

    runtime: Runtime
    tenant: Tenant
    line: Line

    def archive(self, events: Sequence[ArchiveEvent]) -> ArchiveResult:
        with transaction(self.runtime.sessions) as session:
            return archive_events(session, self.runtime.archive_context(self.tenant, line_id=self.line.id), events)


@pytest.fixture
def archive_setup(runtime: Runtime) -> ArchiveSetup:
    with transaction(runtime.sessions) as session:
        tenant = ensure_tenant(session, keyring=runtime.keyring)
        line = add_line(
            session,
            tenant_id=tenant.id,
            number="+55 21 99999-0000",
            provider="cloud",
            phone_number_id="106540352242922",
            team="Vendas",
            employee_email="bruno@exemplo.com.br",
            employee_name="Bruno Vendas",
        ).line
    return ArchiveSetup(runtime=runtime, tenant=tenant, line=line)
