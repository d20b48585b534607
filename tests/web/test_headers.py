"""Security headers on every response, and hostile WhatsApp content rendered inert."""

from __future__ import annotations

import re

from atalaia.domain.events import ContactRef
from tests.factories import inbound
from tests.web.conftest import Story, sign_in

XSS = "<script>alert(1)</script><img src=x onerror=alert(2)>"


def test_every_response_carries_strict_security_headers(story: Story) -> None:
    for path in ("/login", "/api/v1/me", "/healthz", "/nao-existe"):
        headers = story.client.get(path).headers
        csp = headers["content-security-policy"]

        assert "default-src 'self'" in csp
        assert "script-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"


def test_pages_hold_no_inline_script_or_style_for_the_csp_to_block(story: Story) -> None:
    sign_in(story.client, "ana@exemplo.com.br")

    for path in ("/login", "/", "/conversations", f"/conversations/{story.vendas_conversation}"):
        html = story.client.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
        assert " style=" not in html, path
        assert "<style" not in html, path
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", html), path  # no inline event handlers either
        assert 'lang="pt-BR"' in html


def test_archived_content_is_not_cached(story: Story) -> None:
    sign_in(story.client, "bruno@exemplo.com.br")
    response = story.client.get(f"/conversations/{story.vendas_conversation}")

    assert response.headers["cache-control"] == "no-store"


def test_hostile_text_and_names_render_escaped(story: Story) -> None:
    evil = ContactRef(key="wa:5521911112222", name=XSS)
    story.setup.archive([inbound("wamid.XSS", XSS, contact=evil)])
    sign_in(story.client, "ana@exemplo.com.br")

    listing = story.client.get("/conversations")
    conversation_id = max(int(part.split('"')[0]) for part in listing.text.split('href="/conversations/')[1:])
    page = story.client.get(f"/conversations/{conversation_id}")

    assert "<script>alert(1)</script>" not in listing.text + page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<img src=x" not in listing.text + page.text
