"""Searching the archive, on SQLite (FTS5) and PostgreSQL, told as what Ana looks for.

Ana is the compliance officer: she types the way people type on WhatsApp, without accents and
in any case, and must find every version of what was said, including edits and deleted
messages, and nothing of another company on the same installation.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, select

from atalaia.archive import archive_events
from atalaia.db.engine import transaction
from atalaia.db.migrate import downgrade, upgrade
from atalaia.db.models import AuditEntry, Contact, Line, Message
from atalaia.domain.enums import Direction, MessageKind
from atalaia.domain.events import AttachmentRef, ContactRef, EditEvent, MessageEvent, RevokeEvent
from atalaia.errors import NotFound
from atalaia.search import (
    SearchFilters,
    SearchQueryError,
    SearchResults,
    parse_date_bound,
    rebuild_index,
    remove_from_index,
    resolve_contact,
    resolve_line,
    search,
)
from atalaia.services.lines import add_line
from atalaia.services.tenancy import ensure_tenant
from tests.conftest import ArchiveSetup
from tests.factories import MARIA, T0, chat_with, inbound, outbound

ANA = "ana@exemplo.com.br"  # compliance officer: sees the whole tenant
JOAO = ContactRef(key="wa:5511977776666", wa_id="5511977776666", phone="+5511977776666", name="João Fornecedor")


def find(setup: ArchiveSetup, query: str, **kwargs: Any) -> SearchResults:
    with transaction(setup.runtime.sessions) as session:
        return search(session, tenant_id=setup.tenant.id, query=query, actor=ANA, **kwargs)


def found(setup: ArchiveSetup, query: str, **kwargs: Any) -> list[str]:
    """Provider ids of the hits, in result order."""
    results = find(setup, query, **kwargs)
    with setup.runtime.sessions() as session:
        names = dict(
            session.execute(
                select(Message.id, Message.provider_message_id).where(
                    Message.id.in_([h.message_id for h in results.hits])
                )
            ).all()
        )
    return [names[hit.message_id] for hit in results.hits]


def said(*texts: str) -> list[MessageEvent]:
    """Maria's messages, one a minute: m0, m1, ..."""
    return [inbound(f"m{i}", text, minutes=i) for i, text in enumerate(texts)]


# Accents, case and Portuguese stems -------------------------------------------------------------


def test_it_ignores_accents_and_case(archive_setup: ArchiveSetup) -> None:
    archive_setup.archive(said("A AÇÃO foi aprovada", "Sobre as reuniões de março", "nada a ver"))

    for query in ("acao", "ACAO", "Ação", "aÇãO"):
        assert found(archive_setup, query) == ["m0"], query
    assert found(archive_setup, "reunioes") == ["m1"]
    assert found(archive_setup, "MARÇO") == found(archive_setup, "marco") == ["m1"]


@pytest.mark.parametrize(
    ("written", "typed"),
    [
        ("Segue a proposta", "propostas"),
        ("Seguem as propostas", "proposta"),
        ("Marquei a reunião", "reuniões"),
        ("Marquei as reuniões", "reunião"),
        ("Marquei as reuniões", "reuniao"),
        ("Uma ação judicial", "ações"),
        ("Várias ações judiciais", "ação"),
        ("Várias ações judiciais", "acao"),
        ("Recebi a notificação", "notificações"),
        ("Recebi as notificações", "notificação"),
        ("Recebi as notificações", "notificacao"),
        ("reuniao amanha, sem acentos", "reuniões"),
    ],
)
def test_it_finds_singular_and_plural_forms(archive_setup: ArchiveSetup, written: str, typed: str) -> None:
    archive_setup.archive(said(written, "outra conversa qualquer"))

    assert found(archive_setup, typed) == ["m0"]


def test_words_as_written_rank_above_shared_stems(archive_setup: ArchiveSetup) -> None:
    archive_setup.archive(said("as propostas chegaram", "a proposta chegou"))

    assert found(archive_setup, "proposta") == ["m1", "m0"]


def test_equal_matches_come_newest_first(archive_setup: ArchiveSetup) -> None:
    archive_setup.archive(said("contrato assinado", "contrato assinado", "contrato assinado"))

    assert found(archive_setup, "contrato") == ["m2", "m1", "m0"]


# The query language ------------------------------------------------------------------------------


