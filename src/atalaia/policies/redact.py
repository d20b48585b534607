"""Redaction for display: what a reviewer, an e-mail or a webhook may show of a hit. Pure functions.

Alerts leave the archive (e-mail, webhooks, queues seen by managers), so they carry a masked form
of personal data, never the data: enough to recognise it ("the CPF ending 789") and useless to
anyone who intercepts the notice.
1. `redact_match` masks one hit's match according to its detector: a CPF keeps its middle six
   digits (`***.456.789-**`), a card its last four, an e-mail the first letter and the domain.
2. `redact_text` finds every built-in personal-data span in a text and masks each in place, so an
   excerpt around a keyword hit does not leak the CPF next to it.
3. `excerpt` cuts a short window of a text around a hit, redacted, on one line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from atalaia.domain.policy import Detector
from atalaia.policies._builtin import NAMES as PERSONAL_DATA
from atalaia.policies._builtin import detect_builtin

MASK: Final = "*"
MAX_MATCH_CHARS: Final = 80  # a keyword or regex match longer than this is clipped with "…"
EXCERPT_CHARS: Final = 120  # around the hit: enough to judge it, too little to carry a conversation
# When spans of several detectors overlap, the most specific one decides how it is masked.
_PRIORITY: Final = ("cpf", "cnpj", "credit_card", "email", "phone", "bank_account", "pix_key")
_UUID: Final = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_SPACES: Final = re.compile(r"\s+")


def redact_match(detector: Detector | str, match: str) -> str:
    """The display form of one match; text of non-personal-data detectors is kept, clipped and scrubbed."""
    name = detector.value if isinstance(detector, Detector) else detector
    if name == "cpf":
        return _mask_alnum(match, keep=range(3, 9), letters=False)
    if name == "cnpj":
        return _mask_alnum(match, keep=range(2, 8))
    if name in ("credit_card", "phone"):
        return _keep_last(match, 4)
    if name == "bank_account":
        return _keep_last(match, 2)
    if name == "email":
        return _mask_email(match)
    if name == "pix_key":
        return _mask_pix(match)
    return _clip(redact_text(match), MAX_MATCH_CHARS)


def redact_text(text: str) -> str:
    """`text` with every personal-data span the built-in detectors find masked in place."""
    if not text:
        return text
    spans = detect_builtin(text, PERSONAL_DATA)
    chosen: list[tuple[int, int, str]] = []
    candidates = sorted(
        ((start, end, name) for name, found in spans.items() for start, end in found),
        key=lambda item: (item[0], -(item[1] - item[0]), _PRIORITY.index(item[2])),
    )
    covered = 0
    for start, end, name in candidates:
        if start < covered:
            continue  # inside (or overlapping) a span already masked
        chosen.append((start, end, name))
        covered = end
    if not chosen:
        return text
    parts: list[str] = []
    position = 0
    for start, end, name in chosen:
        parts.append(text[position:start])
        parts.append(redact_match(name, text[start:end]))
        position = end
    parts.append(text[position:])
    return "".join(parts)


def excerpt(text: str, *, start: int, end: int, width: int = EXCERPT_CHARS) -> str:
    """About `width` characters of `text` around `[start, end)`, redacted, whitespace on one line."""
    if not text:
        return ""
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    room = max(0, width - (end - start)) // 2
    left = max(0, start - room)
    right = min(len(text), end + room)
    # Redact a slightly wider window, so a number cut in half at the edge is still recognised.
    margin_left = max(0, left - 24)
    margin_right = min(len(text), right + 24)
    window = _redact_window(text, margin_left, margin_right, left, right)
    window = _SPACES.sub(" ", window).strip()
    prefix = "…" if left > 0 else ""
    suffix = "…" if right < len(text) else ""
    return f"{prefix}{window}{suffix}"


def _redact_window(text: str, outer_left: int, outer_right: int, left: int, right: int) -> str:
    """Redact `text[outer_left:outer_right]`, then keep the part that maps to `[left, right)`.

    Masking keeps lengths (one mask per character), so positions carry over unchanged.
    """
    redacted = redact_text(text[outer_left:outer_right])
    if len(redacted) != outer_right - outer_left:  # an e-mail mask shortens; fall back to the whole text
        whole = redact_text(text)
        return whole[left:right] if len(whole) == len(text) else redact_text(text[left:right])
    return redacted[left - outer_left : right - outer_left]


def _mask_alnum(match: str, *, keep: Iterable[int], letters: bool = True) -> str:
    """Mask the digits (and, with `letters`, the letters) whose position among them is not in `keep`."""
    kept = set(keep)
    out: list[str] = []
    index = 0
    for ch in match:
        if ch.isdigit() or (letters and ch.isalpha()):
            out.append(ch if index in kept else MASK)
            index += 1
        else:
            out.append(ch)
    return "".join(out)


def _keep_last(match: str, count: int) -> str:
    """Digits only: "ag 1234 cc 56789-0" keeps its labels."""
    total = sum(ch.isdigit() for ch in match)
    return _mask_alnum(match, keep=range(max(0, total - count), total), letters=False)


def _mask_email(match: str) -> str:
    local, at, domain = match.partition("@")
    if not at:
        return _keep_last(match, 2)
    shown = local[:1]
    return f"{shown}{MASK * max(1, len(local) - 1)}@{domain}"


def _mask_pix(match: str) -> str:
    if "@" in match:
        return _mask_email(match)
    if _UUID.fullmatch(match.strip()):
        return _mask_alnum(match, keep=range(4))
    alnum = sum(ch.isalnum() for ch in match)
    if alnum == 11 and not match.lstrip().startswith("+"):
        return _mask_alnum(match, keep=range(3, 9), letters=False)  # a CPF as a PIX key
    if alnum == 14 and not match.lstrip().startswith("+"):
        return _mask_alnum(match, keep=range(2, 8))  # a CNPJ
    return _keep_last(match, 4)  # a phone number


def _clip(text: str, limit: int) -> str:
    text = _SPACES.sub(" ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"
