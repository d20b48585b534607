"""API bearer tokens: stored hashed; garbage, revoked and expired tokens get 401."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from atalaia.db.engine import transaction
from atalaia.db.models import ApiToken
from atalaia.services.auth import revoke_api_token
from tests.web.conftest import Story


def test_a_token_reads_the_api_and_is_never_stored_in_clear(story: Story) -> None:
    token = story.tokens["ana"]

    me = story.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})

    assert me.json()["email"] == "ana@exemplo.com.br"
    with story.setup.runtime.sessions() as session:
        stored = session.execute(select(ApiToken.token_hash)).scalars().all()
    assert all(token not in value for value in stored)


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer lixo", "Basic YW5hOnNlbmhh", "Bearer atl_' OR 1=1 --"])
def test_bad_credentials_are_401(story: Story, header: str) -> None:
    response = story.client.get("/api/v1/me", headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert response.json()["ok"] is False


def test_revoked_and_expired_tokens_are_401(story: Story) -> None:
    with transaction(story.setup.runtime.sessions) as session:
        revoke_api_token(session, story.tokens["ana"])
        session.execute(update(ApiToken).values(expires_at=datetime.now(UTC) - timedelta(minutes=1)))

    for name in ("ana", "bruno"):
        response = story.client.get("/api/v1/me", headers={"Authorization": f"Bearer {story.tokens[name]}"})
        assert response.status_code == 401