def test_every_word_must_appear(archive_setup: ArchiveSetup) -> None:
    archive_setup.archive(said("contrato assinado hoje", "contrato pendente", "assinado o recibo"))

    assert found(archive_setup, "contrato assinado") == ["m0"]


def test_a_quoted_phrase_needs_its_words_together_and_in_order(archive_setup: ArchiveSetup) -> None:
    archive_setup.archive(
        said(
            "a reunião de vendas foi ótima", "vendas: reunião adiada", "REUNIAO DE VENDAS amanhã", "reuniões de vendas"
        )
    )

    assert sorted(found(archive_setup, '"reunião de vendas"')) == ["m0", "m2", "m3"]


def test_a_minus_excludes_a_word_or_a_phrase(archive_setup: ArchiveSetup) -> None:
    archive_setup.archive(said("proposta aceita", "proposta cancelada", "proposta por fora", "cancelamento"))

    assert sorted(found(archive_setup, "proposta -cancelada")) == ["m0", "m2"]
    assert sorted(found(archive_setup, 'proposta -"por fora"')) == ["m0", "m1"]
    assert found(archive_setup, "proposta -cancelada -aceita -fora") == []


def test_a_star_searches_a_prefix(archive_setup: ArchiveSetup) -> None:
    archive_setup.archive(said("o contrato", "os contratos", "contramão", "encontro"))

    assert sorted(found(archive_setup, "contrat*")) == ["m0", "m1"]
    assert sorted(found(archive_setup, "CONTRA*")) == ["m0", "m1", "m2"]


# Filters -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scene:
    """Two lines of the default tenant: Bruno's (Vendas) and an export line of the supplier desk."""

    setup: ArchiveSetup
    vendas: int
    compras: int


@pytest.fixture
def scene(archive_setup: ArchiveSetup) -> Scene:
    runtime, tenant = archive_setup.runtime, archive_setup.tenant
    with transaction(runtime.sessions) as session:
        compras = add_line(session, tenant_id=tenant.id, number="+55 11 97777-0000", provider="export", team="Compras")
        compras_id = compras.line.id
    archive_setup.archive(
        [
            inbound("v1", "preciso do boleto", minutes=0),
            outbound("v2", "segue o boleto", minutes=60),
            inbound("v3", "boleto em anexo", minutes=24 * 60, attachments=(AttachmentRef(file_name="boleto.pdf"),)),
        ]
    )
    with transaction(runtime.sessions) as session:
        ctx = runtime.archive_context(tenant, line_id=compras_id)
        archive_events(
            session,
            ctx,
            [
                MessageEvent(
                    provider_message_id="c1",
                    conversation=chat_with(JOAO),
                    direction=Direction.INBOUND,
                    kind=MessageKind.TEXT,
                    sent_at=T0 + timedelta(days=2),
                    text="o boleto da nota fiscal",
                    author=JOAO,
                )
            ],
        )
    return Scene(setup=archive_setup, vendas=archive_setup.line.id, compras=compras_id)


def test_filters_by_line_by_id_or_number(scene: Scene) -> None:
    setup = scene.setup
    with setup.runtime.sessions() as session:
        assert resolve_line(session, tenant_id=setup.tenant.id, value="+5511977770000") == scene.compras
        assert resolve_line(session, tenant_id=setup.tenant.id, value="(11) 97777-0000") == scene.compras
        assert resolve_line(session, tenant_id=setup.tenant.id, value=str(scene.vendas)) == scene.vendas

    assert found(setup, "boleto", filters=SearchFilters(line_ids=[scene.compras])) == ["c1"]
    assert sorted(found(setup, "boleto", filters=SearchFilters(line_ids=[scene.vendas]))) == ["v1", "v2", "v3"]


def test_filters_by_period_with_the_last_day_included(scene: Scene) -> None:
    setup = scene.setup
    zone = "America/Sao_Paulo"  # T0 is 2024-03-01 14:05 UTC, 11:05 in São Paulo
    first_day = SearchFilters(
        sent_from=parse_date_bound("2024-03-01", timezone=zone, end=False),
        sent_before=parse_date_bound("2024-03-01", timezone=zone, end=True),
    )
    assert sorted(found(setup, "boleto", filters=first_day)) == ["v1", "v2"]
    later = SearchFilters(sent_from=parse_date_bound("2024-03-02T00:00:00-03:00", timezone=zone, end=False))
    assert sorted(found(setup, "boleto", filters=later)) == ["c1", "v3"]
    until = SearchFilters(sent_before=parse_date_bound("2024-03-01T14:05:00Z", timezone=zone, end=True))
    assert found(setup, "boleto", filters=until) == ["v1"]


