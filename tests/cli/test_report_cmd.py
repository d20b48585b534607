"""`atalaia report`: the SPEC's JSON contract, its scope options, its errors and the Portuguese table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from tests.analytics_story import L2, L3, WEEK, Story, build_story
from tests.cli.conftest import Invoke, json_of
from tests.conftest import ArchiveSetup

CONTRACT = ["messages_in", "messages_out", "conversations", "new_contacts", "first_response_seconds", "unanswered",
            "after_hours_share", "by_hour", "alerts", "campaigns"]  # fmt: skip
THE_WEEK = ("--from", WEEK[0], "--to", WEEK[1])


@pytest.fixture
def story(archive_setup: ArchiveSetup) -> Story:
    return build_story(archive_setup)


def test_it_prints_the_contract(atalaia: Invoke, story: Story) -> None:
    payload = json_of(atalaia("report", *THE_WEEK, "--json"))

    assert list(payload)[: len(CONTRACT)] == CONTRACT
    assert (payload["messages_in"], payload["messages_out"], payload["conversations"]) == (10, 8, 6)
    assert payload["new_contacts"] == 3
    assert payload["first_response_seconds"] == {"median": 15900.0, "p90": 92340.0}
    assert payload["unanswered"] == 2
    assert payload["after_hours_share"] == 0.2778
    assert all(len(cell) == 3 and all(isinstance(v, int) for v in cell) for cell in payload["by_hour"])
    assert sum(n for _, _, n in payload["by_hour"]) == 18
    assert {"by_policy", "by_severity"} <= set(payload["alerts"])
    assert [c["source_id"] for c in payload["campaigns"]] == ["120208", "777"]
    assert payload["period"] == {
        "from": "2024-04-29T00:00:00-03:00",
        "to": "2024-05-06T00:00:00-03:00",
        "timezone": "America/Sao_Paulo",
    }


def test_scope_options(atalaia: Invoke, story: Story) -> None:
    vendas = json_of(atalaia("report", *THE_WEEK, "--team", "Vendas", "--json"))
    noronha = json_of(atalaia("report", *THE_WEEK, "--line", L3, "--json"))
    diana = json_of(atalaia("report", *THE_WEEK, "--employee", "diana@exemplo.com.br", "--json"))
    manaus_friday = json_of(atalaia("report", "--from", "2024-05-03", "--to", "2024-05-03", "--line", L2, "--json"))

    assert (vendas["messages_in"], vendas["messages_out"]) == (8, 8)
    assert noronha["period"]["timezone"] == "America/Noronha"
    assert noronha["messages_in"] == 1  # d1 is on 6 May in Noronha
    assert (diana["messages_in"], diana["new_contacts"], diana["unanswered"]) == (2, 1, 1)
    assert manaus_friday["by_hour"] == [[4, 17, 3]]


def test_waiting_time_options(atalaia: Invoke, story: Story) -> None:
    business = json_of(atalaia("report", *THE_WEEK, "--business-hours", "--json"))
    patient = json_of(atalaia("report", *THE_WEEK, "--unanswered-hours", "40", "--json"))

    assert business["first_response_seconds"] == {"median": 1500.0, "p90": 3060.0}
    assert business["unanswered"] == 1
    assert patient["unanswered"] == 1
    assert patient["options"]["unanswered_hours"] == 40.0


def test_the_default_period_is_the_last_30_days(atalaia: Invoke, story: Story) -> None:
    payload = json_of(atalaia("report", "--json"))

    zone = ZoneInfo("America/Sao_Paulo")
    start, end = (datetime.fromisoformat(payload["period"][k]) for k in ("from", "to"))
    assert end.date() == datetime.now(UTC).astimezone(zone).date() + timedelta(days=1)
    assert (end.date() - start.date()).days == 30
    assert (payload["messages_in"], payload["first_response_seconds"]["median"]) == (0, None)
    assert (payload["after_hours_share"], payload["by_hour"], payload["campaigns"]) == (0.0, [], [])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--from", "2024-02-30"), "data inválida em --from"),
        (("--to", "amanhã"), "data inválida em --to"),
        (("--from", "2024-05-05", "--to", "2024-04-29"), "período vazio"),
        (("--team", "Financeiro"), "equipe não encontrada"),
        (("--line", "+55 11 98888-7777"), "linha não encontrada"),
        (("--line", "123"), "número de linha inválido"),
        (("--employee", "ninguem@exemplo.com.br"), "colaborador não encontrado"),
    ],
)
def test_errors_are_one_clear_line(atalaia: Invoke, story: Story, args: tuple[str, ...], message: str) -> None:
    result = atalaia("report", *args, "--json", expect=2)

    assert result.stdout == ""
    assert message in result.stderr


def test_the_table_is_in_portuguese(atalaia: Invoke, story: Story) -> None:
    text = atalaia("report", *THE_WEEK, "--team", "Vendas").stdout

    assert "Relatório de 2024-04-29 00:00 a 2024-05-06 00:00 (America/Sao_Paulo) — equipe Vendas" in text
    assert "Mensagens recebidas" in text
    assert "Primeira resposta (mediana / p90)" in text
    assert "20 min / 1 d 2 h 28 min" in text  # 1200 s and 95280 s
    assert "Sem resposta há mais de 24 h" in text
    assert "Fora do horário comercial" in text
    assert "25,0 %" in text
    assert "política dados-pessoais" in text
    assert "Anúncio 120208 Plano Empresa" in text
    assert "seg" in text
    assert "dom" in text


def test_format_pdf_writes_the_report_and_keeps_the_json_contract(
    atalaia: Invoke, story: Story, tmp_path: Path
) -> None:
    out = tmp_path / "vendas.pdf"

    payload = json_of(atalaia("report", *THE_WEEK, "--team", "Vendas", "--format", "pdf", "--out", str(out), "--json"))
    text = atalaia("report", *THE_WEEK, "--format", "pdf", "--out", str(tmp_path / "all.pdf")).stdout
    missing_out = atalaia("report", "--format", "pdf", expect=2)
    unknown = atalaia("report", "--format", "docx", "--out", str(tmp_path / "x.docx"), expect=2)
    unwritable = atalaia("report", "--format", "pdf", "--out", str(tmp_path / "no" / "such" / "dir.pdf"), expect=2)

    assert list(payload)[: len(CONTRACT)] == CONTRACT
    assert (payload["messages_in"], payload["messages_out"]) == (8, 8)
    pdf = " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(out).pages)
    assert "Equipe Vendas" in pdf
    assert "Mensagens recebidas 8" in pdf
    assert "gravado em" in text
    assert (tmp_path / "all.pdf").read_bytes().startswith(b"%PDF")
    assert "--out" in missing_out.output
    assert "docx" in unknown.output
    assert "não foi possível gravar" in unwritable.output
    assert not (tmp_path / "x.docx").exists()
