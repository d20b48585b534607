"""The Graph client sends text and templates to a real local server and classifies failures."""

from __future__ import annotations

import pytest

from atalaia.connectors.cloud_api.graph import GraphClient, GraphError
from tests.graph_server import running_graph


def test_it_sends_a_text_and_a_template_and_returns_the_wamid() -> None:
    with running_graph() as graph:
        client = GraphClient(base_url=graph.base_url, access_token=graph.token)
        first = client.send_text(
            phone_number_id="106540352242922", to="+5521988887777", body="Olá! Esta conversa é gravada."
        )
        second = client.send_template(phone_number_id="106540352242922", to="5521988887777", name="aviso_gravacao",
                                      language="pt_BR", parameters=["Exemplo Ltda"])  # fmt: skip
        client.close()

    assert (first, second) == ("wamid.SENT1", "wamid.SENT2")
    assert graph.sent[0]["to"] == "5521988887777"
    assert graph.sent[0]["text"] == {"body": "Olá! Esta conversa é gravada.", "preview_url": False}
    assert graph.sent[1]["template"]["language"] == {"code": "pt_BR"}  # type: ignore[index]
    assert graph.requests == ["/v23.0/106540352242922/messages"] * 2


def test_a_bad_token_is_permanent_and_an_outage_is_not() -> None:
    with running_graph() as graph:
        wrong = GraphClient(base_url=graph.base_url, access_token="errado")
        with pytest.raises(GraphError) as denied:
            wrong.send_text(phone_number_id="1", to="55", body="x")
        graph.failures_left = 1
        right = GraphClient(base_url=graph.base_url, access_token=graph.token)
        with pytest.raises(GraphError) as outage:
            right.media_info("123")

    assert denied.value.permanent is True
    assert outage.value.permanent is False


def test_hostile_media_ids_and_urls_are_refused_without_a_request() -> None:
    client = GraphClient(base_url="http://127.0.0.1:9/v23.0", access_token="t")
    with pytest.raises(GraphError):
        client.media_info("../../me")
    with pytest.raises(GraphError):
        client.download("file:///etc/passwd")
