"""PIX keys: random keys (UUIDs) anywhere, and CPF, CNPJ, e-mail or phone keys near "pix"/"chave".

A CPF on its own is reported by the `cpf` detector; it is a PIX key only when the message
says so, so the document and contact forms count here only within `NEAR_CHARS` characters
of the words "pix" or "chave(s)".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from atalaia.policies.detectors._text import Span, fold_text
from atalaia.policies.detectors.cnpj import find_cnpj
from atalaia.policies.detectors.cpf import find_cpf
from atalaia.policies.detectors.email import find_emails
from atalaia.policies.detectors.phone import find_phones

NEAR_CHARS: Final = 60  # about ten words either side
_UUID: Final = re.compile(
    r"[0-9A-Fa-f](?<![0-9A-Za-z\-][0-9A-Fa-f])[0-9A-Fa-f]{7}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-"
    r"[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}(?![0-9A-Za-z]|-[0-9A-Za-z])"
)
_KEY_WORD: Final = re.compile(r"(?<![^\W_])(?:pix|chaves?)(?![^\W_])")


def find_random_keys(text: str) -> list[Span]:
    if len(text) < 36 or text.count("-") < 4:
        return []
    return [m.span() for m in _UUID.finditer(text)]


def near_key_word(text: str, span: Span) -> bool:
    start, end = span
    around = fold_text(text[max(0, start - NEAR_CHARS) : end + NEAR_CHARS])
    return _KEY_WORD.search(around) is not None


def pix_key_spans(text: str, *, candidates: Sequence[Span]) -> list[Span]:
    """Random keys, plus those `candidates` (CPF, CNPJ, e-mail, phone spans) near a PIX word."""
    found = find_random_keys(text)
    if candidates:
        lowered = text.lower()
        if "pix" in lowered or "chave" in lowered:  # else no candidate can be near either word
            found.extend(span for span in candidates if near_key_word(text, span))
    return sorted(set(found)) if len(found) > 1 else found


def find_pix_keys(text: str) -> list[Span]:
    candidates = [*find_cpf(text), *find_cnpj(text), *find_emails(text), *find_phones(text)]
    return pix_key_spans(text, candidates=candidates)
