"""Content-addressed, encrypted media storage."""

from atalaia.blobs.base import BlobBackend, StoredBlob
from atalaia.blobs.encrypted import EncryptedBlobStore
from atalaia.blobs.local import LocalBlobBackend

__all__ = ["BlobBackend", "EncryptedBlobStore", "LocalBlobBackend", "StoredBlob"]
