"""Everything a process needs, built once from Settings: engine, sessions, keys, blob store.

The CLI, the web app and the worker each build one Runtime; services receive sessions and
contexts from it and never read settings themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from atalaia.archive import ArchiveContext
from atalaia.blobs import EncryptedBlobStore, LocalBlobBackend
from atalaia.db.engine import CipherKeys, make_engine, make_session_factory
from atalaia.db.migrate import upgrade
from atalaia.db.models import Tenant
from atalaia.security.database_key import database_key
from atalaia.security.keys import Keyring
from atalaia.settings import Settings


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    keyring: Keyring
    blobs: EncryptedBlobStore
    _data_keys: dict[int, bytes] = field(default_factory=dict)
    _signers: dict[int, Ed25519PrivateKey] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Settings, *, migrate: bool = True) -> Runtime:
        settings.ensure_home()
        engine = make_engine(settings.resolved_database_url, cipher=_cipher_keys(settings))
        if migrate:
            upgrade(engine)
        return cls(
            settings=settings,
            engine=engine,
            sessions=make_session_factory(engine),
            keyring=Keyring(settings.master_secret(), previous_secret=settings.previous_master_secret()),
            blobs=EncryptedBlobStore(LocalBlobBackend(settings.resolved_blob_dir)),
        )

    def data_key(self, tenant: Tenant) -> bytes:
        if tenant.id not in self._data_keys:
            self._data_keys[tenant.id] = self.keyring.data_key(tenant_slug=tenant.slug, wrapped=tenant.data_key_wrapped)
        return self._data_keys[tenant.id]

    def signer(self, tenant: Tenant) -> Ed25519PrivateKey:
        if tenant.id not in self._signers:
            self._signers[tenant.id] = self.keyring.signing_key(
                tenant_slug=tenant.slug, wrapped=tenant.signing_key_wrapped
            )
        return self._signers[tenant.id]

    def archive_context(
        self, tenant: Tenant, *, line_id: int | None = None, sent_by_user_id: int | None = None
    ) -> ArchiveContext:
        signer = self.signer(tenant)
        return ArchiveContext(
            tenant_id=tenant.id,
            line_id=line_id,
            data_key=self.data_key(tenant),
            blobs=self.blobs,
            signer=lambda: signer,
            checkpoint_every=self.settings.checkpoint_every,
            sent_by_user_id=sent_by_user_id,
        )

    def close(self) -> None:
        self.engine.dispose()


def _cipher_keys(settings: Settings) -> CipherKeys | None:
    """SQLCipher keys when ATALAIA_DATABASE_ENCRYPTION=sqlcipher (docs/decisions/0020), else None."""
    if settings.database_encryption != "sqlcipher":
        return None
    previous = settings.previous_master_secret()
    return CipherKeys(database_key(settings.master_secret()), database_key(previous) if previous else None)
