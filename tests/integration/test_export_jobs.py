"""Export jobs end to end on both databases: asked for, run by the real worker, downloaded, expired.

Stories: Ana (compliance) exports a case to RSMF and gets a ZIP whose manifest verifies; the
worker writes progress to the row; the expiry check deletes the file and says so in the audit
log; Carla (manager of Suporte) can neither export nor download anything of Vendas; hostile
selections, formats and stored paths are refused with clear errors and nothing is left behind.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from atalaia.db.engine import transaction
from atalaia.db.models import ExportJob, Job, SubjectRequest, User
from atalaia.errors import Forbidden, InvalidInput, NotFound
from atalaia.jobs.worker import run_once, run_periodic_checks
from atalaia.search import SearchQueryError
from atalaia.services.export_jobs import (
    ExportExpired,
    ExportNotReady,
    create_export_job,
    expire_exports,
    open_access_request,
    open_download,
)
from atalaia.services.export_jobs.runner import RowProgress
from atalaia.services.export_jobs.storage import exports_root
from tests.conftest import ArchiveSetup
from tests.export_jobs_story import Story, build_story, manifest_problems, unzip
from tests.rsmf_check import container_problems, open_rsmf
from tests.rsmf_check import manifest_problems as rsmf_problems


@pytest.fixture
def story(archive_setup: ArchiveSetup) -> Story:
    return build_story(archive_setup)


def ask(story: Story, who: str, selection: dict[str, object], fmt: str = "rsmf") -> int:
    """As the console and the API do: a NotFound is answered, so its audit entry commits."""
    refused: NotFound | None = None
    with transaction(story.setup.runtime.sessions) as session:
        try:
            return create_export_job(session, principal=story.principal(who), selection=selection, fmt=fmt).id
        except NotFound as exc:
            refused = exc
    raise refused


def run_all(story: Story) -> None:
    while run_once(story.setup.runtime, worker="test"):
        pass


def download(story: Story, who: str, job_id: int) -> bytes:
    refused: NotFound | None = None
    with transaction(story.setup.runtime.sessions) as session:
        try:
            found = open_download(session, principal=story.principal(who), job_id=job_id,
                                  home=story.setup.runtime.settings.home)  # fmt: skip
        except NotFound as exc:
            refused = exc
    if refused is not None:
        raise refused
    return found.path.read_bytes()


def test_a_case_exported_to_rsmf_by_the_worker_is_a_zip_whose_manifest_verifies(story: Story) -> None:
    job_id = ask(story, "ana", {"case": story.case})
    assert story.job(job_id).status == "queued"

    run_all(story)

    job = story.job(job_id)
    assert job.status == "done", job.error
    data = download(story, "ana", job_id)

    assert hashlib.sha256(data).hexdigest() == job.sha256
    archive = unzip(data)
    assert manifest_problems(archive) == []
    assert hashlib.sha256(archive.read("manifest.json")).hexdigest() == job.manifest_sha256
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["selection"]["kind"] == "case"
    assert manifest["actor"] == "ana@exemplo.com.br"
    assert manifest["checkpoint"]["seq"] == job.checkpoint_seq
    (rsmf_name,) = [n for n in archive.namelist() if n.endswith(".rsmf")]
    package = open_rsmf(archive.read(rsmf_name))
    assert container_problems(package.message) == []
    assert rsmf_problems(package.manifest, set(package.archive.namelist()) - {"rsmf_manifest.json"}) == []
    # progress: every message of Maria's chat, counted by the worker as it wrote them
    assert job.progress_total == job.progress_done == manifest["counts"]["events"] > 0
    assert job.expires_at is not None
    assert job.finished_at is not None
    assert job.expires_at - job.finished_at == timedelta(days=story.setup.runtime.settings.export_expiry_days)
    assert [e.outcome for e in story.audit("export_requested")] == ["ok"]
    assert [e.actor for e in story.audit("export")] == ["ana@exemplo.com.br"]
    assert [e.object_id for e in story.audit("export_download")] == [str(job_id)]
    assert not list((exports_root(story.setup.runtime.settings.home) / str(job.tenant_id)).glob(".*"))


def test_progress_is_written_to_the_row_and_renews_the_job_claim(story: Story) -> None:
    job_id = ask(story, "bruno", {"conversation": story.maria_chat}, "jsonl")
    runtime = story.setup.runtime
    long_ago = datetime.now(UTC) - timedelta(hours=1)
    with transaction(runtime.sessions) as session:
        queue_row = session.execute(select(Job).where(Job.kind == "export.run")).scalar_one()
        queue_row.status, queue_row.claimed_at = "running", long_ago
        queue_id = queue_row.id

    progress = RowProgress(runtime, export_id=job_id, job_id=queue_id)
    progress.start(1200)
    progress.advance(500)
    progress.advance(500)

    job = story.job(job_id)
    assert (job.progress_done, job.progress_total) == (1000, 1200)
    with runtime.sessions() as session:
        claimed = session.get_one(Job, queue_id).claimed_at
    assert claimed is not None
    assert claimed > long_ago


def test_the_expiry_check_deletes_the_file_and_marks_the_row_expired_audited(story: Story) -> None:
    job_id = ask(story, "ana", {"conversation": story.maria_chat}, "csv")
    run_all(story)
    runtime = story.setup.runtime
    job = story.job(job_id)
    path = exports_root(runtime.settings.home) / str(job.result_path)
    assert path.is_file()

    assert expire_exports(runtime) == 0  # not yet due
    assert path.is_file()
    with transaction(runtime.sessions) as session:
        session.execute(update(ExportJob).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    with pytest.raises(ExportExpired):  # due, not yet swept: refused all the same
        download(story, "ana", job_id)
    run_periodic_checks(runtime)  # the worker's clock-driven checks

    assert not path.exists()
    assert story.job(job_id).status == "expired"
    (entry,) = story.audit("export_expired")
    assert (entry.actor, entry.object_id, entry.detail) == ("system", str(job_id), {"sha256": job.sha256})
    with pytest.raises(ExportExpired):
        download(story, "ana", job_id)


def test_a_manager_of_another_team_can_neither_export_nor_download_vendas(story: Story) -> None:
    for selection in ({"conversation": story.maria_chat}, {"case": story.case}, {"line": "+5521999990000"}):
        with pytest.raises(NotFound):
            ask(story, "carla", selection)
    assert len(story.audit("export_requested")) == 3  # each refusal committed as evidence
    assert {e.outcome for e in story.audit("export_requested")} == {"denied"}
    with pytest.raises(Forbidden):
        ask(story, "bruno", {"query": "desconto"})  # a search spans every team
    job_id = ask(story, "bruno", {"line": "+5521999990000"}, "jsonl")
    run_all(story)
    assert story.job(job_id).status == "done"

    with pytest.raises(NotFound):
        download(story, "carla", job_id)
    with pytest.raises(NotFound):
        download(story, "ana", job_id)  # compliance, but not the requester
    assert download(story, "davi", job_id)  # the auditor may
    assert download(story, "rui", job_id)  # so may an administrator
    assert download(story, "bruno", job_id)
    outcomes = [(e.actor, e.outcome) for e in story.audit("read_export")]
    assert outcomes == [("carla@exemplo.com.br", "denied"), ("ana@exemplo.com.br", "denied")]
    # carla's own team is hers to export
    assert story.job(ask(story, "carla", {"conversation": story.paulo_chat})).status == "queued"


def test_a_requester_moved_off_the_team_before_the_run_gets_nothing(story: Story) -> None:
    job_id = ask(story, "bruno", {"conversation": story.maria_chat}, "jsonl")
    with transaction(story.setup.runtime.sessions) as session:
        session.execute(update(User).where(User.id == story.user_ids["bruno"]).values(is_active=False))

    run_all(story)

    job = story.job(job_id)
    assert (job.status, job.result_path) == ("failed", None)
    assert "não está mais ativo" in (job.error or "")


@pytest.mark.parametrize(
    ("selection", "fmt", "error", "message"),
    [
        ({"case": 999_999}, "rsmf", NotFound, "caso não encontrado"),
        ({"conversation": -1}, "rsmf", InvalidInput, "inválido"),
        ({"conversation": "1; DROP TABLE"}, "rsmf", InvalidInput, "inválido"),
        ({"case": 2**70}, "rsmf", InvalidInput, "inválido"),
        ({"line": "../../etc/passwd"}, "rsmf", NotFound, "linha não encontrada"),
        ({"line": "+55" + "9" * 100}, "rsmf", InvalidInput, "longo demais"),
        ({"query": "propina " * 100}, "rsmf", InvalidInput, "no máximo 500"),
        ({"query": '"aberta'}, "rsmf", SearchQueryError, "aspas sem par"),
        ({"case": 1, "line": "+5521999990000"}, "rsmf", InvalidInput, "exatamente um"),
        ({"path": "/etc"}, "rsmf", InvalidInput, "desconhecida"),
        ({}, "rsmf", InvalidInput, "exatamente um"),
        ({"conversation": 1}, "docx", InvalidInput, "formato desconhecido"),
        ({"conversation": 1}, "../../x", InvalidInput, "formato desconhecido"),
    ],
)
def test_hostile_requests_are_refused_clearly_and_queue_nothing(
    story: Story, selection: dict[str, object], fmt: str, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        ask(story, "ana", selection, fmt)
    with story.setup.runtime.sessions() as session:
        assert session.execute(select(ExportJob)).first() is None
        assert session.execute(select(Job).where(Job.kind == "export.run")).first() is None


def test_a_row_pointing_outside_the_exports_folder_is_never_served_nor_deleted(story: Story, tmp_path: Path) -> None:
    job_id = ask(story, "ana", {"conversation": story.maria_chat}, "jsonl")
    run_all(story)
    runtime = story.setup.runtime
    secret = runtime.settings.home / "secret-outside.txt"
    secret.write_text("não sirva isto")
    for trick in ("../secret-outside.txt", str(secret), "1/../../secret-outside.txt", ""):
        with transaction(runtime.sessions) as session:
            session.execute(update(ExportJob).where(ExportJob.id == job_id).values(result_path=trick))
        with pytest.raises(NotFound):
            download(story, "ana", job_id)
    with transaction(runtime.sessions) as session:
        session.execute(update(ExportJob).values(result_path="../secret-outside.txt",
                                                 expires_at=datetime.now(UTC) - timedelta(days=1)))  # fmt: skip
    expire_exports(runtime)
    assert secret.read_text() == "não sirva isto"


def test_a_search_that_finds_nothing_fails_with_the_reason_and_leaves_no_file(story: Story) -> None:
    job_id = ask(story, "ana", {"query": "xilofone"}, "jsonl")
    with pytest.raises(ExportNotReady):
        download(story, "ana", job_id)

    run_all(story)

    job = story.job(job_id)
    assert job.status == "failed"
    assert "nada a exportar" in (job.error or "")
    with pytest.raises(ExportNotReady, match="falhou"):
        download(story, "ana", job_id)
    folder = exports_root(story.setup.runtime.settings.home) / str(job.tenant_id)
    assert list(folder.iterdir()) == []


def test_an_access_request_is_registered_exported_by_the_worker_and_closed(story: Story) -> None:
    runtime = story.setup.runtime
    with transaction(runtime.sessions) as session:
        job_id = open_access_request(session, principal=story.principal("ana"), phone="+55 21 98888-7777",
                                     reason="Protocolo 2024/17: pedido por e-mail").id  # fmt: skip
    with runtime.sessions() as session:
        request = session.execute(select(SubjectRequest)).scalar_one()
    assert (request.kind, request.status, request.subject) == ("access", "open", "+55*******7777")
    assert request.due_at - request.received_at == timedelta(days=15)

    run_all(story)

    job = story.job(job_id)
    assert job.status == "done", job.error
    assert job.selection == {"phone": "+55*******7777"}  # the number is not kept once the job is over
    archive = unzip(download(story, "ana", job_id))
    assert manifest_problems(archive) == []
    texts = archive.read("messages.jsonl").decode()
    assert "Pode mandar a proposta" in texts
    assert "Bom dia, equipe" not in texts  # João's group message is not Maria's
    with runtime.sessions() as session:
        closed = session.get_one(SubjectRequest, request.id)
    assert (closed.status, closed.completed_at is not None) == ("done", True)
    assert [e.outcome for e in story.audit("subject_access_requested")] == ["ok"]
    assert [e.outcome for e in story.audit("subject_export")] == ["ok"]


def test_access_requests_are_for_the_dpo_and_an_unknown_number_is_refused_and_audited(story: Story) -> None:
    runtime = story.setup.runtime
    for who in ("bruno", "davi"):
        with pytest.raises(Forbidden), transaction(runtime.sessions) as session:
            open_access_request(session, principal=story.principal(who), phone="+5521988887777", reason="x")
    with runtime.sessions() as session, session.begin(), pytest.raises(NotFound):
        open_access_request(session, principal=story.principal("ana"), phone="+5531900000000", reason="pedido")
    (entry,) = story.audit("subject_access_requested")
    assert (entry.outcome, entry.object_id) == ("failed", "+55*******0000")
    with pytest.raises(InvalidInput), transaction(runtime.sessions) as session:
        open_access_request(session, principal=story.principal("ana"), phone="<script>", reason="pedido")
    with pytest.raises(InvalidInput), transaction(runtime.sessions) as session:
        open_access_request(session, principal=story.principal("ana"), phone="+5521988887777", reason="  ")
    with runtime.sessions() as session:
        assert session.execute(select(ExportJob)).first() is None
        assert session.execute(select(SubjectRequest)).first() is None
