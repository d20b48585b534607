"""Compliance policies: load them from YAML, compile them once, scan messages. No database here.

engine = compile_policies(load_policy_file("policies.yml"))
hits = engine.scan(ScanInput(text="meu cpf é 123.456.789-09", direction=Direction.OUTBOUND))
"""

from __future__ import annotations

from atalaia.domain.policy import Hit, Policy, ScanAttachment, ScanInput
from atalaia.policies._yaml import PolicyError
from atalaia.policies.engine import PolicyEngine, compile_policies
from atalaia.policies.loader import load_policies, load_policy_file
from atalaia.policies.threshold import firing_times, threshold_fires

__all__ = [
    "Hit",
    "Policy",
    "PolicyEngine",
    "PolicyError",
    "ScanAttachment",
    "ScanInput",
    "compile_policies",
    "firing_times",
    "load_policies",
    "load_policy_file",
    "threshold_fires",
]
