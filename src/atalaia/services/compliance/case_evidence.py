"""Evidence files on a case: uploaded by a reviewer, stored encrypted, listed in the history, never deleted.

1. Who: compliance officers, and managers on the alerts of their teams (the case's scope); an
   auditor reads and downloads but never writes; an administrator is not a reviewer.
2. What: at most `max_bytes` (ATALAIA_MAX_EVIDENCE_BYTES); the real type from the magic bytes
   (libmagic reads the first 8 KiB; a zip is told apart by its entry *names*, never by inflating
   an entry, so a zip bomb is stored as the inert bytes it is); executables and scripts refused
   unless the tenant's settings allow them; an extension that lies is kept and noted.
3. The name is the reviewer's, cleaned: no folders, no control or bidi characters, no characters
   Windows refuses, at most 120 characters with its extension kept.
4. Bytes are sealed with the tenant's data key under `t<tenant>/evidence/...`, apart from the
   message attachments: the same file sent in a chat and attached as evidence is two blobs, so a
   purge or erasure of the chat's attachment never deletes the case's evidence.
5. A file is never deleted while its alert exists: withdrawing marks it with a reason, and the
   history keeps both events. Reading the bytes is audited like any read of archived content.
Why: docs/decisions/0024-case-evidence-and-employee-notice.md.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from atalaia.blobs.base import BlobBackend
from atalaia.db.models import Alert, CaseEvidence
from atalaia.domain.case import CaseEventKind, CaseStatus
from atalaia.domain.enums import Role
from atalaia.errors import AtalaiaError, Conflict, Forbidden, InvalidInput, NotFound, TamperedData
from atalaia.policies.detectors.file_type import compatible, declared_type, type_of_mime
from atalaia.security.keys import open_sealed, seal
from atalaia.services import audit
from atalaia.services.compliance.actor import Actor
from atalaia.services.compliance.cases import MAX_TEXT_CHARS, load_alert, record_event

MAX_NAME_CHARS: Final = 120
MAX_EXTENSION_CHARS: Final = 12
SNIFF_BYTES: Final = 8192
REVIEWERS: Final = frozenset({Role.COMPLIANCE, Role.MANAGER})
NOT_REVIEWER: Final = "somente a conformidade e os gestores da equipe anexam ou retiram evidências"
NOT_FOUND: Final = "evidência não encontrada"
# Never a reviewer's evidence by default: programs and scripts, whatever their name says.
BLOCKED_TYPES: Final = frozenset({"exe", "elf", "sh", "py", "jar", "apk", "msi", "dll", "mach-binary", "sharedlib"})
BLOCKED_MIME_PARTS: Final = ("executable", "dosexec", "msdownload", "sharedlib", "mach-binary", "script", "x-msi")
BLOCKED_EXTENSIONS: Final = frozenset({
    "exe", "dll", "com", "scr", "msi", "msp", "cpl", "bat", "cmd", "ps1", "psm1", "vbs", "vbe", "js", "jse", "mjs",
    "wsf", "wsh", "hta", "lnk", "reg", "sh", "bash", "zsh", "csh", "ksh", "py", "pyw", "pl", "rb", "php", "jar",
    "apk", "app", "elf", "bin", "run", "deb", "rpm", "dmg", "pkg", "appimage",
})  # fmt: skip
_UNSAFE_CHARS: Final = re.compile(r'[<>:"/\\|?*]')
_SIGNATURES: Final = ((b"PK\x03\x04", "zip"), (b"%PDF", "pdf"), (b"MZ", "exe"), (b"\x7fELF", "elf"))
_ZIP_MARKERS: Final = (("xl/", "xlsx"), ("word/", "docx"), ("ppt/", "pptx"), ("AndroidManifest.xml", "apk"))


class TooLarge(AtalaiaError):
    status = 413


@dataclass(frozen=True, slots=True)
class Sniffed:
    real: str | None  # short type name from the bytes, None when libmagic cannot tell
    mime: str  # what libmagic said, for the refusal message
    blocked: bool


@dataclass(frozen=True, slots=True)
class EvidenceFile:
    row: CaseEvidence
    content: bytes


class EvidenceBlobs:
    """Sealed bytes under the evidence folder of the tenant; the digest and tenant are the associated data."""

    def __init__(self, backend: BlobBackend) -> None:
        self.backend = backend

    @staticmethod
    def key_for(*, tenant_id: int, sha256: str) -> str:
        return f"t{tenant_id}/evidence/{sha256[:2]}/{sha256}"

    def put(self, *, tenant_id: int, data_key: bytes, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        key = self.key_for(tenant_id=tenant_id, sha256=digest)
        if not self.backend.exists(key):
            self.backend.write(key, seal(data_key, data, aad=self._aad(tenant_id, digest)))
        return digest

    def get(self, *, tenant_id: int, data_key: bytes, sha256: str) -> bytes:
        key = self.key_for(tenant_id=tenant_id, sha256=sha256)
        data = open_sealed(data_key, self.backend.read(key), aad=self._aad(tenant_id, sha256))
        if hashlib.sha256(data).hexdigest() != sha256:
            raise TamperedData(f"evidence blob {key} does not match its digest")
        return data

    @staticmethod
    def _aad(tenant_id: int, sha256: str) -> bytes:
        return f"evidence:{tenant_id}:{sha256}".encode("ascii")


def clean_file_name(raw: str | None) -> str:
    """A name safe to store, show and offer for download; never a path, never empty."""
    name = unicodedata.normalize("NFC", raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C"))  # NUL, controls, bidi
    name = " ".join(_UNSAFE_CHARS.sub("_", name).split()).strip(" .")
    if not name:
        return "arquivo"
    if len(name) <= MAX_NAME_CHARS:
        return name
    stem, dot, extension = name.rpartition(".")
    if dot and stem and len(extension) <= MAX_EXTENSION_CHARS:
        return f"{stem[: MAX_NAME_CHARS - len(extension) - 1].rstrip(' .')}.{extension}"
    return name[:MAX_NAME_CHARS].rstrip(" .")


def sniff(content: bytes) -> Sniffed:
    """The real type from the first bytes (libmagic); a zip by its entry names only."""
    import magic  # a dependency (python-magic); loads libmagic's database on first use

    mime = str(magic.from_buffer(content[:SNIFF_BYTES], mime=True)).lower()
    real: str | None = None if mime in ("application/octet-stream", "application/x-empty", "inode/x-empty") else (
        type_of_mime(mime))  # fmt: skip
    if real is None:  # libmagic gives up on some containers (a zip whose first entry is odd)
        real = next((kind for prefix, kind in _SIGNATURES if content.startswith(prefix)), None)
    if real == "zip":
        real = _zip_kind(content)
    blocked = real in BLOCKED_TYPES or any(part in mime for part in BLOCKED_MIME_PARTS)
    return Sniffed(real=real, mime=mime, blocked=blocked)


def add_evidence(
    session: Session,
    *,
    blobs: EvidenceBlobs,
    data_key: bytes,
    tenant_id: int,
    alert_id: int,
    actor: Actor,
    file_name: str | None,
    content: bytes,
    max_bytes: int,
    allow_executables: bool = False,
) -> CaseEvidence:
    """Check, seal and record one file; every refusal comes before anything is written."""
    _require_reviewer(actor)
    if len(content) > max_bytes:
        raise TooLarge(f"o arquivo passa do limite de {_mib(max_bytes)} para evidências")
    if not content:
        raise InvalidInput("o arquivo está vazio")
    alert = load_alert(
        session, tenant_id=tenant_id, alert_id=alert_id, actor=actor, action="alert_evidence_add", for_update=True
    )
    _require_open(alert, doing="anexar evidências")
    name = clean_file_name(file_name)
    found = sniff(content)
    declared = declared_type(name, None)
    if not allow_executables and (found.blocked or declared in BLOCKED_EXTENSIONS):
        what = found.real or declared or found.mime
        raise InvalidInput(f"arquivos executáveis ou scripts não são aceitos como evidência ({what})")
    mismatch = found.real is not None and declared is not None and not compatible(declared, found.real)
    sha256 = blobs.put(tenant_id=tenant_id, data_key=data_key, data=content)
    now = datetime.now(UTC)
    row = CaseEvidence(
        tenant_id=tenant_id,
        alert_id=alert.id,
        file_name=name,
        real_type=(found.real or "")[:40] or None,
        declared_type=(declared or "")[:40] or None,
        type_mismatch=mismatch,
        size=len(content),
        sha256=sha256,
        uploaded_by=actor.label[:320],
        user_id=actor.user_id,
        uploaded_at=now,
    )
    session.add(row)
    session.flush()
    detail = {"evidence_id": row.id, "file_name": name, "sha256": sha256, "size": len(content),
              "real_type": row.real_type, "declared_type": row.declared_type, "type_mismatch": mismatch}  # fmt: skip
    if file_name is not None and name != file_name:
        detail["name_cleaned"] = True
    record_event(session, alert=alert, actor=actor, kind=CaseEventKind.EVIDENCE, detail=detail)
    return row


def list_evidence(session: Session, *, tenant_id: int, alert_id: int, actor: Actor) -> list[CaseEvidence]:
    """The case's files, withdrawn ones included (their metadata is not archived content)."""
    alert = load_alert(session, tenant_id=tenant_id, alert_id=alert_id, actor=actor, action="alert_evidence_list")
    return list(
        session.execute(
            select(CaseEvidence)
            .where(CaseEvidence.tenant_id == tenant_id, CaseEvidence.alert_id == alert.id)
            .order_by(CaseEvidence.id)
        ).scalars()
    )


