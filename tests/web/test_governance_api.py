"""`/api/v1/holds` and `/api/v1/subject-requests`: compliance places and releases holds, auditors read.

Managers get nothing of either: a hold or a request names people across every team.
"""

from __future__ import annotations

from tests.web.export_desk import Desk, desk

__all__ = ["desk"]


def test_ana_places_and_releases_a_hold_and_the_auditor_reads_it(desk: Desk) -> None:
    body = {"conversation": desk.story.maria_chat, "reason": "Processo 123-45.2024", "until": "2030-12-31"}
    placed = desk.client.post("/api/v1/holds", json=body, headers=desk.bearer("ana"))
    assert placed.status_code == 201, placed.text
    hold = placed.json()
    assert (hold["scope"], hold["target"], hold["owner"], hold["active"]) == (
        "conversation", str(desk.story.maria_chat), "ana@exemplo.com.br", True,
    )  # fmt: skip
    listed = desk.client.get("/api/v1/holds?active=true", headers=desk.bearer("davi")).json()["holds"]
    assert [h["id"] for h in listed] == [hold["id"]]

    released = desk.client.post(f"/api/v1/holds/{hold['id']}/release", json={"reason": "Processo arquivado"},
                                headers=desk.bearer("ana"))  # fmt: skip
    assert released.status_code == 200
    assert (released.json()["active"], released.json()["release_reason"]) == (False, "Processo arquivado")
    again = desk.client.post(f"/api/v1/holds/{hold['id']}/release", json={"reason": "de novo"},
                             headers=desk.bearer("ana"))  # fmt: skip
    assert again.status_code == 409
    assert desk.client.get("/api/v1/holds?active=true", headers=desk.bearer("ana")).json() == {"holds": []}
    assert [e.action for e in desk.story.audit("hold_added")] == ["hold_added"]
    assert [e.action for e in desk.story.audit("hold_released")] == ["hold_released"]


def test_managers_and_auditors_cannot_place_holds_and_managers_cannot_read_them(desk: Desk) -> None:
    body = {"phone": "+5521988887777", "reason": "tentativa"}
    assert desk.client.post("/api/v1/holds", json=body, headers=desk.bearer("bruno")).status_code == 403
    assert desk.client.post("/api/v1/holds", json=body, headers=desk.bearer("davi")).status_code == 403
    assert desk.client.get("/api/v1/holds", headers=desk.bearer("bruno")).status_code == 403
    assert desk.client.get("/api/v1/subject-requests", headers=desk.bearer("carla")).status_code == 403
    assert desk.client.get("/api/v1/holds", headers=desk.bearer("ana")).json() == {"holds": []}


def test_bad_hold_bodies_get_the_error_envelope(desk: Desk) -> None:
    cases = [
        ({"reason": "sem alvo"}, 422),
        ({"phone": "+5521988887777", "line": "+5521999990000", "reason": "dois alvos"}, 422),
        ({"phone": "+5521988887777", "reason": "   "}, 422),
        ({"conversation": 999_999, "reason": "inexistente"}, 404),
        ({"query": "x" * 501, "reason": "longa"}, 422),
        ({"employee": "ninguem@exemplo.com.br", "reason": "inexistente"}, 404),
        ({"phone": "+5521988887777", "reason": "datas", "starts": "2030-01-02", "until": "2030-01-01"}, 422),
        ({"phone": "<script>alert(1)</script>", "reason": "hostil"}, 422),
    ]
    for body, status in cases:
        answer = desk.client.post("/api/v1/holds", json=body, headers=desk.bearer("ana"))
        assert answer.status_code == status, (body, answer.text)
        assert answer.json()["ok"] is False
    assert desk.client.post("/api/v1/holds/999/release", json={"reason": "x"},
                            headers=desk.bearer("ana")).status_code == 404  # fmt: skip
    assert desk.client.get("/api/v1/holds", headers=desk.bearer("ana")).json() == {"holds": []}
