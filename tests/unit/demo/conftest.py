"""One demo company and six weeks of its traffic, generated once for all the demo tests.

The run is small (a few thousand messages) so that the whole folder stays within seconds;
tests that need volume (memory) make their own.
"""

from __future__ import annotations

import pytest

from atalaia.demo import DemoPlan, build_plan, iter_events
from tests.unit.demo.demo_run import DAYS, END, MESSAGES, SEED, Run


@pytest.fixture(scope="session")
def plan() -> DemoPlan:
    return build_plan(seed=SEED)


@pytest.fixture(scope="session")
def run(plan: DemoPlan) -> Run:
    return Run(plan, list(iter_events(plan, seed=SEED, messages=MESSAGES, days=DAYS, end=END)))
