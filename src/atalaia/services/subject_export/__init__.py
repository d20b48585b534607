"""LGPD access and portability: one data subject's data as an audited ZIP (`atalaia subject export`).

`export_subject` is the entry point (`service.py`); docs/decisions/0016 says why it is built so.
"""

from atalaia.services.subject_export.service import SubjectExportRequest, SubjectExportResult, export_subject

__all__ = ["SubjectExportRequest", "SubjectExportResult", "export_subject"]
