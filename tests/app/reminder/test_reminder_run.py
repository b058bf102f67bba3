from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from sqlalchemy import func, select, update
from sqlmodel import Session, col

from opkraevning.app.reminder.run import remind
from opkraevning.cli import main
from opkraevning.store.models import Claim, ReminderLetter, ScheduledRun
from tests.conftest import Database
from tests.helpers import together

DAY = date(2026, 11, 27)


def _count(database: Database, model: Any, *where: Any) -> int:
    with Session(database.engine) as session:
        query = select(func.count()).select_from(model)
        for condition in where:
            query = query.where(condition)
        return int(session.execute(query).scalar_one())


def test_dry_run_changes_nothing(dev_database: Database) -> None:
    outcome, run_id = remind(dev_database.engine, DAY, dry_run=True)
    assert run_id is None
    assert len(outcome.letters) > 100
    assert _count(dev_database, ReminderLetter) == 0
    assert _count(dev_database, ScheduledRun) == 0


def test_running_the_same_date_twice_creates_nothing_new(dev_database: Database) -> None:
    first, run_id = remind(dev_database.engine, DAY)
    assert run_id is not None
    letters = _count(dev_database, ReminderLetter)
    interest = _count(dev_database, Claim, Claim.line == "interest")
    assert letters == len(first.letters) and interest == len(first.interest) > 0
    _, again = remind(dev_database.engine, DAY)
    assert again is None
    assert _count(dev_database, ReminderLetter) == letters
    assert _count(dev_database, Claim, Claim.line == "interest") == interest


def test_two_concurrent_runs_produce_one_set_of_results(dev_database: Database) -> None:
    results: list[int | None] = []

    def run() -> None:
        results.append(remind(dev_database.engine, DAY)[1])

    together(run)
    assert sorted(results, key=lambda value: value is None)[1] is None
    assert len([value for value in results if value is not None]) == 1
    assert _count(dev_database, ScheduledRun) == 1
    outcome, _ = remind(dev_database.engine, DAY, dry_run=True)
    assert _count(dev_database, ReminderLetter) == len(outcome.letters)


def test_a_released_reminder_leads_to_transfer_after_its_deadline(dev_database: Database) -> None:
    remind(dev_database.engine, DAY)
    with Session(dev_database.engine) as session:  # a caseworker releases the batch
        session.execute(update(ReminderLetter).values(released_on=DAY))
        session.commit()
    later, _ = remind(dev_database.engine, date(2026, 12, 15), dry_run=True)
    transferred = {item.claim_id for item in later.transfers}
    own = {item.claim_id for item in later.own_collection}
    assert transferred and own
    with Session(dev_database.engine) as session:
        types = {
            session.get(Claim, claim_id).claim_type  # type: ignore[union-attr]
            for claim_id in transferred
        }
        own_types = {session.get(Claim, claim_id).claim_type for claim_id in own}  # type: ignore[union-attr]
    assert not types & {"ejendomsskat", "rottebekaempelse", "skorstensfejning", "byggesagsgebyr"}
    assert own_types <= {"ejendomsskat", "rottebekaempelse", "skorstensfejning", "byggesagsgebyr"}
    assert all(item.amount_ore >= 10_000 for item in later.transfers)


