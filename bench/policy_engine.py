"""Policy engine benchmark: throughput, precision and recall on generated Portuguese messages.

    .venv/bin/python bench/policy_engine.py [--messages 200000] [--keywords 5000] [--seed 7]

Generates WhatsApp-like messages, about a third carrying one labelled piece of personal data
(CPF, CNPJ numeric and alphanumeric, cards of every brand incl. Mastercard 2-series, e-mail,
phone, PIX keys, bank accounts) and some near misses (wrong check digits, numbers inside
longer numbers, dates, amounts), then runs one policy set with `--keywords` keyword terms
plus every personal-data detector. Reports messages/s on one core and, per detector, precision
and recall against the labels (a hit counts when its span equals a labelled span).
"""

from __future__ import annotations

import argparse
import random
import string
import time
import uuid
from collections import Counter
from collections.abc import Callable

from atalaia.domain.enums import Direction
from atalaia.domain.policy import Detector, KeywordOptions, Policy, Rule, ScanInput, Severity
from atalaia.policies import compile_policies

Label = tuple[str, int, int]  # detector, start, end

WORDS = [
    "oi",
    "bom",
    "dia",
    "tudo",
    "bem",
    "segue",
    "o",
    "orçamento",
    "que",
    "você",
    "pediu",
    "amanhã",
    "reunião",
    "às",
    "horas",
    "cliente",
    "pedido",
    "entrega",
    "prazo",
    "nota",
    "fiscal",
    "pagamento",
    "boleto",
    "obrigado",
    "abraço",
    "combinado",
    "confirma",
    "por",
    "favor",
    "preciso",
    "falar",
    "com",
    "você",
    "sobre",
    "proposta",
    "contrato",
    "valor",
    "desconto",
    "semana",
    "próxima",
    "ligação",
    "equipe",
    "gerente",
    "atendimento",
    "produto",
    "estoque",
    "frete",
    "endereço",
    "vencimento",
    "parcela",
]
ASCII_WORDS = ("ana", "joao", "maria", "pedro", "vendas", "financeiro", "contato", "carla")
DDDS = ("11", "21", "31", "41", "47", "51", "61", "71", "81", "85", "91", "27", "48", "62")
ALNUM = string.digits + string.ascii_uppercase


def cpf(rng: random.Random) -> str:
    digits = [rng.randrange(10) for _ in range(9)]
    while len(set(digits)) == 1:
        digits = [rng.randrange(10) for _ in range(9)]
    for size in (9, 10):
        total = sum(d * w for d, w in zip(digits, range(size + 1, 1, -1), strict=True))
        digits.append(total * 10 % 11 % 10)
    return "".join(map(str, digits))


def cnpj(rng: random.Random, *, alphanumeric: bool) -> str:
    base = [rng.choice(ALNUM if alphanumeric else string.digits) for _ in range(8)]
    chars = base + list("0001") if not alphanumeric else base + [rng.choice(ALNUM) for _ in range(4)]
    for weights in ((5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2), (6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)):
        remainder = sum((ord(c) - 48) * w for c, w in zip(chars, weights, strict=True)) % 11
        chars.append(str(0 if remainder < 2 else 11 - remainder))
    return "".join(chars)


def card(rng: random.Random) -> str:
    prefix, size = rng.choice(
        [("4", 16), ("51", 16), ("55", 16), ("2221", 16), ("2720", 16), ("2500", 16), ("34", 15), ("37", 15),
         ("636368", 16), ("509123", 16), ("606282", 16), ("36", 14), ("6011", 16), ("3530", 16)]
    )  # fmt: skip
    body = prefix + "".join(str(rng.randrange(10)) for _ in range(size - len(prefix) - 1))
    for check in range(10):
        candidate = body + str(check)
        total = 0
        for i, c in enumerate(reversed(candidate)):
            n = int(c) * (2 if i % 2 else 1)
            total += n - 9 if n > 9 else n
        if total % 10 == 0:
            return candidate
    raise AssertionError


def fmt_cpf(value: str, rng: random.Random) -> str:
    return rng.choice([value, f"{value[:3]}.{value[3:6]}.{value[6:9]}-{value[9:]}", f"{value[:9]}-{value[9:]}"])


def fmt_cnpj(value: str, rng: random.Random) -> str:
    return rng.choice([value, f"{value[:2]}.{value[2:5]}.{value[5:8]}/{value[8:12]}-{value[12:]}"])


def fmt_card(value: str, rng: random.Random) -> str:
    if len(value) == 16 and rng.random() < 0.7:
        sep = rng.choice(" -")
        return sep.join(value[i : i + 4] for i in range(0, 16, 4))
    if len(value) == 15 and rng.random() < 0.5:
        return f"{value[:4]} {value[4:10]} {value[10:]}"
    return value


def phone(rng: random.Random) -> str:
    ddd = rng.choice(DDDS)
    number = "9" + str(rng.randrange(6, 10)) + "".join(str(rng.randrange(10)) for _ in range(7))
    return rng.choice(
        [f"({ddd}) {number[:5]}-{number[5:]}", f"+55 {ddd} {number[:5]}-{number[5:]}", f"{ddd}{number}",
         f"{ddd} {number[0]} {number[1:5]}-{number[5:]}"]
    )  # fmt: skip


def filler(rng: random.Random, low: int = 3, high: int = 12) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high)))