def test_filters_by_direction_kind_conversation_and_contact(scene: Scene) -> None:
    setup = scene.setup
    with setup.runtime.sessions() as session:
        joao = resolve_contact(session, tenant_id=setup.tenant.id, value="+55 11 97777-6666")
        maria = session.execute(select(Contact.id).where(Contact.key == MARIA.key)).scalar_one()
        chat = session.execute(select(Message.conversation_id).where(Message.provider_message_id == "v1")).scalar_one()

    assert found(setup, "boleto", filters=SearchFilters(direction="outbound")) == ["v2"]
    assert found(setup, "boleto", filters=SearchFilters(kinds=["document"])) == ["v3"]
    assert sorted(found(setup, "boleto", filters=SearchFilters(conversation_id=chat))) == ["v1", "v2", "v3"]
    assert found(setup, "boleto", filters=SearchFilters(contact_id=joao)) == ["c1"]
    assert sorted(found(setup, "boleto", filters=SearchFilters(contact_id=maria))) == ["v1", "v2", "v3"]
    with pytest.raises(SearchQueryError, match="Direção"):
        find(setup, "boleto", filters=SearchFilters(direction="sideways"))


def test_filters_by_attachment(scene: Scene) -> None:
    setup = scene.setup
    assert found(setup, "boleto", filters=SearchFilters(has_attachment=True)) == ["v3"]
    assert sorted(found(setup, "boleto", filters=SearchFilters(has_attachment=False))) == ["c1", "v1", "v2"]
    assert found(setup, "pdf") == ["v3"]  # the file name is searchable too


def test_a_manager_sees_only_the_lines_of_their_teams(scene: Scene) -> None:
    setup = scene.setup
    assert found(setup, "boleto", filters=SearchFilters(visible_line_ids=[scene.compras])) == ["c1"]
    nothing = find(setup, "boleto", filters=SearchFilters(visible_line_ids=[]))
    assert (nothing.total, nothing.hits) == (0, ())
    scoped = SearchFilters(scope=lambda message: message.line_id == scene.compras)
    assert found(setup, "boleto", filters=scoped) == ["c1"]
    assert found(setup, "boleto", filters=SearchFilters(scope=Message.direction == "outbound")) == ["v2"]


def test_total_limit_and_offset_page_through_results(archive_setup: ArchiveSetup) -> None:
    archive_setup.archive(said(*(f"pedido número {i}" for i in range(7))))

    first = find(archive_setup, "pedido", limit=3)
    assert (first.total, len(first.hits)) == (7, 3)
    pages = [h.message_id for offset in (0, 3, 6) for h in find(archive_setup, "pedido", limit=3, offset=offset).hits]
    assert len(set(pages)) == 7
    beyond = find(archive_setup, "pedido", limit=3, offset=9)
    assert (beyond.total, beyond.hits) == (7, ())
    with pytest.raises(SearchQueryError, match="limite"):
        find(archive_setup, "pedido", limit=0)


# Edits and deletions ------------------------------------------------------------------------------


def edit(target: str, new_text: str, *, minutes: int = 10, event_id: str | None = None) -> EditEvent:
    return EditEvent(
        target_message_id=target,
        conversation=chat_with(),
        new_text=new_text,
        edited_at=T0 + timedelta(minutes=minutes),
        provider_event_id=event_id or f"edit-{target}-{minutes}",
    )


def test_an_edited_message_is_found_by_its_new_and_its_old_text(archive_setup: ArchiveSetup) -> None:
    archive_setup.archive(said("o desconto é de 10 por cento", "outra coisa"))
    archive_setup.archive([edit("m0", "o desconto é de 30 por cento")])

    (new,) = find(archive_setup, "30").hits
    assert (new.edited, new.matched_in, new.text) == (True, "text", "o desconto é de 30 por cento")
    (old,) = find(archive_setup, "10").hits
    assert (old.matched_in, old.matched_text, old.snippet) == (
        "original",
        "o desconto é de 10 por cento",
        "o desconto é de [10] por cento",
    )
    assert old.text == "o desconto é de 30 por cento"
    assert found(archive_setup, "desconto", filters=SearchFilters(edited=True)) == ["m0"]
    assert found(archive_setup, "coisa", filters=SearchFilters(edited=False)) == ["m1"]


