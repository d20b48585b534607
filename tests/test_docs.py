"""Every setting and every command is documented (a missing line fails the build)."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer

from atalaia.cli.main import app
from atalaia.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_documented(name: str) -> None:
    assert f"`ATALAIA_{name.upper()}`" in (ROOT / "docs" / "configuration.md").read_text()


def _command_names() -> list[str]:
    command = typer.main.get_command(app)
    return sorted(command.commands)  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", _command_names())
def test_every_command_is_in_the_readme(name: str) -> None:
    assert f"atalaia {name}" in (ROOT / "README.md").read_text()
