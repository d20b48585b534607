"""The one place errors become responses: a JSON envelope for the API and webhooks, a page otherwise."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from atalaia.errors import AtalaiaError
from atalaia.web.deps import LoginRequired
from atalaia.web.templating import templates

log = logging.getLogger(__name__)

MESSAGES = {
    400: "Pedido inválido.",
    401: "É preciso entrar.",
    403: "Acesso negado.",
    404: "Página não encontrada.",
    405: "Método não permitido.",
    413: "Conteúdo grande demais.",
    422: "Dados inválidos.",
    429: "Tentativas demais. Aguarde alguns minutos.",
    500: "Erro interno.",
}


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith(("/api/", "/webhooks/", "/healthz", "/metrics"))


def render_error(request: Request, status: int, message: str) -> Response:
    if _wants_json(request):
        return JSONResponse({"ok": False, "error": message, "status": status}, status_code=status)
    return templates.TemplateResponse(request, "error.html", {"status": status, "message": message}, status_code=status)


def install(app: FastAPI) -> None:
    @app.exception_handler(AtalaiaError)
    async def on_atalaia_error(request: Request, exc: AtalaiaError) -> Response:
        return render_error(request, exc.status, exc.message)

    @app.exception_handler(LoginRequired)
    async def on_login_required(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) and exc.status_code < 500 else None
        return render_error(request, exc.status_code, detail or MESSAGES.get(exc.status_code, "Erro."))

    @app.exception_handler(RequestValidationError)
    async def on_validation_error(request: Request, exc: RequestValidationError) -> Response:
        fields = ", ".join(".".join(str(p) for p in e.get("loc", ())[1:]) for e in exc.errors()[:5])
        return render_error(request, 422, f"dados inválidos: {fields}" if fields else MESSAGES[422])

    @app.exception_handler(Exception)
    async def on_unexpected(request: Request, exc: Exception) -> Response:
        # Logged with its type only: exception messages may quote message text.
        log.error("unhandled %s on %s %s", type(exc).__name__, request.method, request.url.path)
        return render_error(request, 500, MESSAGES[500])
