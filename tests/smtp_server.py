"""A real local SMTP server (aiosmtpd) that keeps what it receives, and can refuse chosen mailboxes."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Mailbox:
    refuse: set[str] = field(default_factory=set)  # RCPT TO these gets 550
    received: list[tuple[list[str], EmailMessage, bytes]] = field(default_factory=list)
    port: int = 0

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}?from=alertas@exemplo.com.br"

    def to(self, address: str) -> EmailMessage:
        return next(message for rcpts, message, _ in self.received if address in rcpts)


class _Handler:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any) -> str:
        if address in self.box.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = bytes(envelope.content)
        parsed = message_from_bytes(raw, policy=policy.default)
        self.box.received.append((list(envelope.rcpt_tos), parsed, raw))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_smtp(box: Mailbox | None = None) -> Iterator[Mailbox]:
    box = box or Mailbox()
    box.port = free_port()
    controller = Controller(_Handler(box), hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()
