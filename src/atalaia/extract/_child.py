"""The child process of `isolated.py`: bytes on stdin, limits and method in argv, JSON on stdout.

It lowers its own priority (background work must not starve the web server) and caps its
address space, which tesseract inherits, so a decompression bomb ends in a MemoryError here
rather than in the kernel's OOM killer choosing a victim.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time

from atalaia.extract.limits import Limits
from atalaia.extract.run import EXTRACTORS, describe, run_method

NICENESS = 10


def _confine(limits: Limits) -> None:
    with contextlib.suppress(OSError):  # not allowed on this system: run at normal priority
        os.nice(NICENESS)
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limits.max_memory_bytes, limits.max_memory_bytes))
    except (ImportError, ValueError, OSError):  # pragma: no cover - not Linux, or a lower hard limit
        pass


def main(argv: list[str]) -> int:
    started = time.monotonic()
    # pytesseract imports pandas when it is installed (0.3 s) for an output format never used here.
    sys.modules.setdefault("pandas", None)  # type: ignore[arg-type]
    method, kind, limits = argv[1], argv[2] or None, Limits.from_json(argv[3])
    if method not in EXTRACTORS:
        print(f"unknown method {method!r}", file=sys.stderr)
        return 2
    _confine(limits)
    data = sys.stdin.buffer.read(limits.max_input_bytes + 1)
    try:
        result = run_method(method, data, limits, kind=kind, started=started).as_dict()
    except Exception as exc:  # whatever happens, the parent gets a verdict
        result = {"status": "failed", "kind": kind, "reason": describe(exc)}
    sys.stdout.write(json.dumps(result))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
