"""`atalaia lines connect-cloud|connect-gateway|test`: secrets from files, never echoed back.

Story: the operator connects the sales line to the Cloud API and the support line to an
Evolution server from a shell; a typo in the gateway's address is refused before any request.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.conftest import Invoke, json_of
from tests.gateway_server import FakeGateway, running_gateway
from tests.graph_server import FakeGraph, running_graph

PNID = "1065403522"


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FakeGraph, FakeGateway]]:
    with running_graph() as graph, running_gateway() as gateway:
        graph.phones[PNID] = {"display_phone_number": "+55 21 99999-0000", "verified_name": "Loja"}
        monkeypatch.setenv("ATALAIA_GRAPH_BASE_URL", graph.base_url)
        monkeypatch.setenv("ATALAIA_GATEWAY_API_ORIGINS", gateway.base_url)
        yield graph, gateway


def test_a_cloud_line_is_connected_and_tested(atalaia: Invoke, fakes: tuple[FakeGraph, FakeGateway],
                                              tmp_path: Path) -> None:  # fmt: skip
    graph, _ = fakes
    token_file = tmp_path / "token"
    token_file.write_text(graph.token + "\n")
    atalaia("lines", "add", "--number", "+5521999990000", "--provider", "cloud", "--phone-number-id", PNID)

    result = atalaia("lines", "connect-cloud", "--number", "+5521999990000", "--phone-number-id", PNID,
                     "--access-token-file", str(token_file), "--json")  # fmt: skip
    tested = json_of(atalaia("lines", "test", "--number", "+5521999990000", "--json"))

    assert graph.token not in result.stdout
    assert json_of(result)["hints"] == {"access_token": "configurado · termina em tema"}
    assert tested == {"ok": True, "message": "Credenciais válidas: +55 21 99999-0000 — Loja"}
    token_file.write_text("outro-token-qualquer-errado")
    atalaia("lines", "connect-cloud", "--number", "+5521999990000", "--phone-number-id", PNID,
            "--access-token-file", str(token_file))  # fmt: skip
    failed = json_of(atalaia("lines", "test", "--number", "+5521999990000", "--json", expect=1))
    assert failed["ok"] is False
    assert "HTTP 401" in failed["message"]


def test_a_gateway_line_gets_its_instance_or_a_clear_refusal(atalaia: Invoke, fakes: tuple[FakeGraph, FakeGateway],
                                                             tmp_path: Path) -> None:  # fmt: skip
    _, gateway = fakes
    key_file = tmp_path / "key"
    key_file.write_text(gateway.api_key)
    atalaia("lines", "add", "--number", "+5521977770000", "--provider", "evolution")

    refused = atalaia("lines", "connect-gateway", "--number", "+5521977770000", "--url", "http://10.0.0.1:8080",
                      "--api-key-file", str(key_file), expect=2)  # fmt: skip
    assert "ATALAIA_GATEWAY_API_ORIGINS" in refused.output
    assert gateway.requests == []

    created = json_of(atalaia("lines", "connect-gateway", "--number", "+5521977770000", "--url", gateway.base_url,
                              "--api-key-file", str(key_file), "--json"))  # fmt: skip
    assert created["ok"] is True
    assert created["instance"] == "atalaia-5521977770000"
    assert list(gateway.instances) == ["atalaia-5521977770000"]
    assert gateway.api_key not in str(created)
