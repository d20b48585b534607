"""Chat export parsing benchmark: Atalaia, whatstk and chat-miner on the same exports, against the truth.

    .venv/bin/python bench/parse_export.py [--messages 500000] [--import-mb 20] [--parse-mb 0] [--skip-peers]
                                           [--repeat 1]

1. Generates two pt-BR exports of N messages each, Android (`dd/mm/yyyy hh:mm - Nome: texto`)
   and iOS (`[dd/mm/yyyy, hh:mm:ss] Nome: texto`, CRLF, U+200E and U+202A/U+202C marks), with a
   known truth: multi-line messages (blank lines included), continuation lines that look like
   headers of other layouts (a pasted iPhone line in an Android chat and vice versa, an English
   Android header, a date and time opening a sentence), authors saved by name and unsaved
   (`+55 21 9....-....`), media omitted, attached files with captions, deleted and edited
   markers, and system lines.
2. Parses each export, in one run, with Atalaia's `read_export`, whatstk's `df_from_whatsapp`
   and chat-miner's `WhatsAppParser` (each skipped, and said so, when it does not import), and
   prints messages/s, the ratio to whatstk (SPEC.md target: >= 5x), and how many participant
   messages each lost (not reproduced) or got wrong (reported but not in the truth). The
   comparison is lenient with every tool alike: Unicode NFKC, bidi marks and whitespace runs
   are folded, and the media/deleted/edited markers are removed from texts before comparing.
   With `--repeat N` the tools take turns N times on each export and each keeps its best time
   (the machine may be shared: the least disturbed run is the fairest comparison).
3. Writes a larger Android export of `--import-mb` megabytes and runs `atalaia import` on it in
   a subprocess with a fresh ATALAIA_HOME (SQLite), reporting its peak resident memory as
   `/usr/bin/time` measures it (SPEC.md target: < 300 MB for a 1 GB export); `--parse-mb` does
   the same for `atalaia parse --json` (streaming, nothing stored), quick enough for a 1 GB file.
Exports are written to a temp folder (or `--keep DIR`) and removed afterwards.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

os.environ.setdefault("TQDM_DISABLE", "1")  # chat-miner draws a progress bar per parse

from atalaia.connectors.chat_export import ExportKind, read_export

ATALAIA = [sys.executable, "-m", "atalaia"]
SEED = 2024
OWNER = "Bruno Vendas"
SAVED = ("Ana Souza", OWNER, "Carla Dias", "Davi Nogueira", "Eduarda Lima", "Fábio Araújo", "João Pedro")
PHRASES = (
    "Bom dia! Tudo certo?",
    "Consegue me mandar a proposta atualizada até amanhã?",
    "Sim, envio ainda hoje 👍",
    "O boleto vence dia 15, pode pagar por PIX também.",
    "Preço: R$ 1.250,00 à vista - ou 3x sem juros",
    "Reunião às 14:00 - sala 2",
    "Obrigada!! 🙏",
    "Vou verificar com o financeiro e te retorno.",
    "Qual o CNPJ para faturamento?",
    "Chegou a nota fiscal? Não encontrei aqui.",
    "Pode ser: terça ou quarta?",
    "kkkkk verdade",
    "Ação confirmada, reuniões remarcadas para a próxima semana.",
    "Segue o endereço: Av. Rio Branco, 1 - Centro",
    "ok",
)
MEDIA_OMITTED = ("<Mídia oculta>",), ("imagem ocultada", "áudio ocultado", "vídeo ocultado")  # Android, iOS
DELETED = "Mensagem apagada"
EDITED = "<Mensagem editada>"
SYSTEM = (
    "As mensagens e ligações são protegidas com a criptografia de ponta a ponta.",
    "Ana Souza adicionou Carla Dias",
    "Davi Nogueira saiu",
)
LEVELS = ("no header-like lines", "header-like lines but no impossible date", "every kind of header-like line")
MARKERS = re.compile(
    r"<Mídia oculta>|(?:imagem|áudio|vídeo) ocultad[oa]|Mensagem apagada|<Mensagem editada>|<anexado: [^>]*>"
    r"|\S+ \(arquivo anexado\)"
)
INVISIBLE = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"))


class Truth(NamedTuple):
    timestamp: datetime
    author: str | None  # None: a system line
    text: str  # as written, lines joined with \n, markers included


def generate(*, messages: int, ios: bool, seed: int = SEED, level: int = 2) -> Iterator[tuple[str, Truth]]:
    """(lines as written, truth) per message, in file order; streaming, so any size works.

    `level` of header-like continuation lines: 2 all of them, 1 all but the impossible date (which
    crashes whatstk), 0 none (chat-miner crashes on any), so that a parser that crashes is still timed.
    """
    rng = random.Random(f"{seed}:{ios}")
    unsaved = [f"+55 21 9{rng.randrange(1000, 9999)}-{rng.randrange(1000, 9999)}" for _ in range(6)]
    now = datetime(2023, 1, 2, 8, 0, 0)
    newline = "\r\n" if ios else "\n"
    lrm = "\u200e"
    for index in range(messages):
        now += timedelta(seconds=rng.randrange(5, 400) if ios else 60 * rng.randrange(0, 7))
        if index == 0 or rng.random() < 0.002:
            text = SYSTEM[0] if index == 0 else rng.choice(SYSTEM[1:])
            if ios:
                yield f"{lrm}[{now:%d/%m/%Y, %H:%M:%S}] Vendas SP: {lrm}{text}{newline}", Truth(now, None, text)
            else:
                yield f"{now:%d/%m/%Y %H:%M} - {text}{newline}", Truth(now, None, text)
            continue
        author = rng.choice(unsaved) if rng.random() < 0.1 else rng.choice(SAVED)
        shown = f"\u202a{author}\u202c" if ios and author.startswith("+") else author
        roll = rng.random()
        prefix = ""
        if roll < 0.07:  # media omitted
            text = rng.choice(MEDIA_OMITTED[ios])
            prefix = lrm if ios else ""
        elif roll < 0.09:  # an attached file, sometimes with a caption on the next line
            if ios:
                text = f"<anexado: {index:08d}-PHOTO-{now:%Y-%m-%d-%H-%M-%S}.jpg>"
                prefix = lrm
            else:
                text = f"IMG-{now:%Y%m%d}-WA{index % 10000:04d}.jpg (arquivo anexado)"
                prefix = lrm
            if rng.random() < 0.5:
                text += "\n" + rng.choice(PHRASES)
        elif roll < 0.10:
            text = DELETED
            prefix = lrm if ios else ""
        elif roll < 0.11:
            text = rng.choice(PHRASES) + (f" {lrm}" if ios else " ") + EDITED.strip()
        elif roll < 0.19:  # several lines, some blank, some shaped like another layout's header
            lines = [rng.choice(PHRASES) for _ in range(rng.randint(2, 4))]
            if rng.random() < 0.3:
                lines.insert(1, "")
            if rng.random() < 0.25 and level:
                lines.append(rng.choice(_lookalikes(now, ios=ios)[: 2 + level]))
            text = "\n".join(lines)
        else:
            text = rng.choice(PHRASES)
        header = f"{lrm if prefix else ''}[{now:%d/%m/%Y, %H:%M:%S}] " if ios else f"{now:%d/%m/%Y %H:%M} - "
        yield f"{header}{shown}: {prefix}{text.replace(chr(10), newline)}{newline}", Truth(now, author, text)


def _lookalikes(now: datetime, *, ios: bool) -> tuple[str, ...]:
    """Lines that look like a header but are not one of this export's: pasted or typed by people."""
    other = f"{now:%d/%m/%Y %H:%M} - Cliente: colado de um Android" if ios else (
        f"[{now:%d/%m/%Y, %H:%M:%S}] Cliente: colado de um iPhone"
    )  # fmt: skip
    return (  # the first three at level 1, the fourth too at level 2
        other,
        f"{now.day}/{now.month}/{now:%y}, {now.hour}:{now:%M} - Client: pasted from an English phone",
        f"{now:%d/%m/%Y %H:%M} fica bom para você?",
        f"31/02/{now:%Y} 09:45 - Cliente: uma data impossível"
        if not ios
        else f"[31/02/{now:%Y}, 09:45:00] Cliente: idem",
    )


