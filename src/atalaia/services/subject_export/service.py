"""`export_subject`: everything Atalaia holds about one data subject, as one audited ZIP (LGPD arts. 18, 19).

1. Check `--out`; find the subject's contact rows (an unknown number is an error, and audited,
   since someone asked about a person) and the conversations in scope (`scope.py`).
2. Sign a checkpoint: the messages exported are exactly those its signature covers.
3. Stream the conversations, batch by batch, into messages.jsonl, relatorio.html and, when
   reportlab is installed, the PDF transcript of `atalaia export`; each attachment decrypted once.
4. Write contacts, conversations, notices, alerts and reactions as JSON, the Portuguese
   LEIA-ME.txt and manifest.json (every file's SHA-256), zip it all, and audit the export with the
   ZIP's and the manifest's SHA-256; a failure leaves no file behind and is audited too.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from atalaia import __version__
from atalaia.db.engine import transaction
from atalaia.db.models import Tenant
from atalaia.errors import AtalaiaError
from atalaia.exports import ExportProgress
from atalaia.exports.checkpoint import CheckpointCut, cut_checkpoint
from atalaia.exports.jsonl import FILE_NAME as JSONL_NAME
from atalaia.exports.jsonl import JsonLinesWriter
from atalaia.exports.manifest import write_manifest
from atalaia.exports.output import OutputFolder
from atalaia.exports.reading import ArchiveReader
from atalaia.exports.records import utc_iso
from atalaia.exports.spool import JsonSpool
from atalaia.exports.writer import ExportContext, ExportWriter
from atalaia.runtime import Runtime
from atalaia.services import audit
from atalaia.services.subject_export.html_report import HtmlReport, table
from atalaia.services.subject_export.identity import Subject, find_subject
from atalaia.services.subject_export.json_files import write_json_array
from atalaia.services.subject_export.package import check_zip_target, pack
from atalaia.services.subject_export.readme import FILE_NAME as README_NAME
from atalaia.services.subject_export.readme import readme_text
from atalaia.services.subject_export.records import (
    alert_records,
    contact_record,
    conversation_records,
    notice_records,
    reaction_records,
)
from atalaia.services.subject_export.scope import SubjectScope, count_messages, own_message_ids, resolve_scope
from atalaia.services.subject_export.transcript import OnceAttachments, SubjectTranscript

GENERATOR: Final = f"Atalaia {__version__}"
ACTION: Final = "subject_export"
MESSAGES_NAME: Final = "messages.jsonl"
VERIFICATION: Final = (
    "Cada arquivo confere com o SHA-256 listado em files; cada mensagem está na cadeia de hashes até "
    "checkpoint.seq, cuja assinatura Ed25519 (checkpoint.signature) de checkpoint.signed_message verifica com "
    "checkpoint.public_key; o SHA-256 deste manifesto e o do ZIP estão no log de auditoria."
)


@dataclass(frozen=True, slots=True)
class SubjectExportRequest:
    phone: str  # a phone number or WhatsApp id, as typed
    out: Path  # the ZIP to create
    actor: str = "cli"
    user_id: int | None = None


@dataclass(frozen=True, slots=True)
class SubjectExportResult:
    path: Path
    counts: dict[str, int]  # messages, attachments, missing_attachments, conversations, contacts, notices, ...
    sha256: str  # of the ZIP
    manifest_sha256: str
    checkpoint: CheckpointCut

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            **self.counts,
            "sha256": self.sha256,
            "manifest_sha256": self.manifest_sha256,
            "checkpoint": self.checkpoint.as_dict(),
        }


def export_subject(
    runtime: Runtime, *, tenant: Tenant, request: SubjectExportRequest, progress: ExportProgress | None = None
) -> SubjectExportResult:
    target = check_zip_target(request.out)
    try:
        with runtime.sessions() as session:
            subject = find_subject(session, tenant_id=tenant.id, query=request.phone)
            scope = resolve_scope(session, tenant_id=tenant.id, contact_ids=subject.contact_ids)
            total = count_messages(session, tenant_id=tenant.id, scope=scope)
    except AtalaiaError as exc:
        _audit(runtime, tenant, request, object_id=request.phone.strip(), outcome="failed",
               detail={"error": type(exc).__name__})  # fmt: skip
        raise
    checkpoint = cut_checkpoint(runtime, tenant)
    staging = OutputFolder.create(target)
    missing = JsonSpool(staging.scratch)
    source = OnceAttachments(blobs=runtime.blobs, tenant_id=tenant.id, data_key=runtime.data_key(tenant),
                             missing=missing)  # fmt: skip
    try:
        if progress is not None:
            progress.start(total)
        counts = _write(runtime, tenant, subject, scope, staging, source, checkpoint, progress)
        header = _manifest_header(tenant, request, subject, counts, checkpoint)
        manifest_sha = write_manifest(staging.work, header=header, missing=missing)
        missing.close()
        zip_sha = pack(staging.work, target)
    except BaseException as exc:  # an interrupted export leaves nothing behind
        missing.close()
        staging.discard()
        if isinstance(exc, Exception):
            _audit(runtime, tenant, request, object_id=subject.label, outcome="failed",
                   detail={"error": type(exc).__name__, "contact_ids": list(subject.contact_ids)})  # fmt: skip
        raise
    staging.discard()
    result = SubjectExportResult(target, counts, zip_sha, manifest_sha, checkpoint)
    detail = {"path": str(target), "contact_ids": list(subject.contact_ids), **counts, "sha256": zip_sha,
              "manifest_sha256": manifest_sha, "checkpoint_seq": checkpoint.seq}  # fmt: skip
    try:
        _audit(runtime, tenant, request, object_id=subject.label, outcome="ok", detail=detail)
    except Exception:
        target.unlink(missing_ok=True)  # an export nobody can trace must not be handed over
        raise
    return result


def _pdf_writer(ctx: ExportContext) -> ExportWriter | None:
    """The eDiscovery PDF transcript when reportlab is installed; the HTML report stands alone without it."""
    try:
        from atalaia.exports.pdf import PdfWriter
    except ImportError:
        return None
    return PdfWriter(ctx)


def _write(
    runtime: Runtime, tenant: Tenant, subject: Subject, scope: SubjectScope, staging: OutputFolder,
    source: OnceAttachments, checkpoint: CheckpointCut, progress: ExportProgress | None,
) -> dict[str, int]:  # fmt: skip
    root = staging.work
    ctx = ExportContext(root=root, scratch=staging.scratch, tenant_slug=tenant.slug, tenant_name=tenant.name,
                        generator=GENERATOR, checkpoint=checkpoint, attachments=source)  # fmt: skip
    report = HtmlReport(root, staging.scratch, source)
    pdf = _pdf_writer(ctx)
    writers: list[ExportWriter] = [JsonLinesWriter(ctx), report, *([pdf] if pdf else [])]
    transcript = SubjectTranscript(
        writers=writers, attachments=source, company=tenant.name, progress=progress,
        subject_party_ids=frozenset(f"contact-{contact_id}" for contact_id in subject.contact_ids),
    )  # fmt: skip
    reader = ArchiveReader(sessions=runtime.sessions, tenant_id=tenant.id, checkpoint_seq=checkpoint.seq)
    exported: dict[int, int] = {}
    for conversation_id in scope.whole:
        conversation = reader.conversation(conversation_id)
        exported[conversation_id] = transcript.conversation(conversation, reader.batches(conversation), whole=True)
    for conversation_id in scope.own:
        conversation = reader.conversation(conversation_id)
        batches = (
            batch
            for ids in own_message_ids(runtime.sessions, conversation_id=conversation_id, contact_ids=scope.contact_ids)
            for batch in reader.batches(conversation, ids)
        )
        exported[conversation_id] = transcript.conversation(conversation, batches, whole=False)
    transcript.close()
    (root / JSONL_NAME).rename(root / MESSAGES_NAME)

    with runtime.sessions() as session:
        contacts = [contact_record(row) for row in subject.contacts]
        conversations = [
            {**row, "messages": exported.get(row["id"], 0)}
            for row in conversation_records(session, tenant_id=tenant.id, scope=scope)
        ]
        notices = notice_records(session, tenant_id=tenant.id, contact_ids=scope.contact_ids)
    counts = {
        "messages": transcript.messages,
        "attachments": source.exported,
        "missing_attachments": source.missing.count,
        "conversations": write_json_array(root / "conversations.json", conversations),
        "contacts": write_json_array(root / "contacts.json", contacts),
        "notices": write_json_array(root / "notices.json", notices),
    }
    report.begin_section("Avisos de gravação", "Os avisos de que a conversa é gravada enviados a você.",
                         NOTICE_COLUMNS)  # fmt: skip
    for notice in notices:
        report.row({**notice, "delivery": ", ".join(d["status"] for d in notice["delivery"])})
    report.end_section()
    report.begin_section("Alertas de conformidade", ALERTS_INTRO, ALERT_COLUMNS)
    counts["alerts"] = write_json_array(
        root / "alerts.json",
        _rows_to(report, alert_records(runtime.sessions, tenant_id=tenant.id, scope=scope), _alert_row),
    )
    report.end_section()
    report.begin_section("Suas reações em grupos", REACTIONS_INTRO, REACTION_COLUMNS)
    with runtime.sessions() as session:
        counts["reactions"] = write_json_array(
            root / "reactions.json", _rows_to(report, reaction_records(session, tenant_id=tenant.id, scope=scope))
        )
    report.end_section()
    pdf_files = sorted(path.name for path in root.glob("transcript-*.pdf"))
    report.finish(
        title=f"Dados pessoais mantidos por {tenant.name}",
        facts=_facts(tenant, subject, counts, checkpoint),
        prelude=_prelude(contacts, conversations, pdf_files),
    )
    (root / README_NAME).write_text(
        readme_text(company=tenant.name, subject=subject.label, created_at=utc_iso(datetime.now(UTC)), counts=counts,
                    pdf_files=pdf_files, checkpoint_seq=checkpoint.seq),
        encoding="utf-8",
    )  # fmt: skip
    return counts


NOTICE_COLUMNS: Final = (("created_at", "criado em"), ("line", "linha"), ("status", "situação"),
                         ("sent_at", "enviado em"), ("delivery", "entrega"), ("text", "texto"))  # fmt: skip
ALERTS_INTRO: Final = (
    "Alertas das políticas de conformidade da empresa ligados às suas mensagens, com a gravidade e a situação. "
    "O trecho que disparou cada alerta está mascarado em alerts.json; as anotações dos revisores não estão aqui."
)
ALERT_COLUMNS: Final = (("created_at", "criado em"), ("title", "política"), ("severity", "gravidade"),
                        ("status", "situação"), ("resolution", "conclusão"), ("hits", "ocorrências"))  # fmt: skip
REACTIONS_INTRO: Final = "Reações suas a mensagens de outras pessoas em grupos (a mensagem em si não é sua)."
REACTION_COLUMNS: Final = (("reacted_at", "em"), ("conversation_id", "conversa"), ("message_id", "mensagem"),
                           ("emoji", "reação"))  # fmt: skip


def _alert_row(alert: dict[str, Any]) -> dict[str, Any]:
    return {**alert, "hits": len(alert["hits"])}


def _rows_to(report: HtmlReport, items: Iterable[dict[str, Any]], shown: Any = None) -> Iterator[dict[str, Any]]:
    """Pass each item on to the JSON file while adding it to the report's current table."""
    for item in items:
        report.row(shown(item) if shown else item)
        yield item


