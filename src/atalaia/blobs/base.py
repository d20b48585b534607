"""The storage backend contract: opaque bytes under a key. An S3-compatible store implements it too."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class BlobBackend(Protocol):
    def write(self, key: str, data: bytes) -> None:
        """Store `data` under `key` atomically; writing the same key twice is harmless."""

    def read(self, key: str) -> bytes:
        """Return the bytes under `key`; raise NotFound when absent."""

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None: ...


@dataclass(frozen=True, slots=True)
class StoredBlob:
    sha256: str  # hex digest of the plaintext
    size: int  # plaintext bytes
    key: str  # backend key
