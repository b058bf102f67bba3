"""foraeldelse: 3 years from the due date, 10 after an acknowledgement, § 27 moves it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from opkraevning.assistant.rules.engine import expiry_date
from opkraevning.domain.facts import AgreementFact
from tests.assistant.rules.cases import CALENDAR, POLICY, claim


def test_foraeldelse_exactly_three_years_and_moved_by_acknowledgement() -> None:
    fact = claim(due_on=date(2023, 11, 27))
    assert expiry_date(fact, POLICY, CALENDAR) == (date(2026, 11, 27), "forfaldsdato")
    saturday = claim(due_on=date(2023, 11, 28))  # 28/11/2026 is a Saturday
    assert expiry_date(saturday, POLICY, CALENDAR)[0] == date(2026, 11, 30)
    signed = replace(fact, agreement=AgreementFact("active", date(2024, 3, 1), None, None))
    assert expiry_date(signed, POLICY, CALENDAR) == (date(2034, 3, 1), "skriftlig erkendelse")


def test_foraeldelse_restarted_by_a_paid_installment_and_an_udlaeg() -> None:
    paid = AgreementFact("active", date(2024, 3, 1), None, date(2025, 2, 3))
    fact = claim(due_on=date(2023, 1, 2), agreement=paid)
    assert expiry_date(fact, POLICY, CALENDAR) == (date(2035, 2, 5), "betalt afdrag")
    udlaeg = claim(due_on=date(2021, 1, 4), udlaeg_on=date(2026, 3, 2))
    assert expiry_date(udlaeg, POLICY, CALENDAR) == (date(2029, 3, 2), "udlæg")


def test_foraeldelse_loenkrav_has_five_years() -> None:
    """§ 4, stk. 1: claims based on employment (over-paid salary) — 5 years, not 3."""
    salary = claim("loenkrav", due_on=date(2023, 11, 27))
    assert expiry_date(salary, POLICY, CALENDAR)[0] == date(2028, 11, 27)
    assert expiry_date(claim("husleje", due_on=date(2023, 11, 27)), POLICY, CALENDAR)[0] == date(
        2026, 11, 27
    )


def test_foraeldelse_after_udlaeg_keeps_the_length_of_the_period_it_interrupts() -> None:
    """§ 19, stk. 1: an acknowledged (10-year) claim does not fall back to 3 after udlæg."""
    signed = AgreementFact("broken", date(2024, 3, 1), None, None)
    fact = claim(due_on=date(2023, 1, 2), agreement=signed, udlaeg_on=date(2025, 6, 2))
    assert expiry_date(fact, POLICY, CALENDAR) == (date(2035, 6, 4), "udlæg")  # 2/6/2035 a Saturday


def test_foraeldelse_runs_from_the_last_on_time_payment_date() -> None:
    """§ 2, stk. 2: a due date on a Saturday is paid on time on Monday; the period runs from
    then (25/11/2023 → 27/11/2023 → 27/11/2026), not from the Saturday."""
    fact = claim(due_on=date(2023, 11, 25))
    assert expiry_date(fact, POLICY, CALENDAR)[0] == date(2026, 11, 27)


def test_foraeldelse_the_friday_after_kristi_himmelfartsdag_is_no_forældelse_holiday() -> None:
    """§ 27, stk. 2 names weekends, holidays, 5/6, 24/12 and 31/12 — not bank-closing days."""
    fact = claim(due_on=date(2023, 5, 15))  # a Monday; 15/5/2026 is the Friday after
    assert expiry_date(fact, POLICY, CALENDAR)[0] == date(2026, 5, 15)
