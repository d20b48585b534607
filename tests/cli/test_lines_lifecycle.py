"""`atalaia lines list|reassign|retire`: a line changes hands or retires and keeps its archive.

Story: Bruno held the sales line; he moves to another job and Carla takes it over. Months later
the number is retired. Every message stays archived and stays Bruno's or Carla's by date.
"""

from __future__ import annotations

import json

from pydantic import SecretStr
from sqlalchemy import select

from atalaia.connectors.cloud_api.signature import sign
from atalaia.db.models import LineAssignment, Message
from atalaia.runtime import Runtime
from atalaia.services.ingest import receive_cloud
from atalaia.settings import Settings
from tests.cli.conftest import Invoke, json_of

NUMBER = "+5521999990000"


def add_sales_line(atalaia: Invoke) -> None:
    atalaia("lines", "add", "--number", NUMBER, "--provider", "cloud", "--phone-number-id", "1065",
            "--team", "Vendas", "--employee", "bruno@exemplo.com.br", "--json")  # fmt: skip


def assignments(runtime: Runtime) -> list[tuple[str, bool]]:
    with runtime.sessions() as session:
        rows = session.execute(select(LineAssignment).order_by(LineAssignment.id)).scalars().all()
        return [(str(r.employee_id), r.ended_at is None) for r in rows]


def test_a_line_is_listed_reassigned_and_keeps_who_held_it_when(atalaia: Invoke, runtime: Runtime) -> None:
    add_sales_line(atalaia)
    assert assignments(runtime) == [("1", True)]

    moved = json_of(atalaia("lines", "reassign", "--number", "+55 21 99999-0000", "--employee", "Carla@Exemplo.com.br",
                            "--employee-name", "Carla Dias", "--json"))  # fmt: skip
    listed = json_of(atalaia("lines", "list", "--json"))

    assert moved == {"id": 1, "number": NUMBER, "previous": "bruno@exemplo.com.br", "employee": "carla@exemplo.com.br"}
    assert [(r["number"], r["employee"], r["team"], r["status"]) for r in listed] == [
        (NUMBER, "Carla Dias", "Vendas", "pending")
    ]
    assert assignments(runtime) == [("1", False), ("2", True)]  # Bruno's period closed, Carla's open
    again = atalaia("lines", "reassign", "--number", NUMBER, "--employee", "carla@exemplo.com.br", expect=2)
    assert "already assigned" in again.stderr


def test_a_retired_line_keeps_its_archive_and_captures_nothing_more(
    atalaia: Invoke, runtime: Runtime, settings: Settings
) -> None:
    add_sales_line(atalaia)
    secret = "segredo"
    rt = Runtime.from_settings(settings.model_copy(update={"cloud_app_secret": SecretStr(secret)}), migrate=False)

    def deliver(message_id: str) -> object:
        value = {"messaging_product": "whatsapp", "metadata": {"display_phone_number": "5521999990000",
                                                               "phone_number_id": "1065"},
                 "messages": [{"from": "5511977776666", "id": message_id, "timestamp": "1709302000", "type": "text",
                               "text": {"body": "oi"}}]}  # fmt: skip
        body = json.dumps({"entry": [{"changes": [{"field": "messages", "value": value}]}]}).encode()
        return receive_cloud(rt, body=body, headers={"X-Hub-Signature-256": sign(body=body, app_secret=secret)})

    deliver("wamid.BEFORE")
    retired = json_of(atalaia("lines", "retire", "--number", NUMBER, "--reason", "número devolvido", "--json"))
    after = deliver("wamid.AFTER")
    rt.close()

    assert retired == {"id": 1, "number": NUMBER, "status": "retired"}
    with runtime.sessions() as session:
        assert list(session.execute(select(Message.provider_message_id)).scalars()) == ["wamid.BEFORE"]
    assert any("retired" in p for p in after.problems)  # type: ignore[attr-defined]
    assert assignments(runtime) == [("1", False)]
    assert "already retired" in atalaia("lines", "retire", "--number", NUMBER, "--reason", "x", expect=2).stderr
    assert "is retired" in atalaia("lines", "reassign", "--number", NUMBER, "--employee", "c@x.com", expect=2).stderr


def test_bad_input_is_explained(atalaia: Invoke) -> None:
    assert "no line" in atalaia("lines", "retire", "--number", "+5511900000000", "--reason", "x", expect=2).stderr
    add_sales_line(atalaia)
    assert "--reason" in atalaia("lines", "retire", "--number", NUMBER, "--reason", "  ", expect=2).output
    assert json_of(atalaia("lines", "list", "--json"))[0]["status"] == "pending"  # nothing changed


def test_gaps_are_listed_with_how_to_fill_them(atalaia: Invoke, runtime: Runtime) -> None:
    from datetime import UTC, datetime, timedelta

    from atalaia.db.engine import transaction
    from atalaia.db.models import CaptureGap

    add_sales_line(atalaia)
    since = datetime(2026, 11, 25, 12, tzinfo=UTC)
    with transaction(runtime.sessions) as session:
        session.add(CaptureGap(tenant_id=1, line_id=1, reason="silence", started_at=since,
                               detected_at=since + timedelta(hours=3), expected_messages=12))  # fmt: skip

    listed = json_of(atalaia("lines", "gaps", "--open", "--json"))
    text = atalaia("lines", "gaps").stdout

    assert listed == [{"line": NUMBER, "reason": "silence", "from": since.isoformat(), "to": None,
                       "expected_messages": 12}]  # fmt: skip
    assert f"atalaia import EXPORTACAO.zip --line {NUMBER}" in text