def test_remind_json_keeps_its_names(dev_database: Database) -> None:
    result = CliRunner().invoke(
        main,
        ["remind", "--date", "2026-11-27", "--dry-run", "--json"],
        env={"OPKRAEVNING_DATABASE_URL": dev_database.url},
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert {
        "letters",
        "interest",
        "transfers",
        "own_collection",
        "write_offs",
        "near_expiry",
        "holds",
    } <= set(document)
    letter = document["letters"][0]
    assert {
        "debtor_id",
        "claim_ids",
        "kind",
        "number",
        "fee_kr",
        "deadline",
        "rules",
        "legal_refs",
    } <= set(letter)


def test_export_and_policy_comparison(dev_database: Database, tmp_path: Path) -> None:
    from opkraevning.assistant.policy.model import DEFAULT_POLICY

    cheaper = tmp_path / "policy.toml"
    cheaper.write_text(
        DEFAULT_POLICY.read_text(encoding="utf-8").replace(
            'min_reminder_kr = "25.00"', 'min_reminder_kr = "5000.00"'
        ),
        encoding="utf-8",
    )
    runner = CliRunner()
    env = {"OPKRAEVNING_DATABASE_URL": dev_database.url}
    result = runner.invoke(
        main,
        [
            "remind",
            "--date",
            "2026-11-27",
            "--dry-run",
            "--compare-policy",
            str(cheaper),
            "--export-dir",
            str(tmp_path / "lists"),
        ],
        env=env,
    )
    assert result.exit_code == 0, result.output
    assert re.search(r"^letters: \d+ -> \d+$", result.output, re.MULTILINE)
    assert re.search(r"reminder \(fee [\d.]+\) -> nothing", result.output)
    assert (
        (tmp_path / "lists" / "transfers-2026-11-27.csv")
        .read_text()
        .startswith("claim_id,amount_kr,fee_claims")
    )
    assert _count(dev_database, ScheduledRun) == 0  # a comparison stores nothing
    refused = runner.invoke(
        main, ["remind", "--date", "2026-11-27", "--compare-policy", str(cheaper)], env=env
    )
    assert refused.exit_code == 2


def test_releasing_a_letter_books_its_fee_as_a_linked_sub_claim(dev_database: Database) -> None:
    from opkraevning.app.reminder.run import release_letters

    remind(dev_database.engine, DAY)
    with dev_database.engine.begin() as connection:
        ids = [
            row[0]
            for row in connection.execute(
                select(col(ReminderLetter.id)).where(col(ReminderLetter.fee_ore) > 0).limit(3)
            )
            if row[0] is not None
        ]
        assert release_letters(connection, ids, DAY, "pia") == 3
        assert release_letters(connection, ids, DAY, "pia") == 0  # once only
    with Session(dev_database.engine) as session:
        fees = session.execute(select(Claim).where(col(Claim.line) == "fee")).scalars().all()
    assert len(fees) == 3
    assert all(fee.parent_claim_id and fee.description == "Rykkergebyr" for fee in fees)
    later, _ = remind(dev_database.engine, date(2026, 12, 20), dry_run=True)
    fee_claims = {c for item in later.transfers for c in item.fee_claims}
    assert fee_claims <= {fee.id for fee in fees}


def test_without_collecting_only_counts_are_kept(dev_database: Database) -> None:
    full, _ = remind(dev_database.engine, DAY, dry_run=True)
    lean, _ = remind(dev_database.engine, DAY, dry_run=True, collect=False)
    assert lean.letters == [] and lean.transfers == []
    assert lean.counts() == full.counts()
    assert full.counts()["letters"] == len(full.letters) > 0


def test_a_recorded_run_gets_its_letters_rendered_once(dev_database: Database) -> None:
    from opkraevning.app.reminder.letters import draft_run_letters
    from opkraevning.store.models import Debtor, OutboundLetter

    outcome, run_id = remind(dev_database.engine, DAY)
    assert run_id is not None
    created = draft_run_letters(dev_database.engine, run_id)
    assert created == len(outcome.letters) > 0
    assert draft_run_letters(dev_database.engine, run_id) == 0  # idempotent
    with Session(dev_database.engine) as session:
        letters = session.scalars(
            select(OutboundLetter).where(col(OutboundLetter.run_id) == run_id)
        ).all()
        assert len(letters) == created
        sample = letters[0]
        debtor = session.get(Debtor, sample.debtor_id)
        assert debtor is not None
        reminder = session.scalars(
            select(ReminderLetter).where(col(ReminderLetter.outbound_letter_id) == sample.id)
        ).one()
    assert sample.template == "rykker"
    assert sample.state == "needs_review"  # reminders wait for batch approval (policy)
    assert sample.channel == ("digital_post" if (debtor.cpr or debtor.cvr) else "print")
    assert debtor.name in sample.body and "Betal senest" in sample.body
    assert sample.legal_refs
    assert ("gil-2-4" in sample.legal_refs) == reminder.transfer_notice
    assert debtor.cpr is None or debtor.cpr not in sample.body


def test_a_missed_installment_gets_an_approved_breach_letter_naming_it(
    dev_database: Database,
) -> None:
    from datetime import UTC, datetime

    from opkraevning.app.reminder.letters import draft_run_letters
    from opkraevning.store.models import (
        AgreementClaim,
        Installment,
        InstallmentAgreement,
        OutboundLetter,
    )

    with Session(dev_database.engine) as session:
        claim = session.scalars(
            select(Claim).where(col(Claim.status) == "open", col(Claim.claim_type) == "husleje")
        ).first()
        assert claim is not None
        claim.status = "in_agreement"
        agreement = InstallmentAgreement(
            debtor_id=claim.debtor_id,
            status="active",
            monthly_amount_ore=50_000,
            first_due_on=date(2026, 10, 1),
            signed_at=datetime(2026, 9, 20, tzinfo=UTC),
        )
        session.add(agreement)
        session.flush()
        assert agreement.id is not None
        session.add(AgreementClaim(agreement_id=agreement.id, claim_id=claim.id))
        session.add(
            Installment(
                agreement_id=agreement.id,
                number=1,
                due_on=date(2026, 10, 1),
                amount_ore=50_000,
                paid_ore=50_000,
                paid_on=date(2026, 10, 1),
            )
        )
        session.add(
            Installment(
                agreement_id=agreement.id,
                number=2,
                due_on=date(2026, 11, 2),
                amount_ore=50_000,
                paid_ore=20_000,
            )
        )
        session.add(claim)
        session.commit()
        claim_id, debtor_id = claim.id, claim.debtor_id
    outcome, run_id = remind(dev_database.engine, DAY)
    assert run_id is not None
    breach = [letter for letter in outcome.letters if letter.kind == "breach_reminder"]
    assert [letter.claim_ids for letter in breach] == [[claim_id]]
    draft_run_letters(dev_database.engine, run_id)
    with Session(dev_database.engine) as session:
        letter = session.scalars(
            select(OutboundLetter).where(
                col(OutboundLetter.run_id) == run_id,
                col(OutboundLetter.debtor_id) == debtor_id,
                col(OutboundLetter.kind) == "breach_reminder",
            )
        ).one()
    assert letter.state == "approved" and letter.approved_by == "policy"  # strategy: automatic
    assert letter.template == "rykker_misligholdt"
    assert "2. november 2026" in letter.body and "Raten er på 300,00 kr." in letter.body


def _stored_letters(database: Database) -> list[tuple[Any, ...]]:
    from opkraevning.store.models import ReminderLetterClaim

    with Session(database.engine) as session:
        letters = session.scalars(select(ReminderLetter).order_by(col(ReminderLetter.id))).all()
        links = session.scalars(select(ReminderLetterClaim)).all()
        numbers: dict[int, list[tuple[str, int]]] = {}
        for link in links:
            numbers.setdefault(link.letter_id, []).append((link.claim_id, link.number))
        return [
            (
                letter.debtor_id,
                letter.kind,
                letter.fee_ore,
                letter.deadline,
                letter.transfer_notice,
                letter.legal_refs,
                letter.trace,
                letter.released_on,
                sorted(numbers[letter.id or 0]),
            )
            for letter in letters
        ]


def _spy_on_pools(workers: Any, monkeypatch: Any) -> list[str]:
    """Which process contexts the run asked for (spawned workers do not see this patch)."""
    asked: list[str] = []
    real = workers.multiprocessing.get_context

    def spy(method: str) -> Any:
        asked.append(method)
        return real(method)

    monkeypatch.setattr(workers.multiprocessing, "get_context", spy)
    return asked


def test_worker_processes_record_exactly_what_one_process_records(
    dev_database: Database, monkeypatch: Any
) -> None:
    import opkraevning.app.reminder.workers as workers

    in_process, _ = remind(dev_database.engine, DAY, dry_run=True)
    monkeypatch.setattr(workers, "CHUNK_SIZE", 40)  # 300 debtors: 8 chunks over 2 workers
    pools = _spy_on_pools(workers, monkeypatch)
    parallel, run_id = remind(dev_database.engine, DAY, workers=2)
    assert run_id is not None
    assert pools == ["spawn"]  # the chunks really went to worker processes
    assert parallel.document()["letters"] == in_process.document()["letters"]
    assert parallel.counts() == in_process.counts()
    stored = _stored_letters(dev_database)
    assert len(stored) == len(in_process.letters)
    expected = [
        (
            letter.debtor_id,
            letter.kind,
            letter.fee_ore,
            letter.deadline,
            letter.transfer_notice,
            letter.legal_refs,
            letter.rules,
            None,
            sorted(letter.numbers.items()),
        )
        for letter in in_process.letters
    ]
    assert stored == expected  # what the driver-level insert wrote reads back the same
    with Session(dev_database.engine) as session:
        created = session.scalars(select(col(ReminderLetter.created_at))).first()
    assert created is not None and created.tzinfo is not None


def test_a_recorded_udlaeg_restarts_foraeldelse_and_survives_a_reimport(
    dev_database: Database, dev_register: Path
) -> None:
    from opkraevning.app.casework import record_udlaeg
    from opkraevning.app.register_import import import_register
    from opkraevning.store.db import session_scope

    with session_scope(dev_database.engine) as session:
        claim = session.scalars(select(Claim).where(col(Claim.status) == "open")).first()
        assert claim is not None
        expired = claim.id
        claim.due_on = date(2021, 1, 4)  # forældet since 4 January 2024
    before, _ = remind(dev_database.engine, DAY, dry_run=True)
    assert expired in {item.claim_id for item in before.write_offs}
    with session_scope(dev_database.engine) as session:
        record_udlaeg(session, expired, date(2026, 3, 2), "pantefoged")
    after, _ = remind(dev_database.engine, DAY, dry_run=True)
    assert expired not in {item.claim_id for item in after.write_offs}
    assert len(after.write_offs) == len(before.write_offs) - 1
    import_register(dev_database.engine, claims=dev_register / "claims.csv")  # keeps udlæg
    with Session(dev_database.engine) as session:
        assert session.get(Claim, expired).udlaeg_on == date(2026, 3, 2)  # type: ignore[union-attr]


def test_a_recorded_run_that_only_counts_counts_what_a_full_run_lists(
    dev_database: Database, monkeypatch: Any
) -> None:
    import opkraevning.app.reminder.workers as workers

    full, _ = remind(dev_database.engine, DAY, dry_run=True)
    monkeypatch.setattr(workers, "CHUNK_SIZE", 40)
    pools = _spy_on_pools(workers, monkeypatch)
    counted, run_id = remind(dev_database.engine, DAY, workers=2, collect=False)
    assert run_id is not None
    assert pools == ["spawn"]
    assert counted.counts() == full.counts()
    assert counted.transfers == [] and counted.holds == []  # only counts came back
    with Session(dev_database.engine) as session:
        run = session.get(ScheduledRun, run_id)
        assert run is not None and run.summary == full.counts()
