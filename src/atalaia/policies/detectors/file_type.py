"""An attachment's real type from its magic bytes (libmagic), and whether its declared name lies.

Types are short names (`xlsx`, `csv`, `zip`, `sql`, `pdf`, `jpeg`...). libmagic sees a spreadsheet
as `zip` when the first entries do not give it away, and a CSV or SQL dump as plain text, so
both cases are refined here: zip entries name the Office format, and the first lines tell
CSV and SQL apart. Container and content are *compatible* (a `.xlsx` that is a `zip`, a
`.csv` that is `txt`): only an incompatible pair is a lie.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from typing import Final

from atalaia.domain.policy import FileTypeOptions

SNIFF_BYTES: Final = 8192  # libmagic decides from the start of the file
_MIME_TYPES: Final = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.ms-excel": "xls",
    "application/msword": "doc",
    "application/vnd.ms-powerpoint": "ppt",
    "application/x-ole-storage": "ole",
    "application/cdfv2": "ole",
    "application/vnd.ms-office": "ole",
    "application/zip": "zip",
    "application/x-zip-compressed": "zip",
    "application/pdf": "pdf",
    "text/csv": "csv",
    "text/plain": "txt",
    "application/json": "json",
    "text/xml": "xml",
    "application/xml": "xml",
    "text/html": "html",
    "application/sql": "sql",
    "application/x-sql": "sql",
    "text/x-sql": "sql",
    "application/gzip": "gz",
    "application/x-gzip": "gz",
    "application/x-rar": "rar",
    "application/vnd.rar": "rar",
    "application/x-7z-compressed": "7z",
    "application/x-tar": "tar",
    "application/x-dosexec": "exe",
    "application/x-msdownload": "exe",
    "application/vnd.microsoft.portable-executable": "exe",
    "application/x-executable": "elf",
    "application/vnd.sqlite3": "sqlite",
    "application/x-sqlite3": "sqlite",
    "application/vnd.android.package-archive": "apk",
    "application/java-archive": "jar",
    "image/jpeg": "jpeg",
    "audio/mpeg": "mp3",
    "text/x-python": "py",
    "text/x-shellscript": "sh",
}
_ALIASES: Final = {
    "jpg": "jpeg",
    "jpe": "jpeg",
    "htm": "html",
    "yml": "yaml",
    "tif": "tiff",
    "tgz": "gz",
    "text": "txt",
}
_PARENT: Final = {
    **dict.fromkeys(("xlsx", "docx", "pptx", "ods", "odt", "odp", "apk", "jar", "epub"), "zip"),
    **dict.fromkeys(("xls", "doc", "ppt", "msg"), "ole"),
    **dict.fromkeys(("csv", "tsv", "sql", "json", "xml", "html", "md", "yaml", "log"), "txt"),
}
_ZIP_MARKERS: Final = (("xl/", "xlsx"), ("word/", "docx"), ("ppt/", "pptx"), ("AndroidManifest.xml", "apk"))
_SQL: Final = re.compile(
    r"^\s*(?:create\s+(?:table|database|index|view)|insert\s+into|drop\s+table|alter\s+table|"
    r"copy\s+\S+.*\s+from\s+stdin|--\s*(?:mysql|postgresql|sqlite|mariadb)?\s*(?:database\s+)?dump)",
    re.IGNORECASE | re.MULTILINE,
)
_SIGNATURES: Final = (  # used only when libmagic itself is missing
    (b"PK\x03\x04", "zip"), (b"%PDF", "pdf"), (b"\xd0\xcf\x11\xe0", "ole"), (b"\x1f\x8b", "gz"),
    (b"\x89PNG", "png"), (b"\xff\xd8\xff", "jpeg"), (b"Rar!", "rar"), (b"7z\xbc\xaf", "7z"),
    (b"SQLite format 3\x00", "sqlite"), (b"MZ", "exe"),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class FileVerdict:
    real: str | None  # from the bytes; None without content
    declared: str | None  # from the file name's extension, else the declared MIME type
    lies: bool  # declared and real types are incompatible

    @property
    def effective(self) -> str | None:
        """The most specific type we believe: `xlsx` for a `.xlsx` seen as `zip`, else the real one."""
        if self.real is None:
            return self.declared
        if self.declared is not None and _PARENT.get(self.declared) == self.real:
            return self.declared
        return self.real


def normalise_type(name: str) -> str:
    """`.JPG` -> `jpeg`: the spelling used in policies and verdicts."""
    name = name.strip().lower().lstrip(".")
    return _ALIASES.get(name, name)


def type_of_mime(mime: str) -> str:
    mime = mime.split(";")[0].strip().lower()
    if mime in _MIME_TYPES:
        return _MIME_TYPES[mime]
    subtype = mime.rsplit("/", 1)[-1]
    for prefix in ("x-", "vnd."):
        subtype = subtype.removeprefix(prefix)
    return normalise_type(subtype)


def declared_type(file_name: str | None, mime_type: str | None) -> str | None:
    if file_name and "." in file_name.strip(". "):
        return normalise_type(file_name.rsplit(".", 1)[1])
    return type_of_mime(mime_type) if mime_type else None


def real_type(content: bytes) -> str | None:
    """The type the bytes say; refined for zip containers and plain text."""
    if not content:
        return None
    kind = _sniff(content[:SNIFF_BYTES])
    if kind == "zip":
        return _zip_kind(content)
    if kind in ("txt", "csv"):
        return _text_kind(content[:SNIFF_BYTES]) or kind
    return kind


def inspect_file(*, file_name: str | None, mime_type: str | None, content: bytes | None) -> FileVerdict:
    declared = declared_type(file_name, mime_type)
    real = real_type(content) if content else None
    lies = real is not None and declared is not None and not compatible(declared, real)
    return FileVerdict(real=real, declared=declared, lies=lies)


def compatible(first: str, second: str) -> bool:
    return first == second or _PARENT.get(first) == second or _PARENT.get(second) == first


def file_type_fires(verdict: FileVerdict, options: FileTypeOptions) -> str | None:
    """Why the rule fires on this attachment (for the hit's detail), or None."""
    effective = verdict.effective
    described = f"real type {verdict.real or 'unknown'}, declared {verdict.declared or 'nothing'}"
    if effective is not None and (effective in options.types or verdict.real in options.types):
        return f"type {effective} ({described})"
    if options.mismatch and verdict.lies:
        return f"extension lies ({described})"
    return None


def _sniff(head: bytes) -> str | None:
    try:
        import magic  # deferred: loads libmagic and its database on first use only
    except ImportError:  # pragma: no cover - libmagic1 missing on this machine
        return next((kind for prefix, kind in _SIGNATURES if head.startswith(prefix)), None)
    mime = magic.from_buffer(head, mime=True)
    if mime in ("application/octet-stream", "application/x-empty", "inode/x-empty"):
        return None
    return type_of_mime(mime)


def _zip_kind(content: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                with archive.open("mimetype") as member:  # at most 100 bytes: a bomb is never inflated
                    kind = member.read(100).decode("ascii", "replace")
                if "opendocument" in kind:
                    return type_of_mime(kind)
    except (zipfile.BadZipFile, OSError, ValueError):
        return "zip"  # truncated or damaged: still a zip by its magic bytes
    for marker, kind in _ZIP_MARKERS:
        if any(name.startswith(marker) for name in names):
            return kind
    if "META-INF/MANIFEST.MF" in names:
        return "jar"
    return "zip"


def _text_kind(head: bytes) -> str | None:
    text = head.decode("utf-8", "replace")
    if _SQL.search(text):
        return "sql"
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    if len(lines) > 1 and not head.endswith(b"\n"):
        lines = lines[:-1]  # the last line may be cut by SNIFF_BYTES
    for delimiter in (",", ";", "\t", "|"):
        counts = {line.count(delimiter) for line in lines}
        if len(lines) >= 2 and len(counts) == 1 and counts != {0}:
            return "csv"
    return None
