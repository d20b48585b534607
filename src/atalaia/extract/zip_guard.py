"""Refuse a zip bomb before python-docx or openpyxl opens it.

DOCX and XLSX are zip files. The central directory declares each member's sizes, and Python's
`zipfile` never inflates a member past its declared size, so checking the declared sizes is
enough: too many members, too many bytes in total, or a large member that inflates far more
than real documents do (XML compresses about 10 to 30 times; zeros, over 1000 times).
"""

from __future__ import annotations

import io
import zipfile
from typing import Final

from atalaia.extract.limits import MIB, Limits
from atalaia.extract.result import ExtractionError, ExtractionStatus

RATIO_CHECKED_FROM: Final = 1 * MIB  # small members may compress as well as they like


def check_zip(data: bytes, limits: Limits) -> None:
    """Raise `ExtractionError` (too large, or failed when not a zip) unless the archive is safe to open."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise ExtractionError(ExtractionStatus.FAILED, f"not a readable zip container: {exc}") from exc
    if len(members) > limits.max_zip_entries:
        raise ExtractionError(
            ExtractionStatus.TOO_LARGE, f"{len(members)} zip members (at most {limits.max_zip_entries})"
        )
    total = 0
    for member in members:
        total += member.file_size
        if total > limits.max_unzipped_bytes:
            raise ExtractionError(
                ExtractionStatus.TOO_LARGE, f"more than {limits.max_unzipped_bytes} bytes once uncompressed"
            )
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size >= RATIO_CHECKED_FROM and ratio > limits.max_zip_ratio:
            raise ExtractionError(
                ExtractionStatus.TOO_LARGE,
                f"zip member {member.filename[:100]!r} inflates {ratio:.0f} times (at most {limits.max_zip_ratio})",
            )
