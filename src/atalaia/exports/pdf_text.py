"""Text for the PDF transcript: what its standard fonts can draw, escaped for reportlab's markup.

The transcript uses the PDF standard fonts (nothing to embed or ship), whose encoding is
Windows-1252: every Portuguese letter, quotes, dashes and the euro sign. Anything else (emojis,
other scripts, invisible and bidirectional controls such as U+202E, which could reorder what a
reviewer reads) is shown by name, `[thumbs up sign]`, or code point, `[U+E000]`, never dropped or
drawn as an empty box. Variation selectors only choose how an emoji looks and are left out. The
exact text is in the JSON Lines and RSMF exports.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final
from xml.sax.saxutils import escape

ENCODING: Final = "cp1252"
TAB: Final = "    "
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")  # C0 controls but the line feed; C1 ones never encode


def _marker(char: str) -> str:
    code = ord(char)
    if 0xFE00 <= code <= 0xFE0F:
        return ""
    name = unicodedata.name(char, "")
    return f"[{name.lower()}]" if name else f"[U+{code:04X}]"


def _drawable(char: str) -> bool:
    if char == "\n":
        return True
    if unicodedata.category(char) == "Cc":
        return False
    try:
        char.encode(ENCODING)
    except UnicodeEncodeError:
        return False
    return True


def fold(text: str) -> str:
    """`text` with every character the standard fonts cannot draw replaced by a visible marker."""
    text = text.replace("\r\n", "\n").replace("\t", TAB)
    try:
        text.encode(ENCODING)
    except UnicodeEncodeError:
        pass
    else:
        if not _CONTROL.search(text):
            return text
    return "".join(char if _drawable(char) else _marker(char) for char in text)


def markup(text: str) -> str:
    """`text` folded and escaped for a reportlab Paragraph, line breaks kept."""
    return escape(fold(text)).replace("\n", "<br/>")