def write_export(path: Path, *, messages: int, ios: bool, level: int = 2) -> list[Truth]:
    truth: list[Truth] = []
    with path.open("w", encoding="utf-8", newline="") as out:
        for lines, fact in generate(messages=messages, ios=ios, level=level):
            out.write(lines)
            truth.append(fact)
    return truth


def write_sized(path: Path, *, megabytes: int) -> int:
    """An Android export of about `megabytes` MB; returns its message count."""
    limit, size, count = megabytes * 1_000_000, 0, 0
    with path.open("w", encoding="utf-8", newline="") as out:
        for lines, _fact in generate(messages=10**9, ios=False, seed=SEED + 1):
            out.write(lines)
            size += len(lines.encode("utf-8"))
            count += 1
            if size >= limit:
                break
    return count


def canon(when: Any, author: Any, text: Any) -> tuple[str, str, str]:
    """A message as every tool can be compared on: minute or second, author, folded text."""
    moment = when.to_pydatetime() if hasattr(when, "to_pydatetime") else when
    stamp = moment.replace(tzinfo=None).isoformat() if isinstance(moment, datetime) else str(moment)

    def fold(value: Any) -> str:
        folded = unicodedata.normalize("NFKC", str(value if value is not None else "")).translate(INVISIBLE)
        return " ".join(MARKERS.sub(" ", folded).split())

    return stamp, fold(author), fold(text)


