"""The demo company and its deterministic WhatsApp traffic; pure, no database (see `generator`)."""

from __future__ import annotations

from atalaia.demo.generator import iter_events, iter_line_batches, iter_line_events, line_totals
from atalaia.demo.plan import (
    ContactRole,
    DemoCampaign,
    DemoContact,
    DemoGroup,
    DemoLine,
    DemoPerson,
    DemoPlan,
    DemoTeam,
    build_plan,
)
from atalaia.demo.timeline import is_after_hours

__all__ = [
    "ContactRole",
    "DemoCampaign",
    "DemoContact",
    "DemoGroup",
    "DemoLine",
    "DemoPerson",
    "DemoPlan",
    "DemoTeam",
    "build_plan",
    "is_after_hours",
    "iter_events",
    "iter_line_batches",
    "iter_line_events",
    "line_totals",
]
