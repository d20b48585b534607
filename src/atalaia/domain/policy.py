"""Compliance policies as plain data: what to detect, where, and how serious a hit is.

The loader builds these from YAML and the engine compiles them; nothing here does I/O, so a
policy can be built by hand in a test or a benchmark.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from atalaia.domain.enums import Direction


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Category(StrEnum):
    RISK = "risk"
    OPPORTUNITY = "opportunity"  # not a breach: a manager may step in to help close a deal


class ContactKind(StrEnum):
    INTERNAL = "internal"  # another line or employee of the same company
    EXTERNAL = "external"  # a customer, a supplier, anyone else


class Detector(StrEnum):
    """The built-in detector names; policy files and hits use exactly these spellings."""

    KEYWORDS = "keywords"
    REGEX = "regex"
    CPF = "cpf"
    CNPJ = "cnpj"
    CREDIT_CARD = "credit_card"
    EMAIL = "email"
    PHONE = "phone"
    PIX_KEY = "pix_key"
    BANK_ACCOUNT = "bank_account"
    FILE_TYPE = "file_type"
    OUTSIDE_HOURS = "outside_hours"


class KeywordMatch(StrEnum):
    WORD = "word"  # the whole term, with a word boundary on both sides
    PREFIX = "prefix"  # the term starts a word; the hit runs to the end of that word
    SUBSTRING = "substring"  # anywhere, even inside a word


class HitSource(StrEnum):
    """Where a hit's `start`/`end` point: offsets are only meaningful within that source."""

    TEXT = "text"  # the message text
    ATTACHMENT_TEXT = "attachment_text"  # text extracted from the attachment
    ATTACHMENT = "attachment"  # the file itself (type by magic bytes); empty span
    TIMESTAMP = "timestamp"  # when the message was sent (after hours); empty span


@dataclass(frozen=True, slots=True)
class Scope:
    """Which messages a policy looks at; an empty field, or a fact the message lacks, admits all."""

    direction: Direction | None = None
    lines: frozenset[str] = frozenset()  # line numbers (digits only) or line ids
    teams: frozenset[str] = frozenset()
    contacts: ContactKind | None = None


class ThresholdPer(StrEnum):
    """Whose hits a threshold counts together."""

    CONVERSATION = "conversation"  # the hits in one chat
    EMPLOYEE = "employee"  # the hits on every line of one employee (a line without one: that line)


@dataclass(frozen=True, slots=True)
class Threshold:
    """Alert only after `count` hits of the rule within `window` (applied by the alerting stage)."""

    count: int
    window: timedelta
    per: ThresholdPer = ThresholdPer.CONVERSATION


@dataclass(frozen=True, slots=True)
class WeeklyHours:
    """Business hours per weekday (0 = Monday) as (start, end) minutes since midnight, end exclusive."""

    days: tuple[tuple[tuple[int, int], ...], ...]  # exactly 7 entries; () means closed all day


@dataclass(frozen=True, slots=True)
class KeywordOptions:
    terms: tuple[str, ...]
    match: KeywordMatch = KeywordMatch.WORD
    within: int | None = None  # all terms within N words of each other (one hit per window)
    evasion: bool = False  # also find "p.r.o.p.i.n.a", "pr0p1na"


@dataclass(frozen=True, slots=True)
class RegexOptions:
    pattern: str
    case_sensitive: bool = False  # False: runs on the case- and accent-folded text


@dataclass(frozen=True, slots=True)
class FileTypeOptions:
    types: frozenset[str] = frozenset()  # normalised names: xlsx, csv, zip, sql, pdf, ...
    mismatch: bool = False  # also flag any attachment whose declared extension lies


@dataclass(frozen=True, slots=True)
class HoursOptions:
    hours: WeeklyHours
    timezone: str = "America/Sao_Paulo"
    holidays: bool = True  # Brazilian national holidays count as closed days
    extra_holidays: frozenset[date] = frozenset()


DetectorOptions = KeywordOptions | RegexOptions | FileTypeOptions | HoursOptions


@dataclass(frozen=True, slots=True)
class Rule:
    id: str  # from YAML, or "<policy-id>#<n>" (1-based) when the file gives none
    detector: Detector
    options: DetectorOptions | None = None  # None for detectors without settings (cpf, email...)
    severity: Severity | None = None  # None: the policy's severity
    allow: tuple[str, ...] = ()  # phrases that cancel a hit lying inside them
    threshold: Threshold | None = None
    source_line: int | None = None  # line in the policy file, for messages about this rule


@dataclass(frozen=True, slots=True)
class Policy:
    id: str
    rules: tuple[Rule, ...]
    name: str = ""
    description: str = ""
    severity: Severity = Severity.MEDIUM
    category: Category = Category.RISK
    scope: Scope = field(default_factory=Scope)
    enabled: bool = True
    actions: tuple[str, ...] = ()  # reserved for the alerting stage; not interpreted here


@dataclass(frozen=True, slots=True)
class Hit:
    """One finding: `match` is `text[start:end]` of the source named by `source`."""

    policy: str
    rule: str
    detector: Detector
    match: str
    start: int
    end: int
    severity: Severity
    category: Category = Category.RISK
    source: HitSource = HitSource.TEXT
    detail: str | None = None  # why a non-text hit fired ("real type xlsx, declared pdf")


@dataclass(frozen=True, slots=True)
class ScanAttachment:
    file_name: str | None = None
    mime_type: str | None = None  # as declared by the sender, never trusted on its own
    content: bytes | None = None  # the first bytes suffice for the type; all of them for zip contents
    text: str | None = None  # text extracted from the file (PDF, DOCX, OCR), scanned like the message


@dataclass(frozen=True, slots=True)
class ScanInput:
    """What the engine needs to know about one message; unknown facts are None and match any scope."""

    text: str = ""
    direction: Direction | None = None
    timestamp: datetime | None = None  # naive: wall-clock time in each hours rule's time zone
    attachment: ScanAttachment | None = None
    line: str | None = None
    teams: frozenset[str] = frozenset()
    contact: ContactKind | None = None


def line_key(value: str) -> str:
    """How scopes compare lines: a phone number by its digits ("+55 21 99999-0000" = "5521999990000")."""
    digits = "".join(c for c in value if c.isdigit())
    phone_like = digits and all(c.isdigit() or c in "+-() ." for c in value)
    return digits if phone_like else value.strip()


def scope_admits(scope: Scope, message: ScanInput) -> bool:
    """A fact the message does not give (None, no teams) never excludes it: see ScanInput."""
    if scope.direction is not None and message.direction is not None and message.direction != scope.direction:
        return False
    if scope.contacts is not None and message.contact is not None and message.contact != scope.contacts:
        return False
    if scope.lines and message.line is not None and line_key(message.line) not in scope.lines:
        return False
    return not (scope.teams and message.teams and not (scope.teams & message.teams))