def score(found: list[tuple[str, str, str]], truth: list[Truth]) -> dict[str, int]:
    expected = Counter(canon(t.timestamp, t.author, t.text) for t in truth if t.author is not None)
    got = Counter(found)
    return {"lost": sum((expected - got).values()), "wrong": sum((got - expected).values())}


def parse_atalaia(path: Path) -> Any:
    with read_export(path) as reader:
        return list(reader.messages())


def rows_atalaia(messages: Any) -> Iterator[tuple[Any, Any, Any]]:
    return ((m.timestamp, m.author, m.text) for m in messages if m.kind is not ExportKind.SYSTEM)


def parse_whatstk(path: Path) -> Any:
    from whatstk import df_from_whatsapp

    return df_from_whatsapp(str(path), max_size=None)


def rows_whatstk(frame: Any) -> Iterator[tuple[Any, Any, Any]]:
    return zip(frame["date"], frame["username"], frame["message"], strict=True)


def parse_chatminer(path: Path) -> Any:
    import logging

    from chatminer.chatparsers import WhatsAppParser

    logging.disable(logging.INFO)  # chat-miner logs at INFO on the root logger it configures
    try:
        parser = WhatsAppParser(str(path))
        parser.parse_file()
    finally:
        logging.disable(logging.NOTSET)
    return parser.parsed_messages._parsed_messages


def rows_chatminer(messages: Any) -> Iterator[tuple[Any, Any, Any]]:
    return ((m.timestamp, m.author, m.message) for m in messages)


# name -> (parse: timed, its native output; rows: (timestamp, author, text) of participants' messages)
PARSERS: dict[str, tuple[Callable[[Path], Any], Callable[[Any], Iterator[tuple[Any, Any, Any]]]]] = {
    "atalaia": (parse_atalaia, rows_atalaia),
    "whatstk": (parse_whatstk, rows_whatstk),
    "chat-miner": (parse_chatminer, rows_chatminer),
}


