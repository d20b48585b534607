"""XLSX text with openpyxl in read-only mode (streamed, never the whole sheet in memory).

Each sheet starts with its name; each row is one line, cells separated by tabs. Stored values,
not formulas (`data_only`): what the recipient sees. Whole numbers lose the `.0` a float would
print, so a CPF typed as a number reads as its 11 digits.
"""

from __future__ import annotations

import io
from datetime import date, datetime, time
from typing import Any, Final

from atalaia.extract.sink import TextSink
from atalaia.extract.zip_guard import check_zip

ROWS_PER_CLOCK_CHECK: Final = 500


def extract(data: bytes, sink: TextSink) -> None:
    check_zip(data, sink.limits)
    from openpyxl import load_workbook  # deferred: only the child process needs openpyxl

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        for sheet in workbook.worksheets:
            if not sink.add(f"# {sheet.title}\n"):
                return
            for count, row in enumerate(sheet.iter_rows(values_only=True)):
                if count % ROWS_PER_CLOCK_CHECK == 0 and sink.expired():
                    sink.stop(f"time limit reached in sheet {sheet.title!r}")
                    return
                cells = [_cell(value) for value in row if value is not None]
                if cells and not sink.add("\t".join(cells) + "\n"):
                    return
    finally:
        workbook.close()


def _cell(value: Any) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)
