"""breach: a broken agreement gets one breach reminder, then transfer."""

from __future__ import annotations

from datetime import date

from opkraevning.assistant.rules.engine import plan_letters
from opkraevning.domain.facts import AgreementFact, LetterFact
from tests.assistant.rules.cases import CALENDAR, DAY, POLICY, action, claim, step


def test_breach_one_reminder_then_transfer_without_further_notice() -> None:
    missed = AgreementFact("active", date(2026, 9, 1), date(2026, 11, 2), None)
    fact = claim("juniorklub", status="in_agreement", agreement=missed)
    assert action(fact) == "remind"  # the breach reminder
    [planned] = plan_letters("D1", [(fact, step(fact))], DAY, POLICY, CALENDAR)
    assert planned.kind == "breach_reminder"
    breach = LetterFact(1, date(2026, 11, 10), date(2026, 11, 20), 10_000, True, "breach_reminder")
    fact.letters = [breach]
    assert action(fact, date(2026, 11, 20)) == "wait"  # its deadline has not passed
    assert action(fact) == "transfer"  # renteloven has fee budget left, but no 2nd series


def test_breach_an_ordinary_reminder_is_no_breach_letter() -> None:
    fact = claim("juniorklub")
    [planned] = plan_letters("D1", [(fact, step(fact))], DAY, POLICY, CALENDAR)
    assert planned.kind == "reminder"


def test_breach_a_claim_reminded_before_the_agreement_gets_its_breach_reminder_first() -> None:
    """Issue 12 item 2: a gebyrloven claim whose one fee letter went out before the
    agreement is not sent straight to transfer when an installment is missed: it gets
    the breach reminder (no fee: the budget is used), with the notice, then transfer."""
    from tests.assistant.rules.cases import letter

    missed = AgreementFact("active", date(2026, 9, 1), date(2026, 11, 2), None)
    fact = claim("husleje", status="in_agreement", agreement=missed,
                 letters=[letter(date(2026, 8, 3))])  # fmt: skip
    assert action(fact) == "remind"
    [planned] = plan_letters("D1", [(fact, step(fact))], DAY, POLICY, CALENDAR)
    assert (planned.kind, planned.fee_ore, planned.transfer_notice) == (
        "breach_reminder",
        0,
        True,
    )
    breach = LetterFact(2, date(2026, 11, 10), date(2026, 11, 20), 0, True, "breach_reminder")
    fact.letters = [*fact.letters, breach]
    assert action(fact) == "transfer"
