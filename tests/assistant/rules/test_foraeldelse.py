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
