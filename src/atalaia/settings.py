"""One typed Settings object, read from ATALAIA_* variables and a `.env` file.

The secret key is never given a default: when it is absent it is generated once and kept in
ATALAIA_HOME with owner-only permissions, so an embedded install is safe without configuration
and a scaled install can hand every process the same key through the environment or a file.
"""

from __future__ import annotations

import os
import secrets
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Final, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from atalaia.connectors.gateway_media import origin_of, parse_origin
from atalaia.errors import ConfigurationError

SECRET_KEY_FILENAME: Final = "secret.key"  # noqa: S105 - a file name, not a secret
MIN_SECRET_KEY_LENGTH: Final = 32  # characters; 32 urlsafe characters carry 192 bits


class Settings(BaseSettings):
    """Every setting Atalaia reads; documented one by one in docs/configuration.md."""

    model_config = SettingsConfigDict(env_prefix="ATALAIA_", env_file=".env", env_file_encoding="utf-8", extra="ignore")

    home: Path = Field(default=Path("atalaia-data"), description="Folder for the SQLite database, blobs and keys.")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default SQLite in ATALAIA_HOME. PostgreSQL: postgresql+psycopg://...",
    )
    database_encryption: Literal["none", "sqlcipher"] = Field(
        default="none",
        description=(
            "sqlcipher: encrypt the embedded SQLite database with SQLCipher (extra `atalaia[sqlcipher]`), keyed "
            "from the master key; SQLite only."
        ),
    )
    secret_key: SecretStr | None = Field(
        default=None, description="Master key material; generated and kept in ATALAIA_HOME when absent."
    )
    secret_key_file: Path | None = Field(default=None, description="File holding the secret key instead.")
    previous_secret_key: SecretStr | None = Field(
        default=None, description="During a key rotation: the old master key, tried when the current one fails."
    )
    previous_secret_key_file: Path | None = Field(
        default=None, description="File holding the previous master key instead."
    )
    blob_dir: Path | None = Field(default=None, description="Folder of the local blob store; default HOME/blobs.")
    session_hours: int = Field(default=12, ge=1, le=24 * 30, description="Console session lifetime in hours.")
    cookie_secure: bool = Field(
        default=False,
        description="Mark cookies Secure (set true behind HTTPS; plain HTTP on 127.0.0.1 needs false).",
    )
    checkpoint_every: int = Field(
        default=1000, ge=1, description="Sign a chain checkpoint after this many new archived records."
    )
    log_level: str = Field(default="INFO", description="Python logging level.")
    cloud_app_secret: SecretStr | None = Field(
        default=None, description="Meta app secret; signs every Cloud API webhook (X-Hub-Signature-256)."
    )
    cloud_verify_token: SecretStr | None = Field(
        default=None, description="Token Meta echoes in the webhook verification handshake."
    )
    cloud_access_token: SecretStr | None = Field(
        default=None, description="System-user token for the Graph API (media download, sending)."
    )
    graph_base_url: str = Field(
        default="https://graph.facebook.com/v23.0", description="Graph API base URL, version included."
    )
    max_media_bytes: int = Field(
        default=64 * 1024 * 1024,
        ge=1024,
        description="Largest gateway media kept: inline (base64) in a webhook, or downloaded from its URL.",
    )
    gateway_media_origins: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(),
        description="Comma-separated origins (scheme://host[:port]) gateway media URLs may point to; no others.",
    )
    waha_url: str | None = Field(
        default=None, description="WAHA's base URL (its WAHA_BASE_URL); media there are fetched with the API key."
    )
    gateway_api_origins: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(),
        description="Comma-separated origins of the Evolution API / WAHA servers lines may be connected to; no others.",
    )
    waha_api_key: SecretStr | None = Field(
        default=None, description="WAHA's API key (X-Api-Key), sent only to the origin of ATALAIA_WAHA_URL."
    )
    cloud_acknowledge: Literal["archived", "journaled"] = Field(
        default="archived",
        description=(
            "When POST /webhooks/cloud answers: after the body is archived (the answer carries new/duplicate "
            "counts), or as soon as it is journaled and its signature checked (archived moments later in "
            "larger batches; pending entries are archived again when the server starts)."
        ),
    )
    max_webhook_bytes: int = Field(
        default=8 * 1024 * 1024, ge=1024, description="Largest webhook body accepted; larger ones get 413."
    )
    max_evidence_bytes: int = Field(
        default=20 * 1024 * 1024, ge=1024, description="Largest evidence file a reviewer may attach to a case (413)."
    )
    evidence_allow_executables: bool = Field(
        default=False, description="Accept executables and scripts as case evidence (refused by default)."
    )
    smtp_url: SecretStr | None = Field(default=None, description="SMTP server for alert e-mails (smtp[s]://...).")
    public_url: str = Field(default="http://127.0.0.1:8000", description="Console address in links sent out.")
    weekly_reports: bool = Field(
        default=True,
        description="E-mail each manager their teams' weekly report on Mondays after 08:00 (needs ATALAIA_SMTP_URL).",
    )
    export_expiry_days: int = Field(
        default=7, ge=1, le=3650, description="Days a console or API export stays downloadable before it is deleted."
    )
    invitation_days: int = Field(
        default=7, ge=1, le=90, description="Days an onboarding link stays valid (it works once)."
    )
    onboarding_reminder_days: int = Field(
        default=3, ge=1, le=365, description="At most one reminder per this many days to who has not accepted."
    )

    @field_validator("gateway_media_origins", "gateway_api_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: Any) -> Any:
        """A comma-separated variable; each origin checked and made canonical at start-up, not at first use."""
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list | tuple):
            return value
        return tuple(parse_origin(str(item)) for item in items if str(item).strip())

    @field_validator("waha_url")
    @classmethod
    def _check_waha_url(cls, value: str | None) -> str | None:
        if value is not None and origin_of(value.strip()) is None:
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value.strip() if value else None

    @property
    def waha_origin(self) -> str | None:
        return origin_of(self.waha_url) if self.waha_url else None

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'atalaia.db').resolve()}"

    @property
    def resolved_blob_dir(self) -> Path:
        return self.blob_dir or (self.home / "blobs")

    def ensure_home(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)

    def master_secret(self) -> bytes:
        """The master secret: from the variable, the file, or generated once in ATALAIA_HOME."""
        if self.secret_key is not None:
            value = self.secret_key.get_secret_value()
        elif self.secret_key_file is not None:
            value = read_secret_file(self.secret_key_file, "ATALAIA_SECRET_KEY_FILE")
        else:
            value = self._home_secret()
        return checked_secret(value, "ATALAIA_SECRET_KEY")

    def previous_master_secret(self) -> bytes | None:
        """The master key being rotated away from (docs/decisions/0016), or None outside a rotation."""
        if self.previous_secret_key is not None:
            value = self.previous_secret_key.get_secret_value()
        elif self.previous_secret_key_file is not None:
            value = read_secret_file(self.previous_secret_key_file, "ATALAIA_PREVIOUS_SECRET_KEY_FILE")
        else:
            return None
        return checked_secret(value, "ATALAIA_PREVIOUS_SECRET_KEY")

    def master_secret_source(self) -> str:
        """Where the master secret comes from, for the operator told to replace it after a rotation."""
        if self.secret_key is not None:
            return "ATALAIA_SECRET_KEY"
        if self.secret_key_file is not None:
            return f"ATALAIA_SECRET_KEY_FILE ({self.secret_key_file})"
        return str(self.home / SECRET_KEY_FILENAME)

    def _home_secret(self) -> str:
        self.ensure_home()
        path = self.home / SECRET_KEY_FILENAME
        if not path.exists():
            # O_EXCL: two processes starting together must not write two different keys.
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass
            else:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(secrets.token_urlsafe(48))
        return path.read_text(encoding="utf-8").strip()


def read_secret_file(path: Path, variable: str) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigurationError(f"cannot read {variable}: {exc.strerror}") from exc


def checked_secret(value: str, variable: str) -> bytes:
    """A master key as bytes, refused when too short to carry enough entropy."""
    if len(value) < MIN_SECRET_KEY_LENGTH:
        raise ConfigurationError(f"{variable} must have at least {MIN_SECRET_KEY_LENGTH} characters")
    return value.encode("utf-8")


def get_settings() -> Settings:
    """A fresh Settings from the current environment (tests change the environment freely)."""
    return Settings()
