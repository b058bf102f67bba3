"""The overview's view: a past day with a snapshot is shown as the snapshot said."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from opkraevning.app.overview.figures import snapshot
from opkraevning.app.overview.view import build, month_name
from opkraevning.domain.clock import DEFAULT_ZONE, FixedClock
from opkraevning.store.db import session_scope
from opkraevning.store.models import Payment
from tests.app.overview.test_figures import DAY, crafted_register
from tests.conftest import Database


def test_a_past_day_is_reproduced_from_its_snapshot(database: Database) -> None:
    crafted_register(database)
    snapshot(database.engine, FixedClock.on(DAY))
    with session_scope(database.engine) as session:  # a payment booked later, dated back
        session.add(Payment(claim_id="c2", amount_ore=50_000, paid_on=date(2026, 11, 20)))
    start, end = date(2026, 11, 1), date(2026, 12, 1)
    with Session(database.engine) as session:
        later = build(session, DAY, start, end, "november", DEFAULT_ZONE, today=date(2026, 12, 5))
        fresh = build(session, DAY, start, end, "november", DEFAULT_ZONE, today=DAY)
    assert later.levels.arrears_ore == 150_000  # as the snapshot of 30 November said
    assert fresh.levels.arrears_ore == 100_000  # today's figure counts the payment
    assert [figure.value for figure in later.figures][:1] == ["1.500,00 kr."]


def test_month_names_are_danish() -> None:
    assert month_name(date(2026, 5, 31)) == "maj 2026"
