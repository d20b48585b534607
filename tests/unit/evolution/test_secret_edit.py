"""Reading a decrypted edit: a bounded protobuf walk that never raises, whatever the bytes."""

from __future__ import annotations

import random

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from atalaia.connectors.evolution.secret_edit import decrypt_edit, edit_key, edited_text


def field(number: int, value: bytes | int) -> bytes:
    def varint(n: int) -> bytes:
        out = bytearray()
        while True:
            out.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
            n >>= 7
            if not n:
                return bytes(out)

    if isinstance(value, int):
        return varint(number << 3) + varint(value)
    return varint(number << 3 | 2) + varint(len(value)) + value


def edit(inner: bytes, *, kind: int = 14) -> bytes:
    return field(12, field(1, field(3, b"ID")) + field(2, kind) + field(15, 1_700_000_000_000) + field(14, inner))


@pytest.mark.parametrize(
    ("plaintext", "text"),
    [
        (edit(field(1, "olá, corrigido".encode())), "olá, corrigido"),
        (edit(field(6, field(1, b"texto longo") + field(17, b"ctx"))), "texto longo"),
        (edit(field(3, field(1, b"url") + field(3, b"legenda nova"))), "legenda nova"),
        (edit(field(9, field(7, b"video legenda"))), "video legenda"),
        (edit(field(53, field(1, field(7, field(20, b"doc legenda"))))), "doc legenda"),
        (field(1, b"sem protocolo"), "sem protocolo"),
        (edit(field(1, b"revogado"), kind=0), None),  # a revoke is not an edit
        (edit(field(1, b"\xff\xfe")), None),  # not UTF-8
        (edit(b""), None),
        (b"", None),
    ],
)
def test_the_new_text_is_read_from_every_edit_shape(plaintext: bytes, text: str | None) -> None:
    assert edited_text(plaintext) == text


def test_hostile_bytes_never_raise() -> None:
    rng = random.Random(2026)
    valid = edit(field(1, b"ok"))
    for _ in range(3000):
        blob = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 80)))
        assert edited_text(blob) is None or isinstance(edited_text(blob), str)
        cut = valid[: rng.randrange(len(valid))]
        assert edited_text(cut) is None or isinstance(edited_text(cut), str)
    assert edited_text(b"\xff" * 20) is None  # a varint that never ends
    assert edited_text(field(1, b"x")[:-1] + b"") is None  # length beyond the end
    deep = b"ok"
    for _ in range(200):
        deep = field(53, field(1, deep))
    assert edited_text(edit(deep)) is None  # nesting is bounded


def test_decryption_tries_every_sender_pair_and_checks_lengths() -> None:
    secret, iv = bytes(range(32)), bytes(12)
    key = edit_key(secret, original_id="ID", original_sender="1@lid", editor="1@lid")
    payload = AESGCM(key).encrypt(iv, b"plain", None)
    senders = ["5511@s.whatsapp.net", "1@lid"]

    found = decrypt_edit(secret, iv=iv, payload=payload, original_id="ID", original_senders=senders, editors=senders)

    assert found == b"plain"
    assert decrypt_edit(secret, iv=iv, payload=payload, original_id="OTHER", original_senders=senders,
                        editors=senders) is None  # fmt: skip
    assert decrypt_edit(secret[:16], iv=iv, payload=payload, original_id="ID", original_senders=senders,
                        editors=senders) is None  # fmt: skip
    assert decrypt_edit(secret, iv=iv[:8], payload=payload, original_id="ID", original_senders=senders,
                        editors=senders) is None  # fmt: skip
