"""Media is stored once per content, encrypted, and never served when altered."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from atalaia.blobs import EncryptedBlobStore, LocalBlobBackend
from atalaia.errors import InvalidInput, NotFound, TamperedData
from atalaia.security.keys import Keyring

PHOTO = b"\xff\xd8\xff\xe0" + b"foto do contrato assinado" * 40


@pytest.fixture
def store(tmp_path: Path) -> EncryptedBlobStore:
    return EncryptedBlobStore(LocalBlobBackend(tmp_path / "blobs"))


@pytest.fixture
def data_key() -> bytes:
    keys = Keyring(b"k" * 48).new_tenant_keys("default")
    return Keyring(b"k" * 48).data_key(tenant_slug="default", wrapped=keys.data_key_wrapped)


def test_a_blob_round_trips_and_is_addressed_by_its_sha256(store: EncryptedBlobStore, data_key: bytes) -> None:
    stored = store.put(tenant_id=1, data_key=data_key, data=PHOTO)

    assert stored.sha256 == hashlib.sha256(PHOTO).hexdigest()
    assert store.get(tenant_id=1, data_key=data_key, sha256=stored.sha256) == PHOTO
    assert b"contrato" not in store.backend.read(stored.key)  # encrypted at rest


def test_the_same_content_is_stored_once(store: EncryptedBlobStore, data_key: bytes, tmp_path: Path) -> None:
    store.put(tenant_id=1, data_key=data_key, data=PHOTO)
    store.put(tenant_id=1, data_key=data_key, data=PHOTO)

    assert len([p for p in (tmp_path / "blobs").rglob("*") if p.is_file()]) == 1


def test_a_tampered_blob_is_refused(store: EncryptedBlobStore, data_key: bytes, tmp_path: Path) -> None:
    stored = store.put(tenant_id=1, data_key=data_key, data=PHOTO)
    path = tmp_path / "blobs" / stored.key
    raw = bytearray(path.read_bytes())
    raw[20] ^= 0x01
    path.write_bytes(bytes(raw))

    with pytest.raises(TamperedData):
        store.get(tenant_id=1, data_key=data_key, sha256=stored.sha256)


def test_a_blob_copied_to_another_tenant_does_not_open(
    store: EncryptedBlobStore, data_key: bytes, tmp_path: Path
) -> None:
    stored = store.put(tenant_id=1, data_key=data_key, data=PHOTO)
    other = tmp_path / "blobs" / store.key_for(tenant_id=2, sha256=stored.sha256)
    other.parent.mkdir(parents=True)
    other.write_bytes((tmp_path / "blobs" / stored.key).read_bytes())

    with pytest.raises(TamperedData):
        store.get(tenant_id=2, data_key=data_key, sha256=stored.sha256)


def test_the_wrong_key_cannot_read(store: EncryptedBlobStore, data_key: bytes) -> None:
    stored = store.put(tenant_id=1, data_key=data_key, data=PHOTO)

    with pytest.raises(TamperedData):
        store.get(tenant_id=1, data_key=b"\x00" * 32, sha256=stored.sha256)


def test_a_missing_blob_is_not_found(store: EncryptedBlobStore, data_key: bytes) -> None:
    with pytest.raises(NotFound):
        store.get(tenant_id=1, data_key=data_key, sha256="ab" * 32)


@pytest.mark.parametrize("key", ["../../etc/passwd", "/etc/passwd", "t1/../../x", "T1/AB"])
def test_keys_that_could_escape_the_folder_are_refused(tmp_path: Path, key: str) -> None:
    with pytest.raises(InvalidInput):
        LocalBlobBackend(tmp_path).read(key)
