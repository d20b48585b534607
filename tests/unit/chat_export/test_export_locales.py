"""Locale tags and marker tables: what `--locale` accepts, and how markers are compared."""

from __future__ import annotations

import pytest

from atalaia.connectors.chat_export import ExportError
from atalaia.connectors.chat_export.locales import LANGUAGES, LanguageVote, marker_key, markers_for, resolve_locale


@pytest.mark.parametrize(
    ("tag", "canonical", "language", "month_first"),
    [
        ("pt-BR", "pt-BR", "pt", False),
        ("pt_pt", "pt-PT", "pt", False),
        ("en-US", "en-US", "en", True),
        ("en-GB", "en-GB", "en", False),
        ("es", "es", "es", False),
        ("es-US", "es-US", "es", True),
        ("es-419", "es-419", "es", False),
        ("de-DE", "de-DE", "de", False),
        ("fr", "fr", "fr", False),
        ("it-IT", "it-IT", "it", False),
    ],
)
def test_it_resolves_locale_tags(tag: str, canonical: str, language: str, month_first: bool) -> None:
    hint = resolve_locale(tag)
    assert hint is not None
    assert (hint.tag, hint.language.code, hint.month_first) == (canonical, language, month_first)


def test_auto_is_no_hint() -> None:
    assert resolve_locale("auto") is None
    assert resolve_locale("") is None


@pytest.mark.parametrize("tag", ["xx-YY", "klingon", "pt-BRA", "123"])
def test_it_refuses_unknown_locales_in_portuguese(tag: str) -> None:
    with pytest.raises(ExportError, match="idioma não suportado"):
        resolve_locale(tag)


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("<Mídia oculta>", "mídia oculta"),
        ("\u200eimage omitted", "image omitted"),
        ("<\u200eimage omitted>", "image omitted"),
        ("\u200eThis message was deleted.", "this message was deleted"),
        ("< Média vynechána >", "média vynechána"),
    ],
)
def test_markers_compare_without_marks_brackets_or_final_dot(raw: str, key: str) -> None:
    assert marker_key(raw) == key


def test_every_language_has_every_kind_of_marker() -> None:
    for code in ("pt", "en", "es", "de", "fr", "it"):
        lang = LANGUAGES[code]
        for table in (lang.media_omitted, lang.deleted, lang.edited, lang.attached_suffixes, lang.attached_tags):
            assert table, code
        assert lang.encryption, code
        assert lang.authored_notices, code


def test_a_forced_language_uses_only_its_own_markers() -> None:
    portuguese = markers_for(("pt",))
    assert "mídia oculta" in portuguese.simple
    assert "media omitted" not in portuguese.simple
    assert "media omitted" in markers_for(()).simple


def test_the_vote_names_the_language_of_the_markers() -> None:
    vote = LanguageVote()
    for text in ("oi", "<Mídia oculta>", "Mensagem apagada", "IMG-1.jpg (arquivo anexado)"):
        vote.feed(text)
    assert vote.winner() == "pt"
    assert LanguageVote().winner() is None
