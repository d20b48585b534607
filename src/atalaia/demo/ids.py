"""Provider-shaped message ids that never repeat on a line.

Each id embeds a 64-bit value obtained by mixing a per-line counter through a bijection
(multiply by an odd constant, add, xor-shift), so ids look random yet two calls can never
collide: no set of issued ids is kept, and a million-message line costs no memory.
"""

from __future__ import annotations

import base64
import random
from typing import Final

from atalaia.domain.enums import Provider

_MASK: Final = (1 << 64) - 1
_SCRAMBLE: Final = 0x9E3779B97F4A7C15  # odd: spreads the bits of the leading half
_TOP: Final = 1 << 63  # 32 digits, never a leading zero


class IdMint:
    """Ids for one line, in the shape its provider uses.

    - Cloud API: `wamid.` + base64 of a small protobuf naming the contact and an inner hex id.
    - Evolution (Baileys): 20 to 32 upper-case hex digits; `3EB0…` from WhatsApp Web and the
      gateway, `3A…` from iPhones, 32 digits from Android phones.
    - WAHA: `{fromMe}_{chatId}_{id}`, plus `_{participant}` for a group member's message.
    """

    __slots__ = ("_add", "_count", "_heads", "_mul", "provider")

    def __init__(self, *, provider: Provider, rng: random.Random) -> None:
        self.provider = provider
        self._mul = rng.getrandbits(64) | 1
        self._add = rng.getrandbits(64)
        self._count = 0
        self._heads: dict[tuple[str, bool], tuple[str, bool, bytes]] = {}  # one per contact and direction

    def hex_id(self, *, style: int) -> str:
        """Style 0: `3EB0` + 16 hex; 1: `3A` + 18; 2: 32 hex digits (the three never collide)."""
        self._count += 1
        x = (self._count * self._mul + self._add) & _MASK
        unique = x ^ (x >> 29)  # invertible, so distinct counters give distinct values
        if style == 0:
            return f"3EB0{unique:016X}"
        if style == 1:
            return f"3A{unique & 0xFF:02X}{unique:016X}"
        return f"{((unique * _SCRAMBLE) & _MASK) | _TOP:016X}{unique:016X}"

    def message_id(self, *, wa_id: str, chat: str, outbound: bool, style: int, participant: str | None = None) -> str:
        """An id for a message (or an edit, revoke or reaction, which are messages too).

        `wa_id` is the other party's number (Cloud API), `chat` the chat id a gateway uses
        (`5521…@c.us` or `…@g.us`), `participant` the group member who wrote it.
        """
        if self.provider is Provider.CLOUD:
            head = self._heads.get((wa_id, outbound))
            if head is None:
                head = self._heads[(wa_id, outbound)] = _cloud_head(wa_id, outbound=outbound)
            inner = self.hex_id(style=style).encode("ascii")
            tail = bytes((len(inner),)) + inner + b"\x00"
            if head[1]:
                return head[0] + base64.b64encode(tail).decode("ascii")
            return "wamid." + base64.b64encode(head[2] + tail).decode("ascii")
        if self.provider is Provider.WAHA:
            suffix = f"_{participant}" if participant else ""
            return f"{'true' if outbound else 'false'}_{chat}_{self.hex_id(style=style)}{suffix}"
        return self.hex_id(style=style)


def _cloud_head(wa_id: str, *, outbound: bool) -> tuple[str, bool, bytes]:
    """The part of a `wamid` before the inner id: (base64 text, whether it is whole, raw bytes).

    Base64 of a prefix whose length is a multiple of three is a prefix of the whole encoding,
    so for 13-digit numbers (every Brazilian mobile) it is encoded once per contact.
    """
    number = wa_id.encode("ascii")
    raw = b"\x1c\x18" + bytes((len(number),)) + number + b"\x15\x02\x00" + (b"\x11\x18" if outbound else b"\x12\x18")
    whole = len(raw) % 3 == 0
    return ("wamid." + base64.b64encode(raw).decode("ascii") if whole else "", whole, raw)
