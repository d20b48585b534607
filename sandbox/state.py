"""What the sandbox remembers: its Evolution instances, its Cloud API numbers, what Atalaia sent
through it and what it told Atalaia. All in memory; a restart forgets everything, as a demo should."""

from __future__ import annotations

import base64
import re
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final

INSTANCE_NAME: Final = re.compile(r"^[A-Za-z0-9_-]{1,60}$")  # Evolution's rule, as Atalaia checks it
MAX_LOG: Final = 200  # entries kept for the page; older ones are dropped
MAX_TEXT: Final = 1000  # characters of a customer message typed on the page
CUSTOMERS: Final = ("Mariana Costa", "João Pereira", "Ana Souza", "Carlos Lima", "Beatriz Alves", "Rafael Gomes")
DEFAULT_TEXT: Final = "Olá! Gostaria de saber o preço do plano empresarial."


@dataclass(slots=True)
class Customer:
    name: str
    phone: str  # digits, no "+"


@dataclass(slots=True)
class Instance:
    """An Evolution instance Atalaia created, with the webhook it asked for."""

    name: str
    instance_id: str
    key: str  # the per-instance API key (`hash`)
    webhook_url: str
    webhook_headers: dict[str, str]
    by_events: bool
    qr: str
    state: str = "connecting"  # connecting (QR shown) | open | close
    last_customer: Customer | None = None

    @property
    def phone(self) -> str:
        """The "phone" that scans: the digits of Atalaia's default name `atalaia-<digits>`, if any."""
        digits = self.name.removeprefix("atalaia-")
        return digits if digits.isdigit() and 8 <= len(digits) <= 15 else "5500000000000"


@dataclass(slots=True)
class CloudNumber:
    """A Cloud API phone number: its id and the credentials the user copies into Atalaia."""

    phone_number_id: str
    display_phone_number: str  # digits
    verified_name: str
    access_token: str
    app_secret: str
    last_customer: Customer | None = None


@dataclass(frozen=True, slots=True)
class Sent:
    """A message Atalaia sent through the sandbox (the notice, usually)."""

    at: datetime
    provider: str  # evolution | cloud
    line: str  # instance name or phone number id
    to: str
    text: str
    message_id: str


@dataclass(frozen=True, slots=True)
class LogEntry:
    at: datetime
    what: str
    answer: str  # Atalaia's HTTP status, or why the call failed


@dataclass
class SandboxState:
    api_key: str
    atalaia_url: str  # where Cloud API webhooks go (Evolution's come from the instance)
    form_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    followup_delay: float = 1.0  # seconds between a send and its delivery/read webhooks
    instances: dict[str, Instance] = field(default_factory=dict)
    numbers: dict[str, CloudNumber] = field(default_factory=dict)
    sent: list[Sent] = field(default_factory=list)
    log: list[LogEntry] = field(default_factory=list)
    graph_base_url: str = ""
    evolution_base_url: str = ""
    lock: threading.RLock = field(default_factory=threading.RLock)

    def record_sent(self, sent: Sent) -> None:
        with self.lock:
            self.sent.append(sent)

    def note(self, what: str, answer: str) -> None:
        with self.lock:
            self.log.append(LogEntry(datetime.now(UTC), what, answer))
            del self.log[:-MAX_LOG]

    def add_number(self, *, display_phone_number: str, app_secret: str = "") -> CloudNumber:
        """A new Cloud API number; an empty app secret gets a random one."""
        digits = "".join(ch for ch in display_phone_number if ch.isdigit())
        if not 8 <= len(digits) <= 15:
            raise ValueError("o número precisa de 8 a 15 dígitos")
        secret = app_secret.strip() or secrets.token_hex(16)
        if len(secret) > 200 or not secret.isprintable() or " " in secret:
            raise ValueError("o app secret aceita até 200 caracteres visíveis, sem espaços")
        with self.lock:
            number = CloudNumber(
                phone_number_id=str(secrets.randbelow(9 * 10**14) + 10**14),  # 15 digits, like Meta's
                display_phone_number=digits,
                verified_name="Empresa de Demonstração",
                access_token="EAAsandbox" + secrets.token_urlsafe(32),
                app_secret=secret,
            )
            self.numbers[number.phone_number_id] = number
            return number


def new_customer() -> Customer:
    return Customer(name=secrets.choice(CUSTOMERS), phone="55119" + f"{secrets.randbelow(10**8):08d}")


def new_pairing_code() -> str:
    """Shaped like WhatsApp's: `2@<ref>,<noise key>,<identity key>,<adv secret>` in base64."""
    parts = [base64.b64encode(secrets.token_bytes(n)).decode() for n in (48, 32, 32, 32)]
    return "2@" + ",".join(parts)


def new_evolution_id() -> str:
    return "3EB0" + secrets.token_hex(9).upper()  # Baileys' own message ids: 3EB0 and 18 hex digits


def new_wamid() -> str:
    return "wamid." + base64.b64encode(b"\x15\x02\x00\x11\x18\x12" + secrets.token_bytes(18)).decode()


def clean_text(value: str) -> str:
    """A customer message typed on the page: printable (new lines kept), at most MAX_TEXT."""
    text = "".join(ch for ch in value if ch.isprintable() or ch == "\n").strip()
    return text[:MAX_TEXT] or DEFAULT_TEXT
