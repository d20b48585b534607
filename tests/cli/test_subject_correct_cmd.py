"""`atalaia subject correct`: the contract, the corrected name in the subject export, clear errors."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from tests.cli.conftest import Invoke, json_of
from tests.conftest import ArchiveSetup
from tests.factories import inbound

KEYS = {"request_id", "status", "subject", "fields", "contacts", "corrections", "changed"}


def test_a_correction_is_registered_and_the_export_shows_the_new_name(
    atalaia: Invoke, archive_setup: ArchiveSetup, tmp_path: Path
) -> None:
    archive_setup.archive([inbound("m1", "quero cancelar o contrato")])

    result = json_of(atalaia("subject", "correct", "--phone", "+5521988887777", "--name", "Maria da Silva Souza",
                             "--email", "maria@exemplo.com.br", "--reason", "pedido nº 7", "--json"))  # fmt: skip

    assert set(result) == KEYS
    assert (result["status"], result["fields"], result["changed"]) == ("done", ["email", "name"], True)
    requests = json_of(atalaia("subject", "requests", "--json"))["requests"]
    assert [(r["kind"], r["status"]) for r in requests] == [("correction", "done")]
    out = tmp_path / "maria.zip"
    atalaia("subject", "export", "--phone", "+5521988887777", "--out", str(out), "--json")
    with zipfile.ZipFile(out) as package:
        contacts = json.loads(package.read("contacts.json"))
        messages = [json.loads(line) for line in package.read("messages.jsonl").splitlines()]
    assert [(c["profile_name"], c["email"]) for c in contacts] == [("Maria da Silva Souza", "maria@exemplo.com.br")]
    assert messages[0]["author"]["name"] == "Maria da Silva Souza"
    assert messages[0]["author"]["name_as_sent"] == "Maria Cliente"  # the evidence keeps what was sent
    assert json_of(atalaia("verify", "--json"))["ok"] is True


def test_the_human_output_says_what_changed(atalaia: Invoke, archive_setup: ArchiveSetup) -> None:
    archive_setup.archive([inbound("m1", "oi")])

    first = atalaia("subject", "correct", "--phone", "21 98888-7777", "--note", "cliente VIP", "--reason", "pedido")
    again = atalaia("subject", "correct", "--phone", "21 98888-7777", "--note", "cliente VIP", "--reason", "pedido")

    assert "Corrigido (note) em 1 contato(s)" in first.stdout
    assert "Nada a corrigir" in again.stdout


def test_bad_input_exits_2_with_a_clear_message(atalaia: Invoke, archive_setup: ArchiveSetup) -> None:
    archive_setup.archive([inbound("m1", "oi")])

    no_field = atalaia("subject", "correct", "--phone", "+5521988887777", "--reason", "x", "--json", expect=2)
    unknown = atalaia("subject", "correct", "--phone", "+5511912345678", "--name", "A", "--reason", "x", expect=2)
    bad_email = atalaia("subject", "correct", "--phone", "+5521988887777", "--email", "nada", "--reason", "x",
                        expect=2)  # fmt: skip

    assert no_field.stdout == ""
    assert "ao menos um dado a corrigir" in no_field.stderr
    assert "nenhum contato com o telefone" in unknown.stderr
    assert "E-mail inválido" in bad_email.stderr
    assert json_of(atalaia("subject", "requests", "--json"))["requests"] == []
