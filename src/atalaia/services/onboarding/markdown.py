"""Usage rules in Markdown, rendered to HTML that can carry no script.

markdown-it-py's CommonMark engine (the "js-default" preset, for tables and strikethrough) with:
1. raw HTML off, so `<script>`, `<img onerror=...>` and any tag are shown as text;
2. images off, so `![x](url)` cannot load anything (the CSP would block it anyway);
3. links kept only for http, https and mailto; any other (`javascript:`, `data:`, relative) is
   left as plain text, and kept links get `rel="noopener noreferrer nofollow"`;
4. no linkify and no typographer, so the output is exactly what was written.
The rules are written by administrators, but they reach every employee through a public page,
so they are treated as hostile like everything else.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup

ALLOWED_SCHEMES: Final = ("http:", "https:", "mailto:")
MAX_MARKDOWN_CHARS: Final = 100_000  # a usage-rules document is a few pages; this bounds rendering work


def _only_web_links(url: str) -> bool:
    return url.strip().lower().startswith(ALLOWED_SCHEMES)


def _link_open(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    tokens[idx].attrSet("rel", "noopener noreferrer nofollow")
    rendered: str = self.renderToken(tokens, idx, options, env)
    return rendered


def _engine() -> MarkdownIt:
    md = MarkdownIt("js-default", {"html": False, "linkify": False, "typographer": False})
    md.disable(["image", "html_block", "html_inline"])
    md.validateLink = _only_web_links  # type: ignore[method-assign]
    md.add_render_rule("link_open", _link_open)
    return md


_MD: Final = _engine()


def render_markdown(text: str) -> Markup:
    """Safe HTML for a Markdown document (cut at MAX_MARKDOWN_CHARS), ready for a template."""
    return Markup(_MD.render(text[:MAX_MARKDOWN_CHARS]))  # noqa: S704 - escaped by the engine, see above