def test_an_edit_that_arrives_before_its_message_is_searchable(archive_setup: ArchiveSetup) -> None:
    archive_setup.archive([edit("m0", "valor corrigido: 500 reais")])
    archive_setup.archive(said("valor: 50 reais"))

    assert found(archive_setup, "500") == ["m0"]
    assert found(archive_setup, "50") == ["m0"]


def test_an_edit_in_the_same_batch_as_its_message_is_searchable(archive_setup: ArchiveSetup) -> None:
    archive_setup.archive([*said("primeira versão"), edit("m0", "segunda versão")])

    assert found(archive_setup, "segunda") == found(archive_setup, "primeira") == ["m0"]


def test_a_message_deleted_for_everyone_is_found_and_flagged(archive_setup: ArchiveSetup) -> None:
    archive_setup.archive(said("manda o pix pessoal", "pix da empresa"))
    archive_setup.archive(
        [
            RevokeEvent(
                target_message_id="m0", conversation=chat_with(), revoked_at=T0 + timedelta(minutes=3), by_line=False
            )
        ]
    )

    hits = {hit.message_id: hit for hit in find(archive_setup, "pix").hits}
    assert sorted(hit.deleted for hit in hits.values()) == [False, True]
    assert found(archive_setup, "pix", filters=SearchFilters(deleted=True)) == ["m0"]
    assert found(archive_setup, "pix", filters=SearchFilters(deleted=False)) == ["m1"]


def test_removed_messages_leave_the_index_and_a_rebuild_brings_them_back(archive_setup: ArchiveSetup) -> None:
    archive_setup.archive(said("dados do cliente", "dados do fornecedor"))
    with transaction(archive_setup.runtime.sessions) as session:
        target = session.execute(select(Message.id).where(Message.provider_message_id == "m0")).scalar_one()
        remove_from_index(session, [target])
    assert found(archive_setup, "dados") == ["m1"]

    with transaction(archive_setup.runtime.sessions) as session:
        assert rebuild_index(session, archive_setup.tenant.id) == 2
    assert sorted(found(archive_setup, "dados")) == ["m0", "m1"]


# Hits -------------------------------------------------------------------------------------------


def test_a_hit_carries_raw_text_offsets_and_a_snippet(archive_setup: ArchiveSetup) -> None:
    long_text = "Bom dia! " * 30 + "As <b>Propostas</b> seguem & a reunião também. " + "Obrigado. " * 30
    archive_setup.archive([inbound("m0", long_text)])

    (hit,) = find(archive_setup, "proposta reuniao").hits
    assert [hit.matched_text[s:e] for s, e in hit.highlights] == ["Propostas", "reunião"]
    assert hit.snippet.startswith("…")
    assert hit.snippet.endswith("…")
    assert "[Propostas]" in hit.snippet
    assert "[reunião]" in hit.snippet
    assert (hit.author, hit.direction, hit.kind, hit.deleted) == ("Maria Cliente", "inbound", "text", False)
    assert hit.timestamp == T0


def test_a_phrase_is_highlighted_as_one_run(archive_setup: ArchiveSetup) -> None:
    archive_setup.archive(said("vendas e mais vendas: a reunião de vendas"))

    (hit,) = find(archive_setup, '"reuniao de vendas"').hits
    assert [hit.matched_text[s:e] for s, e in hit.highlights] == ["reunião de vendas"]


# Isolation, hostile input and the audit log --------------------------------------------------------


def test_a_tenant_never_sees_another_tenants_messages(archive_setup: ArchiveSetup) -> None:
    runtime = archive_setup.runtime
    with transaction(runtime.sessions) as session:
        other = ensure_tenant(session, keyring=runtime.keyring, slug="outra-empresa")
        line = add_line(session, tenant_id=other.id, number="+55 31 98888-1111", provider="export").line
    with transaction(runtime.sessions) as session:
        archive_events(session, runtime.archive_context(other, line_id=line.id), [inbound("x1", "segredo industrial")])
    archive_setup.archive(said("segredo de justiça"))

    assert found(archive_setup, "segredo") == ["m0"]
    with transaction(runtime.sessions) as session:
        theirs = search(session, tenant_id=other.id, query="segredo", actor="carla@outra.com.br")
        assert [hit.text for hit in theirs.hits] == ["segredo industrial"]
        assert search(session, tenant_id=other.id, query="justica", actor="carla@outra.com.br").total == 0


