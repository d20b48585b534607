"""Error types shared by every layer; the web and CLI layers render them in one place each."""

from __future__ import annotations


class AtalaiaError(Exception):
    """Root of every error Atalaia raises on purpose; `status` is the HTTP status it maps to."""

    status: int = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(AtalaiaError):
    """Input that can never succeed as given (bad phone number, unknown role, malformed payload)."""

    status = 422


class NotFound(AtalaiaError):
    status = 404


class Forbidden(AtalaiaError):
    status = 403


class Unauthorized(AtalaiaError):
    status = 401


class Conflict(AtalaiaError):
    status = 409


class ConfigurationError(AtalaiaError):
    """Settings that cannot work (a missing master key file, an unknown database driver)."""

    status = 500


class TamperedData(AtalaiaError):
    """Stored bytes that no longer match their hash or authentication tag."""

    status = 500
