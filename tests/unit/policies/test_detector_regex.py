"""User regexes: folded by default, refused when catastrophic, stopped when too slow."""

from __future__ import annotations

import pytest

from atalaia.policies.detectors import regex as regex_detector
from atalaia.policies.detectors._text import fold
from atalaia.policies.detectors.regex import RegexTimeout, UnsafePattern, compile_pattern, find_pattern


def found(pattern: str, text: str, *, case_sensitive: bool = False) -> list[str]:
    compiled = compile_pattern(pattern, case_sensitive=case_sensitive)
    return [text[s:e] for s, e in find_pattern(compiled, fold(text))]


def test_a_pattern_runs_on_the_folded_text_and_reports_the_original() -> None:
    assert found(r"\bpix\s+pessoal\b", "Manda no PIX Péssoal  dele") == ["PIX Péssoal"]


def test_accents_in_the_pattern_are_folded_too() -> None:
    assert found(r"transfer[eê]ncia", "TRANSFERÊNCIA") == ["TRANSFERÊNCIA"]
    assert found(r"ação", "Ação") == ["Ação"]


def test_case_sensitive_patterns_run_on_the_original() -> None:
    assert found(r"[A-Z]{3}-\d{4}", "placa ABC-1234 e abc-1234", case_sensitive=True) == ["ABC-1234"]


def test_empty_matches_are_not_hits() -> None:
    assert found(r"x*", "abc") == []


@pytest.mark.parametrize("pattern", [r"(a+)+$", r"(\w+\s?)*$", r"(.*,)*x", r"(x+x+)+y", r"(\d+a?)*z"])
def test_catastrophic_patterns_are_refused_at_load(pattern: str) -> None:
    with pytest.raises(UnsafePattern, match="nested repetition"):
        compile_pattern(pattern)


@pytest.mark.parametrize("pattern", [r"(\w+,)*", r"(\d+\.)+\d", r"(?:[^,]+,)*", r"(\d+[a-z])*", r"\d{3}\.\d{3}"])
def test_safe_repetitions_are_accepted(pattern: str) -> None:
    compile_pattern(pattern)


@pytest.mark.parametrize("pattern", ["", "(", "x" * 2001])
def test_invalid_patterns_are_refused(pattern: str) -> None:
    with pytest.raises(UnsafePattern):
        compile_pattern(pattern)


@pytest.mark.skipif(not regex_detector.HAS_TIMEOUT, reason="needs the `regex` module for timeouts")
def test_a_slow_search_stops_at_the_timeout() -> None:
    # Overlapping alternatives pass the static check but backtrack exponentially.
    compiled = compile_pattern(r"^(?:a|aa|aaa)+$")
    with pytest.raises(RegexTimeout):
        find_pattern(compiled, fold("a" * 5000 + "!"))
