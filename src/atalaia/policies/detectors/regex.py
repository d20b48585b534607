"""User regexes, guarded twice because policy authors are not regex experts and messages are hostile.

1. At load time a static check refuses the classic catastrophic shape, an unbounded
   repetition of something that itself repeats without a fixed character between the
   repetitions: `(a+)+`, `(\\w+\\s?)*`, `(.*,)*`. It is a heuristic and can refuse a safe pattern;
   the error says how to rewrite it.
2. At run time, when the third-party `regex` module is installed, each search stops after
   `TIMEOUT_SECONDS` and raises `RegexTimeout`. The standard `re` cannot be interrupted (it
   holds the GIL), so without `regex` the static check is the only guard.

By default a pattern runs on the folded text (lower case, no accents) with IGNORECASE, so
`\\bpix\\s+pessoal\\b` also finds "PIX Pessoal"; `case_sensitive: true` runs it on the original.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

from atalaia.policies.detectors._text import Folded, Span, fold_text

try:  # pragma: no cover - depends on the environment
    import regex as _regex  # type: ignore[import-untyped, unused-ignore]
except ImportError:  # pragma: no cover
    _regex = None

TIMEOUT_SECONDS: Final = 0.05  # per pattern and message: ~1,000 times a normal search
HAS_TIMEOUT: Final = _regex is not None
_MAX_PATTERN: Final = 2_000  # characters; a longer pattern is a list of terms in disguise


class UnsafePattern(ValueError):
    """A pattern refused at load time: invalid, too long, or prone to catastrophic backtracking."""


class RegexTimeout(Exception):
    """A search that ran past TIMEOUT_SECONDS on one message; the rule reports nothing for it."""


@dataclass(frozen=True, slots=True)
class CompiledPattern:
    pattern: str
    case_sensitive: bool
    compiled: Any  # re.Pattern[str] or regex.Pattern[str]


def compile_pattern(pattern: str, *, case_sensitive: bool = False) -> CompiledPattern:
    """Check and compile a user pattern; raises UnsafePattern with a message fit for the author."""
    if not pattern:
        raise UnsafePattern("empty pattern")
    if len(pattern) > _MAX_PATTERN:
        raise UnsafePattern(f"pattern longer than {_MAX_PATTERN} characters; use a keywords rule")
    source = pattern if case_sensitive else _fold_literals(pattern)
    flags = 0 if case_sensitive else re.IGNORECASE
    try:
        tree = re._parser.parse(source, flags)  # type: ignore[attr-defined]  # the stdlib's own parser
    except re.error as exc:
        if _regex is None:
            raise UnsafePattern(f"invalid pattern: {exc}") from exc
        tree = None  # regex-only syntax (\p{L}...): the timeout still guards it
    if tree is not None:
        _refuse_nested_repeats(tree)
    try:
        compiled: Any = _regex.compile(source, flags) if _regex is not None else re.compile(source, flags)
    except (re.error, getattr(_regex, "error", re.error)) as exc:
        raise UnsafePattern(f"invalid pattern: {exc}") from exc
    return CompiledPattern(pattern=pattern, case_sensitive=case_sensitive, compiled=compiled)


def find_pattern(compiled: CompiledPattern, view: Folded) -> list[Span]:
    """Non-empty matches as spans of the original text; raises RegexTimeout."""
    text = view.original if compiled.case_sensitive else view.text
    try:
        if _regex is not None:
            matches = [m.span() for m in compiled.compiled.finditer(text, timeout=TIMEOUT_SECONDS)]
        else:
            matches = [m.span() for m in compiled.compiled.finditer(text)]
    except TimeoutError as exc:
        raise RegexTimeout(f"pattern {compiled.pattern!r} ran past {TIMEOUT_SECONDS * 1000:.0f} ms") from exc
    if compiled.case_sensitive:
        return [(s, e) for s, e in matches if s < e]
    return [view.to_original(s, e) for s, e in matches if s < e]


def _fold_literals(pattern: str) -> str:
    """Accents off the pattern's letters, case kept: lower-casing would turn `\\D` into `\\d`."""
    if pattern.isascii():
        return pattern
    return "".join(c if c.isascii() else _fold_one(c) for c in pattern)


def _fold_one(ch: str) -> str:
    folded = fold_text(ch, exact=True)
    return folded if len(folded) == 1 else ch


_REPEATS: Final = ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")


