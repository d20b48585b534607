"""The search language, parsed here and never handed raw to a database engine.

    contrato assinado      every word must appear (AND), accents and case ignored
    "reunião de vendas"    a phrase: the words next to each other, in order
    -cancelamento          none of the results contains this word (or phrase: -"por fora")
    propo*                 a word starting with "propo" (at least 2 letters before the *)

Everything else is text. `OR`, `NEAR(`, `col:term`, `^`, quotes of SQL: none of them is an
operator; their letters and digits become words and the rest separates words, the way datasette's
`escape_fts` quotes each token. What cannot be read at all is refused with a `SearchQueryError`
whose message, in Portuguese, says what to change.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

from atalaia.errors import AtalaiaError
from atalaia.search._text import fold, stem_key, words

MAX_QUERY_CHARS: Final = 1_000  # a search box, not a document; longer input is refused
MAX_TERMS: Final = 20  # words and phrases together
MAX_WORDS: Final = 64  # words inside all terms, phrases included
MIN_PREFIX_CHARS: Final = 2  # "a*" would expand to most of the index
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


class SearchQueryError(AtalaiaError):
    """A search that cannot be run as typed; the message tells the user, in Portuguese, why."""

    status = 400


@dataclass(frozen=True, slots=True)
class Term:
    """One word or phrase of a query, with its keys for highlighting."""

    text: str  # as typed, without the leading "-", the quotes and the trailing "*"
    words: tuple[str, ...]
    phrase: bool = False
    prefix: bool = False
    negated: bool = False

    @property
    def folded(self) -> tuple[str, ...]:
        return tuple(fold(word) for word in self.words)

    @property
    def stems(self) -> tuple[str, ...]:
        return tuple(stem_key(word) for word in self.words)


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    raw: str
    terms: tuple[Term, ...]

    @property
    def positive(self) -> tuple[Term, ...]:
        return tuple(term for term in self.terms if not term.negated)

    @property
    def negative(self) -> tuple[Term, ...]:
        return tuple(term for term in self.terms if term.negated)


def parse_query(raw: str) -> ParsedQuery:
    """Read a query typed by a person; refuse it with a Portuguese explanation when unusable.

    1. Bound the size, normalise to NFC and turn control and invisible characters into spaces.
    2. Refuse an odd number of double quotes: guessing where a phrase ends changes the results.
    3. Scan left to right: `"..."` is a phrase, anything else up to a space or quote is a word;
       a leading `-` excludes, a trailing `*` makes the last word a prefix.
    4. Keep only the letters and digits of each term; a term with none (an operator, `^`,
       `(`) is dropped.
    5. Refuse an empty query, a query of exclusions only, or one with too many terms.
    """
    if len(raw) > MAX_QUERY_CHARS:
        raise SearchQueryError(f"A busca tem {len(raw)} caracteres; o máximo é {MAX_QUERY_CHARS}. Use menos palavras.")
    text = _CONTROL.sub(" ", unicodedata.normalize("NFC", raw))
    if text.count('"') % 2:
        raise SearchQueryError(
            'Há aspas sem par na busca. Para uma frase exata, abra e feche as aspas, como em "reunião de vendas".'
        )
    terms = list(_scan(text))
    if not terms:
        raise SearchQueryError("A busca não tem nenhuma palavra: digite ao menos uma palavra com letras ou números.")
    if all(term.negated for term in terms):
        raise SearchQueryError(
            "A busca só tem exclusões (-palavra). Inclua ao menos uma palavra que os resultados devem conter."
        )
    if len(terms) > MAX_TERMS:
        raise SearchQueryError(f"A busca tem {len(terms)} termos; o máximo é {MAX_TERMS}.")
    if sum(len(term.words) for term in terms) > MAX_WORDS:
        raise SearchQueryError(f"A busca tem palavras demais; o máximo é {MAX_WORDS}.")
    return ParsedQuery(raw=raw, terms=tuple(terms))


def _scan(text: str) -> list[Term]:
    terms: list[Term] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        negated = text[i] == "-" and i + 1 < n and not text[i + 1].isspace() and text[i + 1] != "-"
        if negated:
            i += 1
        if text[i] == '"':
            end = text.index('"', i + 1)  # present: the quotes are balanced
            body, phrase, i = text[i + 1 : end], True, end + 1
            prefix = i < n and text[i] == "*"
            while i < n and text[i] == "*":
                i += 1
        else:
            start = i
            while i < n and not text[i].isspace() and text[i] != '"':
                i += 1
            body, phrase = text[start:i], False
            prefix = body.endswith("*")
            body = body.rstrip("*")
        found = tuple(words(body))
        if not found:
            continue
        if prefix and len(found[-1]) < MIN_PREFIX_CHARS:
            raise SearchQueryError(
                f"O prefixo “{found[-1]}*” é curto demais: use ao menos {MIN_PREFIX_CHARS} letras antes do *."
            )
        terms.append(Term(text=body.strip(), words=found, phrase=phrase, prefix=prefix, negated=negated))
    return terms
