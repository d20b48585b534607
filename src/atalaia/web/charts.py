"""Dashboard charts drawn on the server with matplotlib, as PNG.

Server-side images keep the console free of JavaScript (strict CSP) and make every chart a plain
`<img>` with a text alternative and the same numbers in a table beside it. Figures are built with
the object API (no pyplot state), so concurrent requests do not share anything.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Final

from matplotlib.figure import Figure  # savefig picks the Agg canvas for PNG: no display, no pyplot

from atalaia.analytics.daily import Day

WEEKDAYS: Final = ("seg", "ter", "qua", "qui", "sex", "sáb", "dom")
INBOUND_COLOUR: Final = "#57606a"
OUTBOUND_COLOUR: Final = "#0b5d3b"
MAX_BARS: Final = 400  # longer periods are drawn week by week


def volume_png(days: Sequence[Day]) -> bytes:
    """Messages received and sent per day (per week when the period is long)."""
    points = list(days) if len(days) <= MAX_BARS else _weekly(days)
    figure = Figure(figsize=(9, 3), dpi=100)
    axes = figure.subplots()
    positions = range(len(points))
    axes.bar(positions, [p.messages_in for p in points], color=INBOUND_COLOUR, label="recebidas")
    axes.bar(positions, [p.messages_out for p in points], bottom=[p.messages_in for p in points],
             color=OUTBOUND_COLOUR, label="enviadas")  # fmt: skip
    step = max(1, len(points) // 10)
    axes.set_xticks(list(positions)[::step], [p.day.strftime("%d/%m") for p in points][::step])
    axes.set_ylabel("mensagens")
    axes.legend(loc="upper left", frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    return _png(figure)


def heatmap_png(by_hour: Sequence[Sequence[int]]) -> bytes:
    """Messages by weekday (rows, Monday first) and local hour (columns)."""
    grid = [[0] * 24 for _ in range(7)]
    for weekday, hour, count in by_hour:
        if 0 <= weekday < 7 and 0 <= hour < 24:
            grid[weekday][hour] += count
    figure = Figure(figsize=(9, 2.8), dpi=100)
    axes = figure.subplots()
    image = axes.imshow(grid, aspect="auto", cmap="Greens")
    axes.set_yticks(range(7), WEEKDAYS)
    axes.set_xticks(range(0, 24, 2), [f"{h}h" for h in range(0, 24, 2)])
    figure.colorbar(image, ax=axes, label="mensagens")
    figure.tight_layout()
    return _png(figure)


def _weekly(days: Sequence[Day]) -> list[Day]:
    weeks: list[Day] = []
    for start in range(0, len(days), 7):
        chunk = days[start : start + 7]
        weeks.append(Day(chunk[0].day, sum(d.messages_in for d in chunk), sum(d.messages_out for d in chunk)))
    return weeks


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