def _refuse_nested_repeats(tree: Any) -> None:
    for op, arg in tree:
        if str(op) in _REPEATS:
            _low, high, body = arg
            if high == re._parser.MAXREPEAT and _repeats_freely(body):  # type: ignore[attr-defined]
                raise UnsafePattern(
                    "nested repetition such as (a+)+ or (\\w+\\s?)* can take exponential time; "
                    "put a fixed character between the repetitions, e.g. (\\w+,)*"
                )
            _refuse_nested_repeats(body)
        else:
            for sub in _subpatterns(op, arg):
                _refuse_nested_repeats(sub)


def _repeats_freely(body: Any) -> bool:
    """True when `body` repeats something variable with no mandatory literal that the repeats cannot eat."""
    items = _flatten(body)
    repeated: list[Any] = []
    for op, arg in items:
        if str(op) in _REPEATS:
            low, high, inner = arg
            if high != low or _repeats_freely(inner):
                repeated.extend(_flatten(inner))
        elif str(op) == "BRANCH" and any(_repeats_freely(branch) for branch in arg[1]):
            return True
    if not repeated:
        return False
    anchors = [_samples(item) for item in items if str(item[0]) != "BRANCH" and str(item[0]) not in _REPEATS]
    return not any(codes and all(not _could_match(r, c) for r in repeated for c in codes) for codes in anchors)


def _samples(item: Any) -> list[int]:
    """Characters that stand for a one-character item (`,`, `[a-z]`, `\\d`); [] when it is not one."""
    op, arg = item
    name = str(op)
    if name == "LITERAL":
        return [arg]
    if name == "IN" and not any(str(o) == "NEGATE" for o, _ in arg):
        codes: list[int] = []
        for sub_op, sub_arg in arg:
            if str(sub_op) == "LITERAL":
                codes.append(sub_arg)
            elif str(sub_op) == "RANGE":
                codes.extend(sub_arg)
            else:
                codes.extend(_samples((sub_op, sub_arg)) or [-1])
        return [] if -1 in codes else codes
    if name == "CATEGORY":
        return {"CATEGORY_DIGIT": [48, 57], "CATEGORY_SPACE": [32, 10]}.get(str(arg), [])
    return []


def _flatten(body: Any) -> list[Any]:
    """Groups inlined: `((\\w+)(,))` is `\\w+` then `,` for this purpose."""
    out: list[Any] = []
    for op, arg in body:
        if str(op) == "SUBPATTERN":
            out.extend(_flatten(arg[-1]))
        else:
            out.append((op, arg))
    return out


def _could_match(item: Any, code: int) -> bool:
    """Whether one parsed item could match the character `code`; True when unsure."""
    op, arg = item
    name = str(op)
    ch = chr(code) if code >= 0 else ""
    if name == "LITERAL":
        return bool(arg == code)
    if name == "NOT_LITERAL":
        return bool(arg != code)
    if name == "CATEGORY":
        return _in_category(str(arg), ch)
    if name == "IN":
        negate = any(str(o) == "NEGATE" for o, _ in arg)
        hit = any(_could_match(sub, code) for sub in arg if str(sub[0]) != "NEGATE")
        return hit != negate
    if name == "RANGE":
        return bool(arg[0] <= code <= arg[1])
    if name in _REPEATS:
        return any(_could_match(sub, code) for sub in _flatten(arg[2]))
    return True


def _in_category(category: str, ch: str) -> bool:
    tests = {
        "CATEGORY_DIGIT": ch.isdigit(),
        "CATEGORY_NOT_DIGIT": not ch.isdigit(),
        "CATEGORY_SPACE": ch.isspace(),
        "CATEGORY_NOT_SPACE": not ch.isspace(),
        "CATEGORY_WORD": ch.isalnum() or ch == "_",
        "CATEGORY_NOT_WORD": not (ch.isalnum() or ch == "_"),
    }
    return tests.get(category, True)


def _subpatterns(op: Any, arg: Any) -> list[Any]:
    name = str(op)
    if name == "SUBPATTERN":
        return [arg[-1]]
    if name == "BRANCH":
        return list(arg[1])
    if name in ("ASSERT", "ASSERT_NOT"):
        return [arg[1]]
    if name == "ATOMIC_GROUP":
        return [arg]
    if name == "GROUPREF_EXISTS":
        return [branch for branch in arg[1:] if branch is not None]
    return []
