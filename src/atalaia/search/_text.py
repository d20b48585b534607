"""Words, accent folding and Portuguese stems: the one tokenisation the index and the queries share.

A word is a run of letters and digits (`_` and punctuation separate words, as in FTS5's
unicode61 tokenizer). Two keys are derived from each word:

- the *folded* key: lower case, diacritics removed ("Ação" -> "acao");
- the *stem* key: the Snowball Portuguese stem of the word, folded afterwards. Snowball never
  joins the -ão plurals ("reuniões" -> "reuniõ", "reunião" -> "reuniã"), so those endings are
  first normalised to -ão, and an ending typed without accents ("reuniao", "acoes") gets them
  back, because WhatsApp text is often written without accents. Folding comes *after*
  stemming: the stemmer needs the accents ("notificações" stems to "notific", the unaccented
  "notificacoes" only to "notificaco").
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache
from typing import Any, Final

import Stemmer  # type: ignore[import-not-found]  # PyStemmer ships no type information

WORD: Final = re.compile(r"[^\W_]+")
STEM_CACHE_WORDS: Final = 200_000  # distinct words kept; a chat vocabulary is far smaller

_PLURAL_AO: Final = ("ões", "ães", "ãos")
_local = threading.local()  # PyStemmer objects must not be shared between threads


def words(text: str) -> list[str]:
    return WORD.findall(text)


@lru_cache(maxsize=STEM_CACHE_WORDS)
def fold(word: str) -> str:
    """Lower case without diacritics; what FTS5's `remove_diacritics 2` and `unaccent` give."""
    if word.isascii():
        return word.lower()
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def normalise_ending(word: str) -> str:
    """Join the -ão plurals to their singular and restore the accents of -ção/-ão typed bare.

    `word` must be lower case. The bare rules ("cao" -> "ção", "oes" -> "ão", ...) cost a few
    false joins ("caos" meets "cão"), a price worth paying for finding "reunião" from "reuniao".
    """
    if len(word) < 4:
        return word
    if word.endswith(_PLURAL_AO):
        return word[:-3] + "ão"
    if word.endswith("coes") and len(word) >= 5:
        return word[:-4] + "ção"
    if word.endswith("cao"):
        return word[:-3] + "ção"
    if word.endswith(("oes", "aes", "aos")):
        return word[:-3] + "ão"
    if word.endswith("ao"):
        return word[:-2] + "ão"
    return word


def _stemmer() -> Any:
    stemmer: Any = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = Stemmer.Stemmer("portuguese")
        _local.stemmer = stemmer
    return stemmer


@lru_cache(maxsize=STEM_CACHE_WORDS)
def stem_key(word: str) -> str:
    """The folded Portuguese stem of one word: "Reuniões", "reuniao" and "reunião" share one."""
    stem: str = _stemmer().stemWord(normalise_ending(word.lower()))
    return fold(stem) or fold(word)


def stems_of(text: str) -> str:
    """The stem column of a document: one stem per word, in order, so phrases still work."""
    return " ".join(stem_key(word) for word in WORD.findall(text))


def plain_words(text: str) -> str:
    """The words alone, one space apart: what PostgreSQL's parser is given, so that it splits text
    exactly as FTS5 and the highlighter do ("boleto.pdf", "1.500" and e-mails become words)."""
    return " ".join(WORD.findall(text))


def portuguese_words(text: str) -> str:
    """`plain_words` lower-cased with -ão endings normalised, for PostgreSQL's `portuguese` stemmer."""
    return " ".join(normalise_ending(word.lower()) for word in WORD.findall(text))
