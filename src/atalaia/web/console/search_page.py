"""`/search`: the console's full-text search, a GET form so a search is a link a reviewer can share.

Parameters are read as text and checked here, not by FastAPI's validation: a person typing a
date, a page or a choice by hand gets the form back with the reason in place, never a bare error
page. The search itself, its scope and its audit entry are `services.archive_search`'s.
"""

from __future__ import annotations

from typing import Any, Final
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import QueryParams

from atalaia.domain.enums import MessageKind
from atalaia.search import SearchQueryError
from atalaia.services.archive_search import filter_choices, search_archive
from atalaia.services.search_filters import SearchOptions
from atalaia.web.csrf import require_csrf
from atalaia.web.deps import CurrentUser, SessionDep, client_ip
from atalaia.web.templating import templates

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])

PAGE_SIZE: Final = 20
MAX_PAGE: Final = 500  # the search refuses offsets past 10,000
DATE_LABELS: Final = ("“De”", "“Até”")
YES: Final = frozenset({"1", "true", "sim", "yes", "on"})
NO: Final = frozenset({"0", "false", "nao", "não", "no", "off"})
FILTER_PARAMS: Final = (
    "line", "team", "employee", "contact", "direction", "from", "to", "kind",
    "has_attachment", "has_alert", "deleted", "edited",
)  # fmt: skip
KIND_LABELS: Final[dict[str, str]] = {
    MessageKind.TEXT: "texto",
    MessageKind.IMAGE: "imagem",
    MessageKind.AUDIO: "áudio",
    MessageKind.VIDEO: "vídeo",
    MessageKind.DOCUMENT: "documento",
    MessageKind.STICKER: "figurinha",
    MessageKind.LOCATION: "localização",
    MessageKind.CONTACTS: "contatos",
    MessageKind.INTERACTIVE: "interativa",
    MessageKind.BUTTON: "botão",
    MessageKind.ORDER: "pedido",
    MessageKind.MEDIA: "mídia (exportação)",
    MessageKind.DELETED: "apagada (exportação)",
    MessageKind.SYSTEM: "sistema",
    MessageKind.UNSUPPORTED: "não suportada",
}
MATCHED_IN: Final[dict[str, str]] = {
    "revision": "numa versão anterior, antes de uma edição",
    "original": "no texto original, antes da edição",
    "attachment": "no nome ou na legenda de um anexo",
    "attachment_text": "no texto extraído de um anexo",
}


def _choice(params: QueryParams, name: str, label: str) -> bool | None:
    """A yes/no/any select: empty is "any"; anything else unknown is explained."""
    value = params.get(name, "").strip().lower()
    if not value:
        return None
    if value in YES:
        return True
    if value in NO:
        return False
    raise SearchQueryError(f"Valor inválido em “{label}”: escolha uma das opções da lista.")


def _options(params: QueryParams) -> SearchOptions:
    text = {name: params.get(name, "").strip() for name in ("team", "employee", "contact", "direction", "from", "to")}
    return SearchOptions(
        lines=[value for value in params.getlist("line") if value.strip()],
        team=text["team"] or None,
        employee=text["employee"] or None,
        contact=text["contact"] or None,
        date_from=text["from"] or None,
        date_to=text["to"] or None,
        direction=text["direction"] or None,
        kinds=[value for value in params.getlist("kind") if value.strip()],
        has_attachment=_choice(params, "has_attachment", "Anexo"),
        has_alert=_choice(params, "has_alert", "Alerta"),
        deleted=_choice(params, "deleted", "Apagadas"),
        edited=_choice(params, "edited", "Editadas"),
    )


def _page(params: QueryParams) -> int:
    value = params.get("page", "1").strip() or "1"
    if not value.isdecimal() or not 1 <= int(value) <= MAX_PAGE:
        raise SearchQueryError(f"Página inválida: use um número de 1 a {MAX_PAGE}; para ir além, refine a busca.")
    return int(value)


def _page_link(params: QueryParams, page: int) -> str:
    kept = [(name, value) for name, value in params.multi_items() if name != "page" and value != ""]
    return "/search?" + urlencode([*kept, ("page", str(page))])


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The form, and when `q` is given one page of results; a search that cannot run says why (400)."""
    principal, login = user
    params = request.query_params
    query = params.get("q", "")
    context: dict[str, Any] = {
        "principal": principal,
        "csrf_token": login.csrf_token,
        "q": query,
        "form": {name: params.get(name, "") for name in FILTER_PARAMS},
        "kinds": KIND_LABELS,
        "matched_in": MATCHED_IN,
        "choices": filter_choices(session, principal=principal),
        "results": None,
        "error": None,
    }
    context["filters_open"] = any(context["form"].values())
    status = 200
    if query.strip():
        try:
            page = _page(params)
            results = search_archive(
                session,
                principal=principal,
                query=query,
                options=_options(params),
                limit=PAGE_SIZE,
                offset=(page - 1) * PAGE_SIZE,
                ip=client_ip(request),
                date_labels=DATE_LABELS,
            )
        except SearchQueryError as exc:
            context["error"], status = exc.message, exc.status
        else:
            context["results"] = results
            context["previous_page"] = _page_link(params, page - 1) if page > 1 else None
            more = results.offset + len(results.hits) < results.total and page < MAX_PAGE
            context["next_page"] = _page_link(params, page + 1) if more else None
    elif any(params.get(name) for name in FILTER_PARAMS):
        context["error"] = "Digite ao menos uma palavra para buscar; os filtros refinam a busca."
    return templates.TemplateResponse(request, "pages/search.html", context, status_code=status)
