"""``opkraevning remind --date D``: the reminder run over every open claim, once per date.

Reads the facts a chunk of debtors at a time, applies the pure rules (``assistant/rules``:
one module per rule, their order in ``rules/chain.py``) and, unless ``--dry-run``,
records in one
transaction: the run (unique per date: a second run for the same date, or a second
instance running concurrently, creates nothing), the reminder letters with their
traces (released at once only where policy says so), and the interest lines. The
outcome is one JSON document; its names are stable (other tools read them).
"""

from __future__ import annotations

import socket
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from opkraevning.app.reminder.outcome import (
    LISTS,
    HoldEntry,
    InterestEntry,
    LetterEntry,
    NearExpiryEntry,
    OwnCollectionEntry,
    RunOutcome,
    TransferEntry,
    WriteOffEntry,
    kr,
)
from opkraevning.app.reminder.workers import outcomes
from opkraevning.assistant.policy.bank_days import BankCalendar
from opkraevning.assistant.policy.model import Policy, policy_for
from opkraevning.assistant.rules.engine import (
    REFS,
    ClaimStep,
    evaluate,
    plan_letters,
    released_at_once,
    trace_json,
)
from opkraevning.domain.facts import ClaimFact
from opkraevning.store.audit import audit_row, write_audit
from opkraevning.store.bulk import insert_rows
from opkraevning.store.models import (
    Claim,
    ReminderLetter,
    ReminderLetterClaim,
    RunState,
    ScheduledRun,
)
from opkraevning.store.types import utcnow

RUN_KIND = "remind"
__all__ = ["LISTS", "RunOutcome", "compute", "compute_with", "diff_outcomes", "remind"]
BATCH = 5000
RUN_TABLE = ScheduledRun.__table__  # type: ignore[attr-defined]
LETTER_TABLE = ReminderLetter.__table__  # type: ignore[attr-defined]
LETTER_CLAIM_TABLE = ReminderLetterClaim.__table__  # type: ignore[attr-defined]
CLAIM_TABLE = Claim.__table__  # type: ignore[attr-defined]


def debtor_outcome(
    claims: list[ClaimFact], day: date, policy: Policy, calendar: BankCalendar, out: RunOutcome
) -> None:
    """Every rule for each of a debtor's claims (``assistant/rules``), then the letters;
    each list entry carries the claim's trace (``rules``)."""
    steps = [(claim, evaluate(claim, day, policy, calendar)) for claim in claims]
    counting = out.count_only
    totals = out.totals
    for claim, step in steps:
        action = step.action
        if action in LISTED:
            if counting:
                totals[LISTED[action]] = totals.get(LISTED[action], 0) + 1
            else:
                _list_step(claim, step, out)
        expiry = step.expiry_action
        if expiry is not None:
            if counting:
                totals[EXPIRY_LISTS[expiry]] = totals.get(EXPIRY_LISTS[expiry], 0) + 1
            else:
                _list_expiry(claim, step, out)
        posting = step.interest
        if posting is not None:
            start, end, rate, amount = posting
            out.interest.append(
                InterestEntry(
                    claim.id,
                    start,
                    end,
                    rate,
                    amount,
                    [REFS["interest"]],
                    None if counting else trace_json(step.trace),
                )
            )
    for plan in plan_letters(claims[0].debtor_id, steps, day, policy, calendar):
        out.letters.append(
            LetterEntry(
                debtor_id=plan.debtor_id,
                claim_ids=plan.claim_ids,
                kind=plan.kind,
                number=max(plan.numbers.values()),
                numbers=plan.numbers,
                fee_ore=plan.fee_ore,
                deadline=plan.deadline,
                transfer_notice=plan.transfer_notice,
                rules=plan.rules,
                legal_refs=plan.legal_refs,
            )
        )


LISTED = {"hold": "holds", "transfer": "transfers", "own_collection": "own_collection"}
EXPIRY_LISTS = {"write_off": "write_offs", "near_expiry": "near_expiry"}


def _list_step(claim: ClaimFact, step: ClaimStep, out: RunOutcome) -> None:
    """A held, transferable or own-collection claim on its list, with its trace."""
    rules = trace_json(step.trace)
    total = step.total_ore
    if step.action == "hold":
        out.holds.append(HoldEntry(claim.id, step.reason, rules))
    elif step.action == "transfer":
        refs = [REFS["transfer"], REFS["notice"]]
        out.transfers.append(TransferEntry(claim.id, total, claim.fee_claim_ids, rules, refs))
    else:
        out.own_collection.append(OwnCollectionEntry(claim.id, total, step.reason, rules))


