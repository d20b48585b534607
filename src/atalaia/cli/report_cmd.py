"""`atalaia report`: the analytics of a scope and period, as the dashboards will show them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from atalaia.analytics import ReportOptions, build_report, parse_period, resolve_scope
from atalaia.cli.common import JsonOption, TenantOption, emit_json, handle_errors, open_runtime, resolve_tenant
from atalaia.db.engine import transaction
from atalaia.errors import InvalidInput
from atalaia.reports.document import gather
from atalaia.reports.pdf import render_pdf

WEEKDAYS = ("seg", "ter", "qua", "qui", "sex", "sáb", "dom")
SEVERITIES = {"low": "baixa", "medium": "média", "high": "alta", "critical": "crítica"}
KINDS = {"text": "texto", "image": "imagem", "audio": "áudio", "video": "vídeo", "document": "documento",
         "sticker": "figurinha", "media": "mídia", "location": "localização", "contacts": "contatos"}  # fmt: skip


@handle_errors
def report_command(
    date_from: Annotated[
        str | None, typer.Option("--from", help="First day (AAAA-MM-DD) or ISO date-time; default: 30 days ago.")
    ] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", help="Last day, included (AAAA-MM-DD); default: today.")
    ] = None,
    team: Annotated[str | None, typer.Option("--team", help="Only the lines of this team.")] = None,
    line: Annotated[str | None, typer.Option("--line", help="Only this line (+55...); dates in its time zone.")] = None,
    employee: Annotated[
        str | None, typer.Option("--employee", help="Only this employee's time on their lines (e-mail).")
    ] = None,
    business_hours: Annotated[
        bool, typer.Option("--business-hours", help="Count waiting times in business hours only.")
    ] = False,
    unanswered_hours: Annotated[
        float, typer.Option("--unanswered-hours", min=0, help="Hours after which a waiting customer is unanswered.")
    ] = 24.0,
    output_format: Annotated[
        str, typer.Option("--format", help="text (default) or pdf: also write the report as a PDF to --out.")
    ] = "text",
    out: Annotated[Path | None, typer.Option("--out", help="Where to write the PDF (with --format pdf).")] = None,
    tenant: TenantOption = "default",
    as_json: JsonOption = False,
) -> None:
    """Volumes, response times, unanswered customers, after-hours share, heat map, alerts and ad campaigns."""
    if output_format not in ("text", "pdf"):
        raise InvalidInput(f"formato desconhecido: {output_format!r} (use text ou pdf)")
    if (output_format == "pdf") != (out is not None):
        raise InvalidInput("use --format pdf junto com --out ARQUIVO.pdf")
    with open_runtime() as runtime:
        tenant_row = resolve_tenant(runtime, tenant)
        with transaction(runtime.sessions) as session:
            scope = resolve_scope(session, tenant_id=tenant_row.id, team=team, line=line, employee=employee)
            period = parse_period(
                date_from, date_to, timezone=scope.line_timezone or tenant_row.timezone, now=datetime.now(UTC)
            )
            options = ReportOptions(business_hours=business_hours, unanswered_hours=unanswered_hours)
            if out is None:
                report = build_report(session, scope=scope, period=period, options=options)
            else:  # the same figures, drawn: the JSON and the text below stay what they always were
                document = gather(session, scope=scope, period=period, options=options)
                report = document.report
    if out is not None:
        write_pdf(out, render_pdf(document))
    if as_json:
        emit_json(report)
        return
    typer.echo(f"Relatório em PDF gravado em {out}" if out is not None else render(report))


def write_pdf(path: Path, content: bytes) -> None:
    """Write next to the target, then rename: an interrupted run leaves no half PDF under the name asked for."""
    try:
        partial = path.with_name(f".{path.name}.partial")
        partial.write_bytes(content)
        partial.replace(path)
    except OSError as exc:
        raise InvalidInput(f"não foi possível gravar {path}: {exc.strerror or exc}") from None


def render(report: dict[str, Any]) -> str:
    """The report as a Portuguese text table."""
    period, scope = report["period"], report["scope"]
    labels = (("team", "equipe"), ("line", "linha"), ("employee", "colaborador"))
    names = [f"{label} {scope[key]}" for key, label in labels if scope[key]]
    first, last = period["from"][:16].replace("T", " "), period["to"][:16].replace("T", " ")
    rows = _figures(report) + _alerts(report["alerts"]) + _campaigns(report["campaigns"])
    width = max(len(label) for label, _ in rows)
    lines = [f"Relatório de {first} a {last} ({period['timezone']})" + (" — " + ", ".join(names) if names else "")]
    if report["options"]["business_hours"]:
        lines.append("Tempos contados só no horário comercial.")
    lines += [f"{label:<{width}}  {value}" for label, value in rows]
    lines += ["", "Mensagens por dia da semana e hora (horário local de cada linha):", *_heat_map(report["by_hour"])]
    return "\n".join(lines)


def _figures(report: dict[str, Any]) -> list[tuple[str, str]]:
    kinds, started, media = report["by_conversation_kind"], report["conversations_started"], report["media"]
    chats = f"(individuais {kinds['direct']['conversations']}, grupos {kinds['group']['conversations']})"
    media_kinds = _counts({KINDS.get(k, k): n for k, n in media["by_kind"].items() if k != "text"})
    return [
        ("Mensagens recebidas", _n(report["messages_in"])),
        ("Mensagens enviadas", _n(report["messages_out"])),
        ("Conversas", f"{_n(report['conversations'])} {chats}"),
        ("Iniciadas por clientes / pela empresa", f"{started['customer']} / {started['employee']}"),
        ("Contatos novos", _n(report["new_contacts"])),
        ("Primeira resposta (mediana / p90)", _pair(report["first_response_seconds"])),
        ("Tempo de resposta (mediana / p90)", _pair(report["response_seconds"])),
        (f"Sem resposta há mais de {_hours(report['options']['unanswered_hours'])}", _n(report["unanswered"])),
        ("  com a última palavra do cliente", _n(report["customer_spoke_last"])),
        ("Fora do horário comercial", f"{_percent(report['after_hours_share'])} ({report['after_hours']})"),
        ("Mídia", f"{_percent(media['share'])} {media_kinds}".rstrip()),
    ]


def _alerts(alerts: dict[str, Any]) -> list[tuple[str, str]]:
    severities = _counts({SEVERITIES.get(k, k): n for k, n in alerts["by_severity"].items()})
    resolutions = alerts["resolutions"]
    return [
        ("Alertas", f"{alerts['total']} {severities}".rstrip()),
        ("  confirmados / falsos positivos", f"{resolutions['confirmed']} / {resolutions['false_positive']}"),
        *((f"  política {policy}", _n(n)) for policy, n in alerts["by_policy"].items()),
    ]


def _campaigns(campaigns: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [
        (
            f"Anúncio {c['source_id'] or '-'} {c['headline'] or ''}".rstrip(),
            f"{c['conversations']} conversa(s), 1ª resposta {_pair(c['first_response_seconds'])}",
        )
        for c in campaigns
    ]


def _heat_map(cells: list[list[int]]) -> list[str]:
    grid = [[0] * 24 for _ in range(7)]
    for weekday, hour, n in cells:
        grid[weekday][hour] = n
    width = max(2, *(len(str(n)) for row in grid for n in row))
    header = "     " + " ".join(f"{h:>{width}}" for h in range(24))
    return [header] + [
        f"{WEEKDAYS[d]:<4} " + " ".join(f"{(str(n) if n else '.'):>{width}}" for n in grid[d]) for d in range(7)
    ]


def _n(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _percent(value: float) -> str:
    return f"{value * 100:.1f} %".replace(".", ",")


def _counts(values: dict[str, int]) -> str:
    shown = [f"{k} {n}" for k, n in values.items() if n]
    return f"({', '.join(shown)})" if shown else ""


def _pair(values: dict[str, float | None]) -> str:
    return f"{_duration(values['median'])} / {_duration(values['p90'])}"


def _duration(seconds: float | None) -> str:
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


def _hours(value: float) -> str:
    return f"{value:g} h".replace(".", ",")


def register(app: typer.Typer) -> None:
    app.command("report")(report_command)
