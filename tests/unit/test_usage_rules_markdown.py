"""The usage-rules renderer: Markdown in, HTML out that can carry no script, whatever is written."""

from __future__ import annotations

import re

import pytest

from atalaia.services.onboarding.markdown import MAX_MARKDOWN_CHARS, render_markdown


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//evil/x.js></SCRIPT>",
        "<img src=x onerror=alert(1)>",
        "<svg onload=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        "<iframe src=//evil></iframe>",
        '<div style="background:url(javascript:alert(1))">x</div>',
        "<!-- <script>alert(1)</script> -->",
        "texto <b onmouseover=alert(1)>negrito</b> inline",
    ],
)
def test_raw_html_is_shown_as_text_never_as_markup(source: str) -> None:
    html = str(render_markdown(source))
    assert not re.search(r"<(script|img|svg|a|iframe|div|b)[\s>]", html, re.IGNORECASE)
    assert "&lt;" in html


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "&#106;avascript:alert(1)",
        "java%0ascript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "file:///etc/passwd",
        "//evil.example/x",
        "/relativo",
    ],
)
def test_only_http_https_and_mailto_links_become_links(link: str) -> None:
    for source in (f"[clique]({link})", f"[clique][r]\n\n[r]: {link}", f"<{link}>"):
        assert "<a " not in str(render_markdown(source)), source


def test_web_and_mail_links_are_kept_without_passing_the_referrer() -> None:
    html = str(render_markdown("[site](https://empresa.com.br/regras?a=1&b=2) e [fale](mailto:dpo@empresa.com.br)"))
    assert '<a href="https://empresa.com.br/regras?a=1&amp;b=2" rel="noopener noreferrer nofollow">site</a>' in html
    assert '<a href="mailto:dpo@empresa.com.br" rel="noopener noreferrer nofollow">fale</a>' in html


def test_images_never_load_even_with_an_attribute_smuggled_in_the_title() -> None:
    html = str(render_markdown('![foto](https://evil.example/x.png "t\\" onerror=\\"alert(1)")'))
    assert "<img" not in html
    assert 'onerror="' not in html


def test_the_structure_of_a_rules_document_is_kept() -> None:
    source = "# Regras\n\n## Horário\n\n- um\n- dois\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n**forte**"
    html = str(render_markdown(source))
    for tag in ("<h1>Regras</h1>", "<h2>Horário</h2>", "<li>um</li>", "<table>", "<strong>forte</strong>"):
        assert tag in html


def test_an_enormous_document_is_cut_before_rendering() -> None:
    html = str(render_markdown("a" * (MAX_MARKDOWN_CHARS * 3)))
    assert html.count("a") <= MAX_MARKDOWN_CHARS + 10
