"""Reading YAML nodes with line numbers: the generic half of the policy loader.

Every check raises PolicyError naming the file, the line and what was being read. Scalars are
read as their raw text, so YAML 1.1's implicit types (`no` -> False, `08:00` -> 480) never apply.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final, NoReturn, TypeVar

import yaml  # type: ignore[import-untyped, unused-ignore]

from atalaia.domain.enums import Direction
from atalaia.domain.policy import Category, ContactKind, Detector, KeywordMatch, Severity, ThresholdPer
from atalaia.errors import InvalidInput

MAX_NODES: Final = 200_000  # aliases can make a small file huge ("billion laughs")
_NULL: Final = "tag:yaml.org,2002:null"
_BOOL: Final = "tag:yaml.org,2002:bool"
E = TypeVar("E", Severity, Category, KeywordMatch, Direction, ContactKind, Detector, ThresholdPer)
Fields = dict[str, tuple[yaml.Node, yaml.Node]]


class PolicyError(InvalidInput):
    """A policy file that cannot be used; `str()` is `source:line: where: what`."""

    def __init__(self, message: str, *, source: str, line: int | None) -> None:
        super().__init__(f"{source}:{line}: {message}" if line else f"{source}: {message}")
        self.source = source
        self.line = line


def line_of(mark: yaml.Mark | None) -> int | None:
    return mark.line + 1 if mark is not None else None


class NodeReader:
    """Walks the node tree; every check names the line and what was being read."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.nodes = 0

    def fail(self, node: yaml.Node | None, message: str) -> NoReturn:
        raise PolicyError(message, source=self.source, line=line_of(node.start_mark) if node else None)

    def _count(self, node: yaml.Node) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            self.fail(node, f"more than {MAX_NODES} YAML nodes; aliases expanding too far?")

    # -- shapes -------------------------------------------------------------------------

    def mapping(self, node: yaml.Node, where: str, known: tuple[str, ...]) -> Fields:
        self._count(node)
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, f"{where}: expected a mapping (key: value)")
        result: Fields = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.fail(key_node, f"{where}: keys must be plain words")
            key = key_node.value
            if key not in known:
                self.fail(key_node, f"{where}: unknown key {key!r} (known: {', '.join(known)})")
            if key in result:
                self.fail(key_node, f"{where}: {key!r} given twice")
            result[key] = (key_node, value_node)
        return result

    def sequence(self, node: yaml.Node, where: str) -> list[yaml.Node]:
        self._count(node)
        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, f"{where}: expected a list")
        return list(node.value)

    def string(self, node: yaml.Node, where: str) -> str:
        self._count(node)
        if not isinstance(node, yaml.ScalarNode) or node.tag == _NULL:
            self.fail(node, f"{where}: expected a text value")
        return str(node.value)

    def strings(self, node: yaml.Node, where: str, *, single: bool = False) -> tuple[str, ...]:
        """A list of texts; with `single`, one bare text also counts as a list of one."""
        if single and isinstance(node, yaml.ScalarNode):
            return (self.string(node, where),)
        return tuple(self.string(item, where) for item in self.sequence(node, where))

    def integer(self, node: yaml.Node, where: str, *, minimum: int) -> int:
        text = self.string(node, where).replace("_", "")
        if not re.fullmatch(r"[+-]?[0-9]+", text) or int(text) < minimum:
            self.fail(node, f"{where}: expected a whole number >= {minimum}, got {node.value!r}")
        return int(text)

    def boolean(self, node: yaml.Node, where: str) -> bool:
        self._count(node)
        if not isinstance(node, yaml.ScalarNode) or node.tag != _BOOL:
            self.fail(node, f"{where}: expected true or false, got {getattr(node, 'value', '')!r}")
        return str(node.value).lower() in ("true", "yes", "on", "y")

    def choice(self, node: yaml.Node, where: str, enum: type[E]) -> E:
        value = self.string(node, where).strip().lower()
        try:
            return enum(value)
        except ValueError:
            known = ", ".join(member.value for member in enum)
            self.fail(node, f"{where}: unknown value {value!r} (known: {known})")

    @staticmethod
    def is_null(node: yaml.Node) -> bool:
        return isinstance(node, yaml.ScalarNode) and node.tag == _NULL


T = TypeVar("T")


def value_of(node: yaml.Node, key: str) -> yaml.Node | None:
    """The value node of `key` in a mapping node, or None (for reading a key before the others)."""
    if not isinstance(node, yaml.MappingNode):
        return None
    return next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == key), None)


class Getter:
    """`get(key, read, default)`: the value read from an optional key, or the default when absent or null."""

    def __init__(self, fields: Fields, reader: NodeReader) -> None:
        self.fields = fields
        self.reader = reader

    def __call__(self, key: str, read: Callable[[yaml.Node], T], default: T) -> T:
        if key not in self.fields or self.reader.is_null(self.fields[key][1]):
            return default
        return read(self.fields[key][1])
