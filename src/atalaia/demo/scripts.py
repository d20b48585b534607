"""A tiny notation for conversation scripts, parsed once at import into frozen steps.

One string per message: `<who><flags>[<media>] <text>`, where
- who: `c` the other party (in a group, any member), `g` the group's first member (its
  manager), `e` the employee on the line;
- flags: `?` happens half the time, `>` quotes the other side's last message, `!` its author
  deletes it for everyone moments later, `f` forwarded, `F` frequently forwarded;
- media: `img`, `comprovante`, `ptt`, `vid`, `sticker` or `doc=<name>` (see `generator`);
- text: a `str.format` template (the caption for media); ` | ` separates alternatives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

_LINE: Final = re.compile(r"^(?P<who>[ceg])(?P<flags>[?>!fF]*)(?:\[(?P<media>[a-z_=]+)\])?(?: (?P<text>.*))?$")


@dataclass(frozen=True, slots=True)
class Step:
    who: str
    texts: tuple[str, ...]  # alternatives; empty for media without a caption
    templated: bool  # any alternative has a {placeholder}
    media: str | None = None
    optional: bool = False
    reply: bool = False
    revoke: bool = False
    forwarded: bool = False
    frequently_forwarded: bool = False


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    steps: tuple[Step, ...]
    weight: float


def parse_step(line: str) -> Step:
    match = _LINE.match(line)
    if match is None:
        raise ValueError(f"not a script step: {line!r}")
    flags = match["flags"]
    texts = tuple(t.strip() for t in match["text"].split(" | ")) if match["text"] else ()
    return Step(
        who=match["who"],
        texts=texts,
        templated=any("{" in t for t in texts),
        media=match["media"],
        optional="?" in flags,
        reply=">" in flags,
        revoke="!" in flags,
        forwarded="f" in flags or "F" in flags,
        frequently_forwarded="F" in flags,
    )


def scenarios(table: dict[str, tuple[float, tuple[str, ...]]]) -> tuple[Scenario, ...]:
    """`{name: (weight, steps)}` -> scenarios, in the table's (insertion) order."""
    return tuple(
        Scenario(name=name, steps=tuple(parse_step(s) for s in steps), weight=weight)
        for name, (weight, steps) in table.items()
    )
