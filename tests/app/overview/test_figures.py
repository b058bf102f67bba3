"""Every overview figure on a crafted register where the answer is worked out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session, select

from opkraevning.app.overview.figures import (
    backfill,
    figures_on,
    history,
    period_flows,
    snapshot,
    working_days_between,
)
from opkraevning.assistant.policy.bank_days import BankCalendar
from opkraevning.domain.clock import DEFAULT_ZONE, FixedClock
from opkraevning.store.db import session_scope
from opkraevning.store.models import (
    Claim,
    DailyFigures,
    Debtor,
    InboundMessage,
    Installment,
    InstallmentAgreement,
    OutboundLetter,
    Payment,
)
from tests.conftest import Database

DAY = date(2026, 11, 30)


def _claim(
    id_: str,
    debtor: str,
    kind: str,
    ore: int,
    due: date,
    status: str = "open",
    line: str = "principal",
    parent: str | None = None,
    issued: date | None = None,
) -> Claim:
    return Claim(
        id=id_,
        debtor_id=debtor,
        claim_type=kind,
        line=line,
        parent_claim_id=parent,
        reference=id_,
        amount_ore=ore,
        issued_on=issued or due,
        due_on=due,
        status=status,
    )


def _utc(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=UTC)


def _message(number: int, received: datetime, state: str) -> InboundMessage:
    return InboundMessage(
        channel="smtp",
        state=state,
        received_at=received,
        dedup_key=f"k{number}",
        content_sha256="0" * 64,
        raw=b"x",
        raw_size=1,
    )


def crafted_register(database: Database) -> None:
    with session_scope(database.engine) as session:
        for debtor in ("A", "B"):
            session.add(Debtor(id=debtor, kind="person", name=f"Borger {debtor}"))
        session.flush()
        session.add_all(
            [
                _claim("c1", "A", "ejendomsskat", 100_000, date(2026, 11, 10)),  # 20 days past due
                _claim("c2", "A", "husleje", 50_000, date(2026, 9, 1)),  # 90 days
                _claim("c3", "B", "daginstitution", 20_000, date(2025, 6, 1)),  # 547 days
                _claim("c4", "B", "husleje", 40_000, date(2026, 12, 15)),  # not due yet
                _claim("c5", "B", "husleje", 30_000, date(2026, 1, 1)),  # paid in full
                _claim("t1", "A", "ejendomsskat", 25_000, date(2026, 3, 1), status="transferred"),
                _claim("w1", "B", "daginstitution", 15_000, date(2022, 3, 1), status="written_off"),
            ]
        )
        session.flush()
        session.add(
            _claim(
                "f1",
                "A",
                "husleje",
                10_000,
                date(2026, 11, 20),
                line="fee",
                parent="c2",
                issued=date(2026, 11, 5),
            )
        )
        session.add_all(
            [
                Payment(claim_id="c1", amount_ore=30_000, paid_on=date(2026, 11, 15)),
                Payment(claim_id="c5", amount_ore=30_000, paid_on=date(2026, 1, 2)),
            ]
        )
        good = InstallmentAgreement(
            debtor_id="A",
            status="active",
            monthly_amount_ore=10_000,
            first_due_on=date(2026, 10, 1),
        )
        behind = InstallmentAgreement(
            debtor_id="B",
            status="active",
            monthly_amount_ore=10_000,
            first_due_on=date(2026, 11, 1),
        )
        broken = InstallmentAgreement(
            debtor_id="B", status="broken", monthly_amount_ore=5_000, first_due_on=date(2026, 1, 1)
        )
        session.add_all([good, behind, broken])
        session.flush()
        assert good.id and behind.id
        session.add_all(
            [
                Installment(
                    agreement_id=good.id,
                    number=1,
                    due_on=date(2026, 10, 1),
                    amount_ore=10_000,
                    paid_ore=10_000,
                    paid_on=date(2026, 10, 1),
                ),
                Installment(
                    agreement_id=good.id,
                    number=2,
                    due_on=date(2026, 11, 1),
                    amount_ore=10_000,
                    paid_ore=10_000,
                    paid_on=date(2026, 11, 2),
                ),
                Installment(
                    agreement_id=behind.id, number=1, due_on=date(2026, 11, 1), amount_ore=10_000
                ),
            ]
        )
        # mail: answered after 2, 2 (over a weekend) and 5 working days; one still waiting
        answered = [
            (1, _utc(2), _utc(4, 10)),
            (2, _utc(6), _utc(10, 10)),
            (3, _utc(20), _utc(27, 10)),
        ]
        for number, received, sent in answered:
            message = _message(number, received, "done")
            session.add(message)
            session.flush()
            session.add(
                OutboundLetter(
                    inbound_message_id=message.id,
                    kind="reply",
                    state="sent",
                    channel="email",
                    sent_at=sent,
                )
            )
        session.add(_message(4, _utc(25), "needs_review"))
        session.add(_message(5, datetime(2026, 10, 30, 9, tzinfo=UTC), "done"))  # October


def test_levels_on_a_crafted_register(database: Database) -> None:
    crafted_register(database)
    with Session(database.engine) as session:
        levels = figures_on(session, DAY)
    # c1 70.000 (100.000 less 30.000 paid) + c2 50.000 + c3 20.000 + the fee f1 10.000
    assert (levels.arrears_ore, levels.arrears_lines) == (150_000, 4)
    assert levels.arrears_by_type == {
        "ejendomsskat": 70_000,
        "husleje": 60_000,
        "daginstitution": 20_000,
    }
    assert levels.arrears_by_age == {"0-30": 80_000, "31-90": 50_000, "91-365": 0, "366-": 20_000}
    assert (levels.transferred_count, levels.transferred_ore) == (1, 25_000)
    assert (levels.kept_preferential_count, levels.kept_preferential_ore) == (1, 70_000)  # c1
    assert (levels.agreements_active, levels.agreements_good_standing) == (2, 1)
    assert (levels.agreements_broken, levels.agreements_paid_ore) == (1, 20_000)
    assert (levels.written_off_count, levels.written_off_ore) == (1, 15_000)
    assert levels.mail_waiting == 1


def test_a_payment_after_the_day_does_not_count_yet(database: Database) -> None:
    crafted_register(database)
    with Session(database.engine) as session:
        before = figures_on(session, date(2026, 11, 14))  # c1's payment came on the 15th
    assert before.arrears_by_type["ejendomsskat"] == 100_000
    assert "husleje" in before.arrears_by_type and before.arrears_by_type["husleje"] == 50_000


def test_flows_of_november(database: Database) -> None:
    crafted_register(database)
    with Session(database.engine) as session:
        flows = period_flows(session, date(2026, 11, 1), date(2026, 12, 1), DEFAULT_ZONE)
    assert (flows.mail_received, flows.mail_answered) == (4, 3)  # the October mail is not in it
    assert flows.answer_median_days == 2.0
    assert flows.answer_p90_days == pytest.approx(4.4)  # 2 + 0.8 × (5 − 2), inclusive method
    assert flows.letters == {"reply|email": 3}
    assert (flows.fees_count, flows.fees_ore) == (1, 10_000)


def test_working_days_skip_weekends_and_holidays() -> None:
    calendar = BankCalendar([])
    assert working_days_between(calendar, date(2026, 11, 6), date(2026, 11, 10)) == 2
    # Easter 2026: skærtorsdag 2, langfredag 3, weekend, 2. påskedag 6 April
    assert working_days_between(calendar, date(2026, 4, 1), date(2026, 4, 7)) == 1


def test_the_daily_snapshot_is_written_once_per_day_and_survives_a_restart(
    database: Database,
) -> None:
    crafted_register(database)
    clock = FixedClock.on(DAY)
    snapshot(database.engine, clock)
    snapshot(database.engine, clock)  # the daily job run again on the same day
    database.engine.dispose()  # a restart: nothing is kept in memory
    with Session(database.engine) as session:
        rows = session.exec(select(DailyFigures)).all()
        kept = history(session)
    assert [(row.day, row.source) for row in rows] == [(DAY, "daily")]
    assert kept[0][0].arrears_ore == 150_000


def test_backfill_fills_past_month_ends_and_never_overwrites_a_snapshot(
    database: Database,
) -> None:
    crafted_register(database)
    clock = FixedClock.on(DAY)
    snapshot(database.engine, FixedClock.on(date(2026, 10, 31)))
    written = backfill(database.engine, clock, months=3)
    with Session(database.engine) as session:
        rows = {row.day: row for row in session.exec(select(DailyFigures)).all()}
    assert rows[date(2026, 10, 31)].source == "daily"
    assert rows[date(2026, 9, 30)].source == "backfill" and written == 2  # August, September
    assert sorted(rows) == [date(2026, 8, 31), date(2026, 9, 30), date(2026, 10, 31)]
    # on 30 September: c2 (due 1 Sept) 50.000 and c3 20.000; c1 and the fee were not due
    assert (rows[date(2026, 9, 30)].figures or {})["arrears_ore"] == 70_000
    assert backfill(database.engine, clock, months=3) == 0  # idempotent
