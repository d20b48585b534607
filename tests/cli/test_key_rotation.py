"""`atalaia keys rotate` and `keys check`: tenant keys re-wrapped under a new master key, blobs untouched."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from atalaia.db.engine import transaction
from atalaia.db.models import AuditEntry, Tenant
from atalaia.domain.events import AttachmentRef
from atalaia.errors import ConfigurationError
from atalaia.runtime import Runtime
from atalaia.security.keys import Keyring
from atalaia.services import audit
from atalaia.services.tenancy import ensure_tenant
from atalaia.settings import Settings
from tests.cli.conftest import Invoke, json_of
from tests.conftest import TEST_SECRET, ArchiveSetup
from tests.factories import inbound

NEW_SECRET = "nova-chave-mestra-bem-longa-0123456789-abcdefghij"
CONTRACT = b"%PDF-1.4 contrato de teste\n" * 20


@pytest.fixture
def archived(archive_setup: ArchiveSetup) -> str:
    """One message with an attachment in the default tenant, plus two more tenants; the attachment's SHA-256."""
    archive_setup.archive(
        [inbound("wamid.k1", "segue o contrato", attachments=(AttachmentRef(file_name="c.pdf", content=CONTRACT),))]
    )
    with transaction(archive_setup.runtime.sessions) as session:
        for slug in ("acme", "beta"):
            ensure_tenant(session, keyring=archive_setup.runtime.keyring, slug=slug)
    return hashlib.sha256(CONTRACT).hexdigest()


@pytest.fixture
def new_key_file(tmp_path: Path) -> Path:
    path = tmp_path / "nova.key"
    path.write_text(NEW_SECRET + "\n")
    return path


def _wrapped(runtime: Runtime) -> dict[str, tuple[bytes, bytes]]:
    with runtime.sessions() as session:
        return {t.slug: (t.data_key_wrapped, t.signing_key_wrapped) for t in session.scalars(select(Tenant))}


def _blob_files(settings: Settings) -> dict[str, bytes]:
    root = settings.resolved_blob_dir
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _opens(secret: str, runtime: Runtime) -> dict[str, bool]:
    keyring = Keyring(secret.encode())
    found = {}
    with runtime.sessions() as session:
        for tenant in session.scalars(select(Tenant)):
            try:
                keyring.unwrap(tenant.slug, data_key_wrapped=tenant.data_key_wrapped,
                               signing_key_wrapped=tenant.signing_key_wrapped)  # fmt: skip
                found[tenant.slug] = True
            except ConfigurationError:
                found[tenant.slug] = False
    return found


def test_rotation_rewraps_every_tenant_and_leaves_blobs_alone(
    atalaia: Invoke, archive_setup: ArchiveSetup, archived: str, new_key_file: Path, settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    runtime = archive_setup.runtime
    old_data_key = runtime.data_key(archive_setup.tenant)
    blobs_before = _blob_files(settings)
    assert blobs_before

    payload = json_of(atalaia("keys", "rotate", "--new-key-file", str(new_key_file), "--json"))

    assert payload["ok"] is True
    assert (payload["tenants"], payload["rotated"], payload["already"]) == (3, 3, 0)
    assert payload["key_id"] == Keyring(NEW_SECRET.encode()).key_id
    assert payload["from_key_ids"] == [Keyring(TEST_SECRET.encode()).key_id]
    assert any("ATALAIA_SECRET_KEY" in step for step in payload["next_steps"])
    assert _blob_files(settings) == blobs_before  # not one blob byte rewritten
    assert _opens(TEST_SECRET, runtime) == {"default": False, "acme": False, "beta": False}
    assert _opens(NEW_SECRET, runtime) == {"default": True, "acme": True, "beta": True}

    monkeypatch.setenv("ATALAIA_SECRET_KEY", NEW_SECRET)  # what the operator changes afterwards
    fresh = Runtime.from_settings(Settings(), migrate=False)
    try:
        with fresh.sessions() as session:
            tenant = session.execute(select(Tenant).where(Tenant.slug == "default")).scalar_one()
        assert fresh.data_key(tenant) == old_data_key
        assert fresh.blobs.get(tenant_id=tenant.id, data_key=fresh.data_key(tenant), sha256=archived) == CONTRACT
    finally:
        fresh.close()
    assert json_of(atalaia("verify", "--json"))["ok"] is True  # checkpoints still verify, and new ones sign
    assert json_of(atalaia("keys", "check", "--json"))["ok"] is True
    with runtime.sessions() as session:
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.action == "keys_rotated")).all()
    assert len(actions) == 3


