"""The secret key is never defaulted, never short, and kept private when generated."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from atalaia.errors import ConfigurationError
from atalaia.security.keys import Keyring
from atalaia.security.passwords import hash_password, verify_password
from atalaia.security.tokens import hash_token, new_token
from atalaia.settings import Settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("ATALAIA_SECRET_KEY", "ATALAIA_SECRET_KEY_FILE", "ATALAIA_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env from the developer's folder


def test_a_missing_secret_is_generated_once_with_owner_only_permissions(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home")
    first = settings.master_secret()

    assert Settings(home=tmp_path / "home").master_secret() == first
    mode = (tmp_path / "home" / "secret.key").stat().st_mode
    assert stat.S_IMODE(mode) == 0o600


def test_a_short_secret_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ATALAIA_SECRET_KEY", "curta")
    with pytest.raises(ConfigurationError):
        Settings(home=tmp_path).master_secret()


def test_the_secret_can_come_from_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "key").write_text("x" * 40 + "\n")
    monkeypatch.setenv("ATALAIA_SECRET_KEY_FILE", str(tmp_path / "key"))

    assert Settings(home=tmp_path).master_secret() == b"x" * 40


def test_the_secret_never_appears_in_the_settings_repr(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ATALAIA_SECRET_KEY", "s3cr3t-" * 8)
    assert "s3cr3t" not in repr(Settings(home=tmp_path))


def test_the_default_database_is_sqlite_in_home(tmp_path: Path) -> None:
    url = Settings(home=tmp_path / "h").resolved_database_url
    assert url == f"sqlite:///{(tmp_path / 'h' / 'atalaia.db').resolve()}"


def test_tenant_keys_do_not_unwrap_under_another_master_key() -> None:
    keys = Keyring(b"a" * 40).new_tenant_keys("acme")
    with pytest.raises(ConfigurationError):
        Keyring(b"b" * 40).data_key(tenant_slug="acme", wrapped=keys.data_key_wrapped)
    with pytest.raises(ConfigurationError):  # a key moved to another tenant fails too
        Keyring(b"a" * 40).data_key(tenant_slug="other", wrapped=keys.data_key_wrapped)


def test_passwords_are_argon2_and_verified() -> None:
    hashed = hash_password("uma senha bem longa")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "uma senha bem longa")
    assert not verify_password(hashed, "outra senha qualquer")
    assert not verify_password(None, "uma senha bem longa")
    assert not verify_password("lixo", "uma senha bem longa")


def test_tokens_are_random_and_stored_as_sha256() -> None:
    token = new_token()
    assert token != new_token()
    assert len(hash_token(token)) == 64
    assert token not in hash_token(token)
