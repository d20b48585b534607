"""Opening an export safely: a `.txt`, or a `.zip` with the chat text and its media.

Nothing is extracted to disk. A zip is checked up front, from its central directory, against
`ZipLimits` (member count, declared sizes, compression ratio, unsafe names, encryption); Python's
zipfile then refuses to inflate a member past its declared size, so the declared sizes bound the
work. The chat text is streamed (twice: once to decide its format, once to read it) and never
held whole; media members are read one at a time, on demand, by the name the messages give.
"""

from __future__ import annotations

import codecs
import io
import lzma
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Final

from atalaia.connectors.chat_export.decoding import TextChunks
from atalaia.connectors.chat_export.errors import ExportError

KiB: Final = 1 << 10
MiB: Final = 1 << 20
GiB: Final = 1 << 30
HEAD_BYTES: Final = 64 * KiB  # sniffed to tell text from binary and pick the encoding
READ_CHUNK: Final = 1 * MiB

Progress = Callable[[int], None]  # bytes of chat text read so far in this pass
# What reading a damaged file or zip member can raise; each becomes one ExportError.
READ_ERRORS: Final = (
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
    EOFError,
    OSError,
    NotImplementedError,  # a compression method zipfile cannot inflate
    RuntimeError,  # an encrypted member
)


@dataclass(frozen=True, slots=True)
class ZipLimits:
    """Bounds that make a hostile zip fail fast instead of filling memory or disk."""

    max_members: int = 100_000
    max_total_bytes: int = 16 * GiB  # declared uncompressed size of all members together
    max_chat_bytes: int = 4 * GiB  # the chat text member (exports run to ~1 GB)
    max_media_bytes: int = 512 * MiB  # a larger media member is left out (warned), not read
    max_ratio: int = 200  # uncompressed / compressed, for members above ratio_floor_bytes
    ratio_floor_bytes: int = 1 * MiB


DEFAULT_LIMITS: Final = ZipLimits()

_ZIP_MAGIC: Final = (b"PK\x03\x04", b"PK\x05\x06")
_BOMS: Final = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CHAT_NAME: Final = re.compile(
    r"^(?:WhatsApp Chat (?:with|-)|WhatsApp-Chat mit|Conversa do WhatsApp com|Chat de WhatsApp con|"
    r"Discussion WhatsApp avec|Chat WhatsApp con|Chat WhatsApp s uživatelem|Чат WhatsApp с контактом|"
    r"Chat WhatsApp s|WhatsApp-chat met)\s+(?P<name>.+?)(?:\s+\(\d+\))?$",
    re.IGNORECASE,
)


def chat_name_from_filename(file_name: str) -> str | None:
    """`Conversa do WhatsApp com Ana.txt` -> "Ana"; `WhatsApp Chat - Vendas.zip` -> "Vendas"."""
    stem = Path(file_name.replace("\u00a0", " ")).stem.strip()
    found = _CHAT_NAME.match(stem)
    return found.group("name").strip() if found else None


def _nfc(name: str) -> str:
    return unicodedata.normalize("NFC", name.replace("\u00a0", " "))


class MediaStore:
    """The media an export carries, by the file name its messages use; empty for a `.txt`."""

    def __init__(self, zf: zipfile.ZipFile | None = None, members: dict[str, zipfile.ZipInfo] | None = None):
        self._zf = zf
        self._members = members or {}

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(info.filename for info in self._members.values())

    def __len__(self) -> int:
        return len(self._members)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and _nfc(name) in self._members

    def get(self, name: str) -> bytes | None:
        """The member's bytes, or None when the export does not carry that file."""
        info = self._members.get(_nfc(name))
        if info is None or self._zf is None:
            return None
        try:
            with self._zf.open(info) as member:
                return member.read(info.file_size + 1)[: info.file_size]
        except READ_ERRORS as exc:
            raise ExportError(f"zip corrompido ao ler {info.filename!r}: {exc}") from None

    __call__ = get


class _CountingRaw(io.RawIOBase):
    """A raw byte stream that reports how much was read, for a progress bar by bytes."""

    def __init__(self, inner: IO[bytes], progress: Progress | None) -> None:
        self._inner = inner
        self._progress = progress
        self.done = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._inner.read(len(buffer))
        n = len(data)
        buffer[:n] = data  # one copy per MiB: negligible next to decoding
        self.done += n
        if self._progress is not None and n:
            self._progress(self.done)
        return n

    def close(self) -> None:
        self._inner.close()
        super().close()


