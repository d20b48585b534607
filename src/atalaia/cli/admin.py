"""Administrative commands: migrate, users, lines, stats, verify."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Placeholder until the archive services land."""