def compare(path: Path, truth: list[Truth], *, export: str, names: list[str], repeat: int = 1) -> list[dict[str, Any]]:
    """Parse `path` with each named tool, timing the parse alone (not the comparison).

    With `repeat` > 1 the tools take turns, round after round, and each keeps its best time: on
    a machine shared with other work, the least disturbed run is the fairest to compare.
    """
    best: dict[str, float] = {}
    failed: dict[str, str] = {}
    scores: dict[str, dict[str, int]] = {}
    for _ in range(repeat):
        for name in names:
            if name in failed:
                continue
            parse, rows_of = PARSERS[name]
            # The truth list (and a run's leftovers) would make every garbage collection during the
            # parse walk a million objects: a cost of this harness, not of the parser.
            gc.collect()
            gc.freeze()
            started = time.perf_counter()
            try:
                output = parse(path)
            except Exception as exc:  # a peer that crashes on the export is a result too
                gc.unfreeze()
                failed[name] = f"{type(exc).__name__}: {exc}"[:300]
                continue
            seconds = time.perf_counter() - started
            gc.unfreeze()
            best[name] = min(seconds, best.get(name, seconds))
            if name not in scores:
                found = [canon(*row) for row in rows_of(output)]
                scores[name] = {"reported": len(found), **score(found, truth)}
            del output
    rows: list[dict[str, Any]] = []
    for name in names:
        if name in failed:
            rows.append({"export": export, "parser": name, "failed": failed[name]})
            continue
        seconds = best[name]
        rows.append({"export": export, "parser": name, "messages": len(truth), "runs": repeat,
                     "seconds": round(seconds, 2), "messages_per_s": round(len(truth) / seconds),
                     "us_per_message": round(1e6 * seconds / len(truth), 2), **scores[name]})  # fmt: skip
    return rows


