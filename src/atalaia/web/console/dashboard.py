"""`/dashboard`: the analytics of `atalaia report` in the console, with charts, drill-down and exports.

The figures are `analytics.build_report`'s for the scope the viewer may see (a manager: their
teams' lines only) — the same numbers as the command and the API. Counts of conversations and
alerts link to the lists behind them (conversations, alerts by policy or severity). Tables download as CSV or XLSX,
each cell defused against spreadsheet formulas; the whole report downloads as a PDF (reports/pdf.py).
Charts are PNG images drawn on the server.
"""

from __future__ import annotations

import csv
import io
from typing import Any, Final
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from openpyxl import Workbook

from atalaia.analytics import Period, ReportOptions, Scope, build_report
from atalaia.analytics.daily import daily_volumes
from atalaia.errors import AtalaiaError
from atalaia.exports.csv_file import safe_cell
from atalaia.reports.document import gather
from atalaia.reports.pdf import render_pdf
from atalaia.reports.scoping import require_own_team
from atalaia.services import audit
from atalaia.services.access import Principal
from atalaia.services.analytics_access import principal_scope, scope_period
from atalaia.services.archive_search import filter_choices
from atalaia.web.charts import heatmap_png, volume_png
from atalaia.web.csrf import require_csrf
from atalaia.web.deps import CurrentUser, SessionDep, client_ip
from atalaia.web.templating import templates

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])
PARAMS: Final = ("from", "to", "team", "line", "employee")
MAX_PARAM: Final = 320
XLSX: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    principal, login = user
    params = _params(request)
    context: dict[str, Any] = {"principal": principal, "csrf_token": login.csrf_token, "params": params,
                               "query": urlencode({k: v for k, v in params.items() if v}), "error": None,
                               "choices": _choices(session, principal)}  # fmt: skip
    try:
        scope, period = _scope(session, principal, params)
        report = build_report(session, scope=scope, period=period, options=ReportOptions())
    except AtalaiaError as exc:
        context["error"] = exc.message
        return templates.TemplateResponse(request, "pages/dashboard.html", context, status_code=exc.status)
    _audit(session, principal, request, report)
    context.update(report=report, rows=_rows(report))
    return templates.TemplateResponse(request, "pages/dashboard.html", context)


@router.get("/dashboard/volume.png")
def volume_chart(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    scope, period = _scope(session, user[0], _params(request))
    return Response(volume_png(daily_volumes(session, scope, period)), media_type="image/png")


@router.get("/dashboard/heatmap.png")
def heatmap_chart(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    scope, period = _scope(session, user[0], _params(request))
    report = build_report(session, scope=scope, period=period, options=ReportOptions())
    return Response(heatmap_png(report["by_hour"]), media_type="image/png")


@router.get("/dashboard/report.pdf")
def report_pdf(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The PDF of the dashboard's scope and period; a manager naming a team not theirs gets 404."""
    principal = user[0]
    params = _params(request)
    require_own_team(session, principal, params["team"] or None)
    scope, period = _scope(session, principal, params)
    document = gather(session, scope=scope, period=period)
    _audit(session, principal, request, document.report, via="console_pdf")
    name = f"atalaia-relatorio-{document.period.as_json()['from'][:10]}.pdf"
    return Response(render_pdf(document), media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip


@router.get("/dashboard/table.{extension}")
def table_download(request: Request, session: SessionDep, user: CurrentUser, extension: str) -> Response:
    if extension not in ("csv", "xlsx"):
        return Response("formato desconhecido: use csv ou xlsx", status_code=404, media_type="text/plain")
    principal = user[0]
    scope, period = _scope(session, principal, _params(request))
    report = build_report(session, scope=scope, period=period, options=ReportOptions())
    _audit(session, principal, request, report)
    rows = [("indicador", "valor"), *_rows(report)]
    name = f"atalaia-indicadores.{extension}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if extension == "csv":
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerows([safe_cell(cell) for cell in row] for row in rows)
        return Response("\ufeff" + text.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("indicadores")
    for row in rows:
        sheet.append([cell if isinstance(cell, int | float) else safe_cell(cell) for cell in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return Response(buffer.getvalue(), media_type=XLSX, headers=headers)


def _params(request: Request) -> dict[str, str]:
    return {name: (request.query_params.get(name) or "").strip()[:MAX_PARAM] for name in PARAMS}


def _scope(session: Any, principal: Principal, params: dict[str, str]) -> tuple[Scope, Period]:
    scope = principal_scope(session, principal, team=params["team"] or None, line=params["line"] or None,
                            employee=params["employee"] or None)  # fmt: skip
    return scope, scope_period(session, scope, date_from=params["from"] or None, date_to=params["to"] or None)


def _choices(session: Any, principal: Principal) -> dict[str, list[str]]:
    found = filter_choices(session, principal=principal)
    return {"teams": [name for _, name in found.teams], "lines": [label.split(" · ")[0] for _, label in found.lines]}


def _rows(report: dict[str, Any]) -> list[tuple[str, Any]]:
    """The figures as (label, value) rows: the table on the page and in the downloads."""
    first = report["first_response_seconds"]
    rows: list[tuple[str, Any]] = [
        ("Mensagens recebidas", report["messages_in"]),
        ("Mensagens enviadas", report["messages_out"]),
        ("Conversas com atividade", report["conversations"]),
        ("Contatos novos", report["new_contacts"]),
        ("Primeira resposta, mediana (s)", first["median"]),
        ("Primeira resposta, p90 (s)", first["p90"]),
        ("Sem resposta", report["unanswered"]),
        ("Fora do horário (fração)", report["after_hours_share"]),
    ]
    rows += [(f"Alertas: política {policy}", n) for policy, n in sorted(report["alerts"]["by_policy"].items())]
    rows += [(f"Alertas: gravidade {sev}", n) for sev, n in report["alerts"]["by_severity"].items()]
    rows += [(f"Campanha {c['source_id'] or '?'}", c["conversations"]) for c in report["campaigns"]]
    return rows


def _audit(session: Any, principal: Principal, request: Request, report: dict[str, Any], via: str = "console") -> None:
    audit.record(session, tenant_id=principal.tenant_id, actor=principal.email, user_id=principal.user_id,
                 action="analytics_read", object_type="report", object_id=None, ip=client_ip(request),
                 detail={"scope": report["scope"], "period": report["period"], "via": via})  # fmt: skip
