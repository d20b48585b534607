"""The export-job story (tests/export_jobs_story.py) behind the real app, with API tokens and sign-in."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from atalaia.db.engine import transaction
from atalaia.db.models import User
from atalaia.jobs.worker import run_once
from atalaia.services.auth import issue_api_token
from atalaia.web.app import create_app
from tests.conftest import ArchiveSetup
from tests.export_jobs_story import PASSWORD, Story, build_story


@dataclass(frozen=True)
class Desk:
    story: Story
    client: TestClient
    tokens: dict[str, str]

    def bearer(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[name]}"}

    def run_worker(self) -> None:
        while run_once(self.story.setup.runtime, worker="test"):
            pass

    def sign_in(self, name: str) -> str:
        """Sign `name` in on the client; returns the session's CSRF token."""
        self.client.cookies.clear()
        page = self.client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token
        answer = self.client.post("/login", data={"email": f"{name}@exemplo.com.br", "password": PASSWORD,
                                                  "csrf_token": token.group(1)}, follow_redirects=False)  # fmt: skip
        assert answer.status_code == 303, answer.text
        home = re.search(r'name="csrf_token" value="([^"]+)"', self.client.get("/").text)
        assert home
        return home.group(1)


@pytest.fixture
def desk(archive_setup: ArchiveSetup) -> Iterator[Desk]:
    story = build_story(archive_setup)
    runtime = archive_setup.runtime
    tokens = {}
    with transaction(runtime.sessions) as session:
        for name, user_id in story.user_ids.items():
            tokens[name] = issue_api_token(session, user=session.get_one(User, user_id), name="testes")
    with TestClient(create_app(runtime)) as client:
        yield Desk(story, client, tokens)
