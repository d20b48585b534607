"""What the console's policies page shows: a summary of each policy, its YAML, a test on sample text.

The tenant's policies are one YAML file, versioned as a whole (policies.py); a policy's own YAML is
its slice of the active file, cut at the nodes the loader reads, so what is shown is what is stored.
The tester scans pasted text with the active version's compiled engine, in memory: nothing is
archived, nothing is alerted, and the text is never logged or audited (only its size).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import yaml  # type: ignore[import-untyped, unused-ignore]
from sqlalchemy.orm import Session

from atalaia.domain.enums import Direction
from atalaia.domain.policy import HitSource, Policy, ScanInput
from atalaia.errors import InvalidInput
from atalaia.policies import load_policies
from atalaia.services import audit
from atalaia.services.compliance.policies import active_policy_set

MAX_SAMPLE_CHARS: Final = 5000


@dataclass(frozen=True, slots=True)
class PolicySummary:
    id: str
    name: str
    category: str
    severity: str
    rules: int
    enabled: bool


@dataclass(frozen=True, slots=True)
class Piece:
    """A piece of the sample text; `marked` when a rule matched it."""

    text: str
    marked: bool = False


@dataclass(frozen=True, slots=True)
class SampleHit:
    policy: str
    rule: str
    detector: str
    severity: str
    match: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class SampleResult:
    version: int
    hits: list[SampleHit]
    pieces: list[Piece]


def summaries(policies: tuple[Policy, ...] | list[Policy]) -> list[PolicySummary]:
    return [
        PolicySummary(p.id, p.name or p.id, p.category.value, p.severity.value, len(p.rules), p.enabled)
        for p in policies
    ]


def parsed(text: str) -> tuple[Policy, ...]:
    return load_policies(text, source="política")


def policy_yaml(text: str, policy_id: str) -> str | None:
    """The lines of `text` that define the policy `policy_id` (None when it is not there)."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(root, yaml.MappingNode):
        return None
    items = next((v for k, v in root.value if isinstance(k, yaml.ScalarNode) and k.value == "policies"), None)
    if not isinstance(items, yaml.SequenceNode):
        return None
    lines = text.splitlines()
    # Each policy runs from its own line to the next policy's (the last one to the list's end).
    end = items.end_mark.line + (1 if items.end_mark.column else 0)  # column 0: the next key's line
    bounds = [item.start_mark.line for item in items.value] + [end]
    for number, item in enumerate(items.value):
        if not isinstance(item, yaml.MappingNode):
            continue
        ids = [v.value for k, v in item.value if isinstance(k, yaml.ScalarNode) and k.value == "id"]
        if ids and str(ids[0]) == policy_id:
            block = lines[bounds[number] : bounds[number + 1]]
            while block and (not block[-1].strip() or block[-1].lstrip().startswith("#")):
                block.pop()
            return "\n".join(block) + "\n"
    return None


def error_line(message: str) -> int | None:
    """The line number in a loader message (`source:LINE: ...`), for pointing at it in the editor."""
    parts = message.split(":", 2)
    return int(parts[1]) if len(parts) > 2 and parts[1].strip().isdigit() else None


def scan_sample(
    session: Session,
    *,
    tenant_id: int,
    text: str,
    direction: str | None,
    actor: str,
    user_id: int,
    ip: str | None = None,
) -> SampleResult:
    """Scan `text` with the active policies, in memory; InvalidInput when there is nothing to test."""
    if not text.strip() or len(text) > MAX_SAMPLE_CHARS:
        raise InvalidInput(f"cole um texto de 1 a {MAX_SAMPLE_CHARS} caracteres")
    try:
        way = Direction(direction) if direction else None
    except ValueError:
        raise InvalidInput("direção inválida: use recebida, enviada ou qualquer") from None
    policy_set = active_policy_set(session, tenant_id)
    if policy_set is None:
        raise InvalidInput("nenhuma política em vigor: importe ou salve uma primeiro")
    found = [h for h in policy_set.engine.scan(ScanInput(text=text, direction=way)) if h.source is HitSource.TEXT]
    hits = [
        SampleHit(h.policy, h.rule, h.detector.value, h.severity.value, text[h.start : h.end], h.start, h.end)
        for h in found
    ]
    audit.record(session, tenant_id=tenant_id, actor=actor, user_id=user_id, action="policies_tested",
                 object_type="policy_version", object_id=policy_set.version, ip=ip,
                 detail={"chars": len(text), "hits": len(hits)})  # fmt: skip
    return SampleResult(version=policy_set.version, hits=hits, pieces=pieces(text, [(h.start, h.end) for h in hits]))


def pieces(text: str, spans: list[tuple[int, int]]) -> list[Piece]:
    """The whole text cut around the spans (merged when they overlap), for highlighting."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted((s, e) for s, e in spans if 0 <= s < e <= len(text)):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    result: list[Piece] = []
    pos = 0
    for start, end in merged:
        if start > pos:
            result.append(Piece(text[pos:start]))
        result.append(Piece(text[start:end], marked=True))
        pos = end
    if pos < len(text):
        result.append(Piece(text[pos:]))
    return result
