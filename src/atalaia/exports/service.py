"""`export_archive`: one eDiscovery export, from selection to audited manifest.

1. Check `--out`, resolve the selection (unknown ids and empty selections are errors), count it.
2. Sign a checkpoint: the export takes exactly the records it covers.
3. Stream each conversation in batches into the format's writer (attachments decrypted on the way).
4. Write `manifest.json` (files and their SHA-256, what is missing, the checkpoint), move the
   folder into place, and record the export in the audit log; a failure is audited too, and
   leaves no partial folder.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Final, Protocol

from atalaia import __version__
from atalaia.db.engine import transaction
from atalaia.db.models import Tenant
from atalaia.errors import ConfigurationError, InvalidInput
from atalaia.exports.attachments import AttachmentSource
from atalaia.exports.checkpoint import CheckpointCut, cut_checkpoint
from atalaia.exports.csv_file import CsvWriter
from atalaia.exports.jsonl import JsonLinesWriter
from atalaia.exports.manifest import write_manifest
from atalaia.exports.output import OutputFolder, check_target
from atalaia.exports.reading import ArchiveReader
from atalaia.exports.records import utc_iso
from atalaia.exports.rsmf import RsmfWriter
from atalaia.exports.selection import (
    Selection,
    SelectionSpec,
    count_messages,
    has_messages,
    messages_by_conversation,
    resolve_selection,
)
from atalaia.exports.spool import JsonSpool
from atalaia.exports.writer import ExportContext, ExportWriter
from atalaia.runtime import Runtime
from atalaia.services import audit

GENERATOR: Final = f"Atalaia {__version__}"
VERIFICATION: Final = (
    "Cada mensagem exportada está na cadeia de hashes até checkpoint.seq; a assinatura Ed25519 "
    "(checkpoint.signature) de checkpoint.signed_message verifica com checkpoint.public_key; cada "
    "arquivo confere com o SHA-256 listado em files; o SHA-256 deste manifesto está no log de auditoria."
)


class ExportFormat(StrEnum):
    RSMF = "rsmf"
    JSONL = "jsonl"
    CSV = "csv"
    PDF = "pdf"


def _pdf_writer(ctx: ExportContext) -> ExportWriter:
    """Imported on use: reportlab is needed for PDF only, so the rest works without it."""
    try:
        from atalaia.exports.pdf import PdfWriter
    except ImportError as exc:
        raise ConfigurationError(f"a exportação em PDF precisa do pacote reportlab ({exc})") from None
    return PdfWriter(ctx)


WRITERS: Final[dict[ExportFormat, Callable[[ExportContext], ExportWriter]]] = {
    ExportFormat.RSMF: RsmfWriter,
    ExportFormat.JSONL: JsonLinesWriter,
    ExportFormat.CSV: CsvWriter,
    ExportFormat.PDF: _pdf_writer,
}


class ExportProgress(Protocol):
    def start(self, total: int) -> None: ...

    def advance(self, done: int) -> None: ...


@dataclass(frozen=True, slots=True)
class ExportRequest:
    selection: SelectionSpec
    format: str
    out: Path
    actor: str = "cli"  # who the audit log names: an e-mail or "cli"
    user_id: int | None = None


@dataclass(frozen=True, slots=True)
class ExportResult:
    path: Path
    format: ExportFormat
    events: int  # messages, each with its whole history
    conversations: int
    attachments: int  # attachments whose bytes are in the export
    missing_attachments: int
    manifest_sha256: str
    checkpoint: CheckpointCut

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "events": self.events,
            "attachments": self.attachments,
            "manifest_sha256": self.manifest_sha256,
            "checkpoint": self.checkpoint.as_dict(),
            "format": self.format.value,
            "conversations": self.conversations,
            "missing_attachments": self.missing_attachments,
        }


@dataclass(slots=True)
class _Counts:
    events: int = 0
    conversations: int = 0


def export_archive(
    runtime: Runtime, *, tenant: Tenant, request: ExportRequest, progress: ExportProgress | None = None
) -> ExportResult:
    try:
        export_format = ExportFormat(request.format)
    except ValueError:
        raise InvalidInput(f"formato desconhecido: {request.format!r}; use rsmf, jsonl, csv ou pdf") from None
    check_target(request.out)
    with transaction(runtime.sessions) as session:
        selection = resolve_selection(session, tenant_id=tenant.id, spec=request.selection, actor=request.actor)
        if not has_messages(session, selection=selection):
            raise InvalidInput(f"nada a exportar: {_named(selection)} não tem mensagens arquivadas")
        total = count_messages(session, selection=selection)
        grouped = (
            messages_by_conversation(session, tenant_id=tenant.id, message_ids=selection.message_ids)
            if selection.message_ids is not None
            else None
        )
    checkpoint = cut_checkpoint(runtime, tenant)
    folder = OutputFolder.create(request.out)
    missing = JsonSpool(folder.scratch)
    source = AttachmentSource(
        blobs=runtime.blobs, tenant_id=tenant.id, data_key=runtime.data_key(tenant), missing=missing
    )
    try:
        ctx = ExportContext(
            root=folder.work, scratch=folder.scratch, tenant_slug=tenant.slug, tenant_name=tenant.name,
            generator=GENERATOR, checkpoint=checkpoint, attachments=source,
        )  # fmt: skip
        if progress is not None:
            progress.start(total)
        counts = _write(runtime, tenant, ctx, WRITERS[export_format](ctx), selection, grouped, progress)
        if counts.events == 0:
            raise InvalidInput(f"nada a exportar: {_named(selection)} não tem mensagens cobertas pelo checkpoint")
        result = ExportResult(
            path=folder.target, format=export_format, events=counts.events, conversations=counts.conversations,
            attachments=source.exported, missing_attachments=missing.count, manifest_sha256="",
            checkpoint=checkpoint,
        )  # fmt: skip
        header = _manifest_header(tenant, request, selection, result)
        sha = write_manifest(folder.work, header=header, missing=missing)
        missing.close()
        folder.commit()
    except BaseException as exc:  # an interrupted export leaves nothing behind either
        missing.close()
        folder.discard()
        if isinstance(exc, Exception):
            _audit_failure(runtime, tenant, request, selection, export_format, exc)
        raise
    result = replace(result, manifest_sha256=sha)
    _audit_success(runtime, tenant, request, selection, result, folder)
    return result


def _write(
    runtime: Runtime,
    tenant: Tenant,
    ctx: ExportContext,
    writer: ExportWriter,
    selection: Selection,
    grouped: dict[int, list[int]] | None,
    progress: ExportProgress | None,
) -> _Counts:
    reader = ArchiveReader(sessions=runtime.sessions, tenant_id=tenant.id, checkpoint_seq=ctx.checkpoint.seq)
    counts = _Counts()
    for conversation_id in selection.conversation_ids:
        only = grouped.get(conversation_id) if grouped is not None else None
        if grouped is not None and not only:
            continue
        conversation = reader.conversation(conversation_id)
        begun = False
        for batch in reader.batches(conversation, only):
            if not begun:
                writer.begin_conversation(conversation)
                counts.conversations += 1
                begun = True
            writer.write(batch)
            counts.events += len(batch)
            if progress is not None:
                progress.advance(len(batch))
        if begun:
            writer.end_conversation()
    writer.close()
    return counts


def _named(selection: Selection) -> str:
    names = {"conversation": "a conversa", "line": "a linha", "case": "o caso", "query": "a busca"}
    return f"{names[selection.kind.value]} {selection.object_id}"


def _os_user() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None


def _manifest_header(
    tenant: Tenant, request: ExportRequest, selection: Selection, result: ExportResult
) -> dict[str, Any]:
    return {
        "generator": GENERATOR,
        "created_at": utc_iso(datetime.now(UTC)),
        "tenant": {"id": tenant.id, "slug": tenant.slug, "name": tenant.name},
        "actor": request.actor,
        "user_id": request.user_id,
        "os_user": _os_user(),
        "selection": selection.describe(),
        "export_format": result.format.value,
        "counts": {
            "conversations": result.conversations,
            "events": result.events,
            "attachments": result.attachments,
            "missing_attachments": result.missing_attachments,
        },
        "checkpoint": result.checkpoint.as_dict(),
        "verification": VERIFICATION,
    }


def _audit_success(
    runtime: Runtime, tenant: Tenant, request: ExportRequest, selection: Selection, result: ExportResult,
    folder: OutputFolder,
) -> None:  # fmt: skip
    detail = {
        "format": result.format.value,
        "selection": selection.describe(),
        "path": str(result.path),
        "events": result.events,
        "conversations": result.conversations,
        "attachments": result.attachments,
        "missing_attachments": result.missing_attachments,
        "manifest_sha256": result.manifest_sha256,
        "checkpoint_seq": result.checkpoint.seq,
    }
    try:
        with transaction(runtime.sessions) as session:
            audit.record(
                session, tenant_id=tenant.id, actor=request.actor, user_id=request.user_id, action="export",
                object_type=selection.kind.value, object_id=selection.object_id, detail=detail,
            )  # fmt: skip
    except Exception:
        folder.remove_committed()  # an export nobody can trace must not be handed over
        raise


def _audit_failure(
    runtime: Runtime, tenant: Tenant, request: ExportRequest, selection: Selection, export_format: ExportFormat,
    error: Exception,
) -> None:  # fmt: skip
    detail = {"format": export_format.value, "selection": selection.describe(), "error": type(error).__name__}
    try:
        with transaction(runtime.sessions) as session:
            audit.record(
                session, tenant_id=tenant.id, actor=request.actor, user_id=request.user_id, action="export",
                object_type=selection.kind.value, object_id=selection.object_id, outcome="failed", detail=detail,
            )  # fmt: skip
    except Exception:  # noqa: S110 - the export's own error is the one to report
        pass