def _list_expiry(claim: ClaimFact, step: ClaimStep, out: RunOutcome) -> None:
    """A forældet claim (proposed for write-off) or one close to it, with its trace."""
    assert step.expires is not None
    if step.expiry_action == "write_off":
        out.write_offs.append(
            WriteOffEntry(
                claim.id,
                step.expires,
                step.basis,
                claim.remaining_ore,
                [REFS["foraeldelse"]],
                trace_json(step.trace),
            )
        )
    else:
        out.near_expiry.append(
            NearExpiryEntry(claim.id, step.expires, step.basis, trace_json(step.trace))
        )


def compute(
    engine: Engine, day: date, policy: Policy, collect: bool = True, workers: int = 1
) -> RunOutcome:
    out = RunOutcome(day, policy.version)
    with engine.connect() as connection:
        for part in outcomes(engine, connection, day, policy, workers):
            out.add(part, collect)
    return out


def release_letters(connection: Any, letter_ids: list[int], day: date, actor: str) -> int:
    """Mark letters as sent on ``day`` and book each fee as a sub-claim of the letter's
    first claim (Gældsstyrelsen wants fees as linked sub-claims). Returns letters released."""
    if not letter_ids:
        return 0
    now = utcnow()
    letters = connection.execute(
        select(LETTER_TABLE.c.id, LETTER_TABLE.c.fee_ore, LETTER_TABLE.c.deadline).where(
            LETTER_TABLE.c.id.in_(letter_ids), LETTER_TABLE.c.released_on.is_(None)
        )
    ).all()
    if not letters:
        return 0
    connection.execute(
        LETTER_TABLE.update()
        .where(LETTER_TABLE.c.id.in_([row.id for row in letters]))
        .values(released_on=day)
    )
    link = LETTER_CLAIM_TABLE
    first_claims = dict(
        connection.execute(
            select(link.c.letter_id, func.min(link.c.claim_id))
            .where(link.c.letter_id.in_([row.id for row in letters]))
            .group_by(link.c.letter_id)
        ).all()
    )
    parents = _parents(connection, list(first_claims.values()))
    _book_sub_claims(
        connection,
        [
            (
                parents[first_claims[row.id]],
                "fee",
                f"G{row.id}",
                "Rykkergebyr",
                row.fee_ore,
                day,
                row.deadline,
            )
            for row in letters
            if row.fee_ore > 0 and row.id in first_claims
        ],
        now,
    )
    write_audit(
        connection,
        [audit_row(actor, "letter.released", "reminder_letter", str(row.id)) for row in letters],
    )
    return len(letters)


def _interest_text(item: InterestEntry) -> str:
    return f"Renter {item.start.isoformat()} – {item.end.isoformat()} ({item.rate_pct} % p.a.)"


def _parents(connection: Any, claim_ids: list[str]) -> dict[str, Any]:
    """The claims that fee and interest lines hang under, by id."""
    columns = [CLAIM_TABLE.c[name] for name in ("id", "debtor_id", "claim_type", "reference")]
    return {
        row.id: row
        for row in connection.execute(select(*columns).where(CLAIM_TABLE.c.id.in_(claim_ids)))
    }


SUB_CLAIM_COLUMNS = (
    "id",
    "debtor_id",
    "claim_type",
    "line",
    "parent_claim_id",
    "reference",
    "description",
    "amount_ore",
    "issued_on",
    "due_on",
    "status",
    "created_at",
    "updated_at",
)


def _book_sub_claims(
    connection: Any, lines: list[tuple[Any, str, str, str, int, date, date]], now: Any
) -> None:
    """Fee and interest lines as open claims linked to their main claim (Gældsstyrelsen
    wants them as sub-claims): (parent, line, id suffix, description, øre, issued, due)."""
    insert_rows(
        connection,
        CLAIM_TABLE,
        SUB_CLAIM_COLUMNS,
        [
            (
                f"{parent.id}-{suffix}",
                parent.debtor_id,
                parent.claim_type,
                line,
                parent.id,
                parent.reference,
                description,
                amount,
                issued,
                due,
                "open",
                now,
                now,
            )
            for parent, line, suffix, description, amount, issued, due in lines
        ],
    )


def _record_interest(connection: Any, items: list[InterestEntry], now: Any) -> None:
    """Book interest postings as interest lines linked to their claims."""
    parents = _parents(connection, [item.claim_id for item in items])
    lines = []
    for item in items:
        posted = item.end
        lines.append(
            (
                parents[item.claim_id],
                "interest",
                f"R{posted:%Y%m%d}",
                _interest_text(item),
                item.amount_ore,
                posted,
                posted,
            )
        )
    _book_sub_claims(connection, lines, now)


class SlotTaken(Exception):
    """Another instance recorded (or is recording) the run for this date."""


