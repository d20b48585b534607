"""The placeholders of one conversation, drawn on first use.

A script names at most a handful of the placeholders below, so each is computed only when a
template asks for it (`dict.__missing__`), and then kept, so that the price quoted in one
message is the price on the proposal that follows.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from functools import lru_cache
from typing import Final

from atalaia.demo import documents, media, people, phrases
from atalaia.demo.plan import ContactRole, DemoContact, DemoLine, DemoPlan

_SWAP: Final = str.maketrans(",.", ".,")
_HOURS: Final = ("9h", "9h30", "10h", "11h", "14h", "14h30", "15h", "16h", "16h30")


def money(value: float) -> str:
    """`1249.9` -> `1.249,90`, the Brazilian way."""
    return f"{value:,.2f}".translate(_SWAP)


def format_document(chars: str) -> tuple[str, str]:
    """(kind, formatted) for CPF digits or CNPJ characters."""
    return ("CPF", documents.format_cpf(chars)) if len(chars) == 11 else ("CNPJ", documents.format_cnpj(chars))


@lru_cache(maxsize=4)
def _price_table(year: int, month: int) -> bytes:
    """The month's price list: one file per month, as a supplier would send the same one around."""
    rows = [["Produto", "Preço (R$)"]] + [[p, money(high - 0.1)] for p, _low, high in phrases.PRODUCTS[:8]]
    return media.xlsx(rows, when=(year, month, 1, 8, 0, 0))


