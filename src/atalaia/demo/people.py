"""Brazilian names, companies, phone numbers and the profile names people give themselves."""

from __future__ import annotations

import random
import unicodedata
from typing import Final

FEMALE: Final = (
    "Ana", "Mariana", "Juliana", "Fernanda", "Camila", "Patrícia", "Aline", "Bruna", "Larissa", "Amanda",
    "Letícia", "Gabriela", "Beatriz", "Carolina", "Vanessa", "Renata", "Tatiane", "Daniela", "Priscila", "Luciana",
    "Cristiane", "Simone", "Adriana", "Sandra", "Márcia", "Rafaela", "Isabela", "Natália", "Débora", "Jéssica",
    "Thaís", "Raquel", "Paula", "Viviane", "Sabrina", "Kelly", "Elaine", "Rosângela", "Luana", "Helena",
    "Valentina", "Lívia", "Sofia", "Eduarda", "Manuela", "Yasmin", "Francisca", "Antônia", "Joana", "Cláudia",
)  # fmt: skip
MALE: Final = (
    "João", "José", "Carlos", "Paulo", "Pedro", "Lucas", "Marcos", "Luiz", "Gabriel", "Rafael",
    "Daniel", "Marcelo", "Bruno", "Eduardo", "Felipe", "Rodrigo", "Gustavo", "Fernando", "Fábio", "André",
    "Leandro", "Thiago", "Diego", "Ricardo", "Anderson", "Vinícius", "Leonardo", "Matheus", "Henrique", "Alexandre",
    "Sérgio", "Roberto", "Antônio", "Francisco", "Igor", "Caio", "Renato", "Wellington", "Júlio", "Otávio",
    "Miguel", "Arthur", "Heitor", "Davi", "Bernardo", "Samuel", "Raimundo", "Sebastião", "Edson", "Márcio",
)  # fmt: skip
SURNAMES: Final = (
    "Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima", "Gomes",
    "Costa", "Ribeiro", "Martins", "Carvalho", "Almeida", "Lopes", "Soares", "Fernandes", "Vieira", "Barbosa",
    "Rocha", "Dias", "Nascimento", "Andrade", "Moreira", "Nunes", "Marques", "Machado", "Mendes", "Freitas",
    "Cardoso", "Ramos", "Gonçalves", "Santana", "Teixeira", "Araújo", "Pinto", "Correia", "Cavalcanti", "Monteiro",
    "Moura", "Batista", "Campos", "Rezende", "Barros", "Farias", "Brandão", "Siqueira", "Queiroz", "Albuquerque",
)  # fmt: skip
_BUSINESS_KINDS: Final = (
    "Padaria", "Mercado", "Farmácia", "Auto Peças", "Construtora", "Restaurante", "Papelaria", "Clínica",
    "Escritório de Contabilidade", "Loja", "Oficina", "Academia", "Escola", "Hotel", "Pet Shop", "Imobiliária",
    "Laboratório", "Ótica", "Consultório Odontológico", "Advocacia",
)  # fmt: skip
_SUPPLIER_KINDS: Final = (
    "Transportadora", "Indústria", "Embalagens", "Gráfica", "Distribuidora", "Importadora", "Logística",
    "Tecnologia", "Metalúrgica", "Eletrônicos",
)  # fmt: skip
_BUSINESS_NAMES: Final = (
    "Boa Vista", "Santa Luzia", "São José", "Estrela", "Primavera", "Bom Jesus", "Central", "Nova Era",
    "Horizonte", "Pão Dourado", "Três Irmãos", "Sol Nascente", "Bela Vista", "Vitória", "Aliança", "Progresso",
    "Ipanema", "Paulista", "Mineira", "Carioca", "do Vale", "Litoral", "Real", "Modelo",
)  # fmt: skip
_SUFFIXES: Final = ("", "", " Ltda", " Ltda", " ME", " EIRELI", " S.A.")
# Area codes (DDD) weighted roughly by how many people live there; São Paulo leads.
_DDDS: Final = (
    (11, 24), (21, 12), (31, 7), (41, 5), (51, 5), (61, 4), (71, 4), (81, 4), (85, 4), (19, 4), (27, 3),
    (48, 3), (62, 3), (92, 2), (91, 2), (47, 2), (24, 2), (12, 2), (13, 2), (98, 1), (84, 1), (83, 1),
    (65, 1), (67, 1), (82, 1), (79, 1), (86, 1), (95, 1), (96, 1), (69, 1),
)  # fmt: skip
_DDD_CODES: Final = tuple(code for code, _ in _DDDS)
_DDD_WEIGHTS: Final = tuple(weight for _, weight in _DDDS)
_PROFILE_EMOJI: Final = ("🌻", "✨", "🙏", "⚽", "💙", "🌸", "🇧🇷", "☀️")


def ascii_slug(text: str, *, sep: str = ".") -> str:
    """`Antônia Gonçalves` -> `antonia.goncalves`: e-mail and instance names carry no accents."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return sep.join(part for part in "".join(c if c.isalnum() else " " for c in plain).split())


def person_name(rng: random.Random) -> tuple[str, str]:
    """(first, last) name; a third of people carry two surnames, as Brazilians often do."""
    first = rng.choice(FEMALE if rng.random() < 0.5 else MALE)
    last = rng.choice(SURNAMES)
    if rng.random() < 0.33:
        other = rng.choice(SURNAMES)
        if other != last:
            last = f"{other} {last}"
    return first, last


def business_name(rng: random.Random, *, supplier: bool = False) -> str:
    kind = rng.choice(_SUPPLIER_KINDS if supplier else _BUSINESS_KINDS)
    name = rng.choice(_BUSINESS_NAMES) if rng.random() < 0.6 else rng.choice(SURNAMES)
    return f"{kind} {name}{rng.choice(_SUFFIXES)}"


def profile_name(rng: random.Random, *, first: str, last: str, company: str | None) -> str:
    """What the contact typed as WhatsApp profile name: rarely their full formal name."""
    roll = rng.random()
    surname = last.split()[-1]
    if company and roll < 0.35:
        return company
    if company and roll < 0.55:
        return f"{first} | {company}"
    if roll < 0.6:
        return f"{first} {surname}"
    if roll < 0.75:
        return first
    if roll < 0.85:
        return f"{first} {surname[0]}."
    if roll < 0.93:
        return f"{rng.choice(_PROFILE_EMOJI)} {first}"
    return f"{first} {last}"


def mobile_digits(rng: random.Random, *, ddd: int | None = None) -> str:
    """A Brazilian mobile number as WhatsApp ids write it: 55, the area code, 9, eight digits."""
    if ddd is None:
        ddd = rng.choices(_DDD_CODES, weights=_DDD_WEIGHTS)[0]
    return f"55{ddd}9{rng.randint(6, 9)}{rng.randrange(10_000_000):07d}"


def display_phone(digits: str) -> str:
    """`5521987654321` -> `+55 21 98765-4321`, as people type it in a message."""
    return f"+{digits[:2]} {digits[2:4]} {digits[4:9]}-{digits[9:]}"


def local_phone(digits: str) -> str:
    """`5521987654321` -> `(21) 98765-4321`, the national way of writing it."""
    return f"({digits[2:4]}) {digits[4:9]}-{digits[9:]}"
