"""`/api/v1/exports`: 202 with a job, followed to done by the real worker, downloaded with its hash; scoped."""

from __future__ import annotations

import hashlib

from tests.export_jobs_story import manifest_problems, unzip
from tests.web.export_desk import Desk, desk

__all__ = ["desk"]


def test_a_case_export_is_accepted_run_and_downloaded_with_its_hash(desk: Desk) -> None:
    body = {"kind": "ediscovery", "selection": {"case": desk.story.case}, "format": "rsmf"}
    accepted = desk.client.post("/api/v1/exports", json=body, headers=desk.bearer("ana"))
    assert accepted.status_code == 202, accepted.text
    job = accepted.json()
    assert (job["status"], job["download_url"], job["selection"]) == ("queued", None, {"case": desk.story.case})

    desk.run_worker()

    done = desk.client.get(f"/api/v1/exports/{job['id']}", headers=desk.bearer("ana")).json()
    assert done["status"] == "done"
    assert done["progress"]["done"] == done["progress"]["total"] > 0
    assert done["download_url"] == f"/api/v1/exports/{job['id']}/download"
    file = desk.client.get(done["download_url"], headers=desk.bearer("ana"))
    assert file.status_code == 200
    assert file.headers["content-type"] == "application/zip"
    assert file.headers["x-atalaia-sha256"] == hashlib.sha256(file.content).hexdigest() == done["sha256"]
    assert f"atalaia-exportacao-{job['id']}-rsmf.zip" in file.headers["content-disposition"]
    archive = unzip(file.content)
    assert manifest_problems(archive) == []
    assert hashlib.sha256(archive.read("manifest.json")).hexdigest() == done["manifest_sha256"]
    listed = desk.client.get("/api/v1/exports", headers=desk.bearer("ana")).json()["exports"]
    assert [row["id"] for row in listed] == [job["id"]]


def test_another_teams_manager_cannot_create_see_or_download(desk: Desk) -> None:
    story = desk.story
    for selection in ({"conversation": story.maria_chat}, {"case": story.case}, {"line": "+5521999990000"}):
        refused = desk.client.post("/api/v1/exports", json={"selection": selection, "format": "jsonl"},
                                   headers=desk.bearer("carla"))  # fmt: skip
        assert refused.status_code == 404
        assert refused.json()["ok"] is False
    body = {"selection": {"conversation": story.maria_chat}, "format": "jsonl"}
    bruno = desk.client.post("/api/v1/exports", json=body, headers=desk.bearer("bruno")).json()
    desk.run_worker()

    for path in (f"/api/v1/exports/{bruno['id']}", f"/api/v1/exports/{bruno['id']}/download"):
        answer = desk.client.get(path, headers=desk.bearer("carla"))
        assert answer.status_code == 404
        assert answer.json() == {"ok": False, "error": "exportação não encontrada", "status": 404}
    assert desk.client.get("/api/v1/exports", headers=desk.bearer("carla")).json() == {"exports": []}
    assert desk.client.get(f"/api/v1/exports/{bruno['id']}/download", headers=desk.bearer("davi")).status_code == 200
    assert desk.client.get(f"/api/v1/exports/{bruno['id']}/download").status_code == 401
    denied = {(e.actor, e.outcome) for e in story.audit("export_requested")} | {
        (e.actor, e.outcome) for e in story.audit("read_export")
    }
    assert ("carla@exemplo.com.br", "denied") in denied


def test_bad_bodies_get_the_error_envelope(desk: Desk) -> None:
    cases = [
        ({"selection": {"case": desk.story.case}, "format": "docx"}, 422, "formato desconhecido"),
        ({"selection": {"case": 999_999}, "format": "rsmf"}, 404, "caso não encontrado"),
        ({"selection": {"query": "x" * 501}, "format": "rsmf"}, 422, "dados inválidos"),
        ({"selection": {"query": "a b", "case": 1}}, 422, "exatamente um"),
        ({"selection": {"line": "../../etc/passwd"}}, 404, "linha não encontrada"),
        ({"selection": {"case": 1}, "kind": "tudo"}, 422, "dados inválidos"),
        ({"selection": {"case": 1}, "path": "/tmp/x"}, 422, "dados inválidos"),
        ({"selection": {"phone": "+5521988887777"}}, 422, "subject_access"),
        ({"kind": "subject_access", "selection": {"case": 1}, "reason": "x"}, 422, "selection.phone"),
    ]
    for body, status, message in cases:
        answer = desk.client.post("/api/v1/exports", json=body, headers=desk.bearer("ana"))
        assert answer.status_code == status, (body, answer.text)
        assert answer.json()["ok"] is False
        assert message in answer.json()["error"], (body, answer.json())
    assert desk.client.get("/api/v1/exports/abc", headers=desk.bearer("ana")).status_code == 422
    assert desk.client.get(f"/api/v1/exports/{2**70}", headers=desk.bearer("ana")).status_code == 422
    assert desk.client.get("/api/v1/exports", headers=desk.bearer("ana")).json() == {"exports": []}


def test_a_subject_access_export_through_the_api_is_registered(desk: Desk) -> None:
    body = {"kind": "subject_access", "selection": {"phone": "+5521988887777"}, "reason": "Protocolo 99"}
    assert desk.client.post("/api/v1/exports", json=body, headers=desk.bearer("bruno")).status_code == 403
    accepted = desk.client.post("/api/v1/exports", json=body, headers=desk.bearer("ana"))
    assert accepted.status_code == 202, accepted.text
    desk.run_worker()
    done = desk.client.get(f"/api/v1/exports/{accepted.json()['id']}", headers=desk.bearer("ana")).json()
    assert (done["status"], done["format"], done["selection"]) == ("done", "zip", {"phone": "+55*******7777"})
    register = desk.client.get("/api/v1/subject-requests", headers=desk.bearer("ana")).json()["requests"]
    assert [(r["kind"], r["status"], r["id"]) for r in register] == [("access", "done", done["subject_request_id"])]
