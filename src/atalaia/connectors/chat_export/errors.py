"""The one error a chat export raises: bad input, told in a sentence a person can act on."""

from __future__ import annotations

from atalaia.errors import InvalidInput


class ExportError(InvalidInput):
    """A file that is not a readable WhatsApp chat export (or a zip that is unsafe to open).

    Raised before any message is produced whenever the problem can be seen up front; the CLI
    renders it as one `erro: ...` line on stderr with exit status 2.
    """
