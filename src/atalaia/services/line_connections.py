"""A line's connection to its provider: credentials kept sealed, shown back only as hints.

1. `connect_cloud` stores a Cloud API line's phone number id and its access token, app secret and
   verify token; `connect_gateway` an Evolution/WAHA line's API base URL (on an allowed origin)
   and API key, and the instance name. Secrets are one JSON object sealed with the tenant's data
   key (tenant and line ids as associated data); an empty field keeps the stored value, so one
   secret can be replaced alone.
2. What the console may show is in `hints`: "configurado", the last four characters.
3. The latest pairing QR code (from the gateway's reply or its `qrcode.updated` webhook) is kept
   sealed too, with its time: it is a secret for about a minute.
Nothing here does network I/O; `services/line_checks.py` calls the providers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session

from atalaia.connectors.cloud_api.phone_check import valid_phone_number_id
from atalaia.connectors.evolution.client import pairing_code
from atalaia.connectors.gateway import as_dict, event_name
from atalaia.connectors.gateway_api import checked_base_url
from atalaia.db.models import Line, LineConnection
from atalaia.domain.enums import LineStatus, Provider
from atalaia.errors import Conflict, InvalidInput, NotFound, TamperedData
from atalaia.security.keys import open_sealed, seal
from atalaia.security.tokens import hash_token, new_token
from atalaia.services.lines import token_aad

CLOUD_SECRETS: Final = ("access_token", "app_secret", "verify_token")
GATEWAY_SECRETS: Final = ("api_key", "instance_key")
MAX_SECRET_CHARS: Final = 1000  # Meta's long-lived tokens are ~200 characters
INSTANCE_NAME: Final = re.compile(r"^[A-Za-z0-9_-]{1,60}$")  # Evolution's own rule; safe in a URL path
QR_FRESH: Final = timedelta(seconds=50)  # WhatsApp rotates the pairing code every 20-60 s
WEBHOOK_PATHS: Final = {"cloud": "/webhooks/cloud", "evolution": "/webhooks/evolution", "waha": "/webhooks/waha"}
SECRET_LABELS: Final = {
    "access_token": "token de acesso",
    "app_secret": "app secret",
    "verify_token": "verify token",
    "api_key": "chave da API",
    "instance_key": "chave da instância",
}


@dataclass(frozen=True, slots=True)
class ConnectionView:
    """What the console and the API show of a connection: never a secret."""

    kind: str
    base_url: str | None
    instance: str | None
    hints: dict[str, str]
    webhook_url: str
    instance_created_at: datetime | None
    checked_at: datetime | None
    check_ok: bool | None
    check_message: str | None
    qr_at: datetime | None


def _aad(line: Line) -> bytes:
    return f"line-connection:{line.tenant_id}:{line.id}".encode()


def _qr_aad(line: Line) -> bytes:
    return f"line-qr:{line.tenant_id}:{line.id}".encode()


def webhook_url(provider: str, public_url: str) -> str:
    return public_url.rstrip("/") + WEBHOOK_PATHS.get(provider, "/webhooks/" + provider)


def find_connection(session: Session, line_id: int) -> LineConnection | None:
    return session.execute(select(LineConnection).where(LineConnection.line_id == line_id)).scalar_one_or_none()


def connection_view(session: Session, line: Line, *, public_url: str) -> ConnectionView | None:
    row = find_connection(session, line.id)
    if row is None:
        return None
    return ConnectionView(
        kind=row.kind,
        base_url=row.base_url,
        instance=line.instance,
        hints=dict(row.hints or {}),
        webhook_url=webhook_url(line.provider, public_url),
        instance_created_at=row.instance_created_at,
        checked_at=row.checked_at,
        check_ok=row.check_ok,
        check_message=row.check_message,
        qr_at=row.qr_at,
    )


def open_secrets(line: Line, row: LineConnection, *, data_key: bytes) -> dict[str, str]:
    if row.secrets_sealed is None:
        return {}
    values = json.loads(open_sealed(data_key, row.secrets_sealed, aad=_aad(line)))
    return {str(k): str(v) for k, v in as_dict(values).items() if isinstance(v, str)}


def cloud_access_token(secrets: Mapping[str, str], fallback: SecretStr | None) -> str | None:
    """The Graph API token for a Cloud API line: its own (connected through its own Meta app,
    decision 0021), else `fallback` (the installation's ATALAIA_CLOUD_ACCESS_TOKEN). Sending
    notices, step-ins and downloading media all ask here."""
    return secrets.get("access_token") or (fallback.get_secret_value() if fallback else None)


def line_secrets(session: Session, line: Line, *, data_key: bytes) -> dict[str, str]:
    """The line's sealed credentials, opened; empty when it has no connection."""
    connection = find_connection(session, line.id)
    return open_secrets(line, connection, data_key=data_key) if connection else {}


def connect_cloud(
    session: Session,
    *,
    line: Line,
    phone_number_id: str,
    access_token: str = "",
    app_secret: str = "",
    verify_token: str = "",
    data_key: bytes,
    now: datetime,
) -> LineConnection:
    """Store (or update) a Cloud API line's credentials; an empty secret keeps the stored one."""
    _connectable(line, Provider.CLOUD)
    phone_number_id = phone_number_id.strip()
    if not valid_phone_number_id(phone_number_id):
        raise InvalidInput("o phone number id tem só dígitos (WhatsApp Manager → Telefones)")
    taken = session.execute(select(Line.id).where(Line.phone_number_id == phone_number_id, Line.id != line.id)).first()
    if taken:
        raise Conflict(f"o phone number id {phone_number_id} já é de outra linha")
    given = {"access_token": access_token, "app_secret": app_secret, "verify_token": verify_token}
    row = _store(session, line, kind=Provider.CLOUD.value, given=given, data_key=data_key, now=now,
                 required=("access_token",))  # fmt: skip
    line.phone_number_id = phone_number_id
    if verify_token.strip():
        row.verify_token_hash = hash_token(verify_token.strip())
    session.flush()
    return row


def connect_gateway(
    session: Session,
    *,
    line: Line,
    base_url: str,
    api_key: str = "",
    instance: str = "",
    allowed_origins: tuple[str, ...],
    data_key: bytes,
    now: datetime,
) -> LineConnection:
    """Store (or update) an Evolution/WAHA line's API address and key and its instance name.

    The line's webhook token is created (or re-created when only its hash is left) so the instance
    can be given it: the gateway then authenticates its webhooks with no copy-and-paste."""
    if line.provider not in (Provider.EVOLUTION.value, Provider.WAHA.value):
        raise InvalidInput("só linhas Evolution API ou WAHA se conectam a um gateway")
    _connectable(line, Provider(line.provider))
    try:
        url = checked_base_url(base_url, allowed=allowed_origins)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    name = instance.strip() or line.instance or default_instance_name(line)
    if not INSTANCE_NAME.match(name):
        raise InvalidInput("o nome da instância aceita letras, dígitos, - e _ (até 60)")
    existing = find_connection(session, line.id)
    if existing is not None and existing.instance_created_at is not None and name != line.instance:
        raise Conflict("a instância já foi criada; o nome não pode mudar")
    clash = session.execute(
        select(Line.id).where(Line.provider == line.provider, Line.instance == name, Line.id != line.id,
                              Line.status != LineStatus.RETIRED.value)
    ).first()  # fmt: skip
    if clash:
        raise Conflict(f"a instância {name} já é de outra linha")
    row = _store(session, line, kind=line.provider, given={"api_key": api_key}, data_key=data_key, now=now,
                 required=("api_key",))  # fmt: skip
    if row.base_url != url:
        row.base_url = url
    line.instance = name
    ensure_line_token(line, data_key=data_key)
    session.flush()
    return row


def default_instance_name(line: Line) -> str:
    return f"atalaia-{line.number.lstrip('+')}"


def ensure_line_token(line: Line, *, data_key: bytes) -> None:
    """A gateway line whose token is not kept sealed (added without a data key) gets a new one."""
    if line.token_sealed is not None:
        return
    token = new_token()
    line.token_hash = hash_token(token)
    line.token_sealed = seal(data_key, token.encode(), aad=token_aad(line.tenant_id, line.number))


def store_instance_key(session: Session, line: Line, row: LineConnection, *, key: str | None, data_key: bytes,
                       now: datetime) -> None:  # fmt: skip
    """The instance's own key, once created: sending with it can only act on this instance."""
    if key:
        _store(session, line, kind=row.kind, given={"instance_key": key}, data_key=data_key, now=now, required=())
    row.instance_created_at = now


def remember_qr(session: Session, line: Line, *, qr: str | None, data_key: bytes, now: datetime) -> None:
    row = find_connection(session, line.id)
    if row is None or qr is None:
        return
    row.qr_sealed = seal(data_key, qr.encode(), aad=_qr_aad(line))
    row.qr_at = now


def current_qr(line: Line, row: LineConnection, *, data_key: bytes, now: datetime) -> str | None:
    """The pairing string when it is fresh and the line still waits for it."""
    if row.qr_sealed is None or row.qr_at is None or now - row.qr_at > QR_FRESH:
        return None
    if line.status not in (LineStatus.PENDING.value, LineStatus.DISCONNECTED.value):
        return None
    try:
        return open_sealed(data_key, row.qr_sealed, aad=_qr_aad(line)).decode()
    except TamperedData:
        return None


def record_gateway_qr(session: Session, line: Line, *, source: str, payload: Any, data_key: bytes,
                      now: datetime) -> None:  # fmt: skip
    """Keep the QR code of Evolution's `qrcode.updated` webhook (already authenticated to this line).
    WAHA's `session.status` carries none: its QR is asked for (services/line_checks.py)."""
    envelope = as_dict(payload)
    if source != Provider.EVOLUTION.value or event_name(envelope.get("event")) != "qrcode.updated":
        return
    remember_qr(session, line, qr=pairing_code(as_dict(envelope.get("data")).get("qrcode")), data_key=data_key, now=now)


def record_check(session: Session, line: Line, *, ok: bool, message: str, now: datetime) -> None:
    row = find_connection(session, line.id)
    if row is not None:
        row.checked_at, row.check_ok, row.check_message = now, ok, message[:300]


def line_for(session: Session, *, tenant_id: int, line_id: int) -> Line:
    line = session.get(Line, line_id)
    if line is None or line.tenant_id != tenant_id:
        raise NotFound("linha não encontrada")
    return line


def _connectable(line: Line, provider: Provider) -> None:
    if line.provider != provider.value:
        raise InvalidInput(f"esta linha é {line.provider}, não {provider.value}")
    if line.status == LineStatus.RETIRED.value:
        raise Conflict("a linha está aposentada")


def _store(
    session: Session,
    line: Line,
    *,
    kind: str,
    given: dict[str, str],
    data_key: bytes,
    now: datetime,
    required: tuple[str, ...],
) -> LineConnection:
    row = find_connection(session, line.id)
    if row is None:
        row = LineConnection(tenant_id=line.tenant_id, line_id=line.id, kind=kind, hints={}, updated_at=now)
        session.add(row)
    secrets = open_secrets(line, row, data_key=data_key)
    hints = dict(row.hints or {})
    for name, value in given.items():
        value = value.strip()
        if not value:
            continue
        if len(value) > MAX_SECRET_CHARS or not value.isprintable():
            raise InvalidInput(f"{SECRET_LABELS[name]}: até {MAX_SECRET_CHARS} caracteres visíveis")
        secrets[name] = value
        hints[name] = hint(value)
    missing = [SECRET_LABELS[name] for name in required if name not in secrets]
    if missing:
        raise InvalidInput(f"informe: {', '.join(missing)}")
    row.secrets_sealed = seal(data_key, json.dumps(secrets).encode(), aad=_aad(line)) if secrets else None
    row.hints = hints
    row.updated_at = now
    session.flush()
    return row


def hint(secret: str) -> str:
    """What may be shown of a secret: that it is set and its last four characters (of a long one)."""
    return f"configurado · termina em {secret[-4:]}" if len(secret) >= 16 else "configurado"
