"""Health, metrics (loopback or an admin's token only) and the OpenAPI document; no debug pages."""

from __future__ import annotations

import dataclasses

from fastapi.testclient import TestClient

from atalaia.db.engine import make_engine, transaction
from atalaia.services.auth import issue_api_token
from atalaia.services.people import create_user
from atalaia.web.app import create_app
from tests.web.conftest import PASSWORD, Story

LOOPBACK = ("127.0.0.1", 50000)
REMOTE = ("203.0.113.9", 50000)  # TEST-NET-3: any address that is not this machine


def client_from(story: Story, address: tuple[str, int]) -> TestClient:
    return TestClient(story.client.app, client=address)


def test_healthz_checks_the_database(story: Story) -> None:
    assert story.client.get("/healthz").json() == {"ok": True, "database": "ok"}


def test_healthz_is_503_when_the_database_is_down(story: Story) -> None:
    broken = dataclasses.replace(
        story.setup.runtime, engine=make_engine("postgresql+psycopg://nobody@127.0.0.1:1/atalaia")
    )
    with TestClient(create_app(broken)) as client:
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["ok"] is False
    broken.engine.dispose()


def test_metrics_answer_a_loopback_client(story: Story) -> None:
    local = client_from(story, LOOPBACK)
    local.get("/healthz")

    response = local.get("/metrics")

    assert response.status_code == 200
    assert 'atalaia_http_requests_total{method="GET",route="/healthz",status="200"}' in response.text


def test_metrics_do_not_exist_for_anyone_else(story: Story) -> None:
    remote = client_from(story, REMOTE)
    compliance = {"Authorization": f"Bearer {story.tokens['ana']}"}

    assert remote.get("/metrics").status_code == 404
    assert remote.get("/metrics", headers=compliance).status_code == 404  # signed in, but not an admin
    assert remote.get("/metrics", headers={"Authorization": "Bearer lixo"}).status_code == 404


def test_a_request_forwarded_by_a_local_proxy_is_not_local(story: Story) -> None:
    local = client_from(story, LOOPBACK)
    assert local.get("/metrics", headers={"X-Forwarded-For": "198.51.100.7"}).status_code == 404


def test_an_admin_token_reads_metrics_from_anywhere(story: Story) -> None:
    with transaction(story.setup.runtime.sessions) as session:
        admin = create_user(session, tenant_id=story.setup.tenant.id, email="edu@exemplo.com.br", role="admin",
                            password=PASSWORD).user  # fmt: skip
        token = issue_api_token(session, user=admin, name="prometheus")

    response = client_from(story, REMOTE).get("/metrics", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200
    assert "atalaia_http_request_seconds" in response.text


def test_openapi_lists_the_api_and_no_debug_page_exists(story: Story) -> None:
    paths = story.client.get("/openapi.json").json()["paths"]

    assert {"/api/v1/me", "/api/v1/conversations", "/api/v1/conversations/{conversation_id}", "/api/v1/stats"} <= set(
        paths
    )
    assert not any(path in paths for path in ("/login", "/logout", "/", "/metrics"))  # the console is not API
    for debug in ("/docs", "/redoc", "/docs/oauth2-redirect", "/debug", "/admin", "/heapdump", "/env"):
        assert story.client.get(debug).status_code == 404
