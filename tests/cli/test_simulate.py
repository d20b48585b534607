"""`atalaia simulate` against the real app, served by uvicorn on a loopback port.

Story: the administrator has set up the demo company's twelve lines (Cloud API lines with their
phone number ids, Evolution lines with the tokens `lines add` printed once) and runs the server
with the app secret Meta gave. The simulator then plays a few days of the company's WhatsApp,
with Meta's habit of delivering some requests twice; the archive must keep each message once.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from typer.testing import CliRunner

from atalaia.cli.main import app
from atalaia.db.engine import transaction
from atalaia.demo import build_plan
from atalaia.domain.enums import Provider
from atalaia.runtime import Runtime
from atalaia.services.lines import add_line
from atalaia.services.tenancy import ensure_tenant
from atalaia.settings import Settings
from atalaia.web.app import create_app
from tests.cli.conftest import Invoke, json_of

SECRET = "segredo-do-app-meta-para-testes"
END = "2025-03-14"  # fixed, so the same seed sends the same traffic on any day


@dataclass(frozen=True)
class Server:
    url: str
    token_file: Path  # the Evolution lines' tokens, as an administrator would keep them


@pytest.fixture
def server(settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Server]:
    monkeypatch.setenv("ATALAIA_CLOUD_APP_SECRET", SECRET)
    runtime = Runtime.from_settings(Settings(), migrate=False)
    tokens = []
    with transaction(runtime.sessions) as session:
        tenant = ensure_tenant(session, keyring=runtime.keyring)
        for line in build_plan(seed=7).lines:
            created = add_line(session, tenant_id=tenant.id, number=line.number, provider=line.provider.value,
                               phone_number_id=line.phone_number_id, instance=line.instance, team=line.team,
                               data_key=runtime.data_key(tenant))  # fmt: skip
            if line.provider is Provider.EVOLUTION:
                tokens.append(f"{line.number}={created.token}")
    token_file = tmp_path / "tokens.txt"
    token_file.write_text("# Evolution\n" + "\n".join(tokens) + "\n", encoding="utf-8")
    sock = socket.create_server(("127.0.0.1", 0))
    config = uvicorn.Config(create_app(runtime), log_level="warning", access_log=False, lifespan="off")
    web = uvicorn.Server(config)
    thread = threading.Thread(target=web.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not web.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert web.started, "uvicorn did not start"
    yield Server(f"http://127.0.0.1:{sock.getsockname()[1]}", token_file)
    web.should_exit = True
    thread.join(timeout=10)
    sock.close()
    runtime.close()


def test_it_archives_signed_and_token_traffic_once_despite_retries(atalaia: Invoke, server: Server) -> None:
    report = json_of(atalaia("simulate", "--url", server.url, "--messages", "60", "--seed", "5", "--end", END,
                             "--days", "3", "--batch", "6", "--duplicates", "0.05",
                             "--token-file", str(server.token_file), "--json"))  # fmt: skip
    stats = json_of(atalaia("stats", "--json"))

    assert report["lines"] == {"cloud": 8, "evolution": 3}
    assert (report["messages"], report["rejected"], report["failed"]) == (60, 0, 0)
    assert report["accepted"] == report["requests"] == stats["journal"]["accepted"]
    assert report["duplicate_deliveries"] > 0
    assert report["duplicates"] > 0
    assert report["new"] == stats["messages"] == 60  # each retried message archived once
    assert stats["statuses"] > 0
    assert report["messages_per_s"] > 0


def test_a_wrong_app_secret_is_rejected_and_archives_nothing(atalaia: Invoke, server: Server) -> None:
    result = atalaia("simulate", "--url", server.url, "--provider", "cloud", "--messages", "10", "--seed", "1",
                     "--end", END, "--app-secret", "outro-segredo", "--duplicates", "0", "--json",
                     expect=1)  # fmt: skip
    report, stats = json_of(result), json_of(atalaia("stats", "--json"))

    assert report["rejected"] == report["requests"] > 0
    assert report["status_codes"] == {"401": report["requests"]}
    assert stats["messages"] == 0
    assert stats["journal"]["rejected"] == report["requests"]  # kept as evidence


def test_without_tokens_only_the_cloud_lines_are_simulated(atalaia: Invoke, server: Server) -> None:
    result = atalaia("simulate", "--url", server.url, "--messages", "12", "--seed", "2", "--end", END, "--days", "2",
                     "--batch", "6", "--json")  # fmt: skip
    report = json_of(result)

    assert report["lines"] == {"cloud": 8, "evolution": 0}
    assert report["new"] == json_of(atalaia("stats", "--json"))["messages"] == 12
    assert "só linhas Cloud API" not in result.stderr  # the note is for people, not for --json


runner = CliRunner()


def test_it_sends_nothing_to_a_url_that_is_not_http() -> None:
    result = runner.invoke(app, ["simulate", "--url", "ftp://127.0.0.1/", "--app-secret", "x"])

    assert result.exit_code == 2
    assert "URL inválida" in result.stderr


def test_it_says_so_when_no_server_answers() -> None:
    with socket.create_server(("127.0.0.1", 0)) as sock:
        port = sock.getsockname()[1]  # closed again before the command runs: nothing listens there
    result = runner.invoke(app, ["simulate", "--url", f"http://127.0.0.1:{port}", "--app-secret", "x"])

    assert result.exit_code == 2
    assert "não responde" in result.stderr


def test_it_needs_the_app_secret_for_cloud_traffic(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ATALAIA_CLOUD_APP_SECRET", raising=False)
    result = runner.invoke(app, ["simulate", "--provider", "cloud"])

    assert result.exit_code == 2
    assert "--app-secret" in result.stderr


def test_it_lists_the_demo_lines_to_create_without_sending() -> None:
    result = runner.invoke(app, ["simulate", "--list-lines", "--json"])

    lines = json_of(result)
    assert len(lines) == 12
    assert {line["provider"] for line in lines} == {"cloud", "evolution", "waha"}
    assert all(line["phone_number_id"] for line in lines if line["provider"] == "cloud")