class SessionValues(dict[str, str]):
    """Placeholder values for one conversation; unknown names raise KeyError as usual."""

    def __init__(
        self,
        *,
        rng: random.Random,
        plan: DemoPlan,
        line: DemoLine,
        contact: DemoContact | None,
        day: date,
        hour: int,
    ) -> None:
        super().__init__()
        self.rng, self.plan, self.line, self.contact, self.day, self.hour = rng, plan, line, contact, day, hour
        self._client: DemoContact | None = None

    def __missing__(self, key: str) -> str:
        compute = getattr(self, f"_v_{key}", None)
        if compute is None:
            raise KeyError(key)
        value: str = compute()
        self[key] = value
        return value

    @property
    def client(self) -> DemoContact:
        """The customer (or supplier) the conversation is about: the contact, else one the line serves."""
        if self._client is None:
            own = self.contact
            if own is not None and own.role in (ContactRole.CUSTOMER, ContactRole.SUPPLIER):
                self._client = own
            else:
                self._client = self.rng.choice(self.line.contacts or self.plan.customers)
        return self._client

    def _v_saudacao(self) -> str:
        return "Bom dia" if self.hour < 12 else "Boa tarde" if self.hour < 18 else "Boa noite"

    def _v_cliente(self) -> str:
        return self.client.first_name

    def _v_cliente_nome(self) -> str:
        return self.client.name

    def _v_atendente(self) -> str:
        return self.line.employee.first_name

    def _v_produto(self) -> str:
        name, low, high = self.rng.choice(phrases.PRODUCTS)
        price = self.rng.randint(low, high) - 0.1
        quantity = self.rng.choice((1, 1, 2, 2, 3, 5, 10, 20))
        discount = int(self["desconto"])
        self["valor"] = money(price)
        self["parcela"] = money(price / 10)
        self["qtd"] = str(quantity)
        self["total"] = money(price * quantity * (100 - discount) / 100)
        return name

    def _priced(self, key: str) -> str:
        _ = self["produto"]  # drawing the product sets its price fields
        return self[key]

    def _v_valor(self) -> str:
        return self._priced("valor")

    def _v_parcela(self) -> str:
        return self._priced("parcela")

    def _v_qtd(self) -> str:
        return self._priced("qtd")

    def _v_total(self) -> str:
        return self._priced("total")

    def _v_desconto(self) -> str:
        return str(self.rng.choice((5, 7, 8, 10, 12, 15)))

    def _v_pct(self) -> str:
        return str(self.rng.randint(8, 25))

    def _v_pedido(self) -> str:
        return str(self.rng.randint(100_000, 999_999))

    def _v_protocolo(self) -> str:
        return f"AT-{self.rng.randint(10_000_000, 99_999_999)}"

    def _v_data(self) -> str:
        return f"{self.day + timedelta(days=self.rng.randint(1, 10)):%d/%m}"

    def _v_data_passada(self) -> str:
        return f"{self.day - timedelta(days=self.rng.randint(5, 40)):%d/%m}"

    def _v_dia(self) -> str:
        return self.rng.choice(phrases.WEEKDAYS)

    def _v_hora(self) -> str:
        return self.rng.choice(_HOURS)

    def _v_nf(self) -> str:
        return str(self.rng.randint(10_000, 999_999))

    def _v_prazo(self) -> str:
        return self.rng.choice(("2", "3", "5", "7", "10"))

    def _v_cidade(self) -> str:
        return self.rng.choice(phrases.CITIES)

    def _v_frete(self) -> str:
        return money(self.rng.randint(25, 180) - 0.1)

    def _v_rua(self) -> str:
        return self.rng.choice(phrases.STREETS)

    def _v_numero(self) -> str:
        return str(self.rng.randint(10, 3500))

    def _v_lote(self) -> str:
        return str(self.rng.randint(100, 999))

    def _v_ano(self) -> str:
        return str(self.day.year)

    def _v_mes(self) -> str:
        return f"{self.day:%Y-%m}"

    def _v_email(self) -> str:
        return self.client.email or "contato@exemplo.com.br"

    def _v_telefone(self) -> str:
        if self.client is self.contact:  # the contact gives another number of theirs
            return people.local_phone(people.mobile_digits(self.rng))
        return people.local_phone(self.client.wa_id)

    def _v_doc_tipo(self) -> str:
        kind, text = format_document(self.client.document or documents.cpf_digits(self.rng))
        self["doc_cliente"] = text
        return kind

    def _v_doc_cliente(self) -> str:
        _ = self["doc_tipo"]  # sets doc_cliente too
        return self["doc_cliente"]

    def _v_cnpj_empresa(self) -> str:
        return self.plan.cnpj

    def _v_cpf_digits(self) -> str:
        document = self.client.document
        return document if document and len(document) == 11 else documents.cpf_digits(self.rng)

    def _v_cpf(self) -> str:
        return documents.format_cpf(self["cpf_digits"])

    def _v_cnpj(self) -> str:
        document = self.client.document
        chars = document if document and len(document) == 14 else documents.cnpj_chars(self.rng)
        return documents.format_cnpj(chars)

    def _v_cartao(self) -> str:
        return documents.format_card(documents.card_digits(self.rng))

    def _v_validade(self) -> str:
        return documents.card_expiry(self.rng, year=self.day.year)

    def _v_cvv(self) -> str:
        return str(self.rng.randint(100, 999))

    def _v_pix(self) -> str:
        roll = self.rng.randrange(4)
        if roll == 0:
            return documents.random_pix_key(self.rng)
        if roll == 1:
            return self["cpf"]
        if roll == 2:
            return self["email"]
        return people.display_phone(self.client.wa_id)

    def _v_pix_pessoal(self) -> str:
        if self.rng.random() < 0.5:
            return documents.format_cpf(documents.cpf_digits(self.rng))
        return people.display_phone(people.mobile_digits(self.rng, ddd=int(self.line.wa_id[2:4])))

    def _v_conta(self) -> str:
        return documents.bank_account(self.rng)

    def document(self, name: str, *, when: tuple[int, int, int, int, int, int]) -> tuple[str, str, bytes]:
        """(file name, MIME type, bytes) of the named document, filled with this conversation's values."""
        file_template, lines = phrases.DOCUMENTS[name]
        file_name = file_template.format_map(self)
        if name == "planilha":
            rows = [["Nome", "CPF/CNPJ", "E-mail", "Telefone"]]
            for c in self.rng.sample(self.line.contacts or self.plan.customers, 6):
                rows.append([c.name, format_document(c.document or "")[1], c.email or "", people.local_phone(c.wa_id)])
            return file_name, media.XLSX_MIME, media.xlsx(rows, when=when)
        if name == "tabela":
            return file_name, media.XLSX_MIME, _price_table(self.day.year, self.day.month)
        return file_name, media.PDF_MIME, media.pdf([line.format_map(self) for line in lines])
