"""The embedded database encrypted with SQLCipher: unreadable as a file, whole to Atalaia.

SQLite only by nature (PostgreSQL deployments rely on disk encryption). Skipped only when the
optional `sqlcipher3-binary` package is missing and CI is not set; under CI=true it must run.
"""

from __future__ import annotations

import importlib.util
import sqlite3
from pathlib import Path

import pytest

from atalaia.archive import archive_events
from atalaia.db.engine import CipherKeys, make_engine, transaction
from atalaia.errors import ConfigurationError
from atalaia.runtime import Runtime
from atalaia.search import search
from atalaia.security.database_key import database_key
from atalaia.services.lines import add_line
from atalaia.services.tenancy import ensure_tenant
from atalaia.settings import Settings
from tests.conftest import IN_CI, TEST_SECRET
from tests.factories import inbound

if importlib.util.find_spec("sqlcipher3") is None and not IN_CI:
    pytest.skip("sqlcipher3-binary is not installed (pip install 'atalaia[sqlcipher]')", allow_module_level=True)

NEW_SECRET = "another-master-key-that-is-long-enough-9876543210"
WORDS = "notificações da reunião sigilosa"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("ATALAIA_DATABASE_URL", raising=False)
    monkeypatch.delenv("ATALAIA_PREVIOUS_SECRET_KEY", raising=False)
    monkeypatch.setenv("ATALAIA_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ATALAIA_DATABASE_ENCRYPTION", "sqlcipher")
    monkeypatch.setenv("ATALAIA_SECRET_KEY", TEST_SECRET)
    return tmp_path / "home"


def open_runtime() -> Runtime:
    return Runtime.from_settings(Settings())


@pytest.fixture
def filled(home: Path) -> Path:
    runtime = open_runtime()
    with transaction(runtime.sessions) as session:
        tenant = ensure_tenant(session, keyring=runtime.keyring)
        line = add_line(session, tenant_id=tenant.id, number="+5521999990000", provider="cloud",
                        phone_number_id="1065").line  # fmt: skip
    with transaction(runtime.sessions) as session:
        archive_events(session, runtime.archive_context(tenant, line_id=line.id), [inbound("m1", WORDS)])
    runtime.close()
    return home / "atalaia.db"


def found(runtime: Runtime, query: str) -> int:
    with transaction(runtime.sessions) as session:
        tenant = ensure_tenant(session, keyring=runtime.keyring)
        return search(session, tenant_id=tenant.id, query=query, actor="test").total


def test_the_file_is_unreadable_by_plain_sqlite_and_whole_to_atalaia(filled: Path) -> None:
    for path in filled.parent.glob("atalaia.db*"):  # the WAL file too
        data = path.read_bytes()
        assert b"sigilosa" not in data, path
        assert b"SQLite format 3" not in data[:16]
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        sqlite3.connect(filled).execute("SELECT count(*) FROM sqlite_master").fetchone()

    runtime = open_runtime()
    try:
        assert found(runtime, "reuniao") == 1  # FTS5 with its accent-folded and stemmed columns
        assert found(runtime, "notificacao") == 1
        with runtime.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA cipher_version").scalar()
    finally:
        runtime.close()


def test_another_master_key_is_refused_clearly_and_the_key_never_shows(
    filled: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ATALAIA_SECRET_KEY", NEW_SECRET)

    with pytest.raises(ConfigurationError, match="ATALAIA_PREVIOUS_SECRET_KEY") as refused:
        open_runtime()

    settings = Settings()
    for secret in (TEST_SECRET, NEW_SECRET):
        key = database_key(secret.encode()).hex()
        assert key not in str(refused.value)
        assert key not in "".join(capfd.readouterr())
    assert settings.database_encryption == "sqlcipher"


def test_a_master_key_rotation_re_keys_the_file_on_the_next_start(
    filled: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATALAIA_SECRET_KEY", NEW_SECRET)
    monkeypatch.setenv("ATALAIA_PREVIOUS_SECRET_KEY", TEST_SECRET)
    runtime = open_runtime()
    runtime.close()

    monkeypatch.delenv("ATALAIA_PREVIOUS_SECRET_KEY")
    monkeypatch.setenv("ATALAIA_SECRET_KEY", NEW_SECRET)
    settings = Settings()
    engine = make_engine(settings.resolved_database_url, cipher=CipherKeys(database_key(NEW_SECRET.encode())))
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM messages").scalar() == 1
    engine.dispose()
    old = make_engine(settings.resolved_database_url, cipher=CipherKeys(database_key(TEST_SECRET.encode())))
    with pytest.raises(ConfigurationError):
        old.connect()
    old.dispose()


def test_encryption_is_refused_for_postgresql(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    monkeypatch.setenv("ATALAIA_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

    with pytest.raises(ConfigurationError, match="SQLite only"):
        open_runtime()
