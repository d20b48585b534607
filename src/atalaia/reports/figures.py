"""The report's numbers as a person reads them in Portuguese: labels, durations, percentages.

Shared by the PDF and the weekly e-mail so both say "1ª resposta (mediana)" and "12 min" alike.
"""

from __future__ import annotations

from typing import Any, Final

SEVERITIES: Final = {"low": "baixa", "medium": "média", "high": "alta", "critical": "crítica"}


def number(value: int | None) -> str:
    return "—" if value is None else f"{value:,}".replace(",", ".")


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %".replace(".", ",")


def duration(seconds: float | None) -> str:
    """`None` (no sample) as a dash; otherwise seconds, minutes, hours and days, rounded to the minute."""
    if seconds is None:
        return "—"
    minutes = round(seconds / 60)
    if minutes < 1:
        return f"{round(seconds)} s"
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return f"{minutes} min"
    days, hours = divmod(hours, 24)
    return (f"{days} d " if days else "") + f"{hours} h" + (f" {minutes:02d} min" if minutes else "")


def key_figures(report: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) for the headline numbers, in the order the PDF and the e-mail show them."""
    started = report["conversations_started"]
    first = report["first_response_seconds"]
    return [
        ("Mensagens recebidas", number(report["messages_in"])),
        ("Mensagens enviadas", number(report["messages_out"])),
        ("Conversas com atividade", number(report["conversations"])),
        ("Iniciadas por clientes", number(started.get("customer", 0))),
        ("Iniciadas pela empresa", number(started.get("employee", 0))),
        ("Contatos novos", number(report["new_contacts"])),
        ("1ª resposta (mediana)", duration(first["median"])),
        ("1ª resposta (p90)", duration(first["p90"])),
        ("Sem resposta", number(report["unanswered"])),
        ("Fora do horário comercial", percent(report["after_hours_share"])),
    ]


def alert_figures(alerts: dict[str, Any]) -> list[tuple[str, str]]:
    resolutions = alerts["resolutions"]
    rows = [("Alertas no período", number(alerts["total"]))]
    rows += [(f"Gravidade {SEVERITIES.get(s, s)}", number(n)) for s, n in alerts["by_severity"].items()]
    rows += [
        ("Confirmados", number(resolutions.get("confirmed", 0))),
        ("Falsos positivos", number(resolutions.get("false_positive", 0))),
        ("Não resolvidos", number(alerts["by_status"].get("open", 0) + alerts["by_status"].get("in_review", 0))),
    ]
    return rows
