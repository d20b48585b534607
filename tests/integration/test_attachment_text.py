"""The `attachment.extract` job end to end, on SQLite and PostgreSQL: archive, extract, alert, search."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from atalaia.db.engine import transaction
from atalaia.db.models import Attachment, AttachmentText, Job
from atalaia.domain.events import AttachmentRef
from atalaia.extract import Extraction, ExtractionStatus, Limits
from atalaia.jobs.extraction import KIND
from atalaia.jobs.queue import ClaimedJob
from atalaia.jobs.worker import run_once
from atalaia.runtime import Runtime
from atalaia.search import search
from atalaia.services.attachment_text import extract_attachment
from atalaia.services.compliance import backfill, import_policies
from tests.attachment_files import docx, need_tesseract, pdf, png
from tests.compliance_story import POLICIES, Story, build_story, said

CPF = "529.982.247-25"


@pytest.fixture
def story(runtime: Runtime) -> Story:
    return build_story(runtime)


def send(story: Story, name: str, content: bytes, *, text: str = "segue o arquivo", mime: str | None = None) -> int:
    """Archive one outbound message carrying this file; returns the attachment's id."""
    ref = AttachmentRef(file_name=name, mime_type=mime, content=content)
    story.archive([said(f"wamid.{name}", text, attachments=(ref,))])
    with story.runtime.sessions() as session:
        return session.execute(select(Attachment.id).where(Attachment.file_name == name)).scalar_one()


def drain(runtime: Runtime) -> None:
    for _ in range(20):
        if not run_once(runtime):
            return
    raise AssertionError("the queue never emptied")


def stored_text(story: Story, attachment_id: int) -> AttachmentText:
    with story.runtime.sessions() as session:
        return session.execute(select(AttachmentText).where(AttachmentText.attachment_id == attachment_id)).scalar_one()


def extraction_jobs(story: Story) -> list[Job]:
    with story.runtime.sessions() as session:
        return list(session.execute(select(Job).where(Job.kind == KIND).order_by(Job.id)).scalars())


def test_a_cpf_inside_a_pdf_raises_an_alert_from_the_attachment_text(story: Story) -> None:
    attachment_id = send(story, "contrato.pdf", pdf("Contrato de prestação de serviços", f"CPF do titular: {CPF}"))
    assert story.alerts() == []  # the message's own text is clean; the file waits for its job

    drain(story.runtime)

    row = stored_text(story, attachment_id)
    assert (row.status, row.kind, row.truncated) == ("done", "pdf", False)
    assert CPF in (row.text or "")
    assert row.chars == len(row.text or "")
    [alert] = story.alerts()
    [hit] = story.hits(alert.id)
    assert (alert.policy, hit.detector, hit.source) == ("dados-pessoais", "cpf", "attachment_text")
    assert hit.detail == "text of contrato.pdf"
    assert CPF not in hit.match  # redacted, as every hit
    assert [job.status for job in extraction_jobs(story)] == ["done"]


def test_a_cpf_in_a_photo_is_found_by_ocr(story: Story) -> None:
    need_tesseract()
    attachment_id = send(story, "IMG-20240301-WA0003.jpg", png("Documento do cliente", f"CPF {CPF}"))

    drain(story.runtime)

    row = stored_text(story, attachment_id)
    assert (row.status, row.kind) == ("done", "png")  # named .jpg, read by its bytes
    [alert] = story.alerts()
    assert [(h.detector, h.source) for h in story.hits(alert.id)] == [("cpf", "attachment_text")]


def test_a_word_only_in_an_attachment_is_found_by_search(story: Story) -> None:
    send(story, "proposta.docx", docx("Proposta comercial", "Emissão de debêntures conversíveis"))
    drain(story.runtime)

    with transaction(story.runtime.sessions) as session:
        results = search(session, tenant_id=story.tenant.id, query="debentures", actor="test")
    [hit] = results.hits
    assert hit.matched_in == "attachment_text"
    assert "[debêntures]" in hit.snippet
    assert hit.text == "segue o arquivo"


def test_a_corrupt_file_is_recorded_once_and_never_retried(story: Story) -> None:
    attachment_id = send(story, "boleto.pdf", b"%PDF-1.4\nthis is not a pdf at all\n")

    drain(story.runtime)

    row = stored_text(story, attachment_id)
    assert (row.status, row.kind, row.text) == ("failed", "pdf", None)
    assert row.reason
    [job] = extraction_jobs(story)
    assert (job.status, job.attempts) == ("done", 1)
    assert story.alerts() == []


def claimed(story: Story, attachment_id: int) -> ClaimedJob:
    return ClaimedJob(id=0, tenant_id=story.tenant.id, kind=KIND, payload={"attachment_id": attachment_id}, attempts=1)


def test_a_file_past_its_time_limit_is_recorded_as_timed_out(story: Story) -> None:
    attachment_id = send(story, "lento.pdf", pdf(f"CPF {CPF}"))

    extract_attachment(story.runtime, claimed(story, attachment_id), limits=Limits(seconds=0.01, kill_grace=0.0))

    row = stored_text(story, attachment_id)
    assert (row.status, row.reason) == ("timeout", "took longer than 0.01 s")
    assert story.alerts() == []


def test_a_stored_file_over_the_size_bound_is_not_even_read(story: Story) -> None:
    attachment_id = send(story, "grande.pdf", pdf("x" * 500))

    def never(_data: bytes, _limits: Limits) -> Extraction:
        raise AssertionError("the bytes should not have been read")

    extract_attachment(
        story.runtime, claimed(story, attachment_id), limits=Limits(max_input_bytes=100), extractor=never
    )

    assert stored_text(story, attachment_id).status == "too_large"


def test_ocr_unavailable_is_tried_again_and_a_finished_file_is_not(story: Story) -> None:
    attachment_id = send(story, "foto.png", b"fake image bytes")
    calls: list[bytes] = []

    def unavailable(data: bytes, _limits: Limits) -> Extraction:
        calls.append(data)
        return Extraction(ExtractionStatus.UNAVAILABLE, kind="png", reason="tesseract is not installed")

    def found(data: bytes, _limits: Limits) -> Extraction:
        calls.append(data)
        return Extraction(ExtractionStatus.DONE, kind="png", text=f"CPF {CPF}")

    job = claimed(story, attachment_id)
    extract_attachment(story.runtime, job, extractor=unavailable)
    assert stored_text(story, attachment_id).status == "unavailable"
    extract_attachment(story.runtime, job, extractor=found)  # e.g. after apt-get install tesseract-ocr-por
    assert stored_text(story, attachment_id).status == "done"
    extract_attachment(story.runtime, job, extractor=found)  # a retried job: nothing to do
    assert calls == [b"fake image bytes", b"fake image bytes"]
    [alert] = story.alerts()
    assert alert.hit_count == 1


def test_a_later_policy_run_back_over_the_archive_reads_extracted_text(runtime: Runtime) -> None:
    quiet = build_story(runtime, policies=None)
    attachment_id = send(quiet, "clientes.pdf", pdf(f"Cliente Ana, CPF {CPF}"))
    drain(runtime)
    assert stored_text(quiet, attachment_id).status == "done"
    assert quiet.alerts() == []  # no policy yet

    with transaction(runtime.sessions) as session:
        import_policies(session, tenant_id=quiet.tenant.id, yaml_text=POLICIES, actor="ana@exemplo.com.br")
    result = backfill(runtime.sessions, tenant_id=quiet.tenant.id)

    assert result.new_alerts == 1
    [alert] = quiet.alerts()
    assert [h.source for h in quiet.hits(alert.id)] == ["attachment_text"]
