"""The SQLCipher key of the embedded database, derived from the master key (HKDF, its own purpose).

Deriving rather than storing means no key file sits next to the database; a master-key rotation
changes it, and the engine re-keys the file when it opens only with the previous key
(db/engine.py). Never logged, never written anywhere.
"""

from __future__ import annotations

from typing import Final

from atalaia.security.keys import derive_key

PURPOSE: Final = "atalaia/sqlcipher/v1"


def database_key(master_secret: bytes) -> bytes:
    """The raw 256-bit SQLCipher key for this master secret."""
    return derive_key(master_secret, PURPOSE)
