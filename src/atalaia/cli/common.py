"""What every command shares: the runtime, the tenant option, JSON output and error rendering."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from sqlalchemy.exc import OperationalError

from atalaia.db.engine import transaction
from atalaia.db.models import Tenant
from atalaia.errors import AtalaiaError
from atalaia.runtime import Runtime
from atalaia.services.tenancy import DEFAULT_TENANT_SLUG, ensure_tenant, get_tenant
from atalaia.settings import get_settings

P = ParamSpec("P")
R = TypeVar("R")

TenantOption = Annotated[
    str,
    typer.Option("--tenant", help="Tenant slug; the default tenant when omitted.", envvar="ATALAIA_TENANT"),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]

EXIT_BAD_INPUT = 2


def emit_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, default=str) + "\n")


def fail(message: str, *, code: int = EXIT_BAD_INPUT) -> typer.Exit:
    typer.echo(f"erro: {message}", err=True)
    return typer.Exit(code)


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Render expected errors as one line on stderr with exit status 2, never a traceback."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except AtalaiaError as exc:
            raise fail(exc.message) from None
        except OperationalError as exc:
            raise fail(f"database unavailable: {exc.orig}", code=1) from None

    return wrapper


@contextmanager
def open_runtime(*, migrate: bool = True) -> Iterator[Runtime]:
    runtime = Runtime.from_settings(get_settings(), migrate=migrate)
    try:
        yield runtime
    finally:
        runtime.close()


def resolve_tenant(runtime: Runtime, slug: str) -> Tenant:
    """The named tenant; the default one is created on first use, others must exist."""
    with transaction(runtime.sessions) as session:
        if slug == DEFAULT_TENANT_SLUG:
            return ensure_tenant(session, keyring=runtime.keyring)
        return get_tenant(session, slug)


def default_tenant() -> str:
    return DEFAULT_TENANT_SLUG
