"""The provider calls behind the console's and the API's buttons: test credentials, create the
gateway instance, fetch a fresh QR code.

Each runs as three steps so that no database transaction is open while a provider is waited on
(on SQLite every transaction holds the write lock, and webhooks would queue behind a slow
gateway for the length of its timeout):
1. a short transaction reads the line, its connection and its secrets;
2. the provider is called, bounded and timed (connectors/gateway_api.py);
3. a short transaction records the outcome (and the QR code, or the instance's key) and audits it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from atalaia.connectors.cloud_api.phone_check import check_phone_number
from atalaia.connectors.evolution.client import EvolutionClient
from atalaia.connectors.gateway_api import GatewayApiError, checked_base_url
from atalaia.connectors.waha.client import WahaClient
from atalaia.db.engine import transaction
from atalaia.db.models import Line, Tenant
from atalaia.domain.enums import LineStatus, Provider
from atalaia.errors import Conflict, InvalidInput
from atalaia.runtime import Runtime
from atalaia.services import audit
from atalaia.services.line_connections import (
    current_qr,
    find_connection,
    line_for,
    open_secrets,
    record_check,
    remember_qr,
    store_instance_key,
    webhook_url,
)
from atalaia.services.lines import line_token


@dataclass(frozen=True, slots=True)
class Actor:
    """Who pressed the button, for the audit log."""

    tenant_id: int
    email: str
    user_id: int | None = None
    ip: str | None = None


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    ok: bool
    message: str  # Portuguese, safe to show (provider text cleaned and clipped)


@dataclass(frozen=True, slots=True)
class _Snapshot:
    line_id: int
    provider: str
    status: str
    instance: str | None
    phone_number_id: str | None
    base_url: str | None
    secrets: dict[str, str]
    token: str | None
    created: bool


def _snapshot(runtime: Runtime, actor: Actor, line_id: int) -> _Snapshot:
    with transaction(runtime.sessions) as session:
        line = line_for(session, tenant_id=actor.tenant_id, line_id=line_id)
        tenant = session.get(Tenant, line.tenant_id)
        row = find_connection(session, line.id)
        if tenant is None or row is None:
            raise Conflict("a linha ainda não tem conexão configurada")
        if line.status == LineStatus.RETIRED.value:
            raise Conflict("a linha está aposentada")
        data_key = runtime.data_key(tenant)
        return _Snapshot(
            line_id=line.id,
            provider=line.provider,
            status=line.status,
            instance=line.instance,
            phone_number_id=line.phone_number_id,
            base_url=row.base_url,
            secrets=open_secrets(line, row, data_key=data_key),
            token=line_token(line, data_key=data_key),
            created=row.instance_created_at is not None,
        )


def _gateway_url(runtime: Runtime, snap: _Snapshot) -> str:
    """Checked again at use: the operator may have narrowed the allowed origins since."""
    try:
        return checked_base_url(snap.base_url or "", allowed=runtime.settings.gateway_api_origins)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None


def check_connection(runtime: Runtime, *, actor: Actor, line_id: int) -> CheckOutcome:
    """Cloud API: `GET {graph}/{phone-number-id}` with the line's token (or the installation's).
    Gateways: the instance's connection state."""
    snap = _snapshot(runtime, actor, line_id)
    try:
        if snap.provider == Provider.CLOUD.value:
            token = snap.secrets.get("access_token") or _global_token(runtime)
            if not token:
                raise InvalidInput("informe o token de acesso da linha")
            phone = check_phone_number(base_url=runtime.settings.graph_base_url,
                                       phone_number_id=snap.phone_number_id or "", access_token=token)  # fmt: skip
            shown = " — ".join(v for v in (phone.display_phone_number, phone.verified_name) if v)
            outcome = CheckOutcome(True, "Credenciais válidas" + (f": {shown}" if shown else ""))
        else:
            state = _gateway_state(runtime, snap)
            outcome = CheckOutcome(True, f"Gateway respondeu; estado da instância: {state or 'desconhecido'}")
    except GatewayApiError as exc:
        outcome = CheckOutcome(False, str(exc))
    _record(runtime, actor, snap.line_id, outcome, action="line_tested")
    return outcome


