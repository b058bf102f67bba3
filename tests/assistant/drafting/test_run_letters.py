"""Issue 12 items 7 and 9: fortrinsberettigede krav are never said to go to Gældsstyrelsen
(the letter says the municipality collects them itself), and the notice of transfer
shows the true total with fee and interest lines."""

from __future__ import annotations

from datetime import date

from opkraevning.app.reminder.outcome import LetterEntry
from opkraevning.assistant.drafting.letter_context import claim_row
from opkraevning.assistant.drafting.run_letters import (
    MissedInstallment,
    render_agreement,
    render_reminder,
    render_transfer_notice,
)
from opkraevning.assistant.proposals.installments import ScheduledInstallment
from tests.assistant.drafting.letter_cases import KARLA, POLICY, _claim
from tests.conftest import Database

SCHEDULE = [ScheduledInstallment(1, date(2026, 12, 11), 50_000, 0)]


def _agreement(*claim_types: str) -> str:
    rows = [claim_row(_claim(f"C11000{i}00", kind, 100_000)) for i, kind in enumerate(claim_types)]
    return render_agreement(KARLA, rows, SCHEDULE, POLICY, today=date(2026, 11, 27)).text


def test_agreement_for_a_fortrinsberettiget_claim_never_says_gaeldsstyrelsen() -> None:
    own = _agreement("rottebekaempelse")
    assert "Gældsstyrelsen" not in own and "udlæg i din ejendom" in own
    transferable = _agreement("husleje")
    assert "sender vi hele restbeløbet til Gældsstyrelsen" in transferable
    mixed = _agreement("husleje", "ejendomsskat")
    assert "krav med fortrinsret" in mixed and "Resten sender vi til Gældsstyrelsen" in mixed


def test_breach_reminder_for_a_fortrinsberettiget_claim_says_who_collects() -> None:
    rows = {"C1": claim_row(_claim("C1100000001", "ejendomsskat", 400_000))}
    rows = {row.id: row for row in rows.values()}
    letter = LetterEntry(
        debtor_id=KARLA.id, claim_ids=list(rows), kind="breach_reminder", number=1,
        numbers={}, fee_ore=0, deadline=date(2026, 12, 7), transfer_notice=False,
        rules=None, legal_refs=None,
    )  # fmt: skip
    text = render_reminder(
        letter,
        KARLA,
        rows,
        POLICY,
        MissedInstallment(date(2026, 11, 2), 30_000),
        today=date(2026, 11, 27),
    ).text
    assert "Gældsstyrelsen" not in text and "Kommunen inddriver selv" in text


def test_notice_of_transfer_total_includes_fee_and_interest_lines() -> None:
    principal = claim_row(_claim("C1100000002", "husleje", 300_000))
    fee = claim_row(_claim("C1100000002-G1", "husleje", 25_000, line="fee",
                           parent_claim_id="C1100000002"))  # fmt: skip
    text = render_transfer_notice(KARLA, [principal, fee], date(2026, 12, 15), POLICY).text
    assert "I alt 3.250,00 kr." in text and "Rykkergebyr" in text


def test_marking_a_transfer_drafts_a_notice_with_the_fee_lines(dev_database: Database) -> None:
    from sqlalchemy import select
    from sqlmodel import Session, col

    from opkraevning.app.casework import mark_transferred
    from opkraevning.app.reminder.run import remind
    from opkraevning.domain.clock import FixedClock
    from opkraevning.store.db import session_scope
    from opkraevning.store.models import Claim, ReminderLetter

    remind(dev_database.engine, date(2026, 11, 27))
    with session_scope(dev_database.engine) as session:  # a caseworker releases the batch
        ids = [i for i in session.scalars(select(col(ReminderLetter.id))) if i is not None]
        from opkraevning.app.reminder.run import release_letters

        release_letters(session.connection(), ids, date(2026, 11, 27), "test")
    later, _ = remind(dev_database.engine, date(2026, 12, 15), dry_run=True)
    chosen = next(item for item in later.transfers if item.fee_claims)
    with session_scope(dev_database.engine) as session:
        [notice] = mark_transferred(
            session, [chosen.claim_id], "test", clock=FixedClock.on(date(2026, 12, 15))
        )
        body = notice.body
    with Session(dev_database.engine) as session:
        lines = session.scalars(
            select(Claim).where(col(Claim.parent_claim_id) == chosen.claim_id)
        ).all()
    assert lines and "Rykkergebyr" in body
    from opkraevning.templates_da.formatting import kr

    assert f"I alt {kr(chosen.amount_ore)}" in body  # fees, interest in
