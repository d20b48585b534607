"""Exports as background jobs: asked for in the console or the API, run by the worker, downloaded, expired.

`create_export_job` and `open_access_request` queue work in the caller's transaction;
`run_export_job` is the worker's handler (kind `KIND`); `expire_exports` is a clock-driven check;
`open_download` is the audited hand-over. Why it is built this way: docs/decisions/0019-export-jobs.md.
"""

from atalaia.services.export_jobs.create import (
    EDISCOVERY,
    KIND,
    SUBJECT_ACCESS,
    SUBJECT_ROLES,
    create_export_job,
    open_access_request,
)
from atalaia.services.export_jobs.expiry import expire_exports
from atalaia.services.export_jobs.runner import run_export_job
from atalaia.services.export_jobs.views import (
    Download,
    ExportExpired,
    ExportNotReady,
    get_job,
    job_as_dict,
    list_jobs,
    open_download,
    percent,
)

__all__ = [
    "EDISCOVERY",
    "KIND",
    "SUBJECT_ACCESS",
    "SUBJECT_ROLES",
    "Download",
    "ExportExpired",
    "ExportNotReady",
    "create_export_job",
    "expire_exports",
    "get_job",
    "job_as_dict",
    "list_jobs",
    "open_access_request",
    "open_download",
    "percent",
    "run_export_job",
]
