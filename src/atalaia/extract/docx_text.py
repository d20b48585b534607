"""DOCX text with python-docx: body paragraphs and tables in document order, then headers and footers."""

from __future__ import annotations

import io
from typing import Any

from atalaia.extract.sink import TextSink
from atalaia.extract.zip_guard import check_zip


def extract(data: bytes, sink: TextSink) -> None:
    check_zip(data, sink.limits)
    import docx  # deferred: only the child process needs python-docx

    document = docx.Document(io.BytesIO(data))
    for block in document.iter_inner_content():
        if not _add_block(block, sink):
            return
    for section in document.sections:
        for part in (section.header, section.footer):
            for paragraph in part.paragraphs:
                if paragraph.text and not sink.add(paragraph.text + "\n"):
                    return


def _add_block(block: Any, sink: TextSink) -> bool:
    if sink.expired():
        sink.stop("time limit reached")
        return False
    if hasattr(block, "rows"):  # a table: one line per row, cells separated by tabs
        return all(sink.add("\t".join(cell.text for cell in row.cells) + "\n") for row in block.rows)
    return sink.add(str(block.text) + "\n")
