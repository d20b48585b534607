"""The RSMF container: an RFC 5322 message with a text body and exactly one attachment, `rsmf.zip`.

Python's `email` package builds the headers (RFC 2047 encoding of names, folding) and the MIME
structure with placeholders for the two payloads; the payloads are then streamed in base64 from
their files, so a large conversation never sits in memory. The boundary holds a `-`, which base64
never produces, so no payload can contain it. Lines end in CRLF, as RFC 5322 asks.
"""

from __future__ import annotations

import binascii
import secrets
from collections.abc import Iterable
from email.generator import BytesGenerator
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from io import BytesIO
from pathlib import Path
from typing import BinaryIO, Final

from atalaia.exports.model import Party

ZIP_NAME: Final = "rsmf.zip"
LINE_BYTES: Final = 57  # 76 base64 characters per line
READ_LINES: Final = 1024
_CONTROLS = dict.fromkeys((*range(32), 0x7F, 0x85, 0x2028, 0x2029), " ")


def header_text(value: str, limit: int = 300) -> str:
    """A header value with no line breaks or control characters (no header injection)."""
    return " ".join(value.translate(_CONTROLS).split())[:limit]


def address(party: Party) -> Address | None:
    """The party's e-mail, else its WhatsApp id (`5521...@s.whatsapp.net`); None without either."""
    if party.email:
        addr_spec = party.email
    elif party.phone and party.phone.lstrip("+").isdigit():
        addr_spec = f"{party.phone.lstrip('+')}@s.whatsapp.net"
    else:
        return None
    try:
        return Address(display_name=header_text(party.display, 200), addr_spec=addr_spec)
    except (ValueError, IndexError):
        return None


def _payload_part(content_type: str, token: str, *, disposition: str | None = None) -> EmailMessage:
    part = EmailMessage(policy=SMTP)
    part["Content-Type"] = content_type
    part["Content-Transfer-Encoding"] = "base64"
    if disposition:
        part["Content-Disposition"] = disposition
    part.set_payload(token)
    return part


def write_rsmf(
    target: BinaryIO,
    *,
    headers: Iterable[tuple[str, str]],
    sender: Party,
    recipients: Iterable[Party],
    body: Path,
    zip_file: Path,
) -> None:
    """Write the .rsmf: `headers` (X-RSMF-*, Subject...) first, the text of `body`, then `zip_file`."""
    body_token, zip_token = f"@@BODY{secrets.token_hex(8)}@@", f"@@ZIP{secrets.token_hex(8)}@@"
    message = EmailMessage(policy=SMTP)
    for name, value in headers:
        message[name] = header_text(value, 10_000)
    sender_address = address(sender)
    if sender_address is not None:
        message["From"] = sender_address
    to = [found for found in (address(p) for p in recipients) if found is not None]
    if to:
        message["To"] = to
    message["MIME-Version"] = "1.0"
    message["Content-Type"] = f'multipart/mixed; boundary="RSMF-{secrets.token_hex(12)}"'
    message.attach(_payload_part('text/plain; charset="utf-8"', body_token))
    message.attach(
        _payload_part(f'application/zip; name="{ZIP_NAME}"', zip_token,
                      disposition=f'attachment; filename="{ZIP_NAME}"')
    )  # fmt: skip
    skeleton = BytesIO()
    BytesGenerator(skeleton, policy=SMTP).flatten(message)
    head, rest = skeleton.getvalue().split(body_token.encode("ascii"))
    middle, tail = rest.split(zip_token.encode("ascii"))
    target.write(head)
    _base64(body, target)
    target.write(middle)
    _base64(zip_file, target)
    target.write(tail)


def _base64(source: Path, target: BinaryIO) -> None:
    """`source` in base64, 76 characters and CRLF per line, without the final line break
    (the skeleton already has one after the placeholder)."""
    first = True
    with source.open("rb") as data:
        while chunk := data.read(LINE_BYTES * READ_LINES):
            for start in range(0, len(chunk), LINE_BYTES):
                if not first:
                    target.write(b"\r\n")
                target.write(binascii.b2a_base64(chunk[start : start + LINE_BYTES], newline=False))
                first = False
