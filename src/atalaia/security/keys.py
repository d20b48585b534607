"""Envelope encryption: a master key wraps each tenant's data key and signing key.

The master key never touches stored data directly; rotating it re-wraps a few small keys and
leaves every blob as it is (`services/key_rotation.py`, docs/decisions/0016). During a rotation
a keyring may also hold the previous master key, tried only when the current one fails.
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


@dataclass(frozen=True, slots=True)
class TenantKeys:
    """A tenant's keys in clear, only ever in memory: the AES data key and the raw Ed25519 private key."""

    data_key: bytes
    signing_key: bytes

    def signing_public_key(self) -> bytes:
        private = Ed25519PrivateKey.from_private_bytes(self.signing_key)
        return private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(master_secret: bytes) -> str:
    """A public name for a master key (64 bits of a one-way derivation): tells keys apart, reveals nothing."""
    return derive_key(master_secret, "atalaia/key-id/v1")[:8].hex()


def _data_aad(tenant_slug: str) -> bytes:
    return f"data-key:{tenant_slug}".encode()


def _signing_aad(tenant_slug: str) -> bytes:
    return f"signing-key:{tenant_slug}".encode()


class Keyring:
    """Wraps and unwraps per-tenant keys with the key-encryption key derived from the master secret.

    `previous_secret` (ATALAIA_PREVIOUS_SECRET_KEY) only unwraps, after the current key failed:
    processes keep working while `atalaia keys rotate` moves every tenant to the current key.
    New keys are always wrapped with the current one.
    """

    def __init__(self, master_secret: bytes, *, previous_secret: bytes | None = None) -> None:
        self._kek = derive_key(master_secret, "atalaia/kek/v1")
        self.key_id = key_id(master_secret)
        self._fallback = derive_key(previous_secret, "atalaia/kek/v1") if previous_secret else None

    def new_tenant_keys(self, tenant_slug: str) -> TenantKeyMaterial:
        signing = Ed25519PrivateKey.generate()
        raw_private = signing.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )
        return self.wrap(tenant_slug, TenantKeys(data_key=AESGCM.generate_key(bit_length=256), signing_key=raw_private))

    def wrap(self, tenant_slug: str, keys: TenantKeys) -> TenantKeyMaterial:
        """Both keys sealed with the current key-encryption key, the tenant slug bound as associated data."""
        return TenantKeyMaterial(
            data_key_wrapped=seal(self._kek, keys.data_key, aad=_data_aad(tenant_slug)),
            signing_key_wrapped=seal(self._kek, keys.signing_key, aad=_signing_aad(tenant_slug)),
            signing_public_key=keys.signing_public_key(),
        )

    def unwrap(self, tenant_slug: str, *, data_key_wrapped: bytes, signing_key_wrapped: bytes) -> TenantKeys:
        return TenantKeys(
            data_key=self._unwrap(data_key_wrapped, aad=_data_aad(tenant_slug)),
            signing_key=self._unwrap(signing_key_wrapped, aad=_signing_aad(tenant_slug)),
        )

    def data_key(self, *, tenant_slug: str, wrapped: bytes) -> bytes:
        return self._unwrap(wrapped, aad=_data_aad(tenant_slug))

    def signing_key(self, *, tenant_slug: str, wrapped: bytes) -> Ed25519PrivateKey:
        raw = self._unwrap(wrapped, aad=_signing_aad(tenant_slug))
        return Ed25519PrivateKey.from_private_bytes(raw)

    def _unwrap(self, wrapped: bytes, *, aad: bytes) -> bytes:
        try:
            return open_sealed(self._kek, wrapped, aad=aad)
        except TamperedData as exc:
            if self._fallback is not None:
                try:
                    return open_sealed(self._fallback, wrapped, aad=aad)
                except TamperedData:
                    pass
            raise ConfigurationError(
                "cannot unwrap a tenant key: ATALAIA_SECRET_KEY differs from the one this data was made with"
            ) from exc


def verify_signature(public_key: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except InvalidSignature:
        return False
    return True