def create_instance(runtime: Runtime, *, actor: Actor, line_id: int) -> CheckOutcome:
    """Create the Evolution instance (`POST /instance/create`) or WAHA session (`POST /api/sessions`)
    with Atalaia's webhook and the line's token, and keep the QR code it answers with."""
    snap = _snapshot(runtime, actor, line_id)
    if snap.provider not in (Provider.EVOLUTION.value, Provider.WAHA.value):
        raise InvalidInput("só linhas Evolution API ou WAHA têm instância")
    if not snap.instance or not snap.token or "api_key" not in snap.secrets:
        raise Conflict("configure o endereço e a chave do gateway antes")
    base_url = _gateway_url(runtime, snap)
    hook = webhook_url(snap.provider, runtime.settings.public_url)
    key: str | None = None
    qr: str | None = None
    try:
        if snap.provider == Provider.EVOLUTION.value:
            evolution = EvolutionClient(base_url=base_url, api_key=snap.secrets["api_key"])
            try:
                created = evolution.create_instance(instance=snap.instance, webhook_url=hook, webhook_token=snap.token)
            finally:
                evolution.close()
            key, qr = created.instance_key, created.qr
        else:
            waha = WahaClient(base_url=base_url, api_key=snap.secrets["api_key"])
            try:
                waha.create_session(session=snap.instance, webhook_url=hook, webhook_token=snap.token)
            finally:
                waha.close()
        outcome = CheckOutcome(True, f"Instância {snap.instance} criada; leia o QR code no celular do funcionário")
    except GatewayApiError as exc:
        outcome = CheckOutcome(False, str(exc))
    now = datetime.now(UTC)
    with transaction(runtime.sessions) as session:
        line, tenant = _line_and_tenant(session, actor, snap.line_id)
        row = find_connection(session, line.id)
        if outcome.ok and row is not None:
            data_key = runtime.data_key(tenant)
            store_instance_key(session, line, row, key=key, data_key=data_key, now=now)
            remember_qr(session, line, qr=qr, data_key=data_key, now=now)
        record_check(session, line, ok=outcome.ok, message=outcome.message, now=now)
        _audit(session, actor, line, action="line_instance_created", outcome=outcome)
    return outcome


def fresh_qr(runtime: Runtime, *, actor: Actor, line_id: int) -> str | None:
    """The pairing string to draw: the stored one while fresh, else asked of the gateway (only for
    a created instance still waiting); None when there is none to show. Gateway errors are None:
    the page keeps refreshing and says the QR is not available yet."""
    now = datetime.now(UTC)
    with transaction(runtime.sessions) as session:
        line, tenant = _line_and_tenant(session, actor, line_id)
        row = find_connection(session, line.id)
        if row is None or row.instance_created_at is None:
            return None
        stored = current_qr(line, row, data_key=runtime.data_key(tenant), now=now)
        waiting = line.status in (LineStatus.PENDING.value, LineStatus.DISCONNECTED.value)
    if stored is not None or not waiting:
        return stored
    snap = _snapshot(runtime, actor, line_id)
    try:
        qr = _gateway_qr(runtime, snap)
    except (GatewayApiError, InvalidInput):
        return None
    with transaction(runtime.sessions) as session:
        line, tenant = _line_and_tenant(session, actor, line_id)
        remember_qr(session, line, qr=qr, data_key=runtime.data_key(tenant), now=now)
    return qr


def _gateway_state(runtime: Runtime, snap: _Snapshot) -> str | None:
    base_url, key = _gateway_url(runtime, snap), _gateway_key(snap)
    if snap.provider == Provider.EVOLUTION.value:
        evolution = EvolutionClient(base_url=base_url, api_key=key)
        try:
            return evolution.state(snap.instance or "")
        finally:
            evolution.close()
    waha = WahaClient(base_url=base_url, api_key=key)
    try:
        return waha.state(snap.instance or "")
    finally:
        waha.close()


def _gateway_qr(runtime: Runtime, snap: _Snapshot) -> str | None:
    base_url, key = _gateway_url(runtime, snap), _gateway_key(snap)
    if snap.provider == Provider.EVOLUTION.value:
        evolution = EvolutionClient(base_url=base_url, api_key=key)
        try:
            return evolution.connect(snap.instance or "")
        finally:
            evolution.close()
    waha = WahaClient(base_url=base_url, api_key=key)
    try:
        return waha.qr(snap.instance or "")
    finally:
        waha.close()


def _gateway_key(snap: _Snapshot) -> str:
    """The instance's own key when Evolution gave one (least privilege), else the API key."""
    key = snap.secrets.get("instance_key") or snap.secrets.get("api_key")
    if not key or not snap.instance:
        raise InvalidInput("configure o endereço e a chave do gateway antes")
    return key


def _global_token(runtime: Runtime) -> str | None:
    token = runtime.settings.cloud_access_token
    return token.get_secret_value() if token is not None else None


def _line_and_tenant(session: Session, actor: Actor, line_id: int) -> tuple[Line, Tenant]:
    line = line_for(session, tenant_id=actor.tenant_id, line_id=line_id)
    tenant = session.get(Tenant, line.tenant_id)
    if tenant is None:  # a line's tenant cannot vanish (foreign key); keeps mypy honest
        raise Conflict("linha sem organização")
    return line, tenant


def _record(runtime: Runtime, actor: Actor, line_id: int, outcome: CheckOutcome, *, action: str) -> None:
    with transaction(runtime.sessions) as session:
        line = line_for(session, tenant_id=actor.tenant_id, line_id=line_id)
        record_check(session, line, ok=outcome.ok, message=outcome.message, now=datetime.now(UTC))
        _audit(session, actor, line, action=action, outcome=outcome)


def _audit(session: Session, actor: Actor, line: Line, *, action: str, outcome: CheckOutcome) -> None:
    audit.record(session, tenant_id=actor.tenant_id, actor=actor.email, user_id=actor.user_id, action=action,
                 object_type="line", object_id=line.id, outcome="ok" if outcome.ok else "failed",
                 detail={"number": line.number, "message": outcome.message[:300]}, ip=actor.ip)  # fmt: skip