def test_keys_check_catches_a_wrong_master_key(atalaia: Invoke, archived: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert json_of(atalaia("keys", "check", "--json")) == {
        "ok": True, "key_id": Keyring(TEST_SECRET.encode()).key_id, "tenants": 3, "problems": [],
    }  # fmt: skip

    monkeypatch.setenv("ATALAIA_SECRET_KEY", NEW_SECRET)
    payload = json_of(atalaia("keys", "check", "--json", expect=1))

    assert payload["ok"] is False
    assert {(p["tenant"], p["kind"]) for p in payload["problems"]} == {
        ("default", "unreadable"), ("acme", "unreadable"), ("beta", "unreadable"),
    }  # fmt: skip


def test_one_tenant_rotates_all_or_nothing_and_a_rerun_resumes(
    atalaia: Invoke, archive_setup: ArchiveSetup, archived: str, new_key_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = archive_setup.runtime
    before = _wrapped(runtime)
    real_record = audit.record

    def crash_on_acme(session: Any, **kwargs: Any) -> None:
        if kwargs.get("object_id") == "acme":
            raise RuntimeError("energia caiu")
        real_record(session, **kwargs)

    monkeypatch.setattr(audit, "record", crash_on_acme)
    atalaia("keys", "rotate", "--new-key-file", str(new_key_file), "--json", expect=1)

    after = _wrapped(runtime)
    assert after["acme"] == before["acme"]  # both wrapped keys as they were: nothing half-written
    assert after["beta"] == before["beta"]  # never reached
    assert _opens(NEW_SECRET, runtime) == {"default": True, "acme": False, "beta": False}
    assert _opens(TEST_SECRET, runtime) == {"default": False, "acme": True, "beta": True}
    assert json_of(atalaia("keys", "check", "--json", expect=1))["problems"][0]["tenant"] == "default"

    monkeypatch.setattr(audit, "record", real_record)
    payload = json_of(atalaia("keys", "rotate", "--new-key-file", str(new_key_file), "--json"))

    assert (payload["rotated"], payload["already"]) == (2, 1)
    assert payload["rotated_tenants"] == ["acme", "beta"]
    assert _opens(NEW_SECRET, runtime) == {"default": True, "acme": True, "beta": True}


def test_a_wrong_configured_key_changes_nothing(
    atalaia: Invoke, archive_setup: ArchiveSetup, archived: str, new_key_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _wrapped(archive_setup.runtime)
    monkeypatch.setenv("ATALAIA_SECRET_KEY", "uma-chave-errada-mas-longa-o-suficiente-0123")

    result = atalaia("keys", "rotate", "--new-key-file", str(new_key_file), expect=2)

    assert "nada foi alterado" in result.stderr
    assert _wrapped(archive_setup.runtime) == before


def test_the_two_phase_rotation_works_while_both_keys_are_configured(
    atalaia: Invoke, archive_setup: ArchiveSetup, archived: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATALAIA_SECRET_KEY", NEW_SECRET)  # phase 1: new key current, old one previous
    monkeypatch.setenv("ATALAIA_PREVIOUS_SECRET_KEY", TEST_SECRET)
    both = Runtime.from_settings(Settings(), migrate=False)
    try:
        tenant = archive_setup.tenant
        assert both.blobs.get(tenant_id=tenant.id, data_key=both.data_key(tenant), sha256=archived) == CONTRACT
    finally:
        both.close()
    pending = json_of(atalaia("keys", "check", "--json", expect=1))
    assert {p["kind"] for p in pending["problems"]} == {"previous_key"}

    payload = json_of(atalaia("keys", "rotate", "--json"))  # phase 2: no new key, the configured one is the target

    assert (payload["rotated"], payload["key_id"]) == (3, Keyring(NEW_SECRET.encode()).key_id)
    assert any("ATALAIA_PREVIOUS_SECRET_KEY" in step for step in payload["next_steps"])
    monkeypatch.delenv("ATALAIA_PREVIOUS_SECRET_KEY")
    assert json_of(atalaia("keys", "check", "--json"))["ok"] is True
    assert json_of(atalaia("verify", "--json"))["ok"] is True


@pytest.mark.parametrize(
    ("secret", "message"),
    [(None, "informe a nova chave"), (TEST_SECRET, "igual a uma chave"), ("curta", "at least 32")],
)
def test_a_missing_reused_or_short_new_key_is_refused(
    atalaia: Invoke, archived: str, monkeypatch: pytest.MonkeyPatch, secret: str | None, message: str
) -> None:
    if secret is not None:
        monkeypatch.setenv("ATALAIA_NEW_SECRET_KEY", secret)
    result = atalaia("keys", "rotate", expect=2)
    assert message in result.stderr