def _start_run(connection: Any, policy: Policy, day: date) -> int:
    """Take the slot inside the run's one transaction; :class:`SlotTaken` when it is held.

    No savepoint: under pysqlite's transaction handling a SAVEPOINT opened before any
    other statement starts the transaction and its RELEASE commits it, which left a
    committed ``running`` run with no letters when the process died while recording.
    Now the run row is committed with its letters and interest lines or not at all.
    """
    try:
        inserted = connection.execute(
            insert(RUN_TABLE).values(
                kind=RUN_KIND,
                slot=day.isoformat(),
                state=RunState.RUNNING.value,
                instance=socket.gethostname(),
                policy_version=policy.version,
                started_at=utcnow(),
            )
        ).inserted_primary_key
    except IntegrityError as exc:
        raise SlotTaken(day.isoformat()) from exc
    assert inserted is not None
    return int(inserted[0])


def _discard_unfinished(engine: Engine, day: date) -> None:
    """Remove a committed run for ``day`` that never reached ``done`` (and whatever it
    left), so that it is recorded again. A run being recorded right now is not visible
    (its row is uncommitted), so only a dead run's remains are removed."""
    with engine.begin() as connection:
        stale = connection.execute(
            select(RUN_TABLE.c.id).where(
                RUN_TABLE.c.kind == RUN_KIND,
                RUN_TABLE.c.slot == day.isoformat(),
                RUN_TABLE.c.state != RunState.DONE.value,
            )
        ).scalar()
        if stale is None:
            return
        letters = select(LETTER_TABLE.c.id).where(LETTER_TABLE.c.run_id == stale)
        connection.execute(
            LETTER_CLAIM_TABLE.delete().where(LETTER_CLAIM_TABLE.c.letter_id.in_(letters))
        )
        connection.execute(LETTER_TABLE.delete().where(LETTER_TABLE.c.run_id == stale))
        connection.execute(RUN_TABLE.delete().where(RUN_TABLE.c.id == stale))
        write_audit(
            connection,
            [
                audit_row(
                    "scheduler",
                    "remind.run_discarded",
                    "scheduled_run",
                    str(stale),
                    {"slot": day.isoformat()},
                    reason="the run never finished; recorded again",
                )
            ],
        )


def _reserve_letter_ids(connection: Any, count: int) -> list[int]:
    """Ids for ``count`` new reminder letters, so they can be inserted in multi-row batches
    (an INSERT … RETURNING in parameter order goes row by row on SQLite).

    PostgreSQL: taken from the table's sequence, as any insert would. SQLite: after the
    highest id; the run's transaction already holds SQLite's only write lock (it
    inserted the run row), so nobody else can take them meanwhile.
    """
    if count == 0:
        return []
    if connection.dialect.name == "postgresql":
        return list(
            connection.scalars(
                text(
                    "SELECT nextval(pg_get_serial_sequence('reminder_letter', 'id')) "
                    "FROM generate_series(1, :n)"
                ),
                {"n": count},
            ).all()
        )
    highest = connection.scalar(select(func.coalesce(func.max(LETTER_TABLE.c.id), 0)))
    return list(range(int(highest) + 1, int(highest) + 1 + count))


LETTER_COLUMNS = (
    "id",
    "debtor_id",
    "run_id",
    "kind",
    "fee_ore",
    "deadline",
    "transfer_notice",
    "policy_version",
    "legal_refs",
    "trace",
    "created_at",
)


def _record_part(connection: Any, out: RunOutcome, run_id: int, policy: Policy, day: date) -> None:
    """Store one chunk's letters (releasing what policy releases) and interest lines."""
    now = utcnow()
    if len(out.prepared) != len(out.letters):
        out.prepare()
    for start in range(0, len(out.letters), BATCH):
        batch = out.letters[start : start + BATCH]
        prepared = out.prepared[start : start + BATCH]
        ids = _reserve_letter_ids(connection, len(batch))
        insert_rows(
            connection,
            LETTER_TABLE,
            LETTER_COLUMNS,
            [
                (
                    letter_id,
                    letter.debtor_id,
                    run_id,
                    letter.kind,
                    letter.fee_ore,
                    letter.deadline,
                    letter.transfer_notice,
                    policy.version,
                    refs,
                    trace,
                    now,
                )
                for letter_id, letter, (trace, refs) in zip(ids, batch, prepared, strict=True)
            ],
        )
        insert_rows(
            connection,
            LETTER_CLAIM_TABLE,
            ("letter_id", "claim_id", "number"),
            [
                (letter_id, claim_id, number)
                for letter_id, letter in zip(ids, batch, strict=True)
                for claim_id, number in letter.numbers.items()
            ],
        )
        released = [
            letter_id
            for letter_id, letter in zip(ids, batch, strict=True)
            if released_at_once(letter.kind, policy)
        ]
        release_letters(connection, released, day, "policy")
    for start in range(0, len(out.interest), BATCH):  # PostgreSQL: ≤ 65,535 parameters
        _record_interest(connection, out.interest[start : start + BATCH], now)


