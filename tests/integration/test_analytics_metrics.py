"""Every analytics figure on the hand-built week of tests/analytics_story.py, on SQLite and PostgreSQL.

The right answers are worked out in the comments from the story's table of messages; a figure
that changes means a definition changed (docs/decisions/0013-analytics-metrics.md).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from atalaia.analytics import ReportOptions, build_report, parse_period, resolve_scope
from atalaia.archive import archive_events
from atalaia.db.engine import transaction
from atalaia.domain.enums import DeliveryStatus
from atalaia.domain.events import EditEvent, ReactionEvent, RevokeEvent, StatusEvent
from atalaia.errors import InvalidInput, NotFound
from tests.analytics_story import L1, L2, L3, WEEK, Story, at, build_story
from tests.conftest import ArchiveSetup
from tests.factories import MARIA, chat_with

NOW = datetime(2024, 6, 1, tzinfo=UTC)  # long after the week: nothing is cut short by "now"
CONTRACT = ["messages_in", "messages_out", "conversations", "new_contacts", "first_response_seconds", "unanswered",
            "after_hours_share", "by_hour", "alerts", "campaigns"]  # fmt: skip


@pytest.fixture
def story(archive_setup: ArchiveSetup) -> Story:
    return build_story(archive_setup)


def report(
    story: Story,
    period: tuple[str, str] = WEEK,
    *,
    team: str | None = None,
    line: str | None = None,
    employee: str | None = None,
    options: ReportOptions | None = None,
) -> dict[str, Any]:
    with transaction(story.runtime.sessions) as session:
        scope = resolve_scope(session, tenant_id=story.tenant.id, team=team, line=line, employee=employee)
        zone = scope.line_timezone or story.tenant.timezone
        bounds = parse_period(period[0], period[1], timezone=zone, now=NOW)
        return build_report(session, scope=scope, period=bounds, options=options, now=NOW)


def test_the_whole_tenant_over_the_week(story: Story) -> None:
    r = report(story)

    assert list(r)[: len(CONTRACT)] == CONTRACT
    # In: a2 a3 a5 a7 | b1 b3 | g1 | c2 | d1 | e1 = 10. Out: a4 a6 a8 | b2 | g2 g3 | c1 c3 = 8.
    # Not counted: a0 a1 e0 (before), d2 (after), g0 (system), x1 (another tenant).
    assert (r["messages_in"], r["messages_out"]) == (10, 8)
    assert r["conversations"] == 6  # A B G C D E
    assert r["by_conversation_kind"] == {
        "direct": {"messages": 15, "conversations": 5},
        "group": {"messages": 3, "conversations": 1},
    }
    assert r["new_contacts"] == 3  # João (b1), Pedro (c1), Lúcia (d1); Maria and Rafael wrote before
    # Openings: a2 a7 b1 b3 d1 by customers (e1 joins Rafael's old turn); c1 by the line.
    assert r["conversations_started"] == {"customer": 5, "employee": 1}
    # First responses T1 600, T4 1200, T7 30600 (d2, after the week), T3 118800; T5 has none.
    # median (1200 + 30600) / 2; p90 at rank 0.9 * 3 = 2.7: 30600 + 0.7 * (118800 - 30600).
    assert r["first_response_seconds"] == {"median": 15900.0, "p90": 92340.0}
    # Every turn: 300 (T6) 600 1200 3600 (T2) 30600 118800 -> median (1200 + 3600) / 2;
    # p90 at rank 4.5: 30600 + 0.5 * 88200.
    assert r["response_seconds"] == {"median": 2400.0, "p90": 74700.0}
    assert r["unanswered"] == 2  # João (38 h since b3) and Rafael (since e0); Lúcia waited 30 min
    assert r["customer_spoke_last"] == 2  # both are owed a reply: each opened an exchange
    # After hours: a7 (Tue 23:30), b3 (Sat), g1 (07:30 in Manaus), g3 (1 May), d1 (00:30 in Noronha).
    assert r["after_hours"] == 5
    assert r["after_hours_share"] == round(5 / 18, 4) == 0.2778
    assert r["by_hour"] == [
        [0, 0, 1],  # d1: Monday 00:30 on the Noronha line (Sunday 23:30 in São Paulo)
        [0, 7, 1],  # g1
        [0, 8, 1],  # g2
        [0, 9, 4],  # a2 a3 a4 a5
        [0, 10, 1],  # a6
        [1, 10, 1],  # e1, Tuesday 10:00 in Noronha
        [1, 23, 1],  # a7: Tuesday 23:30 in São Paulo, Wednesday 02:30 UTC
        [2, 10, 1],  # g3
        [3, 8, 1],  # a8
        [3, 14, 2],  # b1 b2
        [4, 17, 3],  # c1 c2 c3: 17h in Manaus
        [5, 10, 1],  # b3
    ]
    assert r["media"] == {"messages": 2, "share": round(2 / 18, 4), "by_kind": {"audio": 1, "image": 1, "text": 16}}


def test_alerts_by_policy_severity_and_resolution(story: Story) -> None:
    alerts = report(story)["alerts"]

    # al1, al2, al3 have their first hit in the week; al4 (28 April) does not.
    assert alerts["by_policy"] == {"conduta": 1, "dados-pessoais": 2}
    assert alerts["by_severity"] == {"low": 0, "medium": 0, "high": 2, "critical": 1}
    assert alerts["total"] == 3
    assert alerts["by_status"] == {"open": 1, "in_review": 0, "resolved": 2}
    assert alerts["resolutions"] == {"confirmed": 1, "false_positive": 1}
    assert alerts["false_positive_rate"] == 0.5


def test_ad_campaigns_and_their_response_times(story: Story) -> None:
    campaigns = report(story)["campaigns"]

    assert campaigns == [
        {
            "source_id": "120208",
            "source_type": "ad",
            "source_url": "https://fb.me/abc",
            "headline": "Plano Empresa",
            "conversations": 1,
            "messages": 1,
            "first_response_seconds": {"median": 1200.0, "p90": 1200.0},  # b1 -> b2
        },
        {
            "source_id": "777",
            "source_type": "ad",
            "source_url": None,
            "headline": "Suporte Premium",
            "conversations": 1,
            "messages": 1,
            "first_response_seconds": {"median": 30600.0, "p90": 30600.0},  # d1 -> d2
        },
    ]


def test_business_hours_clock(story: Story) -> None:
    r = report(story, options=ReportOptions(business_hours=True))

    # T1 600; T3 1800 (Tue 23:30 -> Thu 08:30, Wednesday a holiday); T4 1200; T7 3600 (Mon 08:00-09:00).
    # [600, 1200, 1800, 3600]: median 1500; p90 at rank 2.7: 1800 + 0.7 * 1800.
    assert r["first_response_seconds"] == {"median": 1500.0, "p90": 3060.0}
    # [300, 600, 1200, 1800, 3600, 3600]: median 1500, p90 at rank 4.5: 3600.
    assert r["response_seconds"] == {"median": 1500.0, "p90": 3600.0}
    # João wrote on Saturday: no business hour has passed by Monday 00:00. Rafael has waited 53 business hours.
    assert r["unanswered"] == 1
    assert r["options"]["business_hours"] is True


def test_the_unanswered_threshold_is_configurable(story: Story) -> None:
    assert report(story, options=ReportOptions(unanswered_hours=0.25))["unanswered"] == 3  # Lúcia's 30 min too
    assert report(story, options=ReportOptions(unanswered_hours=40))["unanswered"] == 1  # only Rafael


def test_a_team(story: Story) -> None:
    vendas = report(story, team="Vendas")  # L1 and L2
    suporte = report(story, team="suporte")  # names match without regard to case

    assert (vendas["messages_in"], vendas["messages_out"], vendas["conversations"]) == (8, 8, 4)
    assert vendas["new_contacts"] == 2  # João, Pedro
    # [600, 1200, 118800]: median 1200; p90 at rank 1.8: 1200 + 0.8 * 117600.
    assert vendas["first_response_seconds"] == {"median": 1200.0, "p90": 95280.0}
    assert vendas["unanswered"] == 1  # João
    assert vendas["after_hours_share"] == 0.25  # a7 b3 g1 g3 of 16
    assert vendas["alerts"]["by_policy"] == {"dados-pessoais": 2}
    assert [c["source_id"] for c in vendas["campaigns"]] == ["120208"]

    assert (suporte["messages_in"], suporte["messages_out"], suporte["conversations"]) == (2, 0, 2)
    assert suporte["new_contacts"] == 1  # Lúcia
    assert suporte["first_response_seconds"] == {"median": 30600.0, "p90": 30600.0}
    assert suporte["unanswered"] == 1  # Rafael
    assert suporte["after_hours_share"] == 0.5  # d1
    assert suporte["by_hour"] == [[0, 0, 1], [1, 10, 1]]
    assert suporte["alerts"]["by_policy"] == {"conduta": 1}
    assert suporte["scope"] == {"team": "Suporte", "line": None, "employee": None}


def test_additive_figures_of_the_teams_add_up_to_the_tenant(story: Story) -> None:
    whole, parts = report(story), [report(story, team=t) for t in ("Vendas", "Suporte")]

    for key in ("messages_in", "messages_out", "conversations", "new_contacts", "unanswered", "after_hours"):
        assert whole[key] == sum(p[key] for p in parts), key
    cells: dict[tuple[int, int], int] = {}
    for part in parts:
        for weekday, hour, n in part["by_hour"]:
            cells[(weekday, hour)] = cells.get((weekday, hour), 0) + n
    assert whole["by_hour"] == [[w, h, n] for (w, h), n in sorted(cells.items())]


def test_a_line_reads_its_dates_in_its_own_time_zone(story: Story) -> None:
    r = report(story, line="+55 81 99999-2222")

    # The week in Noronha is [04-29 02:00Z, 05-06 02:00Z): d1 (02:30Z) falls on 6 May there.
    assert r["period"]["timezone"] == "America/Noronha"
    assert (r["messages_in"], r["messages_out"], r["conversations"]) == (1, 0, 1)  # e1
    assert r["new_contacts"] == 0
    assert r["first_response_seconds"] == {"median": None, "p90": None}
    assert r["unanswered"] == 1  # Rafael
    assert r["after_hours_share"] == 0.0
    assert r["by_hour"] == [[1, 10, 1]]
    assert r["alerts"]["by_policy"] == {}  # al3 (02:40Z) is on 6 May in Noronha
    assert r["campaigns"] == []


def test_manaus_keeps_its_own_business_hours(story: Story) -> None:
    r = report(story, ("2024-05-03", "2024-05-03"), line=L2)

    # c1 c2 c3 are 17:30-17:50 in Manaus: open, though São Paulo has closed at 18:00.
    assert (r["messages_in"], r["messages_out"]) == (1, 2)
    assert r["after_hours_share"] == 0.0
    assert r["by_hour"] == [[4, 17, 3]]
    assert r["conversations_started"] == {"customer": 0, "employee": 1}  # c1
    assert r["response_seconds"] == {"median": 300.0, "p90": 300.0}  # T6
    assert r["first_response_seconds"] == {"median": None, "p90": None}  # the line opened the chat


def test_a_day_in_sao_paulo_ends_at_03_utc(story: Story) -> None:
    tuesday = report(story, ("2024-04-30", "2024-04-30"))
    holiday = report(story, ("2024-05-01", "2024-05-01"))

    # 30 April in São Paulo: e1 (12:00Z) and a7 (02:30Z on 1 May in UTC, 23:30 on the 30th here).
    assert (tuesday["messages_in"], tuesday["messages_out"]) == (2, 0)
    assert tuesday["by_hour"] == [[1, 10, 1], [1, 23, 1]]
    assert tuesday["first_response_seconds"] == {"median": 118800.0, "p90": 118800.0}  # a7 -> a8, days later
    assert tuesday["unanswered"] == 1  # Rafael; Maria (a7) has waited 30 min when the day ends
    # 1 May: only g3, sent in the morning of a national holiday.
    assert (holiday["messages_in"], holiday["messages_out"]) == (0, 1)
    assert holiday["after_hours_share"] == 1.0


def test_an_employee_is_credited_with_their_time_on_the_line(story: Story) -> None:
    bruno = report(story, employee="bruno@exemplo.com.br")  # L1 until Thu 12:00Z
    diana = report(story, employee="Diana@Exemplo.com.br")  # L1 from then

    assert (bruno["messages_in"], bruno["messages_out"], bruno["conversations"]) == (4, 3, 1)  # a2..a8
    assert bruno["new_contacts"] == 0
    assert bruno["conversations_started"] == {"customer": 2, "employee": 0}  # a2, a7
    # [600, 118800]: median 59700; p90 at rank 0.9: 600 + 0.9 * 118200.
    assert bruno["first_response_seconds"] == {"median": 59700.0, "p90": 106980.0}
    assert bruno["unanswered"] == 0
    assert bruno["after_hours_share"] == round(1 / 7, 4)  # a7
    assert bruno["alerts"]["by_policy"] == {"dados-pessoais": 1}  # al1
    assert bruno["campaigns"] == []

    assert (diana["messages_in"], diana["messages_out"], diana["conversations"]) == (2, 1, 1)  # b1 b2 b3
    assert diana["new_contacts"] == 1  # João
    assert diana["first_response_seconds"] == {"median": 1200.0, "p90": 1200.0}
    assert diana["unanswered"] == 1
    assert diana["alerts"]["by_policy"] == {"dados-pessoais": 1}  # al2
    assert [c["source_id"] for c in diana["campaigns"]] == ["120208"]
    assert diana["scope"]["employee"] == "diana@exemplo.com.br"


def test_an_empty_period(story: Story) -> None:
    r = report(story, ("2023-01-02", "2023-01-08"))

    assert (r["messages_in"], r["messages_out"], r["conversations"], r["new_contacts"], r["unanswered"]) == (0,) * 5
    assert r["first_response_seconds"] == {"median": None, "p90": None}
    assert r["after_hours_share"] == 0.0
    assert r["by_hour"] == []
    assert r["campaigns"] == []
    assert r["alerts"]["total"] == 0
    assert r["alerts"]["false_positive_rate"] is None
    assert r["media"]["share"] == 0.0


def test_unknown_names_and_bad_periods(story: Story) -> None:
    with pytest.raises(NotFound, match="equipe"):
        report(story, team="Financeiro")
    with pytest.raises(NotFound, match="linha"):
        report(story, line="+55 11 98888-7777")
    with pytest.raises(NotFound, match="colaborador"):
        report(story, employee="ninguem@exemplo.com.br")
    with pytest.raises(InvalidInput, match="data inválida"):
        report(story, ("2024-02-30", "2024-03-01"))
    with pytest.raises(InvalidInput, match="período vazio"):
        report(story, ("2024-05-05", "2024-04-29"))


def test_a_team_and_a_line_narrow_each_other(story: Story) -> None:
    assert report(story, team="Suporte", line=L1)["messages_in"] == 0
    assert report(story, team="Vendas", line=L1)["messages_in"] == 6  # a2 a3 a5 a7 b1 b3
    assert report(story, team="Vendas", line=L3, employee="carla@exemplo.com.br")["conversations"] == 0
    assert (
        report(story, line=L3, employee="carla@exemplo.com.br", period=("2024-04-29", "2024-05-06"))["messages_in"] == 2
    )  # d1 e1, the week read in Noronha plus a day


def test_edits_deletions_reactions_and_statuses_change_no_figure(story: Story) -> None:
    before = report(story)
    with transaction(story.runtime.sessions) as session:
        line = story.lines[L1]
        archive_events(
            session,
            story.runtime.archive_context(story.tenant, line_id=line.id),
            [
                EditEvent(target_message_id="a4", conversation=chat_with(MARIA), new_text="corrigido",
                          edited_at=at("04-29 12:20"), provider_event_id="e-a4"),
                RevokeEvent(target_message_id="a2", conversation=chat_with(MARIA), revoked_at=at("04-29 12:30"),
                            by_line=False, provider_event_id="r-a2"),
                ReactionEvent(target_message_id="a6", conversation=chat_with(MARIA), emoji="👍",
                              reacted_at=at("04-29 13:40"), provider_event_id="re-a6", author=MARIA),
                StatusEvent(target_message_id="a6", status=DeliveryStatus.READ, at=at("04-29 13:41")),
            ],
        )  # fmt: skip

    assert report(story) == before  # a deleted message was still sent: it counts
