"""The report PDF: title facts, key numbers, the dashboard's two charts and a table per line.

Drawn with reportlab's platypus in the standard fonts, like the eDiscovery transcript
(exports/pdf.py), and with the console's charts (web/charts.py) embedded as PNG. Numbers only:
team, line and employee names are the only words that come from the database, and they pass
through `pdf_text.markup` (escaped, undrawable characters named).
"""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
from reportlab.lib.styles import ParagraphStyle  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.platypus import (  # type: ignore[import-untyped]
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from atalaia.exports.pdf_text import fold, markup
from atalaia.reports.document import ReportDocument
from atalaia.reports.figures import alert_figures, duration, key_figures, number
from atalaia.web.charts import heatmap_png, volume_png

GREEN: Final = colors.HexColor("#0b5d3b")
GREY: Final = colors.HexColor("#57606a")
LIGHT: Final = colors.HexColor("#eef3f0")
WIDTH: Final = A4[0] - 30 * mm
DAY: Final = "%d/%m/%Y"
STYLES: Final = {
    "title": ParagraphStyle("title", fontName="Helvetica-Bold", fontSize=18, leading=22, textColor=GREEN),
    "subtitle": ParagraphStyle("subtitle", fontName="Helvetica", fontSize=11, leading=15, spaceAfter=6),
    "h2": ParagraphStyle(
        "h2", fontName="Helvetica-Bold", fontSize=12, leading=15, spaceBefore=10, spaceAfter=4, textColor=GREEN
    ),
    "cell": ParagraphStyle("cell", fontName="Helvetica", fontSize=8.5, leading=10.5),
    "note": ParagraphStyle("note", fontName="Helvetica", fontSize=8, leading=10, textColor=GREY),
}
NOTE: Final = (
    "Números do painel de indicadores do Atalaia, calculados como no comando `atalaia report`. "
    "Este relatório contém apenas números: nenhum texto de mensagem. Horários locais de cada linha "
    "no mapa de calor; horário comercial de segunda a sexta, das 8h às 18h, exceto feriados nacionais."
)


def render_pdf(document: ReportDocument) -> bytes:
    """The finished PDF as bytes (a few hundred KB at most: two charts and tables)."""
    buffer = io.BytesIO()
    title = f"Relatório de indicadores — {document.scope_label}"
    footer = fold(f"Atalaia · {document.tenant_name} · {document.scope_label} · {_period_text(document)}")[:150]

    def on_page(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.setFillColor(colors.grey)
        canvas.drawString(15 * mm, 8 * mm, footer)
        canvas.drawRightString(A4[0] - 15 * mm, 8 * mm, f"página {doc.page}")
        canvas.restoreState()

    pdf = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm, bottomMargin=15 * mm,
        title=fold(title)[:200], author="Atalaia", creator="Atalaia", subject=fold(document.tenant_name)[:200],
    )  # fmt: skip
    pdf.build(_story(document, title), onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()


def _story(document: ReportDocument, title: str) -> list[Any]:
    report = document.report
    story: list[Any] = [
        Paragraph(markup(title), STYLES["title"]),
        Paragraph(markup(document.tenant_name), STYLES["subtitle"]),
        _facts_table(_title_facts(document)),
        Spacer(1, 4 * mm),
        Paragraph("Números do período", STYLES["h2"]),
        _figures_grid(key_figures(report)),
        Paragraph("Alertas", STYLES["h2"]),
        _figures_grid(alert_figures(report["alerts"])),
        KeepTogether([Paragraph("Mensagens por dia", STYLES["h2"]), _chart(volume_png(document.days), 9, 3)]),
        KeepTogether([Paragraph("Dia da semana × hora", STYLES["h2"]), _chart(heatmap_png(report["by_hour"]), 9, 2.8)]),
        Paragraph("Por linha", STYLES["h2"]),
        _lines_table(document),
        Spacer(1, 4 * mm),
        Paragraph(markup(NOTE), STYLES["note"]),
    ]
    return story


def _period_text(document: ReportDocument) -> str:
    zone = ZoneInfo(document.period.timezone)
    first = document.period.start.astimezone(zone)
    last = (document.period.end - timedelta(microseconds=1)).astimezone(zone)
    return f"{first.strftime(DAY)} a {last.strftime(DAY)}"


def _title_facts(document: ReportDocument) -> list[tuple[str, str]]:
    zone = ZoneInfo(document.period.timezone)
    return [
        ("Escopo", document.scope_label),
        ("Período", _period_text(document)),
        ("Fuso horário", document.period.timezone),
        ("Gerado em", document.generated_at.astimezone(zone).strftime("%d/%m/%Y às %H:%M")),
    ]


def _facts_table(rows: list[tuple[str, str]]) -> Table:
    data = [[Paragraph(f"<b>{markup(label)}</b>", STYLES["cell"]), Paragraph(markup(value), STYLES["cell"])]
            for label, value in rows]  # fmt: skip
    table = Table(data, colWidths=[35 * mm, WIDTH - 35 * mm], hAlign="LEFT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]))
    return table


def _figures_grid(rows: list[tuple[str, str]]) -> Table:
    """Label and value pairs, two pairs to a row, values right-aligned and bold."""
    cells = [[label, value] for label, value in rows]
    if len(cells) % 2:
        cells.append(["", ""])
    data = [cells[i] + cells[i + 1] for i in range(0, len(cells), 2)]
    half = WIDTH / 2
    table = Table(data, colWidths=[half * 0.62, half * 0.38] * 2, hAlign="LEFT")
    table.setStyle(
        TableStyle([
            ("FONT", (0, 0), (-1, -1), "Helvetica", 9),
            ("FONT", (1, 0), (1, -1), "Helvetica-Bold", 10),
            ("FONT", (3, 0), (3, -1), "Helvetica-Bold", 10),
            ("ALIGN", (1, 0), (1, -1), "RIGHT"),
            ("ALIGN", (3, 0), (3, -1), "RIGHT"),
            ("ROWBACKGROUNDS", (0, 0), (-1, -1), [LIGHT, colors.white]),
            ("LINEAFTER", (1, 0), (1, -1), 0.5, colors.white),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ])
    )  # fmt: skip
    return table


def _chart(png: bytes, width_in: float, height_in: float) -> Image:
    return Image(io.BytesIO(png), width=WIDTH, height=WIDTH * height_in / width_in)


def _lines_table(document: ReportDocument) -> Any:
    if not document.lines:
        return Paragraph("Nenhuma linha neste escopo.", STYLES["cell"])
    header = ["Linha", "Equipe", "Colaborador", "Recebidas", "Enviadas", "Conversas", "1ª resposta", "Sem resp."]
    data: list[list[Any]] = [header]
    for row in document.lines:
        data.append([
            row.number,
            Paragraph(markup(row.team[:60]), STYLES["cell"]),
            Paragraph(markup(row.employee[:80]), STYLES["cell"]),
            number(row.messages_in),
            number(row.messages_out),
            number(row.conversations),
            duration(row.first_response_median),
            number(row.unanswered),
        ])  # fmt: skip
    widths = [30 * mm, 24 * mm, 36 * mm, 16 * mm, 16 * mm, 16 * mm, 22 * mm]
    widths.append(WIDTH - sum(widths))
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle([
            ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
            ("FONT", (0, 1), (-1, -1), "Helvetica", 8.5),
            ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
            ("BACKGROUND", (0, 0), (-1, 0), GREEN),
            ("ALIGN", (3, 0), (-1, -1), "RIGHT"),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, LIGHT]),
        ])
    )  # fmt: skip
    if not document.lines_left_out:
        return table
    more = f"E mais {document.lines_left_out} linha(s), incluídas nos totais acima."
    return KeepTogether([table, Paragraph(markup(more), STYLES["note"])])
