"""CPF and CNPJ check digits: Atalaia's validators against `validate-docbr`, same numbers, same run.

Both sides get the bare 11 or 14 characters (`validate-docbr` also strips masks, ours leave that
to the detectors' number windows). The numbers are the benchmark's own: valid ones, the same with
one check digit changed, and repeated digits (which pass the sums but are not issued). Reports
each side's time per number and every number on which they disagree.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from atalaia.policies.detectors.cnpj import is_valid_cnpj
from atalaia.policies.detectors.cpf import is_valid_cpf

Numbers = list[str]


def _broken(value: str) -> str:
    return value[:-1] + str((int(value[-1]) + 1) % 10)


def numbers(
    rng: random.Random, count: int, cpf: Callable[[random.Random], str], cnpj: Callable[..., str]
) -> tuple[Numbers, Numbers]:
    """(CPFs, CNPJs): half valid, half with a wrong check digit, then repeated digits; a third of the
    CNPJs alphanumeric, and 50 of those in lower case (Atalaia refuses them: the Receita issues upper case)."""
    cpfs = [cpf(rng) for _ in range(count // 2)]
    cpfs += [_broken(value) for value in cpfs[: count // 2]]
    cpfs += [str(d) * 11 for d in range(10)]
    cnpjs = [cnpj(rng, alphanumeric=i % 3 == 0) for i in range(count // 2)]
    cnpjs += [_broken(value) for value in cnpjs[: count // 2]]
    cnpjs += [str(d) * 14 for d in range(10)]
    cnpjs += [value.lower() for value in cnpjs[: count // 2 : 3] if not value.isdigit()][:50]  # refused by Atalaia
    return cpfs, cnpjs


def _timed(check: Callable[[str], bool], values: Numbers) -> tuple[list[bool], float]:
    started = time.process_time()
    verdicts = [check(value) for value in values]
    return verdicts, (time.process_time() - started) / len(values) * 1e6


def compare(rng: random.Random, count: int, cpf: Callable[[random.Random], str], cnpj: Callable[..., str]) -> None:
    try:
        from validate_docbr import CNPJ, CPF  # type: ignore[import-untyped, unused-ignore]
    except ImportError:
        print("  validate-docbr: not installed; skipped (pip install -e '.[bench]')")
        return
    cpfs, cnpjs = numbers(rng, count, cpf, cnpj)
    for label, values, ours, theirs in (
        ("CPF", cpfs, is_valid_cpf, CPF().validate),
        ("CNPJ", cnpjs, is_valid_cnpj, CNPJ().validate),
    ):
        mine, my_time = _timed(ours, values)
        peer, peer_time = _timed(theirs, values)
        differ = [value for value, a, b in zip(values, mine, peer, strict=True) if a != b]
        print(
            f"  {label:<5} {len(values):>7} numbers ({sum(mine):,} valid): atalaia {my_time:.2f} µs, "
            f"validate-docbr {peer_time:.2f} µs ({peer_time / my_time:.1f}x); disagree on {len(differ)}"
            + (f", e.g. {differ[:3]}" if differ else "")
        )