def make_message(rng: random.Random, terms: list[str]) -> tuple[str, list[Label]]:
    """One message and its labels; at most one piece of personal data so labels stay unambiguous."""
    head = filler(rng).capitalize()
    kind = rng.random()
    labels: list[Label] = []
    pieces: list[tuple[str, str | tuple[str, ...] | None]] = [(head, None), (" ", None)]
    if kind < 0.05:
        pieces.append((fmt_cpf(cpf(rng), rng), "cpf"))
    elif kind < 0.08:
        pieces.append((fmt_cnpj(cnpj(rng, alphanumeric=rng.random() < 0.4), rng), "cnpj"))
    elif kind < 0.12:
        pieces.append((fmt_card(card(rng), rng), "credit_card"))
    elif kind < 0.15:
        pieces.append(
            (f"{rng.choice(ASCII_WORDS)}.{rng.randrange(99)}@{rng.choice(['gmail.com', 'empresa.com.br'])}", "email")
        )
    elif kind < 0.19:
        pieces.append((phone(rng), "phone"))
    elif kind < 0.21:
        pieces.append(("minha chave pix é ", None))
        pieces.append((str(uuid.UUID(int=rng.getrandbits(128), version=4)), "pix_key"))
    elif kind < 0.23:
        pieces.append(("pode mandar no pix, a chave é o cpf ", None))
        pieces.append((fmt_cpf(cpf(rng), rng), ("cpf", "pix_key")))
    elif kind < 0.25:
        pieces.append((f"banco {rng.choice(['itaú', 'bradesco', 'nubank'])} ag ", None))
        pieces.append((f"{rng.randrange(1000, 9999)}", "bank_account"))
        pieces.append((" conta ", None))
        pieces.append((f"{rng.randrange(10000, 999999)}-{rng.randrange(10)}", "bank_account"))
    elif kind < 0.33:  # near misses: nothing to find
        bad = cpf(rng)
        bad = bad[:-1] + str((int(bad[-1]) + 1) % 10)
        pieces.append(
            (rng.choice([fmt_cpf(bad, rng), f"pedido {rng.randrange(10**14, 10**15)}", "12/03/2024 às 14:30",
                         f"R$ 1.{rng.randrange(100, 999)},00", f"nf 9{cpf(rng)}", "111.111.111-11"]), None)
        )  # fmt: skip
    if rng.random() < 0.05:
        pieces.append((" ", None))
        pieces.append((rng.choice(terms), "keywords"))
    tail = filler(rng, 0, 6)
    if tail:
        pieces.append((" " + tail, None))
    text = ""
    for piece, label in pieces:
        if label is not None:
            for name in (label,) if isinstance(label, str) else label:
                labels.append((name, len(text), len(text) + len(piece)))
        text += piece
    return text, labels


def keyword_terms(rng: random.Random, count: int) -> list[str]:
    letters = "abcdefghijlmnopqrstuvxz"
    terms = {"propina", "caixa dois", "por fora", "lavagem de dinheiro", "nota fria"}
    while len(terms) < count:
        terms.add("".join(rng.choice(letters) for _ in range(rng.randint(6, 11))))
    return sorted(terms)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--keywords", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    terms = keyword_terms(rng, args.keywords)
    detectors = [Detector.CPF, Detector.CNPJ, Detector.CREDIT_CARD, Detector.EMAIL, Detector.PHONE,
                 Detector.PIX_KEY, Detector.BANK_ACCOUNT]  # fmt: skip
    rules = [Rule(id="kw", detector=Detector.KEYWORDS, options=KeywordOptions(terms=tuple(terms)))]
    rules += [Rule(id=d.value, detector=d) for d in detectors]
    engine = compile_policies([Policy(id="bench", rules=tuple(rules), severity=Severity.HIGH)])
    corpus = [make_message(rng, terms) for _ in range(args.messages)]
    inputs = [ScanInput(text=text, direction=Direction.OUTBOUND) for text, _ in corpus]
    scan: Callable[[ScanInput], list] = engine.scan  # type: ignore[type-arg]
    engine.scan(inputs[0])  # warm the lazy tables (phone metadata, fold handler)
    started = time.perf_counter()
    results = [scan(message) for message in inputs]
    elapsed = time.perf_counter() - started
    expected: Counter[str] = Counter()
    found: Counter[str] = Counter()
    correct: Counter[str] = Counter()
    for (_, labels), hits in zip(corpus, results, strict=True):
        label_set = set(labels)
        for name, _, _ in labels:
            expected[name] += 1
        for hit in hits:
            found[hit.detector.value] += 1
            correct[hit.detector.value] += (hit.detector.value, hit.start, hit.end) in label_set
    print(f"{args.messages} messages, {len(terms)} keywords + {len(detectors)} personal-data detectors")
    print(f"{elapsed:.2f} s: {args.messages / elapsed:,.0f} messages/s on one core")
    print(f"{'detector':<14}{'labels':>8}{'hits':>8}{'precision':>11}{'recall':>8}")
    for name in ["keywords", *[d.value for d in detectors]]:
        precision = correct[name] / found[name] if found[name] else 1.0
        recall = correct[name] / expected[name] if expected[name] else 1.0
        print(f"{name:<14}{expected[name]:>8}{found[name]:>8}{precision:>11.4f}{recall:>8.4f}")
    total_correct, total_found, total_expected = sum(correct.values()), sum(found.values()), sum(expected.values())
    print(f"{'all':<14}{total_expected:>8}{total_found:>8}{total_correct / total_found:>11.4f}"
          f"{total_correct / total_expected:>8.4f}")  # fmt: skip


if __name__ == "__main__":
    main()
