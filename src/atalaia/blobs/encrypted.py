"""Content addressing and AES-256-GCM encryption on top of any backend.

1. The key is the SHA-256 of the plaintext, under the tenant's folder: the same file sent
   twice is stored once per tenant (never across tenants, which would leak that two
   companies hold the same file).
2. The bytes are sealed with the tenant's data key; the tenant id and digest are the
   associated data, so a blob copied under another name or tenant fails to open.
3. Reading checks the tag and then the digest again: any altered byte is reported, never served.
"""

from __future__ import annotations

import hashlib

from atalaia.blobs.base import BlobBackend, StoredBlob
from atalaia.errors import TamperedData
from atalaia.security.keys import open_sealed, seal


class EncryptedBlobStore:
    def __init__(self, backend: BlobBackend) -> None:
        self.backend = backend

    @staticmethod
    def key_for(*, tenant_id: int, sha256: str) -> str:
        return f"t{tenant_id}/{sha256[:2]}/{sha256[2:4]}/{sha256}"

    def put(self, *, tenant_id: int, data_key: bytes, data: bytes) -> StoredBlob:
        digest = hashlib.sha256(data).hexdigest()
        key = self.key_for(tenant_id=tenant_id, sha256=digest)
        if not self.backend.exists(key):
            self.backend.write(key, seal(data_key, data, aad=self._aad(tenant_id, digest)))
        return StoredBlob(sha256=digest, size=len(data), key=key)

    def get(self, *, tenant_id: int, data_key: bytes, sha256: str) -> bytes:
        key = self.key_for(tenant_id=tenant_id, sha256=sha256)
        data = open_sealed(data_key, self.backend.read(key), aad=self._aad(tenant_id, sha256))
        if hashlib.sha256(data).hexdigest() != sha256:
            raise TamperedData(f"blob {key} does not match its digest")
        return data

    @staticmethod
    def _aad(tenant_id: int, sha256: str) -> bytes:
        return f"blob:{tenant_id}:{sha256}".encode("ascii")
