"""A folder on local disk: the embedded default."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from atalaia.errors import InvalidInput, NotFound

_SAFE_KEY = re.compile(r"^[a-z0-9][a-z0-9/_-]{0,199}$")


class LocalBlobBackend:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        # Keys are built by the store, never by users; refuse anything that could leave the root.
        if not _SAFE_KEY.match(key) or ".." in key:
            raise InvalidInput(f"invalid blob key {key!r}")
        return self.root / key

    def write(self, key: str, data: bytes) -> None:
        path = self._path(key)
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename: a crash never leaves a half-written blob under its final name.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def read(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as exc:
            raise NotFound(f"blob {key} is missing") from exc

    def exists(self, key: str) -> bool:
        return self._path(key).exists()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)
