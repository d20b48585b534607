"""What the console's and the API's evidence routes share: a bounded upload, and a download that never renders.

The upload bound runs as a dependency *before* the multipart body is parsed (the route declares
no Form or File parameter, so FastAPI does not read it first): a body whose Content-Length
passes the limit gets 413 without being read, one without a Content-Length gets 411, and h11
refuses a body longer than it declared. The download is `application/octet-stream` with
`Content-Disposition: attachment`, `nosniff` and a sandbox CSP, whatever the file really is.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Annotated, Final
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from atalaia.errors import InvalidInput
from atalaia.runtime import Runtime
from atalaia.services.compliance.case_evidence import EvidenceBlobs, EvidenceFile
from atalaia.web.deps import get_runtime

FORM_OVERHEAD: Final = 64 * 1024  # multipart boundaries, headers and the small fields around the file
UNSAFE: Final = frozenset({"POST", "PUT", "PATCH"})


@dataclass(frozen=True, slots=True)
class Upload:
    file_name: str | None
    content: bytes


def evidence_blobs(runtime: Runtime) -> EvidenceBlobs:
    return EvidenceBlobs(runtime.blobs.backend)


def bounded_upload(request: Request, runtime: Annotated[Runtime, Depends(get_runtime)]) -> None:
    """411 or 413 before the body is read; GETs pass."""
    if request.method not in UNSAFE:
        return
    declared = request.headers.get("content-length")
    if declared is None or not declared.isdigit():
        raise HTTPException(status_code=411, detail="envie o arquivo com Content-Length")
    limit = runtime.settings.max_evidence_bytes
    if int(declared) > limit + FORM_OVERHEAD:
        raise HTTPException(status_code=413, detail=f"o arquivo passa do limite de {limit // (1024 * 1024)} MiB")


async def uploaded_file(request: Request, runtime: Annotated[Runtime, Depends(get_runtime)]) -> Upload:
    """The multipart field `file` (parsed once: the CSRF check reuses the cached form)."""
    form = await request.form()
    value = form.get("file")
    if not isinstance(value, UploadFile):
        raise InvalidInput("escolha um arquivo para anexar")
    content = await value.read(runtime.settings.max_evidence_bytes + 1)  # one byte over is enough to refuse
    return Upload(file_name=value.filename, content=content)


def evidence_response(found: EvidenceFile) -> Response:
    name = found.row.file_name
    fallback = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().replace('"', "") or "evidencia"
    headers = {
        "Content-Disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox; default-src 'none'",
        "Cache-Control": "no-store",
        "X-Atalaia-SHA256": found.row.sha256,
    }
    return Response(found.content, media_type="application/octet-stream", headers=headers)
