"""The compliance story (see tests/compliance_story.py) on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from atalaia.runtime import Runtime
from tests.compliance_story import Story, build_story


@pytest.fixture
def story(runtime: Runtime) -> Story:
    return build_story(runtime)
