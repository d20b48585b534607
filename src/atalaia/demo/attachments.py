"""A script's media code (`img`, `ptt`, `doc=proposta`...) turned into a message kind and its file."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Final

from atalaia.demo import media
from atalaia.demo.values import SessionValues
from atalaia.domain.enums import MessageKind
from atalaia.domain.events import AttachmentRef

# code -> (kind, file name prefix, extension, MIME type), named the way WhatsApp names media
_MEDIA: Final = {
    "img": (MessageKind.IMAGE, "IMG", "jpg", media.JPEG_MIME),
    "comprovante": (MessageKind.IMAGE, "IMG", "jpg", media.JPEG_MIME),  # a payment receipt, photographed
    "ptt": (MessageKind.AUDIO, "PTT", "opus", media.OPUS_MIME),  # push-to-talk: a voice note
    "vid": (MessageKind.VIDEO, "VID", "mp4", media.MP4_MIME),
    "sticker": (MessageKind.STICKER, "STK", "webp", media.WEBP_MIME),
}


def attachment(
    code: str, *, caption: str | None, values: SessionValues, local: datetime, number: int, tag: bytes
) -> tuple[MessageKind, AttachmentRef]:
    """The kind and the attachment for `code`.

    `local` is the message's local time (documents date their zip entries by it), `number` the
    day's media counter of the line (`IMG-20240301-WA0003.jpg`), `tag` bytes unique to the
    message, so that no two photos share a hash.
    """
    if code.startswith("doc="):
        when = (local.year, local.month, local.day, local.hour, local.minute, local.second)
        file_name, mime, content = values.document(code[4:], when=when)
        kind = MessageKind.DOCUMENT
    else:
        kind, prefix, ext, mime = _MEDIA[code]
        file_name = f"{prefix}-{local:%Y%m%d}-WA{number:04d}.{ext}"
        if kind is MessageKind.AUDIO:
            content = media.opus(tag)
        elif kind is MessageKind.VIDEO:
            content = media.mp4(tag)
        elif kind is MessageKind.STICKER:
            content = media.webp()  # stickers are shared files: the same bytes every time
        else:
            content = media.jpeg(tag)
    ref = AttachmentRef(
        file_name=file_name,
        mime_type=mime,
        sha256=hashlib.sha256(content).hexdigest(),
        caption=caption,
        content=content,
    )
    return kind, ref
