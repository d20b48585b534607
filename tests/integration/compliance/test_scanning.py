"""Scanning on ingest: hits grouped into one alert per conversation, policy and day; scopes honoured."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy import event, select, update

from atalaia.connectors.cloud_api.signature import sign
from atalaia.db.engine import transaction
from atalaia.db.models import Contact, Job, Message
from atalaia.domain.enums import Direction
from atalaia.domain.events import AttachmentRef
from atalaia.runtime import Runtime
from atalaia.services.compliance import Actor, resolve
from atalaia.services.compliance.scanning import MAX_HITS_PER_MESSAGE, NOTIFY_KIND, scan_new_messages
from atalaia.services.gateway_ingest import receive_gateway
from atalaia.services.ingest import receive_cloud
from atalaia.services.lines import add_line
from atalaia.settings import Settings
from tests.compliance_story import COLLEAGUE, CPFS, PHONE_NUMBER_ID, Story, build_story, said
from tests.factories import MARIA

SAMPLES = Path(__file__).parents[2] / "samples"


def notify_jobs(story: Story) -> list[Job]:
    with story.runtime.sessions() as session:
        return list(session.execute(select(Job).where(Job.kind == NOTIFY_KIND).order_by(Job.id)).scalars())


def cloud_notification(texts: list[str]) -> bytes:
    """A Cloud API webhook body: Maria sends these texts to the Vendas line."""
    messages = [
        {
            "from": "5521988887777",
            "id": f"wamid.X{i}",
            "timestamp": str(1709301900 + i),
            "type": "text",
            "text": {"body": text},
        }
        for i, text in enumerate(texts)
    ]
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "5521999990000", "phone_number_id": PHONE_NUMBER_ID},
        "contacts": [{"profile": {"name": "Maria"}, "wa_id": "5521988887777"}],
        "messages": messages,
    }
    entry = {"id": "1", "changes": [{"field": "messages", "value": value}]}
    return json.dumps({"object": "whatsapp_business_account", "entry": [entry]}).encode()


def test_a_chat_full_of_cpfs_is_one_alert_with_a_hit_count(story: Story) -> None:
    outcome = story.archive(
        [said(f"wamid.C{i}", f"Segue o CPF do cliente: {cpf}", minutes=i) for i, cpf in enumerate(CPFS)]
    )

    [alert] = story.alerts()
    assert (alert.policy, alert.rule, alert.hit_count, alert.status) == ("dados-pessoais", "cpf", 5, "open")
    assert alert.title == "Dados pessoais <enviados>"
    assert alert.severity == "high"
    assert alert.last_hit_at > alert.first_hit_at
    assert outcome.new_alerts == [alert.id]
    hits = story.hits(alert.id)
    assert hits[0].match == "***.982.247-**"
    assert all(cpf not in h.match for h in hits for cpf in CPFS)
    assert [j.payload for j in notify_jobs(story)] == [{"alert_id": alert.id, "event": "created"}]


def test_hits_of_later_messages_join_the_open_alert_and_raise_its_severity(story: Story) -> None:
    story.archive([said("wamid.1", f"CPF {CPFS[0]}")])
    story.archive([said("wamid.2", "Cartão 4111 1111 1111 1111 validade 12/29", minutes=30)])

    [alert] = story.alerts()
    assert alert.hit_count == 2
    assert alert.severity == "critical"
    assert {h.match for h in story.hits(alert.id)} == {"***.982.247-**", "**** **** **** 1111"}
    assert len(notify_jobs(story)) == 1  # one notice per alert, not per hit


def test_another_day_or_another_policy_is_another_alert(story: Story) -> None:
    story.archive(
        [
            said("wamid.1", f"CPF {CPFS[0]}"),
            said("wamid.2", f"CPF {CPFS[1]}", minutes=24 * 60),
            said("wamid.3", "isso é propina", minutes=5),
        ]
    )

    alerts = story.alerts()
    assert sorted((a.policy, a.window_key) for a in alerts) == [
        ("conduta", "2024-03-01"),
        ("dados-pessoais", "2024-03-01"),
        ("dados-pessoais", "2024-03-02"),
    ]


def test_scanning_the_same_messages_again_records_nothing_twice(story: Story) -> None:
    story.archive([said("wamid.1", f"CPF {CPFS[0]} e {CPFS[1]}")])
    with story.runtime.sessions() as session:
        ids = list(session.execute(select(Message.id)).scalars())
    with transaction(story.runtime.sessions) as session:
        again = scan_new_messages(session, tenant_id=story.tenant.id, message_ids=ids)

    assert (again.hits, again.new_alerts) == (0, [])
    assert [a.hit_count for a in story.alerts()] == [2]


def test_a_resolved_alert_stays_resolved_and_new_hits_open_another(story: Story) -> None:
    story.archive([said("wamid.1", f"CPF {CPFS[0]}")])
    [first] = story.alerts()
    with transaction(story.runtime.sessions) as session:
        resolve(
            session,
            tenant_id=story.tenant.id,
            alert_id=first.id,
            actor=Actor.cli(),
            resolution="confirmed",
            reason="orientado",
        )

    story.archive([said("wamid.2", f"CPF {CPFS[1]}", minutes=60)])

    old, new = story.alerts()
    assert (old.status, old.hit_count, old.window_key) == ("resolved", 1, "2024-03-01")
    assert (new.status, new.hit_count, new.window_key) == ("open", 1, "2024-03-01~2")


def test_a_policy_for_outbound_messages_ignores_what_the_customer_sends(story: Story) -> None:
    story.archive([said("wamid.1", f"Meu CPF é {CPFS[0]}", direction=Direction.INBOUND)])
    assert story.alerts() == []
    story.archive([said("wamid.2", f"O seu CPF é {CPFS[0]}?", minutes=1)])
    assert [a.policy for a in story.alerts()] == ["dados-pessoais"]


def test_an_opportunity_comes_only_from_external_contacts(story: Story) -> None:
    # A colleague writing from another corporate line is internal without anyone flagging them.
    story.archive(
        [said("wamid.1", "Dá pra dar um desconto pro cliente?", direction=Direction.INBOUND, contact=COLLEAGUE)]
    )
    assert story.alerts() == []
    story.archive([said("wamid.2", "Vocês dão DESCONTOS à vista?", direction=Direction.INBOUND)])
    [alert] = story.alerts()
    assert (alert.policy, alert.category) == ("negociacao", "opportunity")
    assert story.hits(alert.id)[0].match == "DESCONTOS"


def test_a_contact_flagged_internal_is_not_a_customer(story: Story) -> None:
    story.archive([said("wamid.0", "Oi", direction=Direction.INBOUND)])
    with transaction(story.runtime.sessions) as session:
        session.execute(update(Contact).where(Contact.key == MARIA.key).values(is_internal=True))
    story.archive([said("wamid.1", "e o desconto?", direction=Direction.INBOUND, minutes=1)])
    assert story.alerts() == []


def test_a_team_scope_limits_a_policy_to_that_teams_lines(story: Story) -> None:
    story.archive([said("wamid.V1", "A garantia é de um ano")])
    assert story.alerts() == []
    story.archive([said("wamid.S1", "A garantia é de um ano")], line=story.suporte)
    [alert] = story.alerts()
    assert (alert.policy, alert.line_id, alert.team_id) == ("suporte", story.suporte.id, story.suporte.team_id)


def test_an_attachment_is_judged_by_its_name_and_type(story: Story) -> None:
    sheet = AttachmentRef(file_name="clientes.xlsx", mime_type="application/vnd.ms-excel", provider_media_id="m1")
    story.archive([said("wamid.1", "", attachments=(sheet,))])
    [alert] = story.alerts()
    assert (alert.policy, story.hits(alert.id)[0].match, story.hits(alert.id)[0].source) == (
        "planilhas",
        "clientes.xlsx",
        "attachment",
    )


def test_a_hostile_message_of_thousands_of_cpfs_keeps_a_bounded_number_of_hits(story: Story) -> None:
    story.archive([said("wamid.1", " ".join(CPFS * 400))])
    [alert] = story.alerts()
    assert alert.hit_count == MAX_HITS_PER_MESSAGE


def test_a_tenant_without_policies_pays_one_query(runtime: Runtime) -> None:
    quiet = build_story(runtime, policies=None)
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    with transaction(runtime.sessions) as session:
        session.connection()  # the transaction has begun: only the scan's own statements are counted
        event.listen(runtime.engine, "before_cursor_execute", count)
        try:
            outcome = scan_new_messages(session, tenant_id=quiet.tenant.id, message_ids=[1, 2, 3])
        finally:
            event.remove(runtime.engine, "before_cursor_execute", count)
    assert outcome.messages == 0
    assert len(statements) == 1


def test_a_signed_cloud_webhook_raises_alerts_as_it_is_archived(story: Story, settings: Settings) -> None:
    signed = settings.model_copy(update={"cloud_app_secret": SecretStr("segredo")})
    runtime = Runtime.from_settings(signed, migrate=False)
    body = cloud_notification(["me arruma um caixa dois?"] * 3)
    try:
        outcome = receive_cloud(
            runtime, body=body, headers={"X-Hub-Signature-256": sign(body=body, app_secret="segredo")}
        )
    finally:
        runtime.close()

    assert (outcome.status_code, outcome.result.new) == (200, 3)
    [alert] = story.alerts()
    assert (alert.policy, alert.hit_count, alert.line_id) == ("conduta", 3, story.vendas.id)
    assert len(notify_jobs(story)) == 1


def test_an_evolution_webhook_raises_alerts_as_it_is_archived(story: Story) -> None:
    with transaction(story.runtime.sessions) as session:
        created = add_line(
            session,
            tenant_id=story.tenant.id,
            number="+5521966660000",
            provider="evolution",
            instance="tigo1",
            team="Vendas",
            data_key=story.runtime.data_key(story.tenant),
        )
    payload = json.loads((SAMPLES / "evolution" / "upsert_text_verbatim.json").read_text())
    payload["data"]["message"]["conversation"] = "Tem 3% pra você, a gente acerta como propina"
    body = json.dumps(payload).encode()

    outcome = receive_gateway(
        story.runtime, source="evolution", body=body, headers={"Authorization": f"Bearer {created.token}"}
    )

    assert (outcome.status_code, outcome.result.new) == (200, 1)
    [alert] = story.alerts()
    assert (alert.policy, alert.line_id) == ("conduta", created.line.id)
