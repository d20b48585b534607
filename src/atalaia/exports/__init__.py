"""eDiscovery exports: RSMF, JSON Lines, CSV and PDF, each with a chain-of-custody manifest.

`export_archive` is the one entry point (see `service.py`); docs/decisions/0014 says why it is
built this way. Everything else in this package is private to it.
"""

from atalaia.exports.selection import SelectionSpec
from atalaia.exports.service import ExportFormat, ExportProgress, ExportRequest, ExportResult, export_archive

__all__ = ["ExportFormat", "ExportProgress", "ExportRequest", "ExportResult", "SelectionSpec", "export_archive"]
