"""`verify` finds every kind of tampering done with raw SQL behind the application's back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from atalaia.archive.chain import checkpoint_now
from atalaia.archive.verify import VerifyReport, verify_tenant
from atalaia.db.engine import transaction
from atalaia.domain.enums import DeliveryStatus
from atalaia.domain.events import AttachmentRef, EditEvent, ReactionEvent, RevokeEvent, StatusEvent
from atalaia.services import audit
from tests.conftest import ArchiveSetup
from tests.factories import MARIA, T0, chat_with, inbound, outbound


@pytest.fixture
def archived(archive_setup: ArchiveSetup) -> ArchiveSetup:
    """Six messages with one of every other record kind, and a signed checkpoint."""
    archive_setup.archive([inbound(f"wamid.{i}", f"mensagem {i}", minutes=i) for i in range(1, 5)])
    archive_setup.archive(
        [
            outbound("wamid.5", "segue a proposta"),
            inbound("wamid.6", "obrigado", attachments=(AttachmentRef(file_name="a.pdf", content=b"%PDF-1.4 x"),)),
            EditEvent("wamid.5", chat_with(), "segue a proposta revisada", T0 + timedelta(minutes=8), "wamid.E"),
            RevokeEvent("wamid.2", chat_with(), T0 + timedelta(minutes=9), by_line=False, provider_event_id="R"),
            ReactionEvent("wamid.5", chat_with(), "👍", T0 + timedelta(minutes=10), "wamid.X", author=MARIA),
            StatusEvent("wamid.5", DeliveryStatus.READ, T0 + timedelta(minutes=11)),
        ]
    )
    with transaction(archive_setup.runtime.sessions) as session:
        audit.record(session, tenant_id=archive_setup.tenant.id, actor="ana@exemplo.com.br", action="search")
        checkpoint_now(
            session,
            tenant_id=archive_setup.tenant.id,
            signer=lambda: archive_setup.runtime.signer(archive_setup.tenant),
        )
    return archive_setup


def run_verify(setup: ArchiveSetup) -> VerifyReport:
    with setup.runtime.sessions() as session:
        return verify_tenant(session, tenant_id=setup.tenant.id, public_key=setup.tenant.signing_public_key)


def tamper(setup: ArchiveSetup, sql: str, **params: object) -> None:
    with setup.runtime.engine.connect() as conn:
        # Behind the application's back: no ORM, no chain, a plain connection.
        conn.execute(text(sql), params)
        conn.commit()


def kinds(report: VerifyReport) -> set[tuple[str, str]]:
    return {(p.kind, p.record) for p in report.problems}


def message_id(setup: ArchiveSetup, provider_id: str) -> int:
    with setup.runtime.engine.connect() as conn:
        return int(
            conn.execute(
                text("SELECT id FROM messages WHERE provider_message_id = :p"), {"p": provider_id}
            ).scalar_one()
        )


def test_an_untouched_archive_verifies(archived: ArchiveSetup) -> None:
    report = run_verify(archived)

    assert report.ok, report.problems
    assert report.records == 11  # 6 messages, 1 attachment, 1 revision, 1 revocation, 1 reaction, 1 status
    assert report.checkpoints == 1
    assert report.audit_entries == 1  # the search recorded by the fixture


def test_it_names_a_message_whose_text_was_updated(archived: ArchiveSetup) -> None:
    target = message_id(archived, "wamid.3")
    tamper(archived, "UPDATE messages SET text = 'nada aconteceu' WHERE id = :id", id=target)

    assert kinds(run_verify(archived)) == {("modified", f"message:{target}")}


@pytest.mark.parametrize(
    ("table", "column", "value", "record_type"),
    [
        ("revisions", "text", "outro texto", "revision"),
        ("revocations", "revoked_at", "2020-01-01 00:00:00", "revocation"),
        ("reactions", "emoji", "😡", "reaction"),
        ("statuses", "status", "failed", "status"),
        ("attachments", "file_name", "inocente.txt", "attachment"),
    ],
)
def test_it_names_any_other_modified_record(
    archived: ArchiveSetup, table: str, column: str, value: str, record_type: str
) -> None:
    with archived.runtime.engine.connect() as conn:
        record_id = conn.execute(text(f"SELECT min(id) FROM {table}")).scalar_one()
    tamper(archived, f"UPDATE {table} SET {column} = :v WHERE id = :id", v=value, id=record_id)

    assert kinds(run_verify(archived)) == {("modified", f"{record_type}:{record_id}")}


def test_it_names_a_deleted_message(archived: ArchiveSetup) -> None:
    target = message_id(archived, "wamid.4")
    tamper(archived, "DELETE FROM messages WHERE id = :id", id=target)

    assert kinds(run_verify(archived)) == {("missing", f"message:{target}")}


def test_it_names_a_message_inserted_behind_its_back(archived: ArchiveSetup) -> None:
    tamper(
        archived,
        "INSERT INTO messages (tenant_id, line_id, conversation_id, provider_message_id, direction, kind, "
        "text, sent_at, received_at, forwarded, frequently_forwarded) "
        "SELECT tenant_id, line_id, conversation_id, 'wamid.FORGED', 'outbound', 'text', "
        "'eu nunca disse isso', sent_at, received_at, false, false "
        "FROM messages WHERE provider_message_id = 'wamid.1'",
    )
    forged = message_id(archived, "wamid.FORGED")

    assert kinds(run_verify(archived)) == {("inserted", f"message:{forged}")}


def test_it_finds_a_removed_chain_link_and_its_record(archived: ArchiveSetup) -> None:
    target = message_id(archived, "wamid.2")
    tamper(archived, "DELETE FROM revocations WHERE target_message_id = 'wamid.2'")
    tamper(archived, "DELETE FROM chain_links WHERE record_type = 'revocation'")

    report = run_verify(archived)
    assert ("missing", "chain:9") in kinds(report)
    assert target  # the message itself stays intact
    assert all(p.kind in ("missing", "reordered", "modified") for p in report.problems)


def test_it_finds_links_swapped_out_of_order(archived: ArchiveSetup) -> None:
    tamper(archived, "UPDATE chain_links SET seq = -1 WHERE seq = 2")
    tamper(archived, "UPDATE chain_links SET seq = 2 WHERE seq = 3")
    tamper(archived, "UPDATE chain_links SET seq = 3 WHERE seq = -1")

    report = run_verify(archived)
    assert "reordered" in {p.kind for p in report.problems}


def test_it_finds_a_truncated_chain_against_the_signed_checkpoint(archived: ArchiveSetup) -> None:
    tamper(archived, "DELETE FROM statuses")
    tamper(archived, "DELETE FROM chain_links WHERE seq = 11")
    tamper(archived, "UPDATE chain_heads SET seq = 10, hash = (SELECT hash FROM chain_links WHERE seq = 10)")

    report = run_verify(archived)
    assert any(p.record.startswith("checkpoint:") and p.kind == "missing" for p in report.problems)


def test_it_finds_an_edited_audit_entry(archived: ArchiveSetup) -> None:
    tamper(archived, "UPDATE audit_log SET actor = 'ninguem' WHERE action = 'search'")

    report = run_verify(archived)
    assert [p.kind for p in report.problems] == ["modified"]
    assert report.problems[0].record.startswith("audit:")
