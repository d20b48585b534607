"""The export folder: checked before any work, written aside, and put in place only when complete.

`--out` names a folder that must not exist yet (or be empty). The export is written into a hidden
sibling folder and renamed onto `--out` at the end, so a failed or interrupted export leaves no
half-written evidence behind; scratch files live in another hidden sibling (same disk, as RSMF
scratch zips can be large) and are always deleted.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from atalaia.errors import InvalidInput


def check_target(target: Path) -> Path:
    """The absolute target, or a clear error when it cannot receive an export."""
    target = target.expanduser().absolute()
    if target.exists() and not target.is_dir():
        raise InvalidInput(f"--out já existe e não é uma pasta: {target}")
    if target.is_dir() and any(target.iterdir()):
        raise InvalidInput(f"--out precisa ser uma pasta nova ou vazia: {target}")
    if not target.parent.is_dir():
        raise InvalidInput(f"a pasta onde criar --out não existe: {target.parent}")
    if not os.access(target.parent, os.W_OK | os.X_OK):
        raise InvalidInput(f"sem permissão de escrita em {target.parent}")
    return target


@dataclass(frozen=True, slots=True)
class OutputFolder:
    target: Path
    work: Path  # becomes `target`
    scratch: Path

    @classmethod
    def create(cls, target: Path) -> OutputFolder:
        target = check_target(target)
        try:
            work = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))
            scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}.scratch-", dir=target.parent))
        except OSError as exc:
            raise InvalidInput(f"não é possível escrever em {target.parent}: {exc.strerror}") from None
        work.chmod(0o750)  # mkdtemp's 0700 would hide the export from the operator's group
        return cls(target=target, work=work, scratch=scratch)

    def commit(self) -> None:
        shutil.rmtree(self.scratch, ignore_errors=True)
        if self.target.is_dir():
            self.target.rmdir()  # empty, checked before; refuses if something appeared meanwhile
        self.work.rename(self.target)

    def discard(self) -> None:
        shutil.rmtree(self.scratch, ignore_errors=True)
        shutil.rmtree(self.work, ignore_errors=True)

    def remove_committed(self) -> None:
        shutil.rmtree(self.target, ignore_errors=True)