def _facts(
    tenant: Tenant, subject: Subject, counts: dict[str, int], checkpoint: CheckpointCut
) -> list[tuple[str, object]]:
    return [
        ("Titular (telefone)", subject.label),
        ("Empresa", tenant.name),
        ("Gerado em (UTC)", utc_iso(datetime.now(UTC))),
        ("Mensagens", counts["messages"]),
        ("Anexos", counts["attachments"] + counts["missing_attachments"]),
        ("Conversas", counts["conversations"]),
        ("Avisos de gravação", counts["notices"]),
        ("Alertas", counts["alerts"]),
        ("Checkpoint assinado", f"nº {checkpoint.seq} ({checkpoint.head_hash})"),
    ]


CONTACT_COLUMNS: Final = (("phone", "telefone"), ("wa_id", "WhatsApp"), ("profile_name", "nome de perfil"),
                          ("lid", "LID"), ("bsuid", "BSUID"), ("email", "e-mail"), ("note", "observação"),
                          ("created_at", "desde"))  # fmt: skip
CONVERSATION_COLUMNS: Final = (("id", "nº"), ("kind", "tipo"), ("line", "linha da empresa"),
                               ("group_subject", "grupo"), ("messages", "mensagens"))  # fmt: skip


def _prelude(contacts: list[dict[str, Any]], conversations: list[dict[str, Any]], pdf_files: list[str]) -> str:
    pdf = f" A transcrição em PDF está em {', '.join(pdf_files)}." if pdf_files else ""
    return (
        "<p class='meta'>Este documento reúne o que o arquivo de WhatsApp da empresa guarda sobre você (LGPD, "
        "arts. 18 e 19). Os mesmos dados, completos e legíveis por máquina, estão nos arquivos JSON ao lado; "
        f"LEIA-ME.txt explica cada um.{pdf}</p>"
        f"<h2>Seu cadastro</h2>{table(contacts, CONTACT_COLUMNS)}"
        "<h2>Conversas</h2><p class='meta'>Conversas individuais: todas as mensagens. Grupos: só as suas.</p>"
        f"{table(conversations, CONVERSATION_COLUMNS)}"
    )


def _manifest_header(
    tenant: Tenant, request: SubjectExportRequest, subject: Subject, counts: dict[str, int], checkpoint: CheckpointCut
) -> dict[str, Any]:
    return {
        "kind": "lgpd_subject_export",
        "generator": GENERATOR,
        "created_at": utc_iso(datetime.now(UTC)),
        "tenant": {"id": tenant.id, "slug": tenant.slug, "name": tenant.name},
        "actor": request.actor,
        "user_id": request.user_id,
        "subject": {"query": request.phone, "numbers": list(subject.numbers), "contact_ids": list(subject.contact_ids)},
        "counts": counts,
        "checkpoint": checkpoint.as_dict(),
        "verification": VERIFICATION,
    }


def _audit(
    runtime: Runtime, tenant: Tenant, request: SubjectExportRequest, *, object_id: str, outcome: str,
    detail: dict[str, Any],
) -> None:  # fmt: skip
    with transaction(runtime.sessions) as session:
        audit.record(session, tenant_id=tenant.id, actor=request.actor, user_id=request.user_id, action=ACTION,
                     object_type="subject", object_id=object_id, outcome=outcome, detail=detail)  # fmt: skip
