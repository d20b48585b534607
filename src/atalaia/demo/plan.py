"""The demo company: teams, lines, employees, customers, suppliers, groups and ad campaigns.

Everything here is a frozen value derived from the seed alone, so the service that loads the
demo into a database and the event generator agree on every number, name and key.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from atalaia.demo import documents, people
from atalaia.domain.enums import ConversationKind, Provider
from atalaia.domain.events import ContactRef, ConversationRef

COMPANY: Final = "Exemplo Comércio e Distribuição Ltda"
DOMAIN: Final = "exemplo.com.br"
SAO_PAULO: Final = "America/Sao_Paulo"
MANAUS: Final = "America/Manaus"
CUSTOMERS: Final = 320
SUPPLIERS: Final = 40
TEAMS: Final = ("Vendas", "Suporte", "Financeiro")

# team, provider, area code, time zone, relative traffic. Groups exist only on gateway lines:
# the Cloud API does not carry groups, a linked device does.
_LINES: Final[tuple[tuple[str, Provider, int, str, float], ...]] = (
    ("Vendas", Provider.CLOUD, 21, SAO_PAULO, 1.4),
    ("Vendas", Provider.CLOUD, 11, SAO_PAULO, 1.3),
    ("Vendas", Provider.CLOUD, 31, SAO_PAULO, 1.1),
    ("Vendas", Provider.CLOUD, 92, MANAUS, 0.8),
    ("Vendas", Provider.EVOLUTION, 21, SAO_PAULO, 1.2),
    ("Suporte", Provider.CLOUD, 11, SAO_PAULO, 1.0),
    ("Suporte", Provider.CLOUD, 21, SAO_PAULO, 1.0),
    ("Suporte", Provider.CLOUD, 31, SAO_PAULO, 0.8),
    ("Suporte", Provider.EVOLUTION, 11, SAO_PAULO, 0.9),
    ("Financeiro", Provider.CLOUD, 21, SAO_PAULO, 0.7),
    ("Financeiro", Provider.EVOLUTION, 11, SAO_PAULO, 0.6),
    ("Financeiro", Provider.WAHA, 21, SAO_PAULO, 0.6),
)
_NORTH: Final = frozenset({"92", "91", "95", "96", "97", "69", "68"})  # customers the Manaus line serves
_PERSONAL: Final = (("Mãe", "Cida"), ("Amor ❤️", None), ("Futebol de quinta", None), ("Irmã", None))
_CAMPAIGNS: Final = (
    ("Frete grátis para todo o Brasil", "Compre equipamentos de escritório com frete grátis até sexta!", "image"),
    ("Semana do Notebook", "Notebooks com até 20% de desconto e 10x sem juros.", "video"),
    ("Monte seu home office", "Cadeira ergonômica + monitor com preço especial. Fale com a gente!", "image"),
    ("Volta às aulas corporativa", "Papel, toner e suprimentos para sua empresa com entrega rápida.", "image"),
)


class ContactRole(StrEnum):
    CUSTOMER = "customer"
    SUPPLIER = "supplier"
    COLLEAGUE = "colleague"  # another corporate line or a manager: an internal contact
    PERSONAL = "personal"  # family and friends of the employee


@dataclass(frozen=True, slots=True)
class DemoPerson:
    """Someone at the demo company: an employee with a line, or a team manager."""

    name: str
    email: str
    team: str
    wa_id: str  # the WhatsApp number they use: the line for employees, a mobile for managers

    @property
    def first_name(self) -> str:
        return self.name.split()[0]


@dataclass(frozen=True, slots=True)
class DemoTeam:
    name: str
    manager: DemoPerson


@dataclass(frozen=True, slots=True, eq=False)
class DemoContact:
    """Anyone a line talks to; `ref` and `conversation` are built once and shared by every event."""

    index: int  # position in `DemoPlan.contacts`
    role: ContactRole
    name: str  # full name, or the nickname the employee saved for personal contacts
    profile_name: str  # what WhatsApp shows: the name the contact gave themselves
    wa_id: str
    company: str | None
    email: str | None
    document: str | None  # CPF digits for people, CNPJ for companies
    ref: ContactRef
    conversation: ConversationRef

    @property
    def phone(self) -> str:
        return f"+{self.wa_id}"

    @property
    def first_name(self) -> str:
        return self.name.split()[0]


@dataclass(frozen=True, slots=True, eq=False)
class DemoGroup:
    key: str
    subject: str
    line_index: int  # the gateway line that is a member and captures it
    members: tuple[DemoContact, ...]  # everyone but the line itself
    conversation: ConversationRef


@dataclass(frozen=True, slots=True, eq=False)
class DemoLine:
    index: int
    number: str  # E.164, no spaces
    provider: Provider
    team: str
    employee: DemoPerson
    timezone: str
    phone_number_id: str | None  # Cloud API lines
    instance: str | None  # gateway lines
    weight: float  # share of the demo's traffic, relative to the other lines
    contacts: tuple[DemoContact, ...]  # customers or suppliers it usually talks to, busiest first
    personal: tuple[DemoContact, ...]
    colleagues: tuple[DemoContact, ...]
    groups: tuple[DemoGroup, ...]

    @property
    def wa_id(self) -> str:
        return self.number[1:]


@dataclass(frozen=True, slots=True)
class DemoCampaign:
    """A click-to-WhatsApp ad; `referral()` in the generator adds the per-click id."""

    source_id: str
    source_url: str
    headline: str
    body: str
    media_type: str


@dataclass(frozen=True, slots=True, eq=False)
class DemoPlan:
    seed: int
    company: str
    domain: str
    cnpj: str  # formatted; the company's PIX key
    teams: tuple[DemoTeam, ...]
    lines: tuple[DemoLine, ...]
    contacts: tuple[DemoContact, ...]  # customers, suppliers, colleagues and personal contacts
    groups: tuple[DemoGroup, ...]
    campaigns: tuple[DemoCampaign, ...]

    @property
    def customers(self) -> tuple[DemoContact, ...]:
        return tuple(c for c in self.contacts if c.role is ContactRole.CUSTOMER)

    @property
    def suppliers(self) -> tuple[DemoContact, ...]:
        return tuple(c for c in self.contacts if c.role is ContactRole.SUPPLIER)


class _Builder:
    """Draws unique numbers, ids and names from one random stream."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.contacts: list[DemoContact] = []
        self._numbers: set[str] = set()  # membership only: never iterated, so order stays seeded
        self._emails: set[str] = set()

    def number(self, *, ddd: int | None = None) -> str:
        while True:
            digits = people.mobile_digits(self.rng, ddd=ddd)
            if digits not in self._numbers:
                self._numbers.add(digits)
                return digits

    def email(self, first: str, last: str) -> str:
        base = f"{people.ascii_slug(first)}.{people.ascii_slug(last.split()[-1])}"
        email, n = f"{base}@{DOMAIN}", 1
        while email in self._emails:
            n += 1
            email = f"{base}{n}@{DOMAIN}"
        self._emails.add(email)
        return email

    def person(self, team: str, *, ddd: int | None = None) -> DemoPerson:
        first, last = people.person_name(self.rng)
        return DemoPerson(name=f"{first} {last}", email=self.email(first, last), team=team, wa_id=self.number(ddd=ddd))

    def contact(
        self,
        *,
        role: ContactRole,
        name: str,
        profile: str,
        wa_id: str,
        company: str | None = None,
        email: str | None = None,
        document: str | None = None,
    ) -> DemoContact:
        ref = ContactRef(key=f"wa:{wa_id}", wa_id=wa_id, phone=f"+{wa_id}", name=profile)
        contact = DemoContact(
            index=len(self.contacts),
            role=role,
            name=name,
            profile_name=profile,
            wa_id=wa_id,
            company=company,
            email=email,
            document=document,
            ref=ref,
            conversation=ConversationRef(key=ref.key, kind=ConversationKind.DIRECT, contact=ref),
        )
        self.contacts.append(contact)
        return contact

    def outsider(self, *, supplier: bool) -> DemoContact:
        rng = self.rng
        first, last = people.person_name(rng)
        company = people.business_name(rng, supplier=supplier) if supplier or rng.random() < 0.3 else None
        if company:
            document = documents.cnpj_chars(rng, alphanumeric=rng.random() < 0.05)
            email = f"{people.ascii_slug(first)}@{people.ascii_slug(company.split(' Ltda')[0], sep='')}.com.br"
        else:
            document = documents.cpf_digits(rng)
            email = documents.personal_email(
                rng, first=people.ascii_slug(first), last=people.ascii_slug(last.split()[-1])
            )
        return self.contact(
            role=ContactRole.SUPPLIER if supplier else ContactRole.CUSTOMER,
            name=f"{first} {last}",
            profile=people.profile_name(rng, first=first, last=last, company=company),
            wa_id=self.number(),
            company=company,
            email=email,
            document=document,
        )

    def group_key(self) -> str:
        return f"group:1203630{self.rng.randrange(10**11):011d}@g.us"


