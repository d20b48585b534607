"""E-mail addresses (the common ASCII form; quoted local parts are not worth their false positives)."""

from __future__ import annotations

import re
from typing import Final

from atalaia.policies.detectors._text import Span

# The look-behind lets a match start only at the beginning of a local part, which keeps the
# scan linear on long runs of letters with one '@' at the end.
_PATTERN: Final = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9_%+\-](?:[A-Za-z0-9._%+\-]{0,63})"
    r"@[A-Za-z0-9](?:[A-Za-z0-9\-]{0,62})(?:\.[A-Za-z0-9\-]{1,63})*\.[A-Za-z]{2,24}"
    r"(?![A-Za-z0-9\-]|\.[A-Za-z0-9])"
)


def find_emails(text: str) -> list[Span]:
    if "@" not in text:
        return []
    return [m.span() for m in _PATTERN.finditer(text) if ".." not in m.group()]
