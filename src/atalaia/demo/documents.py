"""Valid Brazilian documents and payment data for the demo: every check digit is right.

The compliance detectors validate check digits, so a fake CPF with a wrong digit would be
ignored by them and teach nothing; these numbers are the kind a real leak contains. They are
random, so any match with a real person's number is chance.
"""

from __future__ import annotations

import random
from typing import Final

_CNPJ_WEIGHTS_1: Final = (5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)
_CNPJ_WEIGHTS_2: Final = (6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)
_ALNUM: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Card prefixes and lengths by brand, weighted roughly like Brazilian wallets: Mastercard
# includes the 2-series range that some detectors miss, Elo and Hipercard are Brazilian.
_CARD_PREFIXES: Final = (
    ("4", 16), ("4", 16), ("4", 16), ("5", 16), ("5", 16), ("2", 16), ("636368", 16), ("504175", 16),
    ("438935", 16), ("606282", 16), ("34", 15), ("37", 15),
)  # fmt: skip
_EMAIL_DOMAINS: Final = (
    "gmail.com",
    "gmail.com",
    "gmail.com",
    "hotmail.com",
    "outlook.com",
    "yahoo.com.br",
    "uol.com.br",
)


def _mod11_digit(total: int) -> int:
    rest = total % 11
    return 0 if rest < 2 else 11 - rest


def cpf_digits(rng: random.Random) -> str:
    """Eleven digits: nine random ones (never all equal) and the two mod-11 check digits."""
    while True:
        base = [rng.randrange(10) for _ in range(9)]
        if len(set(base)) > 1:
            break
    first = _mod11_digit(sum(d * w for d, w in zip(base, range(10, 1, -1), strict=True)))
    base.append(first)
    second = _mod11_digit(sum(d * w for d, w in zip(base, range(11, 1, -1), strict=True)))
    base.append(second)
    return "".join(map(str, base))


def format_cpf(digits: str) -> str:
    return f"{digits[:3]}.{digits[3:6]}.{digits[6:9]}-{digits[9:]}"


def cnpj_chars(rng: random.Random, *, alphanumeric: bool = False) -> str:
    """Fourteen characters: an 8-character root, branch 0001 (sometimes 0002), two check digits.

    `alphanumeric` draws the root and branch from 0-9A-Z, as Receita Federal issues CNPJs from
    July 2026; the check digits stay numeric and each character counts as its code minus 48.
    """
    alphabet = _ALNUM if alphanumeric else _ALNUM[:10]
    root = "".join(rng.choice(alphabet) for _ in range(8))
    branch = "".join(rng.choice(alphabet) for _ in range(4)) if alphanumeric else rng.choice(("0001", "0001", "0002"))
    body = root + branch
    values = [ord(c) - 48 for c in body]
    first = _mod11_digit(sum(v * w for v, w in zip(values, _CNPJ_WEIGHTS_1, strict=True)))
    values.append(first)
    second = _mod11_digit(sum(v * w for v, w in zip(values, _CNPJ_WEIGHTS_2, strict=True)))
    return f"{body}{first}{second}"


def format_cnpj(chars: str) -> str:
    return f"{chars[:2]}.{chars[2:5]}.{chars[5:8]}/{chars[8:12]}-{chars[12:]}"


def _luhn_digit(partial: str) -> int:
    """The digit that, appended to `partial`, makes the Luhn sum a multiple of ten."""
    total = 0
    for i, c in enumerate(reversed(partial)):
        n = ord(c) - 48
        if i % 2 == 0:  # doubled: these positions become odd ones once the check digit is added
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return (10 - total % 10) % 10


def card_digits(rng: random.Random) -> str:
    prefix, size = rng.choice(_CARD_PREFIXES)
    if prefix == "5":
        prefix = str(rng.randint(51, 55))
    elif prefix == "2":
        prefix = str(rng.randint(2221, 2720))
    partial = prefix + "".join(str(rng.randrange(10)) for _ in range(size - len(prefix) - 1))
    return partial + str(_luhn_digit(partial))


def format_card(digits: str) -> str:
    if len(digits) == 15:  # Amex prints 4-6-5
        return f"{digits[:4]} {digits[4:10]} {digits[10:]}"
    return " ".join(digits[i : i + 4] for i in range(0, len(digits), 4))


def card_expiry(rng: random.Random, *, year: int) -> str:
    return f"{rng.randint(1, 12):02d}/{(year + rng.randint(1, 6)) % 100:02d}"


def random_pix_key(rng: random.Random) -> str:
    """A PIX "chave aleatória": a version-4 UUID, in lower case as the banks show it."""
    value = rng.getrandbits(128)
    value = (value & ~(0xF << 76)) | (0x4 << 76)  # version 4
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 4122 variant
    text = f"{value:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def personal_email(rng: random.Random, *, first: str, last: str) -> str:
    """A private address as people write it: `joao.silva82@gmail.com`, `mari_costa@hotmail.com`."""
    pattern = rng.randrange(4)
    if pattern == 0:
        user = f"{first}.{last}"
    elif pattern == 1:
        user = f"{first}{last}{rng.randint(1, 99)}"
    elif pattern == 2:
        user = f"{first}_{last[:3]}{rng.randint(70, 99)}"
    else:
        user = f"{first[0]}{last}"
    return f"{user}@{rng.choice(_EMAIL_DOMAINS)}"


def bank_account(rng: random.Random) -> str:
    bank = rng.choice(("Itaú", "Bradesco", "Banco do Brasil", "Caixa", "Santander", "Nubank", "Inter"))
    return f"{bank} ag. {rng.randint(100, 9999):04d} c/c {rng.randint(10000, 999999)}-{rng.randrange(10)}"