def with_ratios(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Adds each parser's speed relative to whatstk's on the same export."""
    base = next((r for r in rows if r["parser"] == "whatstk" and "seconds" in r), None)
    for row in rows:
        if base and "seconds" in row:
            row["speed_vs_whatstk"] = round(base["seconds"] / row["seconds"], 2)
    return rows


def importable(names: list[str]) -> tuple[list[str], list[dict[str, Any]]]:
    """The peers that import (imported now, so no timing pays for pandas or polars loading)."""
    modules = {"whatstk": "whatstk", "chat-miner": "chatminer.chatparsers"}
    ok, skipped = [], []
    for name in names:
        try:
            if name in modules:
                __import__(modules[name])
            ok.append(name)
        except ImportError as exc:
            skipped.append({"parser": name, "skipped": f"does not import offline: {exc}"})
    return ok, skipped


def peak_rss(command: list[str], *, env: dict[str, str]) -> tuple[int, float, str]:
    """(peak RSS in kB, seconds, last stdout line) of one command, measured by a small middleman.

    Not wait4() from here: Linux carries the RSS high-water mark of the process that execs into
    the child's, so a child of this (large) process would report at least this one's size. The
    middleman (`/usr/bin/time`, else a bare Python) is small, and waits for the command itself.
    """
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as temp:
        report, out = Path(temp) / "rss", Path(temp) / "out"
        if Path("/usr/bin/time").exists():
            wrapped = ["/usr/bin/time", "-f", "%M", "-o", str(report), *command]
        else:
            waiter = (
                "import os,subprocess,sys;p=subprocess.Popen(sys.argv[2:]);_,s,u=os.wait4(p.pid,0);"
                "open(sys.argv[1],'w').write(str(u.ru_maxrss));sys.exit(os.waitstatus_to_exitcode(s))"
            )
            wrapped = [sys.executable, "-S", "-c", waiter, str(report), *command]
        with out.open("wb") as stdout:
            code = subprocess.run(wrapped, env=env, stdout=stdout, stderr=subprocess.DEVNULL, check=False).returncode
        seconds = time.perf_counter() - started
        if code != 0:
            raise RuntimeError(f"{' '.join(command[2:4])} exited with {code}")
        last = b""
        with out.open("rb") as handle:  # `parse --json` output can be large: keep the tail only
            handle.seek(max(0, out.stat().st_size - 4096))
            last = handle.read()
        return int(report.read_text().split()[-1]), seconds, last.decode("utf-8", "replace").strip().splitlines()[-1]


def memory(folder: Path, *, import_mb: int, parse_mb: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    env = {**os.environ, "ATALAIA_HOME": str(folder / "home"), "ATALAIA_SECRET_KEY": "bench-" + "k" * 40}
    env.pop("ATALAIA_DATABASE_URL", None)
    if parse_mb:
        path = folder / f"parse-{parse_mb}mb.txt"
        count = write_sized(path, megabytes=parse_mb)
        rss, seconds, _ = peak_rss([*ATALAIA, "parse", str(path), "--json"], env=env)
        rows.append({"command": "atalaia parse --json > file", "export_mb": round(path.stat().st_size / 1e6),
                     "messages": count, "seconds": round(seconds, 1), "peak_rss_mb": round(rss / 1024, 1)})  # fmt: skip
        path.unlink()
    if import_mb:
        path = folder / f"import-{import_mb}mb.txt"
        count = write_sized(path, megabytes=import_mb)
        number = "+5521999990000"
        subprocess.run([*ATALAIA, "lines", "add", "--number", number, "--provider", "export", "--json"], env=env,
                       check=True, capture_output=True)  # fmt: skip
        rss, seconds, out = peak_rss([*ATALAIA, "import", str(path), "--line", number, "--me", OWNER, "--json"],
                                     env=env)  # fmt: skip
        result = json.loads(out)
        rows.append({"command": "atalaia import (SQLite)", "export_mb": round(path.stat().st_size / 1e6),
                     "messages": count, "archived": result.get("new"), "seconds": round(seconds, 1),
                     "messages_per_s": round(count / seconds), "peak_rss_mb": round(rss / 1024, 1)})  # fmt: skip
        path.unlink()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=500_000, help="messages per export (Android and iOS)")
    parser.add_argument("--import-mb", type=int, default=20, help="size of the export imported; 0 to skip")
    parser.add_argument("--parse-mb", type=int, default=0, help="size of the export `atalaia parse` reads; 0 to skip")
    parser.add_argument("--skip-peers", action="store_true", help="Atalaia only")
    parser.add_argument("--exports", default="android,ios", help="which exports to compare on")
    parser.add_argument("--keep", type=Path, help="write the exports here and keep them")
    parser.add_argument("--repeat", type=int, default=1, help="parse each export this many times, keep each best time")
    args = parser.parse_args()
    if not 1 <= args.messages <= 20_000_000 or not 0 <= args.import_mb <= 2_000 or not 0 <= args.parse_mb <= 2_000:
        parser.error("--messages within 1..20,000,000; --import-mb and --parse-mb within 0..2,000")
    if not 1 <= args.repeat <= 10:
        parser.error("--repeat within 1..10")
    names, skipped = importable(["atalaia"] if args.skip_peers else list(PARSERS))
    for row in skipped:
        print(json.dumps(row), flush=True)
    with tempfile.TemporaryDirectory() as temp:
        folder = args.keep or Path(temp)
        folder.mkdir(parents=True, exist_ok=True)
        for ios in (False, True):
            name = "ios_pt_BR" if ios else "android_pt_BR"
            if name.split("_")[0] not in args.exports.split(","):
                continue
            path = folder / f"{name}_{args.messages}.txt"
            rows: list[dict[str, Any]] = []
            run, level = names, 2
            # A peer that crashes is given the same export with fewer header-like lines, down to
            # none, for a speed figure; Atalaia and whatstk run on it too, so ratios are like for like.
            while run:
                truth = write_export(path, messages=args.messages, ios=ios, level=level)
                size = round(path.stat().st_size / 1e6, 1)
                label = f"{name}, {LEVELS[level]} ({size} MB)"
                done = with_ratios(compare(path, truth, export=label, names=run, repeat=args.repeat))
                rows += done
                if args.keep is None:
                    path.unlink()
                crashed = [r["parser"] for r in done if "failed" in r]
                level -= 1
                run = (
                    ["atalaia", *(n for n in names if n == "whatstk" or n in crashed)] if crashed and level >= 0 else []
                )
            for row in rows:
                print(json.dumps(row, ensure_ascii=False), flush=True)
            del truth
        for row in memory(folder, import_mb=args.import_mb, parse_mb=args.parse_mb):
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