HOSTILE_BUT_SEARCHABLE = [
    "NEAR(segredo empresa)",
    "body:segredo",
    "{body stems}:segredo",
    "^segredo",
    "segredo OR 1",
    "segredo AND NOT empresa",
    "segredo'; DROP TABLE messages; --",
    "segredo\x00 empresa",
    'segredo "" ',
    "segredo -",
    "segredo ***",
    "(segredo)",
    "segredo:*",
    "segredo\\",
    'a" OR "1"="1',
    "NEAR(",
]
REFUSED = [
    '"segredo',
    "",
    "   ",
    "-",
    "---",
    "*",
    "^",
    "-segredo",
    '-"x y"',
    "s*",
    "x" * 10_240,
]


@pytest.mark.parametrize("query", HOSTILE_BUT_SEARCHABLE)
def test_operator_looking_input_is_searched_as_plain_words(archive_setup: ArchiveSetup, query: str) -> None:
    archive_setup.archive(said("o segredo da empresa", "segredo", "near body stems drop table"))

    results = find(archive_setup, query)
    assert results.total >= 0
    with archive_setup.runtime.sessions() as session:
        assert session.execute(select(Message.id)).all()  # nothing was dropped


@pytest.mark.parametrize("query", REFUSED)
def test_unusable_input_is_refused_in_portuguese(archive_setup: ArchiveSetup, query: str) -> None:
    archive_setup.archive(said("o segredo da empresa"))

    with pytest.raises(SearchQueryError) as refused:
        find(archive_setup, query)
    assert any(word in refused.value.message for word in ("busca", "aspas", "prefixo", "palavra"))


def test_every_search_is_audited_with_its_query_and_total(archive_setup: ArchiveSetup) -> None:
    archive_setup.archive(said("contrato", "contrato novo"))
    find(archive_setup, "contrato -novo", filters=SearchFilters(direction="inbound"))

    with archive_setup.runtime.sessions() as session:
        entry = session.execute(select(AuditEntry).where(AuditEntry.action == "search")).scalar_one()
    assert (entry.actor, entry.tenant_id) == (ANA, archive_setup.tenant.id)
    assert entry.detail is not None
    assert (entry.detail["query"], entry.detail["total"]) == ("contrato -novo", 1)
    assert entry.detail["filters"] == {"direction": "inbound"}


# The migration indexes what was archived before it --------------------------------------------------


@pytest.fixture
def engine_for(db_url: str) -> Iterator[Any]:
    engine = create_engine(db_url)
    yield engine
    engine.dispose()


def test_upgrading_an_archive_indexes_its_existing_messages(archive_setup: ArchiveSetup, engine_for: Any) -> None:
    archive_setup.archive(said("histórico anterior à busca"))
    downgrade(engine_for, "0001")
    assert "message_search" not in inspect(engine_for).get_table_names()
    upgrade(engine_for)

    assert found(archive_setup, "historico") == ["m0"]


def test_a_search_line_outside_the_tenant_is_not_found(archive_setup: ArchiveSetup) -> None:
    with archive_setup.runtime.sessions() as session:
        assert session.execute(select(Line.id)).scalars().all() == [archive_setup.line.id]
        with pytest.raises(NotFound, match="linha"):
            resolve_line(session, tenant_id=archive_setup.tenant.id, value="+5599999999999")


def test_dates_are_checked(archive_setup: ArchiveSetup) -> None:
    with pytest.raises(SearchQueryError, match="inválida"):
        parse_date_bound("01/03/2024", timezone="America/Sao_Paulo", end=False)
    backwards = SearchFilters(sent_from=datetime(2024, 3, 2, tzinfo=UTC), sent_before=datetime(2024, 3, 1, tzinfo=UTC))
    with pytest.raises(SearchQueryError, match="período"):
        find(archive_setup, "x", filters=backwards)
