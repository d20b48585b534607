from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from typer.testing import CliRunner

from atalaia.cli.main import app
from atalaia.settings import Settings

Invoke = Callable[..., Any]


@pytest.fixture
def atalaia(settings: Settings) -> Invoke:
    """Run `atalaia ARGS...` in-process against the test database; returns the result."""
    runner = CliRunner()

    def invoke(*args: str, expect: int = 0) -> Any:
        result = runner.invoke(app, list(args))
        assert result.exit_code == expect, (result.exit_code, result.output, result.exception)
        return result

    return invoke


def json_of(result: Any) -> Any:
    return json.loads(result.stdout)
