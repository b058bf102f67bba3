"""Reminder run benchmark: 1,000,000 open claims over 400,000 debtors with history.

Builds the register (synthetic, real import), adds history with bulk inserts — released
reminder letters for 30 % of the claims, installment agreements with installments for
5 % of the debtors (a third of them behind), dispute holds for 2 % of the claims — and
then times ``opkraevning remind`` in a child process (its own peak RSS), on SQLite and
PostgreSQL. In the same run it times a straightforward one-claim-at-a-time ORM loop
over a 20,000-claim sample and prints the ratio.

    python -m bench.remind_bench [--debtors N] [--claims N] [--backends sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, text
from sqlmodel import Session, col, select

from bench.common import drop_schema, fresh_database
from opkraevning.app.register_import import import_register
from opkraevning.assistant.policy.bank_days import BankCalendar
from opkraevning.assistant.policy.model import policy_for
from opkraevning.assistant.rules.engine import (
    step_for_claim,
)
from opkraevning.demo.synthetic import write_register
from opkraevning.domain.facts import AgreementFact, ClaimFact, HoldFact, LetterFact
from opkraevning.store import migrate
from opkraevning.store.db import make_engine
from opkraevning.store.models import (
    AgreementClaim,
    Claim,
    Debtor,
    Hold,
    Installment,
    InstallmentAgreement,
    Payment,
    ReminderLetter,
    ReminderLetterClaim,
)  # fmt: skip

DAY = date(2026, 11, 27)
WORKERS = 2  # OPKRAEVNING_REMIND_WORKERS, the default
NOW = datetime(2026, 10, 1, tzinfo=UTC)


def _table(model: Any) -> Any:
    return model.__table__


def add_history(engine: Any, claims_csv: Path, rng: random.Random) -> dict[str, int]:
    """Letters, agreements with installments and holds, inserted in bulk."""
    by_debtor: dict[str, list[str]] = {}
    with claims_csv.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            by_debtor.setdefault(row["debtor_id"], []).append(row["claim_id"])
    letters, links, holds, agreements, agreement_links, installments = [], [], [], [], [], []
    letter_id = agreement_id = 0
    for debtor_id, claim_ids in by_debtor.items():
        if rng.random() < 0.05:
            agreement_id += 1
            agreements.append(
                {"id": agreement_id, "debtor_id": debtor_id, "status": "active",
                 "monthly_amount_ore": 50_000, "first_due_on": date(2026, 8, 1),
                 "signed_at": NOW, "created_by": "bench", "created_at": NOW}
            )  # fmt: skip
            behind = rng.random() < 0.33
            for number in range(1, 7):
                due = date(2026, 7 + number, 1) if number < 6 else date(2027, 1, 1)
                paid = 50_000 if due < DAY and not (behind and number >= 3) else 0
                installments.append({"agreement_id": agreement_id, "number": number, "due_on": due,
                                     "amount_ore": 50_000, "paid_ore": paid,
                                     "paid_on": due if paid else None})  # fmt: skip
            agreement_links += [{"agreement_id": agreement_id, "claim_id": c} for c in claim_ids]
            continue
        for claim_id in claim_ids:
            if rng.random() < 0.3:
                letter_id += 1
                released = DAY - timedelta(days=rng.randint(12, 60))
                letters.append({"id": letter_id, "debtor_id": debtor_id, "kind": "reminder",
                                "fee_ore": 10_000, "deadline": released + timedelta(days=10),
                                "transfer_notice": True, "released_on": released,
                                "created_at": NOW})  # fmt: skip
                links.append({"letter_id": letter_id, "claim_id": claim_id, "number": 1})
            if rng.random() < 0.02:
                holds.append({"debtor_id": debtor_id, "claim_id": claim_id, "reason": "dispute",
                              "note": "", "created_by": "bench", "created_at": NOW})  # fmt: skip
    with engine.begin() as connection:
        for model, rows in (
            (ReminderLetter, letters), (ReminderLetterClaim, links), (Hold, holds),
            (InstallmentAgreement, agreements), (AgreementClaim, agreement_links),
            (Installment, installments),
        ):  # fmt: skip
            for start in range(0, len(rows), 20_000):
                connection.execute(insert(_table(model)), rows[start : start + 20_000])
        if connection.dialect.name == "postgresql":  # explicit ids do not move the sequences
            for name in ("reminder_letter", "installment_agreement"):
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'),"
                        f" (SELECT coalesce(max(id), 0) + 1 FROM {name}), false)"
                    )
                )
    return {"letters": len(letters), "holds": len(holds), "agreements": len(agreements)}


def orm_loop(engine: Any, sample: int) -> float:
    """Seconds per claim for the obvious loop: load each claim and its history separately."""
    policy = policy_for(DAY)
    calendar = BankCalendar(policy.calendar.extra_closing_days)
    with Session(engine) as session:
        ids = list(session.exec(select(Claim.id).where(Claim.status == "open").limit(sample)))
        started = time.perf_counter()
        for claim_id in ids:
            claim = session.get(Claim, claim_id)
            assert claim is not None
            paid = session.exec(
                select(func.coalesce(func.sum(Payment.amount_ore), 0)).where(
                    Payment.claim_id == claim_id
                )
            ).one()
            letters = session.exec(
                select(ReminderLetter, ReminderLetterClaim.number)
                .join(
                    ReminderLetterClaim,
                    col(ReminderLetterClaim.letter_id) == col(ReminderLetter.id),
                )
                .where(ReminderLetterClaim.claim_id == claim_id)
            ).all()
            holds = session.exec(select(Hold).where(Hold.claim_id == claim_id)).all()
            link = session.exec(
                select(AgreementClaim).where(AgreementClaim.claim_id == claim_id)
            ).first()
            agreement = None
            if link is not None:
                row = session.get(InstallmentAgreement, link.agreement_id)
                agreement = AgreementFact(row.status, None, None, None) if row else None
            debtor = session.get(Debtor, claim.debtor_id)
            fact = ClaimFact(
                claim.id, claim.debtor_id, claim.claim_type, claim.amount_ore, int(paid),
                claim.due_on, claim.status,
                letters=[LetterFact(n, x.released_on, x.deadline, x.fee_ore, x.transfer_notice)
                         for x, n in letters if x.released_on],
                holds=[HoldFact(h.reason, h.until) for h in holds if h.released_at is None],
                agreement=agreement, has_identity=bool(debtor and (debtor.cpr or debtor.cvr)),
            )  # fmt: skip
            step_for_claim(fact, DAY, policy, calendar)
        return (time.perf_counter() - started) / max(1, len(ids))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--debtors", type=int, default=400_000)
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="opk-remind-bench-") as tmp:
        workdir = Path(tmp)
        files = write_register(workdir / "register", debtors=args.debtors, claims=args.claims,
                               open_only=True)  # fmt: skip
        for backend in args.backends.split(","):
            url, schema = fresh_database(backend, workdir)
            try:
                engine = make_engine(url)
                migrate.upgrade(engine)
                started = time.perf_counter()
                import_register(engine, debtors=files.debtors, claims=files.claims,
                                payments=files.payments)  # fmt: skip
                history = add_history(engine, files.claims, random.Random(3))
                built = time.perf_counter() - started
                env = {
                    **os.environ,
                    "OPKRAEVNING_DATABASE_URL": url,
                    "OPKRAEVNING_REMIND_WORKERS": str(WORKERS),
                }
                begun = time.perf_counter()
                process = subprocess.Popen(
                    [sys.executable, "-m", "opkraevning", "remind", "--date", DAY.isoformat(),
                     "--no-draft-letters"],
                    env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                )  # fmt: skip
                assert process.stdout is not None
                printed = process.stdout.read().decode().strip().splitlines()
                output = next(
                    (
                        line
                        for line in reversed(printed)
                        if "open claims" in line or "recorded" in line or "run for" in line
                    ),
                    printed[-1] if printed else "",
                )
                memory = next(
                    (json.loads(line) for line in printed if "peak RSS (MB)" in line), None
                )
                workers_mb = {}
                if memory is not None:
                    workers_mb = json.loads(memory["msg"].split("peak RSS (MB) ", 1)[1])
                _, status, usage = os.wait4(process.pid, 0)
                seconds = time.perf_counter() - begun
                if os.waitstatus_to_exitcode(status) != 0:
                    raise SystemExit("\n".join(printed[-15:]))
                per_claim = orm_loop(engine, args.sample)
                worker_mb = workers_mb.get("largest_worker", 0)
                total_mb = usage.ru_maxrss / 1024 + WORKERS * worker_mb
                claims = files.claim_count
                print(
                    f"{backend:<10} {claims:,} open claims, {files.debtor_count:,} debtors"
                    f" (history: {history['letters']:,} letters,"
                    f" {history['agreements']:,} agreements, {history['holds']:,} holds;"
                    f" built in {built:.0f} s)\n"
                    f"           run {seconds:.1f} s = {claims / seconds:,.0f} claims/s,"
                    f" peak RSS {usage.ru_maxrss / 1024:.0f} MB (recording process)"
                    f"; largest worker {workers_mb.get('largest_worker', 0):.0f} MB;"
                    f" all together at most {total_mb:.0f} MB\n"
                    f"           {output}\n"
                    f"           ORM loop over {args.sample:,} claims:"
                    f" {per_claim * 1000:.2f} ms/claim = {per_claim * claims:.0f} s for all,"
                    f" {per_claim * claims / seconds:.0f}x the run",
                    flush=True,
                )
                engine.dispose()
            finally:
                drop_schema(schema)


if __name__ == "__main__":
    main()
