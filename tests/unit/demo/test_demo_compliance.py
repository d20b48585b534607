"""The compliance material the demo plants: valid documents, risky conduct, negotiation cues.

The validators here are written from the official rules, independently of the generator, so
a generator bug cannot hide behind a shared helper.
"""

from __future__ import annotations

import io
import random
import re
import zipfile
from collections.abc import Iterator

import pytest

from atalaia.demo import documents
from atalaia.domain.enums import Direction
from atalaia.domain.events import EditEvent, MessageEvent, RevokeEvent
from tests.unit.demo.demo_run import MESSAGES, Run

CPF = re.compile(r"(?<![\d.])(\d{3}\.\d{3}\.\d{3}-\d{2}|\d{11})(?![\d.-])")
CNPJ = re.compile(r"(?<![\w.])([0-9A-Z]{2}\.[0-9A-Z]{3}\.[0-9A-Z]{3}/[0-9A-Z]{4}-\d{2})")
CARD = re.compile(r"(?<!\d)(\d{4} \d{4} \d{4} \d{4}|\d{4} \d{6} \d{5})(?!\d)")
CONDUCT = ("propina", "caixa dois", "por fora", "pix pessoal", "apaga essa mensagem", "muito linda", "incompetentes")
NEGOTIATION = ("desconto", "cancelar o contrato", "proposta da concorrência")


def cpf_ok(text: str) -> bool:
    d = [int(c) for c in re.sub(r"\D", "", text)]
    if len(d) != 11 or len(set(d)) == 1:
        return False
    for n in (9, 10):
        total = sum(v * w for v, w in zip(d[:n], range(n + 1, 1, -1), strict=True))
        if d[n] != (0 if total % 11 < 2 else 11 - total % 11):
            return False
    return True


def cnpj_ok(text: str) -> bool:
    chars = re.sub(r"[./-]", "", text)
    if not re.fullmatch(r"[0-9A-Z]{12}\d{2}", chars):
        return False
    values = [ord(c) - 48 for c in chars]
    for n in (12, 13):
        weights = [(i % 8) + 2 for i in range(n)][::-1]  # 2..9 repeating, from the right
        total = sum(v * w for v, w in zip(values[:n], weights, strict=True))
        if values[n] != (0 if total % 11 < 2 else 11 - total % 11):
            return False
    return True


def luhn_ok(text: str) -> bool:
    digits = [int(c) for c in re.sub(r"\D", "", text)][::-1]
    total = sum(d if i % 2 == 0 else (d * 2 - 9 if d > 4 else d * 2) for i, d in enumerate(digits))
    return total % 10 == 0


def card_brand_ok(text: str) -> bool:
    digits = re.sub(r"\D", "", text)
    if len(digits) == 15:
        return digits[:2] in ("34", "37")
    return len(digits) == 16 and (
        digits[0] == "4"
        or 51 <= int(digits[:2]) <= 55
        or 2221 <= int(digits[:4]) <= 2720
        or digits[:6] in ("636368", "504175", "606282")
    )


def texts(run: Run) -> Iterator[tuple[Direction | None, str]]:
    """Every text a reviewer could read: messages, captions, edits, and the documents' contents."""
    for _line, event in run.events:
        if isinstance(event, EditEvent):
            yield None, event.new_text
        if not isinstance(event, MessageEvent):
            continue
        if event.text:
            yield event.direction, event.text
        for attachment in event.attachments:
            content = attachment.content or b""
            if content.startswith(b"%PDF-"):
                shown = re.findall(rb"\(((?:[^()\\]|\\.)*)\) Tj", content)
                yield event.direction, " ".join(re.sub(rb"\\(.)", rb"\1", s).decode("cp1252") for s in shown)
            elif content.startswith(b"PK"):
                sheet = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
                yield event.direction, " ".join(re.findall(r"<t>([^<]*)</t>", sheet))


@pytest.mark.parametrize("seed", range(5))
def test_generated_documents_pass_their_check_digits(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(400):
        assert cpf_ok(documents.cpf_digits(rng))
        assert cpf_ok(documents.format_cpf(documents.cpf_digits(rng)))
        assert cnpj_ok(documents.format_cnpj(documents.cnpj_chars(rng)))
        assert cnpj_ok(documents.format_cnpj(documents.cnpj_chars(rng, alphanumeric=True)))
        card = documents.card_digits(rng)
        assert luhn_ok(card), card
        assert card_brand_ok(card), card


def test_the_validators_reject_a_wrong_check_digit() -> None:
    assert cpf_ok("529.982.247-25")
    assert not cpf_ok("529.982.247-26")
    assert not cpf_ok("111.111.111-11")
    assert cnpj_ok("11.222.333/0001-81")
    assert not cnpj_ok("11.222.333/0001-82")
    assert cnpj_ok("12.ABC.345/01DE-35")  # Receita Federal's example of an alphanumeric CNPJ
    assert luhn_ok("4111 1111 1111 1111")
    assert not luhn_ok("4111 1111 1111 1112")


def test_every_document_number_in_the_traffic_is_valid_and_there_are_plenty(run: Run) -> None:
    found = {"cpf": 0, "cnpj": 0, "card": 0}
    for _direction, text in texts(run):
        for match in CPF.findall(text):
            found["cpf"] += 1
            assert cpf_ok(match), (match, text)
        for match in CNPJ.findall(text):
            found["cnpj"] += 1
            assert cnpj_ok(match), (match, text)
        for match in CARD.findall(text):
            found["card"] += 1
            assert luhn_ok(match), (match, text)
            assert card_brand_ok(match), (match, text)
    assert found["cpf"] >= 20
    assert found["cnpj"] >= 20
    assert found["card"] >= 5


def test_personal_data_is_a_few_percent_of_messages_on_both_sides(run: Run) -> None:
    pii = re.compile(
        rf"{CPF.pattern}|{CNPJ.pattern}|{CARD.pattern}|[\w.]+@[\w.]+\.\w+|\(\d{{2}}\) 9\d{{4}}-\d{{4}}|"
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
    )
    messages = [m for _line, m in run.messages if m.text]
    with_pii = [m for m in messages if pii.search(m.text or "")]
    assert 0.01 <= len(with_pii) / MESSAGES <= 0.10
    assert {m.direction for m in with_pii} == {Direction.INBOUND, Direction.OUTBOUND}


def test_conduct_risks_and_negotiation_cues_appear(run: Run) -> None:
    corpus = "\n".join(text.lower() for _direction, text in texts(run))
    assert sum(term in corpus for term in CONDUCT) >= 4
    assert all(term in corpus for term in NEGOTIATION)


def test_an_employee_takes_back_some_sensitive_messages(run: Run) -> None:
    sent = {(line.index, m.provider_message_id): m for line, m in run.messages}
    taken_back = [
        sent[(line.index, e.target_message_id)] for line, e in run.events if isinstance(e, RevokeEvent) and e.by_line
    ]
    sensitive = [
        m for m in taken_back if m.text and (CPF.search(m.text) or CARD.search(m.text) or "por fora" in m.text)
    ]
    assert sensitive


def test_employees_also_talk_to_personal_contacts(run: Run) -> None:
    personal = {c.ref.key for line in run.plan.lines for c in line.personal}
    assert any(m.conversation.key in personal for _line, m in run.messages)
