"""JSON files written item by item, so a long list never sits in memory, yet each file is one valid JSON value."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any


def _encode(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=False)


def write_json_array(path: Path, items: Iterable[Any]) -> int:
    """`[item, ...]`, one item per line; returns how many were written."""
    count = 0
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write("[")
        for item in items:
            out.write(("," if count else "") + "\n  " + _encode(item))
            count += 1
        out.write("\n]\n" if count else "]\n")
    return count


def write_json(path: Path, value: Any) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write(json.dumps(value, ensure_ascii=False, default=str, indent=2) + "\n")
