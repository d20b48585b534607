"""Engines and sessions for SQLite (embedded, WAL; optionally SQLCipher-encrypted) and PostgreSQL (at scale)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from atalaia.errors import ConfigurationError

SQLITE_BUSY_TIMEOUT_MS = 30_000  # a writer waits this long for another before giving up


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy control transactions; pysqlite's implicit BEGIN is deferred and would
        # fail with "database is locked" when two writers upgrade their read locks together.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable at checkpoint, fast
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Take the write lock up front: every transaction here may write.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


@dataclass(frozen=True, slots=True)
class CipherKeys:
    """Raw 256-bit SQLCipher keys: the current one, and the one to re-key from during a master-key
    rotation. Never logged: they reach SQLCipher as a PRAGMA on the raw connection only."""

    current: bytes
    previous: bytes | None = None

    def __repr__(self) -> str:
        return "CipherKeys(***)"


def _sqlcipher_module() -> Any:
    try:
        import sqlcipher3  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError:
        raise ConfigurationError(
            "ATALAIA_DATABASE_ENCRYPTION=sqlcipher needs the sqlcipher3-binary package "
            "(pip install 'atalaia[sqlcipher]')"
        ) from None
    return sqlcipher3.dbapi2


def _configure_sqlcipher(engine: Engine, dbapi: Any, keys: CipherKeys) -> None:
    """Each new connection is keyed before anything reads the file (SQLAlchemy's `do_connect`).

    A file that opens only with the previous key is re-keyed to the current one at once, so a
    master-key rotation (docs/configuration.md) moves the database with it on the next start.
    """

    def keyed(cargs: Any, cparams: Any, key: bytes) -> Any:
        connection = dbapi.connect(*cargs, **cparams)
        connection.execute("PRAGMA cipher_log_level = NONE")  # a wrong key is our error to report, not stderr's
        connection.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        try:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except dbapi.DatabaseError:
            connection.close()
            return None
        return connection

    @event.listens_for(engine, "do_connect")
    def _connect(_dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
        connection = keyed(cargs, cparams, keys.current)
        if connection is None and keys.previous is not None:
            connection = keyed(cargs, cparams, keys.previous)
            if connection is not None:
                connection.execute(f"PRAGMA rekey = \"x'{keys.current.hex()}'\"")
        if connection is None:
            raise ConfigurationError(
                "the SQLCipher database does not open with the key derived from the master key: after a key "
                "rotation, set ATALAIA_PREVIOUS_SECRET_KEY to the old key once (the file is re-keyed); a plain "
                "SQLite file must be converted first (docs/configuration.md)"
            )
        return connection


def make_engine(url: str, *, cipher: CipherKeys | None = None) -> Engine:
    """An engine for `url`; `cipher` encrypts a SQLite database with SQLCipher (ignored by nothing else)."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if cipher is not None and backend != "sqlite":
        raise ConfigurationError("ATALAIA_DATABASE_ENCRYPTION=sqlcipher applies to SQLite only")
    if backend == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            from pathlib import Path

            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        if cipher is None:
            engine = create_engine(url, connect_args={"check_same_thread": False})
        else:
            dbapi = _sqlcipher_module()
            engine = create_engine(url, module=dbapi, connect_args={"check_same_thread": False})
            _configure_sqlcipher(engine, dbapi, cipher)
        _configure_sqlite(engine)
        return engine
    if backend == "postgresql":
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)
    raise ConfigurationError(f"unsupported database backend {backend!r}: use sqlite or postgresql+psycopg")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: committed when the block ends, rolled back when it raises."""
    with factory() as session, session.begin():
        yield session
