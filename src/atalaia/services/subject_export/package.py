"""The ZIP handed over: checked before any work, written under a hidden name beside it, renamed when whole.

`--out` names a ZIP file that must not exist: an export never overwrites anything. The files are
staged in a hidden sibling folder (`exports.output.OutputFolder`), zipped into a hidden partial
file on the same disk, synced and renamed onto `--out`; a failure removes both. Media that is
already compressed is stored, not deflated again. The readable files come first in the ZIP.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path
from typing import Final

from atalaia.errors import InvalidInput
from atalaia.exports.manifest import MANIFEST_NAME, sha256_file

FIRST: Final = ("LEIA-ME.txt", MANIFEST_NAME, "relatorio.html")
STORED_SUFFIXES: Final = frozenset(
    {".jpg", ".jpeg", ".png", ".webp", ".gif", ".ogg", ".opus", ".mp3", ".m4a", ".mp4", ".pdf", ".zip", ".docx",
     ".xlsx", ".pptx"}
)  # fmt: skip


def check_zip_target(out: Path) -> Path:
    """The absolute path of a ZIP that can be created, or a clear error before anything is read."""
    target = out.expanduser().absolute()
    if target.exists() or target.is_symlink():
        raise InvalidInput(f"--out já existe: {target}; a exportação nunca sobrescreve um arquivo")
    if not target.parent.is_dir():
        raise InvalidInput(f"a pasta onde criar --out não existe: {target.parent}")
    if not os.access(target.parent, os.W_OK | os.X_OK):
        raise InvalidInput(f"sem permissão de escrita em {target.parent}")
    return target


def _members(folder: Path) -> list[str]:
    rest = sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file())
    first = [name for name in FIRST if name in rest]
    return first + [name for name in rest if name not in first]


def pack(folder: Path, target: Path) -> str:
    """Zip every file under `folder` into `target`; returns the ZIP's SHA-256."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    os.close(fd)
    partial = Path(name)
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
            for member in _members(folder):
                path = folder / member
                kind = zipfile.ZIP_STORED if path.suffix.lower() in STORED_SUFFIXES else zipfile.ZIP_DEFLATED
                archive.write(path, member, compress_type=kind)  # read in chunks: a large file never sits in memory
        with partial.open("rb") as written:
            os.fsync(written.fileno())
        digest = sha256_file(partial)
        if target.exists():
            raise InvalidInput(f"--out apareceu durante a exportação: {target}; nada foi sobrescrito")
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return digest
