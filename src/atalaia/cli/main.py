"""Entry point: assembles the command groups, each defined in its own module with `register(app)`."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="atalaia",
    help="Atalaia: arquivo, conformidade e análise do WhatsApp corporativo.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals may hold secrets and message text
    add_completion=False,
)

# Each module exposes register(app: typer.Typer) -> None.
COMMAND_MODULES = (
    "atalaia.cli.admin",
    "atalaia.cli.users_totp_cmd",
    "atalaia.cli.lines_cmd",
    "atalaia.cli.notices_cmd",
    "atalaia.cli.people_cmd",
    "atalaia.cli.journal_cmd",
    "atalaia.cli.worker_cmd",
    "atalaia.cli.scan_cmd",
    "atalaia.cli.demo_cmd",
    "atalaia.cli.import_cmd",
    "atalaia.cli.parse_cmd",
    "atalaia.cli.serve_cmd",
    "atalaia.cli.search_cmd",
    "atalaia.cli.export_cmd",
    "atalaia.cli.keys_cmd",
    "atalaia.cli.subject_cmd",
    "atalaia.cli.subject_rights_cmd",  # after subject_cmd: joins its `subject` group
    "atalaia.cli.subject_correct_cmd",  # joins the `subject` group too
    "atalaia.cli.policies_cmd",
    "atalaia.cli.alerts_cmd",
    "atalaia.cli.simulate_cmd",
    "atalaia.cli.report_cmd",
    "atalaia.cli.analytics_cmd",
    "atalaia.cli.holds_cmd",
    "atalaia.cli.retention_cmd",
)


def _register_all() -> None:
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(app)


_register_all()


def main() -> None:
    app()