class ExportSource:
    """An opened export: the chat text (re-openable as a stream) and its media."""

    def __init__(
        self,
        *,
        path: Path,
        open_bytes: Callable[[], IO[bytes]],
        size: int,
        member: str | None = None,
        media: MediaStore | None = None,
        closer: Callable[[], None] | None = None,
        skipped_media: tuple[str, ...] = (),
    ) -> None:
        self.path = path
        self.member = member  # the chat text's name inside the zip
        self.size = size  # bytes of chat text (uncompressed)
        self.media = media or MediaStore()
        self.skipped_media = skipped_media  # members over the media bound, not readable
        self._open_bytes = open_bytes
        self._closer = closer
        self.encoding = _sniff_encoding(self._head(), name=member or path.name)

    @property
    def chat_name(self) -> str | None:
        """The chat's name as the export file names it (the zip's name for iOS `_chat.txt`)."""
        if self.member is not None:
            found = chat_name_from_filename(PurePosixPath(self.member).name)
            if found:
                return found
        return chat_name_from_filename(self.path.name)

    def _head(self) -> bytes:
        try:
            with self._open_bytes() as stream:
                return stream.read(HEAD_BYTES)
        except READ_ERRORS as exc:
            raise ExportError(f"não foi possível ler {self.member or self.path.name}: {exc}") from None

    def open_text(self, *, progress: Progress | None = None) -> io.TextIOWrapper:
        """A fresh text stream over the chat: bad bytes become U+FFFD, newlines become "\\n"."""
        raw = _CountingRaw(self._open_bytes(), progress)
        buffered = io.BufferedReader(raw, buffer_size=READ_CHUNK)
        return io.TextIOWrapper(buffered, encoding=self.encoding, errors="replace", newline=None)

    def open_chunks(self, *, progress: Progress | None = None) -> TextChunks:
        """The same text for one pass that only reads forward (see `decoding`)."""
        raw = _CountingRaw(self._open_bytes(), progress)
        return TextChunks(io.BufferedReader(raw, buffer_size=READ_CHUNK), self.encoding)

    def close(self) -> None:
        if self._closer is not None:
            self._closer()

    def __enter__(self) -> ExportSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_export(path: str | Path, *, limits: ZipLimits = DEFAULT_LIMITS) -> ExportSource:
    """Open a `.txt` or `.zip` export (told apart by content, not by name)."""
    path = Path(path)
    try:
        if not path.is_file():
            raise ExportError(f"arquivo não encontrado: {path}" if not path.exists() else f"não é um arquivo: {path}")
        with path.open("rb") as stream:
            magic = stream.read(4)
        size = path.stat().st_size
    except OSError as exc:
        raise ExportError(f"não foi possível ler {path}: {exc.strerror or exc}") from None
    if size == 0:
        raise ExportError(f"arquivo vazio, nenhuma mensagem encontrada: {path}")
    if magic in _ZIP_MAGIC:
        return _open_zip(path, limits)
    return ExportSource(path=path, open_bytes=lambda: path.open("rb", buffering=0), size=size)


def _open_zip(path: Path, limits: ZipLimits) -> ExportSource:
    try:
        zf = zipfile.ZipFile(path)
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise ExportError(f"zip inválido ou corrompido: {path.name} ({exc})") from None
    try:
        chat, media, skipped = _check_zip(infos, limits)
    except ExportError:
        zf.close()
        raise

    def open_member() -> IO[bytes]:
        try:
            return zf.open(chat)
        except READ_ERRORS as exc:
            raise ExportError(f"não foi possível abrir {chat.filename!r} no zip: {exc}") from None

    try:
        return ExportSource(
            path=path,
            open_bytes=open_member,
            size=chat.file_size,
            member=chat.filename,
            media=MediaStore(zf, media),
            closer=zf.close,
            skipped_media=skipped,
        )
    except ExportError:
        zf.close()
        raise


def _unsafe(name: str) -> bool:
    posix = name.replace("\\", "/")
    parts = PurePosixPath(posix).parts
    return posix.startswith("/") or bool(re.match(r"^[A-Za-z]:", posix)) or ".." in parts or "\x00" in name