def read_evidence(
    session: Session,
    *,
    blobs: EvidenceBlobs,
    data_key: bytes,
    tenant_id: int,
    alert_id: int,
    evidence_id: int,
    actor: Actor,
    ip: str | None = None,
) -> EvidenceFile:
    """The bytes of one file, for anyone who sees the case (auditors too); every read is audited."""
    alert = load_alert(session, tenant_id=tenant_id, alert_id=alert_id, actor=actor, action="alert_evidence_read")
    row = _evidence(session, tenant_id=tenant_id, alert_id=alert.id, evidence_id=evidence_id)
    content = blobs.get(tenant_id=tenant_id, data_key=data_key, sha256=row.sha256)
    audit.record(
        session,
        tenant_id=tenant_id,
        actor=actor.label,
        user_id=actor.user_id,
        action="alert_evidence_read",
        object_type="case_evidence",
        object_id=row.id,
        detail={"alert_id": alert.id, "sha256": row.sha256, "file_name": row.file_name},
        ip=ip,
    )
    return EvidenceFile(row=row, content=content)


def withdraw_evidence(
    session: Session, *, tenant_id: int, alert_id: int, evidence_id: int, actor: Actor, reason: str
) -> CaseEvidence:
    """Mark a file withdrawn, with a reason; its bytes and its history stay."""
    _require_reviewer(actor)
    why = (reason or "").strip()
    if not why:
        raise InvalidInput("informe o motivo da retirada")
    if len(why) > MAX_TEXT_CHARS:
        raise InvalidInput(f"o motivo passa de {MAX_TEXT_CHARS} caracteres")
    alert = load_alert(
        session, tenant_id=tenant_id, alert_id=alert_id, actor=actor, action="alert_evidence_withdraw", for_update=True
    )
    _require_open(alert, doing="retirar evidências")
    row = _evidence(session, tenant_id=tenant_id, alert_id=alert.id, evidence_id=evidence_id)
    if row.withdrawn_at is not None:
        raise Conflict(f"a evidência {row.id} já foi retirada")
    row.withdrawn_at = datetime.now(UTC)
    row.withdrawn_by = actor.label[:320]
    row.withdrawn_reason = why
    detail = {"evidence_id": row.id, "file_name": row.file_name, "sha256": row.sha256, "reason": why}
    record_event(session, alert=alert, actor=actor, kind=CaseEventKind.EVIDENCE_WITHDRAWN, detail=detail)
    return row


def _evidence(session: Session, *, tenant_id: int, alert_id: int, evidence_id: int) -> CaseEvidence:
    row = session.execute(
        select(CaseEvidence).where(
            CaseEvidence.id == evidence_id, CaseEvidence.tenant_id == tenant_id, CaseEvidence.alert_id == alert_id
        )
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(NOT_FOUND)
    return row


def _require_reviewer(actor: Actor) -> None:
    actor.require_write()  # auditors: read-only
    if actor.role not in REVIEWERS:
        raise Forbidden(NOT_REVIEWER)


def _require_open(alert: Alert, *, doing: str) -> None:
    if alert.status == CaseStatus.RESOLVED.value:
        raise Conflict(f"o alerta {alert.id} está resolvido; reabra-o antes de {doing}")


def _zip_kind(content: bytes) -> str:
    """Office formats and APKs by their entry names; no entry is ever inflated."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return "zip"  # damaged: still a zip by its magic bytes
    for marker, kind in _ZIP_MARKERS:
        if any(name.startswith(marker) for name in names):
            return kind
    return "jar" if "META-INF/MANIFEST.MF" in names else "zip"


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MiB" if size >= 1024 * 1024 else f"{size} bytes"
