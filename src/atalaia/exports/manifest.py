"""`manifest.json`: the chain of custody of one export.

It says who exported what from which tenant, when, in which format, cut from which signed
checkpoint (with the public key to check its signature offline), lists every file of the export
with its SHA-256 and size, and every attachment whose bytes are missing and why. It is written
last, streaming, so its lists never sit in memory; its own SHA-256 is printed and audited.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, Final

MANIFEST_NAME: Final = "manifest.json"
FORMAT: Final = "atalaia-export-manifest/1"
READ_SIZE: Final = 1024 * 1024


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as data:
        while chunk := data.read(READ_SIZE):
            digest.update(chunk)
    return digest.hexdigest()


def file_entries(root: Path) -> Iterator[dict[str, Any]]:
    """Every file under `root` but the manifest, with its hash, depth first, directories streamed."""

    def walk(folder: Path, prefix: str) -> Iterator[dict[str, Any]]:
        with os.scandir(folder) as entries:
            for entry in entries:
                relative = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    yield from walk(Path(entry.path), relative + "/")
                elif relative != MANIFEST_NAME:
                    path = Path(entry.path)
                    yield {"path": relative, "sha256": sha256_file(path), "size": path.stat().st_size}

    return walk(root, "")


class _HashingWriter:
    def __init__(self, target: BinaryIO) -> None:
        self._target = target
        self.digest = hashlib.sha256()

    def write(self, text: str) -> None:
        data = text.encode("utf-8")
        self.digest.update(data)
        self._target.write(data)


def _array(out: _HashingWriter, name: str, items: Iterable[Any]) -> None:
    out.write(f',\n  "{name}": [')
    for number, item in enumerate(items):
        out.write(("," if number else "") + "\n    " + json.dumps(item, ensure_ascii=False, sort_keys=True))
    out.write("\n  ]")


def write_manifest(root: Path, *, header: dict[str, Any], missing: Iterable[Any]) -> str:
    """Write `root/manifest.json` (the header's fields, then `files` and `missing_attachments`);
    returns its SHA-256."""
    head = json.dumps({"format": FORMAT, **header}, ensure_ascii=False, indent=2, sort_keys=False)
    with (root / MANIFEST_NAME).open("wb") as target:
        out = _HashingWriter(target)
        out.write(head[: head.rstrip().rfind("}")].rstrip())
        _array(out, "files", file_entries(root))
        _array(out, "missing_attachments", missing)
        out.write("\n}\n")
    return out.digest.hexdigest()