def _check_zip(
    infos: list[zipfile.ZipInfo], limits: ZipLimits
) -> tuple[zipfile.ZipInfo, dict[str, zipfile.ZipInfo], tuple[str, ...]]:
    """The chat member, the media by normalised name, and the media left out for size."""
    if len(infos) > limits.max_members:
        raise ExportError(f"zip com arquivos demais ({len(infos)}; limite {limits.max_members})")
    total = 0
    files: list[zipfile.ZipInfo] = []
    for info in infos:
        if _unsafe(info.filename):
            raise ExportError(f"zip com caminho inseguro, recusado: {info.filename!r}")
        if info.is_dir():
            continue
        total += info.file_size
        compressed = max(info.compress_size, 1)
        if info.file_size > limits.ratio_floor_bytes and info.file_size / compressed > limits.max_ratio:
            raise ExportError(
                f"zip suspeito (taxa de compressão {info.file_size // compressed}:1 em {info.filename!r}), recusado"
            )
        files.append(info)
    if total > limits.max_total_bytes:
        raise ExportError(
            f"zip grande demais: {total // MiB} MiB descompactados (limite {limits.max_total_bytes // MiB} MiB)"
        )
    chat = _chat_member(files)
    if chat.flag_bits & 0x1:
        raise ExportError("zip protegido por senha: exporte a conversa novamente sem senha")
    if chat.file_size > limits.max_chat_bytes:
        raise ExportError(
            f"conversa grande demais: {chat.file_size // MiB} MiB (limite {limits.max_chat_bytes // MiB} MiB)"
        )
    media: dict[str, zipfile.ZipInfo] = {}
    skipped: list[str] = []
    for info in files:
        if info is chat or info.filename.startswith("__MACOSX/"):
            continue
        if info.file_size > limits.max_media_bytes or info.flag_bits & 0x1:
            skipped.append(info.filename)
            continue
        media.setdefault(_nfc(PurePosixPath(info.filename).name), info)
    return chat, media, tuple(skipped)


def _chat_member(files: list[zipfile.ZipInfo]) -> zipfile.ZipInfo:
    """`_chat.txt` (iOS), else the one `.txt` WhatsApp named, else the only `.txt` at the root."""
    texts = [i for i in files if i.filename.lower().endswith(".txt") and not i.filename.startswith("__MACOSX/")]
    if not texts:
        raise ExportError("zip sem conversa: nenhum arquivo .txt dentro do zip")
    for info in texts:
        if PurePosixPath(info.filename).name == "_chat.txt":
            return info
    named = [i for i in texts if chat_name_from_filename(PurePosixPath(i.filename).name) is not None]
    if len(named) == 1:
        return named[0]
    if len(named) > 1:
        texts = named
    root = [i for i in texts if "/" not in i.filename.strip("/")]
    if len(root) == 1:
        return root[0]
    if len(texts) == 1:
        return texts[0]
    listed = ", ".join(sorted(i.filename for i in texts)[:5])
    raise ExportError(f"zip com vários .txt e nenhum é claramente a conversa: {listed}")


def _sniff_encoding(head: bytes, *, name: str) -> str:
    """UTF-8 (with or without BOM), or UTF-16/32 with a BOM; anything else is refused.

    Past the sniffed head, stray bad bytes are replaced (U+FFFD) and counted, not fatal: a chat
    cut by a broken tool still yields every message it holds.
    """
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    if len(head) >= 4 and head[1::2].count(0) > len(head) // 4 and head[0::2].count(0) == 0:
        return "utf-16-le"  # UTF-16 without BOM (a re-saved export): every other byte is zero
    if len(head) >= 4 and head[0::2].count(0) > len(head) // 4 and head[1::2].count(0) == 0:
        return "utf-16-be"
    if b"\x00" in head:
        raise ExportError(f"{name} parece um arquivo binário, não uma conversa exportada do WhatsApp (.txt ou .zip)")
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3 or exc.reason != "unexpected end of data":
            raise ExportError(
                f"{name} não está em UTF-8 (byte inválido na posição {exc.start}); "
                "exporte a conversa novamente pelo WhatsApp"
            ) from None
    return "utf-8"
