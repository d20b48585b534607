"""Extract in a child process that is killed at the time limit: the worker's hard bound.

Cooperative deadlines (between PDF pages, spreadsheet rows) stop a long document, but not a
parser stuck inside one malformed page. So the extractor runs in `python -m
atalaia.extract._child` with the bytes on stdin; the child gets the time limit, then
`kill_grace` more seconds, then its whole process group (tesseract included) is killed.
The type is sniffed here first, so audio, video and other unsupported files never cost a
process. Linux is the target (Debian); the process group kill needs POSIX.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Final

import atalaia
from atalaia.extract.kinds import method_for, sniff
from atalaia.extract.limits import DEFAULT_LIMITS, Limits
from atalaia.extract.result import Extraction, ExtractionStatus
from atalaia.extract.run import too_large, unsupported

CHILD: Final = "atalaia.extract._child"
_SOURCE_ROOT: Final = str(Path(atalaia.__file__).resolve().parents[1])  # the child runs this same code


def extract_isolated(data: bytes, limits: Limits = DEFAULT_LIMITS) -> Extraction:
    """The extraction of `data`, never raising, never taking longer than the limit plus the grace."""
    if len(data) > limits.max_input_bytes:
        return too_large(len(data), limits)
    kind = sniff(data)
    method = method_for(kind)
    if method is None:
        return unsupported(kind)
    command = [sys.executable, "-m", CHILD, method, kind or "", limits.to_json()]
    try:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module, no shell, no user text
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_child_env(),
            start_new_session=True,  # its own process group, so tesseract dies with it
        )
    except OSError as exc:
        return Extraction(ExtractionStatus.FAILED, kind=kind, reason=f"could not start the extractor: {exc}")
    try:
        out, err = process.communicate(data, timeout=limits.seconds + limits.kill_grace)
    except subprocess.TimeoutExpired:
        _kill(process)
        return Extraction(ExtractionStatus.TIMEOUT, kind=kind, reason=f"took longer than {limits.seconds:g} s")
    if process.returncode != 0:
        detail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit status {process.returncode}"]
        return Extraction(ExtractionStatus.FAILED, kind=kind, reason=f"extractor crashed: {detail[0]}"[:300])
    try:
        return Extraction.from_dict(json.loads(out))
    except (ValueError, KeyError, TypeError) as exc:
        return Extraction(ExtractionStatus.FAILED, kind=kind, reason=f"unreadable extractor output: {exc}"[:300])


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_SOURCE_ROOT, env.get("PYTHONPATH", "")) if p)
    env["OMP_THREAD_LIMIT"] = "1"  # tesseract: one thread per file; the worker runs files in parallel
    env.pop("PYTHONSTARTUP", None)
    return env


def _kill(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):  # already gone
        process.kill()
    process.communicate()
