"""`atalaia scan`: run a policy file over one text or a JSON Lines file, storing nothing.

Each input message gives one output line, in input order. A malformed input line stops the
scan with exit status 2 and `erro: FILE:LINE: ...` on stderr, after the output of every
line before it has been written: skipping would hide a message from a compliance check,
and stopping at a known line lets the caller fix it and resume.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, NoReturn, TextIO

import typer

from atalaia.domain.enums import Direction
from atalaia.domain.policy import Hit, ScanInput, Threshold
from atalaia.policies import PolicyEngine, PolicyError, compile_policies, load_policy_file
from atalaia.policies.jsonl import BadMessage, hit_to_json, message_from_json, parse_timestamp
from atalaia.policies.threshold import describe, rule_thresholds

EXIT_BAD_INPUT = 2

PoliciesOption = Annotated[Path, typer.Option("--policies", help="Policy file (YAML).", show_default=False)]
TextOption = Annotated[str | None, typer.Option("--text", help="Scan this one text (its id is null).")]
InputOption = Annotated[
    str | None,
    typer.Option("--input", help="JSON Lines file of messages ('-' for standard input).", show_default=False),
]
DirectionOption = Annotated[
    str | None, typer.Option("--direction", help="With --text: inbound|outbound (default: any scope).")
]
TimestampOption = Annotated[
    str | None, typer.Option("--timestamp", help="With --text: when it was sent, ISO 8601 (for after-hours rules).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="One JSON object per input message (JSON Lines).")]


def register(app: typer.Typer) -> None:
    app.command("scan")(scan)


def scan(
    policies: PoliciesOption,
    text: TextOption = None,
    input_path: InputOption = None,
    direction: DirectionOption = None,
    timestamp: TimestampOption = None,
    as_json: JsonOption = False,
) -> None:
    """Check messages against a policy file and print the hits."""
    if (text is None) == (input_path is None):
        _fail("give exactly one of --text or --input")
    try:
        loaded = load_policy_file(policies)
        engine = compile_policies(loaded, on_warning=lambda message: typer.echo(f"aviso: {message}", err=True))
    except PolicyError as exc:
        _fail(str(exc))
    out = _Output(as_json=as_json, thresholds=rule_thresholds(loaded))
    if text is not None:
        message = _text_message(text, direction=direction, timestamp=timestamp)
        out.write(None, engine.scan(message))
    else:
        assert input_path is not None
        _scan_lines(engine, input_path, out)
    out.finish()


def _text_message(text: str, *, direction: str | None, timestamp: str | None) -> ScanInput:
    try:
        return ScanInput(
            text=text,
            direction=Direction(direction.lower()) if direction else None,
            timestamp=parse_timestamp(timestamp),
        )
    except ValueError as exc:  # BadMessage, or an unknown direction
        _fail(f"--direction/--timestamp: {exc}")


def _scan_lines(engine: PolicyEngine, input_path: str, out: _Output) -> None:
    name = "<stdin>" if input_path == "-" else input_path
    for number, line in _lines(input_path):
        if not line.strip():
            continue
        try:
            message_id, message = message_from_json(json.loads(line))
        except json.JSONDecodeError as exc:
            out.flush()
            _fail(f"{name}:{number}: invalid JSON: {exc.msg} (column {exc.colno})")
        except BadMessage as exc:
            out.flush()
            _fail(f"{name}:{number}: {exc}")
        out.write(message_id, engine.scan(message))


def _lines(input_path: str) -> Iterator[tuple[int, str]]:
    if input_path == "-":
        yield from enumerate(sys.stdin, start=1)
        return
    try:
        with open(input_path, encoding="utf-8") as stream:
            yield from enumerate(stream, start=1)
    except OSError as exc:
        _fail(f"{input_path}: cannot read: {exc.strerror}")
    except UnicodeDecodeError as exc:
        _fail(f"{input_path}: not UTF-8 text ({exc.reason} at byte {exc.start})")


class _Output:
    """JSON Lines, or a readable summary: the messages with hits, then the totals."""

    def __init__(
        self, *, as_json: bool, thresholds: dict[tuple[str, str], Threshold] | None = None, stream: TextIO | None = None
    ) -> None:
        self.as_json = as_json
        self.thresholds = thresholds or {}
        self.stream = stream or sys.stdout
        self.messages = 0
        self.with_hits = 0
        self.hits = 0

    def write(self, message_id: Any, hits: list[Hit]) -> None:
        self.messages += 1
        self.hits += len(hits)
        self.with_hits += bool(hits)
        if self.as_json:
            rules = self.thresholds
            payload = {"id": message_id, "hits": [hit_to_json(hit, rules.get((hit.policy, hit.rule))) for hit in hits]}
            self.stream.write(json.dumps(payload, ensure_ascii=False) + "\n")
            return
        if not hits:
            return
        label = "text" if message_id is None else f"id {json.dumps(message_id, ensure_ascii=False)}"
        self.stream.write(f"{label}: {len(hits)} hit{'s' if len(hits) != 1 else ''}\n")
        for hit in hits:
            where = f"{hit.start}-{hit.end}" if hit.end > hit.start else hit.source.value
            detail = f" ({hit.detail})" if hit.detail else ""
            threshold = self.thresholds.get((hit.policy, hit.rule))
            counted = f"  [threshold: alert after {describe(threshold)}]" if threshold else ""
            self.stream.write(
                f"  {hit.severity.value:<8} {hit.policy} / {hit.rule}  {hit.detector.value}  "
                f"{json.dumps(hit.match, ensure_ascii=False)} @ {where}{detail}{counted}\n"
            )

    def flush(self) -> None:
        self.stream.flush()

    def finish(self) -> None:
        if not self.as_json:
            self.stream.write(
                f"{self.messages} message{'s' if self.messages != 1 else ''} scanned, "
                f"{self.with_hits} with hits, {self.hits} hit{'s' if self.hits != 1 else ''}\n"
            )
        self.flush()


def _fail(message: str) -> NoReturn:
    typer.echo(f"erro: {message}", err=True)
    raise typer.Exit(EXIT_BAD_INPUT)
