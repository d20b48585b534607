"""Governance: legal holds, retention purges and LGPD erasure, all keeping the chain verifiable.

`held` is the one question a purge or an erasure asks before touching a message. Why it is
built this way: docs/decisions/0018-retention-holds-erasure.md.
"""

from atalaia.services.governance.correction import CorrectionRequest, CorrectionResult, correct_subject
from atalaia.services.governance.erasure import ErasureResult, erase_subject
from atalaia.services.governance.holds import (
    HoldTarget,
    add_hold,
    held,
    held_by,
    hold_as_dict,
    list_holds,
    release_hold,
)
from atalaia.services.governance.purge import PurgeReport, run_retention
from atalaia.services.governance.retention_rules import list_rules, parse_keep, remove_rule, set_rule
from atalaia.services.governance.subject_requests import list_requests, request_as_dict

__all__ = [
    "CorrectionRequest",
    "CorrectionResult",
    "ErasureResult",
    "HoldTarget",
    "PurgeReport",
    "add_hold",
    "correct_subject",
    "erase_subject",
    "held",
    "held_by",
    "hold_as_dict",
    "list_holds",
    "list_requests",
    "list_rules",
    "parse_keep",
    "release_hold",
    "remove_rule",
    "request_as_dict",
    "run_retention",
    "set_rule",
]