def build_plan(*, seed: int) -> DemoPlan:
    """The demo company for `seed`; the same seed always gives the same company.

    1. Three teams, each with a manager, and twelve lines with their employees.
    2. Customers and suppliers, then each line's portfolio of usual contacts.
    3. Colleagues and personal contacts, then the groups the gateway lines are in.
    """
    rng = random.Random(f"atalaia-demo-plan:{seed}")
    b = _Builder(rng)
    teams = tuple(DemoTeam(name=name, manager=b.person(name, ddd=21)) for name in TEAMS)
    employees = [b.person(team, ddd=ddd) for team, _, ddd, _, _ in _LINES]
    customers = [b.outsider(supplier=False) for _ in range(CUSTOMERS)]
    suppliers = [b.outsider(supplier=True) for _ in range(SUPPLIERS)]
    colleagues = {
        p.email: b.contact(role=ContactRole.COLLEAGUE, name=p.name, profile=p.name, wa_id=p.wa_id)
        for p in [*employees, *(t.manager for t in teams)]
    }
    managers = {t.name: colleagues[t.manager.email] for t in teams}
    portfolios = _portfolios(rng, customers=customers, suppliers=suppliers)
    groups = _groups(
        b, employees=employees, colleagues=colleagues, managers=managers, suppliers=suppliers, customers=customers
    )
    lines = []
    for index, ((team, provider, _ddd, timezone, weight), employee) in enumerate(zip(_LINES, employees, strict=True)):
        slug = people.ascii_slug(employee.first_name, sep="-")
        team_mates = tuple(colleagues[e.email] for e in employees if e.team == team and e is not employee)
        personal = tuple(
            b.contact(
                role=ContactRole.PERSONAL,
                name=saved,
                profile=profile or people.person_name(rng)[0],
                wa_id=b.number(ddd=int(employee.wa_id[2:4])),
            )
            for saved, profile in rng.sample(_PERSONAL, 2)
        )
        lines.append(
            DemoLine(
                index=index,
                number=f"+{employee.wa_id}",
                provider=provider,
                team=team,
                employee=employee,
                timezone=timezone,
                phone_number_id=f"1{rng.randrange(10**14):014d}" if provider is Provider.CLOUD else None,
                instance=f"{people.ascii_slug(team, sep='-')}-{slug}" if provider.is_gateway else None,
                weight=weight,
                contacts=portfolios[index],
                personal=personal,
                colleagues=(*team_mates, managers[team]),
                groups=tuple(g for g in groups if g.line_index == index),
            )
        )
    campaigns = tuple(
        DemoCampaign(
            source_id=f"1202{rng.randrange(10**14):014d}",
            source_url=rng.choice(("https://fb.me/", "https://www.instagram.com/p/")) + _token(rng, 11),
            headline=headline,
            body=body,
            media_type=media_type,
        )
        for headline, body, media_type in _CAMPAIGNS
    )
    return DemoPlan(
        seed=seed,
        company=COMPANY,
        domain=DOMAIN,
        cnpj=documents.format_cnpj(documents.cnpj_chars(rng)),
        teams=teams,
        lines=tuple(lines),
        contacts=tuple(b.contacts),
        groups=groups,
        campaigns=campaigns,
    )


