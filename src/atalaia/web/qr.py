"""QR codes drawn on the server as inline SVG (segno): no script, nothing fetched, allowed by the strict CSP."""

from __future__ import annotations

import segno
from markupsafe import Markup


def qr_svg(data: str) -> Markup:
    """An SVG QR code of `data`, safe to place in a page: segno writes only paths, never the data as text."""
    code = segno.make(data, error="m")
    return Markup(code.svg_inline(scale=5, border=4, dark="#000", light="#fff"))  # noqa: S704 - generated markup
