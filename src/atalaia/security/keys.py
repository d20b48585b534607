"""Envelope encryption: a master key wraps each tenant's data key and signing key.

The master key never touches stored data directly; rotating it re-wraps a few small keys and
leaves every blob as it is.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Final

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from atalaia.errors import ConfigurationError, TamperedData

NONCE_BYTES: Final = 12  # AES-GCM standard nonce
KEY_BYTES: Final = 32  # AES-256


def derive_key(master_secret: bytes, purpose: str) -> bytes:
    """A 256-bit key for one purpose, so one secret can serve several without reuse."""
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=purpose.encode()).derive(master_secret)


def seal(key: bytes, plaintext: bytes, *, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def open_sealed(key: bytes, sealed: bytes, *, aad: bytes) -> bytes:
    try:
        return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], aad)
    except InvalidTag as exc:
        raise TamperedData("authentication failed: wrong key or altered ciphertext") from exc


@dataclass(frozen=True, slots=True)
class TenantKeyMaterial:
    data_key_wrapped: bytes
    signing_key_wrapped: bytes
    signing_public_key: bytes


class Keyring:
    """Wraps and unwraps per-tenant keys with the key-encryption key derived from the master secret."""

    def __init__(self, master_secret: bytes) -> None:
        self._kek = derive_key(master_secret, "atalaia/kek/v1")

    def new_tenant_keys(self, tenant_slug: str) -> TenantKeyMaterial:
        data_key = AESGCM.generate_key(bit_length=256)
        signing = Ed25519PrivateKey.generate()
        raw_private = signing.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )
        public = signing.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return TenantKeyMaterial(
            data_key_wrapped=seal(self._kek, data_key, aad=f"data-key:{tenant_slug}".encode()),
            signing_key_wrapped=seal(self._kek, raw_private, aad=f"signing-key:{tenant_slug}".encode()),
            signing_public_key=public,
        )

    def data_key(self, *, tenant_slug: str, wrapped: bytes) -> bytes:
        return self._unwrap(wrapped, aad=f"data-key:{tenant_slug}".encode())

    def signing_key(self, *, tenant_slug: str, wrapped: bytes) -> Ed25519PrivateKey:
        raw = self._unwrap(wrapped, aad=f"signing-key:{tenant_slug}".encode())
        return Ed25519PrivateKey.from_private_bytes(raw)

    def _unwrap(self, wrapped: bytes, *, aad: bytes) -> bytes:
        try:
            return open_sealed(self._kek, wrapped, aad=aad)
        except TamperedData as exc:
            raise ConfigurationError(
                "cannot unwrap a tenant key: ATALAIA_SECRET_KEY differs from the one this data was made with"
            ) from exc


def verify_signature(public_key: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except InvalidSignature:
        return False
    return True
