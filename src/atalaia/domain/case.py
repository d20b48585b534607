"""The case workflow of an alert as plain data: its states, its resolutions and the moves allowed.

open ──► in_review ──► resolved (confirmed | false_positive)
  │  ◄──────┘              │
  └────────────────────────┤  an obvious false positive may be resolved straight from the queue
  ◄────────────────────────┘  reopen
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class CaseStatus(StrEnum):
    OPEN = "open"
    IN_REVIEW = "in_review"
    RESOLVED = "resolved"


class Resolution(StrEnum):
    CONFIRMED = "confirmed"  # a real breach (or, for an opportunity, a real one)
    FALSE_POSITIVE = "false_positive"  # the rule fired on something harmless: counts against its precision


class CaseEventKind(StrEnum):
    COMMENT = "comment"
    ASSIGN = "assign"
    STATUS = "status"
    REVEAL = "reveal"
    ESCALATE = "escalate"
    EVIDENCE = "evidence"  # a file attached (docs/decisions/0024)
    EVIDENCE_WITHDRAWN = "evidence_withdrawn"  # a file marked withdrawn, with a reason; never deleted
    NOTICE = "notice"  # the templated notice e-mailed to the employee: sent or failed


# Every allowed move; anything else (resolving twice, reviewing a resolved case) is a conflict.
TRANSITIONS: Final[dict[CaseStatus, frozenset[CaseStatus]]] = {
    CaseStatus.OPEN: frozenset({CaseStatus.IN_REVIEW, CaseStatus.RESOLVED}),
    CaseStatus.IN_REVIEW: frozenset({CaseStatus.OPEN, CaseStatus.RESOLVED}),
    CaseStatus.RESOLVED: frozenset({CaseStatus.OPEN}),
}


def can_move(current: CaseStatus, target: CaseStatus) -> bool:
    return target in TRANSITIONS[current]
