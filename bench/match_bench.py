"""Matching benchmark: latency per message at national scale, against a plain scan.

Builds a register of 1,000,000 debtors and 2,000,000 claims (synthetic, imported
with the real import into SQLite), then reads 10,000 messages of mixed kinds —
a third with an identifier (reference, betalings-ID or CPR), a third from the
registered email address only, a third with name and address where the name has
a typo — and reports p50/p99 latency per message and peak memory. In the same run
it times a straightforward ``rapidfuzz.process.extractOne`` over all names for a
sample of the name-and-address messages, and prints the ratio.

    python -m bench.match_bench [--debtors 1000000] [--claims 2000000] [--messages 10000]
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import text
from sqlmodel import Session

from opkraevning.app.register_import import import_register
from opkraevning.assistant.read.reading import read_message
from opkraevning.demo.synthetic import write_register
from opkraevning.domain.folding import fold
from opkraevning.domain.inbound import MailFacts, ParsedMessage
from opkraevning.store import migrate
from opkraevning.store.db import make_engine
from opkraevning.store.register_lookup import SqlRegister

TODAY = date(2026, 11, 27)


def _typo(name: str, rng: random.Random) -> str:
    first, *rest = name.split()
    if len(first) > 3:
        i = rng.randint(1, len(first) - 2)
        first = first[:i] + first[i + 1] + first[i] + first[i + 2 :]
    if len(rest) > 1 and rng.random() < 0.5:
        rest = rest[-1:]  # the middle name dropped
    return " ".join([first, *rest])


def _parsed(body: str, sender: str | None, subject: str = "Henvendelse") -> ParsedMessage:
    return ParsedMessage(
        kind="mail",
        mail=MailFacts(subject=subject, from_address=sender, from_name=None),
        new_text=body,
        body=body,
    )


def _messages(engine: Any, count: int, rng: random.Random) -> list[tuple[str, str, ParsedMessage]]:
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT d.id, d.name, d.address, d.email, d.cpr, c.reference, c.payment_id "
                "FROM debtor d JOIN claim c ON c.debtor_id = d.id "
                "WHERE d.kind = 'person' ORDER BY random() LIMIT :n"
            ),
            {"n": count},
        ).all()
    messages = []
    for number, row in enumerate(rows):
        kind = ("identifier", "email", "name_address")[number % 3]
        if kind == "identifier":
            pick = number % 9
            if pick < 3:
                body = f"Jeg har betalt faktura {row.reference} i dag."
            elif pick < 6:
                body = f"Det drejer sig om +71<{row.payment_id} +85286148<. Kan jeg få henstand?"
            else:
                body = f"Mit cpr-nr. er {row.cpr[:6]}-{row.cpr[6:]}. Hvor meget skylder jeg?"
            parsed = _parsed(body, None)
        elif kind == "email" and row.email:
            parsed = _parsed("Hej, kan jeg betale 300 kr. om måneden?", row.email)
        else:
            kind = "name_address"
            body = (
                f"Hej\n\nKan jeg få udsættelse?\n\nHilsen\n{_typo(row.name, rng)}\n{row.address}\n"
            )
            parsed = _parsed(body, None)
        messages.append((kind, row.id, parsed))
    return messages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--debtors", type=int, default=1_000_000)
    parser.add_argument("--claims", type=int, default=2_000_000)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--scan-sample", type=int, default=100)
    args = parser.parse_args()
    rng = random.Random(5)
    with tempfile.TemporaryDirectory(prefix="opk-match-bench-") as tmp:
        started = time.perf_counter()
        files = write_register(Path(tmp) / "register", debtors=args.debtors, claims=args.claims)
        engine = make_engine(f"sqlite:///{tmp}/match.db")
        migrate.upgrade(engine)
        import_register(engine, debtors=files.debtors, claims=files.claims, payments=files.payments)
        print(
            f"register: {files.debtor_count:,} debtors, {files.claim_count:,} claims,"
            f" {files.payment_count:,} payments, built in {time.perf_counter() - started:.0f} s",
            flush=True,
        )
        messages = _messages(engine, args.messages, rng)
        latencies: dict[str, list[float]] = {}
        right = wrong = abstained = 0
        wrong_cases: list[str] = []
        with Session(engine) as session:
            register = SqlRegister(session)
            for kind, expected, parsed in messages:
                begun = time.perf_counter()
                reading = read_message(register, parsed, b"", TODAY)
                latencies.setdefault(kind, []).append((time.perf_counter() - begun) * 1000)
                if reading.debtor_id is None:
                    abstained += 1
                elif reading.debtor_id == expected:
                    right += 1
                else:
                    wrong += 1
                    wrong_cases.append(
                        f"  WRONG {kind}: expected {expected}, read {reading.debtor_id}"
                        f" ({reading.match_reason}); evidence "
                        + ", ".join(f"{e.kind}={e.debtor_id}" for e in reading.evidence)
                        + f"; text {parsed.body[:160]!r}"
                    )
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        every = sorted(ms for values in latencies.values() for ms in values)

        def pct(values: list[float], q: float) -> float:
            return values[min(len(values) - 1, int(q * len(values)))]

        print(
            f"read {len(every):,} messages: p50 {pct(every, 0.5):.2f} ms,"
            f" p99 {pct(every, 0.99):.2f} ms,"
            f" max {every[-1]:.1f} ms; right {right}, wrong {wrong}, abstained {abstained};"
            f" peak RSS {peak_mb:.0f} MB",
            flush=True,
        )
        for line in wrong_cases:
            print(line, flush=True)
        for kind, values in sorted(latencies.items()):
            values.sort()
            print(
                f"  {kind:<13} {len(values):>5} messages: p50 {pct(values, 0.5):.2f} ms,"
                f" p99 {pct(values, 0.99):.2f} ms",
                flush=True,
            )

        with engine.connect() as connection:
            names = [fold(name) for (name,) in connection.execute(text("SELECT name FROM debtor"))]
        samples = [parsed for kind, _, parsed in messages if kind == "name_address"]
        samples = samples[: args.scan_sample]
        scan = []
        for parsed in samples:
            query = fold(parsed.body.strip().splitlines()[-2])
            begun = time.perf_counter()
            process.extractOne(query, names, scorer=fuzz.WRatio)
            scan.append((time.perf_counter() - begun) * 1000)
        ours = statistics.median(latencies["name_address"])
        print(
            f"plain extractOne scan over {len(names):,} names ({len(scan)} messages):"
            f" median {statistics.median(scan):.0f} ms = {statistics.median(scan) / ours:.0f}x"
            f" the indexed match (median {ours:.2f} ms)",
            flush=True,
        )
        engine.dispose()


if __name__ == "__main__":
    main()
