"""Where export files live: ATALAIA_HOME/exports/<tenant id>/job-<id>.zip, named by us, never by a user.

Rows keep the path relative to the exports folder. Every path read back from a row is resolved
and must still lie inside that folder (a row edited behind the application's back cannot make
a download serve /etc/passwd), and leftovers of an interrupted run are found by the job's id.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Final

from atalaia.errors import NotFound

FOLDER: Final = "exports"
GONE: Final = "o arquivo desta exportação não está mais disponível"


def exports_root(home: Path) -> Path:
    return (home / FOLDER).absolute()


def tenant_folder(home: Path, tenant_id: int) -> Path:
    folder = exports_root(home) / str(int(tenant_id))
    folder.mkdir(parents=True, exist_ok=True, mode=0o750)
    return folder


def zip_name(job_id: int) -> str:
    return f"job-{int(job_id)}.zip"


def relative(home: Path, path: Path) -> str:
    return path.absolute().relative_to(exports_root(home)).as_posix()


def resolve_stored(home: Path, stored: str | None) -> Path:
    """The file a row names, only if it is a file inside the exports folder; NotFound otherwise."""
    if not stored:
        raise NotFound(GONE)
    root = exports_root(home).resolve()
    path = (root / stored).resolve()
    if not path.is_relative_to(root) or path == root or not path.is_file():
        raise NotFound(GONE)
    return path


def clear_leftovers(folder: Path, job_id: int) -> None:
    """What an earlier, interrupted run of this job left: its ZIP, folders and hidden partial files."""
    stem = f"job-{int(job_id)}"
    for path in [folder / zip_name(job_id), folder / f"{stem}.d", *folder.glob(f".{stem}.*")]:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
