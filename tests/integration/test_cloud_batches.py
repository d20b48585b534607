"""Cloud API bodies archived in batches: one transaction, exact per-body counts, poison isolated."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from atalaia.connectors.cloud_api.signature import sign
from atalaia.db.engine import transaction
from atalaia.db.models import Contact, JournalEntry, Message
from atalaia.runtime import Runtime
from atalaia.services.ingest import Delivery, receive_cloud_batch
from atalaia.services.lines import LineOverview, add_line, line_overview
from atalaia.settings import Settings
from tests.conftest import ArchiveSetup

SECRET = "segredo-do-app-meta"
SAMPLES = Path(__file__).parents[1] / "samples" / "cloud_api"


@pytest.fixture
def cloud_runtime(settings: Settings, archive_setup: ArchiveSetup) -> Iterator[Runtime]:
    runtime = Runtime.from_settings(settings.model_copy(update={"cloud_app_secret": SecretStr(SECRET)}), migrate=False)
    with transaction(runtime.sessions) as session:
        add_line(session, tenant_id=archive_setup.tenant.id, number="+55 11 98888-0000", provider="cloud",
                 phone_number_id="200000000000001", team="Suporte")  # fmt: skip
    yield runtime
    runtime.close()


def text_body(message_id: str, *, phone_number_id: str = "106540352242922", text: str = "bom dia") -> bytes:
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "5521999990000", "phone_number_id": phone_number_id},
        "contacts": [{"profile": {"name": "Cliente"}, "wa_id": "5511977776666"}],
        "messages": [{"from": "5511977776666", "id": message_id, "timestamp": "1709302000", "type": "text",
                      "text": {"body": text}}],
    }  # fmt: skip
    return envelope("messages", value)


def envelope(field: str, value: Mapping[str, Any]) -> bytes:
    change = {"field": field, "value": value}
    return json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [change]}]}).encode()


def signed(body: bytes, secret: str = SECRET) -> Delivery:
    return Delivery(body, {"X-Hub-Signature-256": sign(body=body, app_secret=secret)})


def message_count(runtime: Runtime) -> int:
    with runtime.sessions() as session:
        return int(session.execute(select(func.count()).select_from(Message)).scalar_one())


def test_a_batch_spanning_lines_counts_each_body_and_each_message_once(cloud_runtime: Runtime) -> None:
    first = text_body("wamid.A")
    batch = [
        signed(first),
        signed(text_body("wamid.B", phone_number_id="200000000000001")),
        signed(first),  # Meta's retry of the same body, in the same batch
        signed(text_body("wamid.C"), secret="forged"),
        Delivery(b"{not json", {"X-Hub-Signature-256": sign(body=b"{not json", app_secret=SECRET)}),
        signed(text_body("wamid.D", phone_number_id="999")),
    ]
    outcomes = receive_cloud_batch(cloud_runtime, batch)
    assert [o.status_code for o in outcomes] == [200, 200, 200, 401, 400, 200]
    assert [(o.result.new, o.result.duplicates) for o in outcomes[:3]] == [(1, 0), (1, 0), (0, 1)]
    assert "no line for phone_number_id '999'" in outcomes[5].problems
    assert message_count(cloud_runtime) == 2
    with cloud_runtime.sessions() as session:
        statuses = [e.status for e in session.execute(select(JournalEntry).order_by(JournalEntry.id)).scalars()]
        assert statuses == ["accepted", "accepted", "accepted", "rejected", "failed", "failed"]
        lines = session.execute(select(Message.provider_message_id, Message.line_id).order_by(Message.id)).all()
    assert len({line_id for _, line_id in lines}) == 2  # each body went to its own line
    again = receive_cloud_batch(cloud_runtime, batch[:2])
    assert [(o.result.new, o.result.duplicates) for o in again] == [(0, 1), (0, 1)]
    assert message_count(cloud_runtime) == 2


def test_a_body_that_breaks_archiving_fails_alone(cloud_runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    import atalaia.services.ingest as ingest

    real = ingest.archive_lines

    def fragile(session, ctx, events_by_line):  # type: ignore[no-untyped-def]
        if any(getattr(e, "text", None) == "veneno" for events in events_by_line.values() for e in events):
            raise RuntimeError("database said no")
        return real(session, ctx, events_by_line)

    monkeypatch.setattr(ingest, "archive_lines", fragile)
    outcomes = receive_cloud_batch(
        cloud_runtime, [signed(text_body("wamid.OK1")), signed(text_body("wamid.BAD", text="veneno")),
                        signed(text_body("wamid.OK2"))]
    )  # fmt: skip
    assert [o.status_code for o in outcomes] == [200, 500, 200]
    assert message_count(cloud_runtime) == 2
    with cloud_runtime.sessions() as session:
        bad = session.get(JournalEntry, outcomes[1].journal_id)
        assert bad is not None
        assert (bad.status, bad.processed_at) == ("failed", None)  # replayable
        assert "database said no" in (bad.reason or "")


def test_coexistence_address_book_adds_contacts_without_duplicating_known_ones(
    cloud_runtime: Runtime, archive_setup: ArchiveSetup
) -> None:
    receive_cloud_batch(cloud_runtime, [signed((SAMPLES / "batch_media_reply_status.json").read_bytes())])
    with cloud_runtime.sessions() as session:
        before = session.execute(select(func.count()).select_from(Contact)).scalar_one()
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "5521999990000", "phone_number_id": "106540352242922"},
        "state_sync": [
            {"type": "contact", "contact": {"full_name": "Pablo Morales", "first_name": "Pablo",
                                            "phone_number": "16505551234"},
             "action": "add", "metadata": {"timestamp": "1739321024"}},
            {"type": "contact", "contact": {"full_name": "João da Silva", "phone_number": "5511977776666"},
             "action": "add", "metadata": {"timestamp": "1739321024"}},
            {"type": "contact", "contact": {"phone_number": "5511900000000"}, "action": "remove"},
            {"type": "contact", "contact": {"full_name": "<script>", "phone_number": "not a number"}, "action": "add"},
            {"type": "label", "label": {"name": "VIP"}, "action": "add"},
        ],
    }  # fmt: skip
    (outcome,) = receive_cloud_batch(cloud_runtime, [signed(envelope("smb_app_state_sync", value))])
    assert outcome.status_code == 200
    assert any("removed from the app's address book" in p for p in outcome.problems)
    assert any("without a usable phone_number" in p for p in outcome.problems)
    assert any("'label'" in p for p in outcome.problems)
    with cloud_runtime.sessions() as session:
        contacts = {c.wa_id: c for c in session.execute(select(Contact)).scalars()}
        assert len(contacts) == before + 1  # only Pablo is new; João was known by his BSUID
        assert contacts["16505551234"].profile_name == "Pablo Morales"
        assert contacts["16505551234"].phone == "+16505551234"
        assert contacts["5511977776666"].profile_name == "João"  # the name he chose is kept


def history_body(*, phase: object, progress: object, message_id: str) -> bytes:
    chunk = {
        "metadata": {"phase": phase, "chunk_order": 1, "progress": progress},
        "threads": [{"id": "5511977776666", "messages": [
            {"from": "5511977776666", "id": message_id, "timestamp": "1709302000", "type": "text",
             "text": {"body": "mensagem antiga"}}]}],
    }  # fmt: skip
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "5521999990000", "phone_number_id": "106540352242922"},
        "history": [chunk],
    }
    return envelope("history", value)


def test_history_backfill_progress_is_kept_per_line_and_never_goes_back(
    cloud_runtime: Runtime, archive_setup: ArchiveSetup
) -> None:
    def progress() -> tuple[object, ...]:
        (row,) = [r for r in overview() if r.number == archive_setup.line.number]
        return row.history_phase, row.history_progress

    def overview() -> list[LineOverview]:
        with cloud_runtime.sessions() as session:
            return line_overview(session, tenant_id=archive_setup.tenant.id)

    assert progress() == (None, None)
    receive_cloud_batch(cloud_runtime, [signed(history_body(phase=1, progress=55, message_id="wamid.H1"))])
    assert progress() == (1, 55)
    receive_cloud_batch(cloud_runtime, [signed(history_body(phase=0, progress=100, message_id="wamid.H0"))])
    assert progress() == (1, 55)  # a late chunk of an earlier phase does not move it back
    receive_cloud_batch(cloud_runtime, [signed(history_body(phase="1", progress="80", message_id="wamid.H2"))])
    assert progress() == (1, 80)
    receive_cloud_batch(cloud_runtime, [signed(history_body(phase=1, progress=1e400, message_id="wamid.H3")),
                                        signed(history_body(phase=7, progress=-3, message_id="wamid.H4"))])  # fmt: skip
    assert progress() == (1, 80)  # nonsense numbers are ignored, their messages still archived
    assert message_count(cloud_runtime) == 5
    other = [r for r in overview() if r.number != archive_setup.line.number]
    assert [(r.history_phase, r.history_progress) for r in other] == [(None, None)]