def _token(rng: random.Random, size: int) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
    return "".join(rng.choice(alphabet) for _ in range(size))


def _portfolios(
    rng: random.Random, *, customers: list[DemoContact], suppliers: list[DemoContact]
) -> list[tuple[DemoContact, ...]]:
    """Usual contacts per line, in `_LINES` order.

    Each customer has one home sales line (the Manaus line serves the North); support and the
    finance cloud line hear from any customer; the gateway finance lines deal with suppliers.
    """
    sales = [i for i, spec in enumerate(_LINES) if spec[0] == "Vendas"]
    manaus = next(i for i in sales if _LINES[i][3] == MANAUS)
    others = [i for i in sales if i != manaus]
    result: list[list[DemoContact]] = [[] for _ in _LINES]
    for customer in customers:
        home = manaus if customer.wa_id[2:4] in _NORTH or rng.random() < 0.04 else rng.choice(others)
        result[home].append(customer)
    for i, (team, provider, *_rest) in enumerate(_LINES):
        if team == "Suporte" or (team == "Financeiro" and provider is Provider.CLOUD):
            result[i] = rng.sample(customers, len(customers) // 2)
        elif team == "Financeiro":
            result[i] = [*rng.sample(suppliers, len(suppliers) * 3 // 4), *rng.sample(customers, 30)]
    return [tuple(contacts) for contacts in result]


def _groups(
    b: _Builder,
    *,
    employees: list[DemoPerson],
    colleagues: dict[str, DemoContact],
    managers: dict[str, DemoContact],
    suppliers: list[DemoContact],
    customers: list[DemoContact],
) -> tuple[DemoGroup, ...]:
    """A group per team on its gateway line, a suppliers' group, and a project group with a customer."""
    gateway = {team: i for i, (team, provider, *_rest) in enumerate(_LINES) if provider is Provider.EVOLUTION}
    waha = next(i for i, spec in enumerate(_LINES) if spec[1] is Provider.WAHA)

    def group(subject: str, line_index: int, members: list[DemoContact]) -> DemoGroup:
        key = b.group_key()
        return DemoGroup(
            key=key,
            subject=subject,
            line_index=line_index,
            members=tuple(members),
            conversation=ConversationRef(key=key, kind=ConversationKind.GROUP, subject=subject),
        )

    result = []
    for team, line_index in gateway.items():
        owner = employees[line_index]
        mates = [colleagues[e.email] for e in employees if e.team == team and e is not owner]
        result.append(group(f"{team} - Equipe", line_index, [managers[team], *mates]))
    finance_manager = managers["Financeiro"]
    result.append(group("Fornecedores - Compras", waha, [finance_manager, *b.rng.sample(suppliers, 6)]))
    client = next(c for c in customers if c.company and c.document and c.document.isdigit())
    company = client.company or ""
    staff = [client]
    for _ in range(2):  # two more people from the client's company join the project group
        first, last = people.person_name(b.rng)
        staff.append(
            b.contact(
                role=ContactRole.CUSTOMER,
                name=f"{first} {last}",
                profile=f"{first} | {company}",
                wa_id=b.number(ddd=int(client.wa_id[2:4])),
                company=company,
                document=client.document,
            )
        )
    subject = f"Projeto {company.removesuffix(' Ltda').removesuffix(' ME')} x Exemplo"
    result.append(group(subject, gateway["Vendas"], [managers["Vendas"], *staff]))
    return tuple(result)
