"""Microsoft Presidio (presidio-analyzer) as the policy engine's peer, fully offline.

What makes the comparison fair, and offline:
- No model: the NLP engine is Presidio's `NoOpNlpEngine` (`no_op`) or a blank spaCy `pt`
  pipeline built here (`blank`: spaCy's Portuguese tokenizer, no trained component). Neither
  downloads anything; `offline()` makes every socket connection fail, so a peer that tried
  would fail loudly instead of quietly fetching.
- tldextract, which Presidio's e-mail recognizer calls, would fetch the public suffix list on
  first use: it is pointed at the snapshot it ships (`suffix_list_urls=()`).
- The same work as Atalaia's bench policy: the 5,000 keywords as a deny list (Presidio's way of
  matching a term list), CPF and CNPJ (numeric and alphanumeric) pattern recognizers with the
  mod-11 check digits, which Presidio lacks, plus its own credit card, e-mail, phone (BR region)
  and UUID recognizers; a UUID counts as a PIX random key. Presidio has nothing for bank
  accounts, nor for CPF/phone/e-mail PIX keys: those labels stay unfound.
"""

from __future__ import annotations

import socket
from collections.abc import Sequence
from typing import Any, Final

ENTITY_TO_DETECTOR: Final = {
    "BR_CPF": "cpf",
    "BR_CNPJ": "cnpj",
    "CREDIT_CARD": "credit_card",
    "EMAIL_ADDRESS": "email",
    "PHONE_NUMBER": "phone",
    "UUID": "pix_key",
    "KEYWORD": "keywords",
}
NLP_ENGINES: Final = ("no_op", "blank")
_CNPJ_WEIGHTS: Final = ((5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2), (6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2))


class PeerUnavailable(Exception):
    """The peer cannot run here; the message says why (reported in the figures, never faked)."""


def offline() -> None:
    """Refuse every outgoing connection from this process from now on."""

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise OSError("network access is disabled in this benchmark")

    socket.socket.connect = refuse  # type: ignore[method-assign]  # on the class, on purpose
    socket.socket.connect_ex = refuse  # type: ignore[method-assign, assignment]
    socket.create_connection = refuse  # type: ignore[assignment]


def _cpf_ok(text: str) -> bool:
    digits = [int(c) for c in text if c.isdigit()]
    if len(digits) != 11 or len(set(digits)) == 1:
        return False
    for size in (9, 10):
        total = sum(d * w for d, w in zip(digits[:size], range(size + 1, 1, -1), strict=True))
        if total * 10 % 11 % 10 != digits[size]:
            return False
    return True


def _cnpj_ok(text: str) -> bool:
    chars = [c for c in text if c.isalnum()]
    if len(chars) != 14 or not "".join(chars[12:]).isdigit() or len(set(chars)) == 1:
        return False
    if any(not ("0" <= c <= "9" or "A" <= c <= "Z") for c in chars):
        return False  # letters in upper case only, as the Receita issues them (and as Atalaia checks)
    for size, weights in zip((12, 13), _CNPJ_WEIGHTS, strict=True):
        remainder = sum((ord(c) - 48) * w for c, w in zip(chars[:size], weights, strict=True)) % 11
        if (0 if remainder < 2 else 11 - remainder) != int(chars[size]):
            return False
    return True


def _recognizers(terms: Sequence[str]) -> list[Any]:
    from presidio_analyzer import Pattern, PatternRecognizer
    from presidio_analyzer.predefined_recognizers import (
        CreditCardRecognizer,
        EmailRecognizer,
        PhoneRecognizer,
        UuidRecognizer,
    )

    class CpfRecognizer(PatternRecognizer):
        def validate_result(self, pattern_text: str) -> bool:
            return _cpf_ok(pattern_text)

    class CnpjRecognizer(PatternRecognizer):
        def validate_result(self, pattern_text: str) -> bool:
            return _cnpj_ok(pattern_text)

    cpf = Pattern("cpf", r"(?<![\w.\-/])\d{3}\.?\d{3}\.?\d{3}-?\d{2}(?![\w]|[.\-/]\w)", 0.5)
    cnpj = Pattern(
        "cnpj", r"(?<![\w.\-/])[0-9A-Z]{2}\.?[0-9A-Z]{3}\.?[0-9A-Z]{3}/?[0-9A-Z]{4}-?\d{2}(?![\w]|[.\-/]\w)", 0.5
    )
    return [
        PatternRecognizer(supported_entity="KEYWORD", deny_list=list(terms), supported_language="pt"),
        CpfRecognizer(supported_entity="BR_CPF", patterns=[cpf], context=["cpf"], supported_language="pt"),
        CnpjRecognizer(supported_entity="BR_CNPJ", patterns=[cnpj], context=["cnpj"], supported_language="pt"),
        CreditCardRecognizer(supported_language="pt"),
        EmailRecognizer(supported_language="pt"),
        PhoneRecognizer(supported_language="pt", supported_regions=("BR",)),
        UuidRecognizer(supported_language="pt"),
    ]


def _nlp_engine(kind: str) -> Any:
    if kind == "no_op":
        from presidio_analyzer.nlp_engine import NoOpNlpEngine

        no_op = NoOpNlpEngine(models=[{"lang_code": "pt", "model_name": "none"}])
        no_op.load()
        return no_op
    if kind == "blank":
        import spacy
        from presidio_analyzer.nlp_engine import SpacyNlpEngine

        blank = SpacyNlpEngine(models=[{"lang_code": "pt", "model_name": "blank:pt"}])
        blank.nlp = {"pt": spacy.blank("pt")}  # type: ignore[assignment]  # built here: load() would fetch a model
        return blank
    raise ValueError(f"unknown NLP engine {kind!r} (known: {', '.join(NLP_ENGINES)})")


def build_presidio(terms: Sequence[str], nlp: str = "no_op") -> Any:
    """An AnalyzerEngine with the recognizers above, or PeerUnavailable with the reason."""
    try:
        import tldextract
        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    except ImportError as exc:
        raise PeerUnavailable(f"{exc.name} is not installed (pip install -e '.[bench]')") from exc
    offline_extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)  # the suffix list it ships
    tldextract.extract = offline_extract  # type: ignore[assignment]  # what the e-mail recognizer calls
    registry = RecognizerRegistry(supported_languages=["pt"])
    for recognizer in _recognizers(terms):
        registry.add_recognizer(recognizer)
    try:
        return AnalyzerEngine(nlp_engine=_nlp_engine(nlp), registry=registry, supported_languages=["pt"])
    except (ImportError, OSError) as exc:
        raise PeerUnavailable(f"Presidio with the {nlp} NLP engine does not start offline: {exc}") from exc


def as_spans(results: Sequence[Any]) -> list[tuple[str, int, int]]:
    """(detector name, start, end) of Presidio's results, in Atalaia's detector names."""
    return [
        (ENTITY_TO_DETECTOR[result.entity_type], result.start, result.end)
        for result in results
        if result.entity_type in ENTITY_TO_DETECTOR
    ]