def _finish_run(connection: Any, run_id: int, counts: dict[str, int]) -> None:
    connection.execute(
        RUN_TABLE.update()
        .where(RUN_TABLE.c.id == run_id)
        .values(state=RunState.DONE.value, finished_at=utcnow(), summary=counts)
    )
    write_audit(
        connection, [audit_row("scheduler", "remind.run", "scheduled_run", str(run_id), counts)]
    )


def remind(
    engine: Engine,
    day: date,
    policy_path: Path | None = None,
    dry_run: bool = False,
    collect: bool = True,
    workers: int = 1,
) -> tuple[RunOutcome, int | None]:
    """Run the reminder rules for ``day``; record it unless ``dry_run`` or already done.

    Recording happens chunk by chunk inside one transaction: a run is stored whole or
    not at all, and memory holds one chunk. A run for ``day`` that was committed but
    never finished (left by an older version) is discarded and recorded again. With
    ``collect`` the outcome keeps every list (for ``--json`` and exports); without it
    only the counts.
    """
    policy = policy_for(day, policy_path)
    if not dry_run:
        _discard_unfinished(engine, day)
    with engine.connect() as connection:
        done = connection.execute(
            select(RUN_TABLE.c.id)
            .where(RUN_TABLE.c.kind == RUN_KIND)
            .where(RUN_TABLE.c.slot == day.isoformat())
        ).first()
    if dry_run or done is not None:
        return compute(engine, day, policy, collect, workers), None
    out = RunOutcome(day, policy.version)
    try:
        with engine.begin() as connection:
            run_id = _start_run(connection, policy, day)
            for part in outcomes(
                engine, connection, day, policy, workers, prepare=True, slim=not collect
            ):
                _record_part(connection, part, run_id, policy, day)
                out.add(part, collect)
            _finish_run(connection, run_id, out.counts())
    except SlotTaken:
        return compute(engine, day, policy, collect, workers), None
    return out, run_id


EXPORT_COLUMNS = ("claim_id", "amount_kr", "fee_claims")


def export_lists(outcome: RunOutcome, directory: Path) -> list[Path]:
    """transfers.csv/.json (for Gældsstyrelsen) and own_collection.csv/.json (udlæg)."""
    import csv
    import json

    directory.mkdir(parents=True, exist_ok=True)
    written = []
    rows: list[TransferEntry] | list[OwnCollectionEntry]
    for name, rows in (
        ("transfers", outcome.transfers),
        ("own_collection", outcome.own_collection),
    ):
        json_path = directory / f"{name}-{outcome.date}.json"
        documents = [row.document() for row in rows]
        json_path.write_text(json.dumps(documents, ensure_ascii=False, indent=2), encoding="utf-8")
        csv_path = directory / f"{name}-{outcome.date}.csv"
        with csv_path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(EXPORT_COLUMNS)
            for row in documents:
                writer.writerow(
                    [row["claim_id"], row["amount_kr"], " ".join(row.get("fee_claims", []))]
                )
        written += [json_path, csv_path]
    return written


def _actions(outcome: RunOutcome) -> dict[str, str]:
    actions: dict[str, str] = {}
    for letter in outcome.letters:
        for claim_id in letter.claim_ids:
            actions[claim_id] = f"{letter.kind} (fee {kr(letter.fee_ore)})"
    for name in ("transfers", "own_collection", "write_offs", "holds"):
        for item in getattr(outcome, name):
            actions[item.claim_id] = name
    return actions


def diff_outcomes(current: RunOutcome, other: RunOutcome) -> list[str]:
    """What another policy would do differently on the same data, claim by claim."""
    lines = [
        f"{name}: {count} -> {other.counts()[name]}"
        for name, count in current.counts().items()
        if count != other.counts()[name]
    ]
    mine, theirs = _actions(current), _actions(other)
    for claim_id in sorted(set(mine) | set(theirs)):
        if mine.get(claim_id) != theirs.get(claim_id):
            before, after = mine.get(claim_id, "nothing"), theirs.get(claim_id, "nothing")
            lines.append(f"  {claim_id}: {before} -> {after}")
    return lines


def compute_with(
    engine: Engine, day: date, policy_path: Path | None, workers: int = 1
) -> RunOutcome:
    """The outcome another policy file would give on the same data (stores nothing)."""
    return compute(engine, day, policy_for(day, policy_path), workers=workers)
