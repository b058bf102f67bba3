"""interest: renteloven § 3 and § 5, sector rate, optional gebyrloven morarente."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from opkraevning.assistant.rules.engine import interest_due
from opkraevning.domain.facts import AgreementFact
from tests.assistant.rules.cases import DAY, POLICY, claim, edited_policy


def test_interest_continues_under_an_agreement() -> None:
    agreement = AgreementFact("active", date(2026, 10, 5), DAY + timedelta(days=3), None)
    fact = claim("loenkrav", status="in_agreement", agreement=agreement,
                 due_on=date(2026, 1, 1), amount_ore=1_000_000)  # fmt: skip
    posting = interest_due(fact, date(2026, 12, 31), POLICY)
    assert posting is not None
    start, end, rate, amount = posting
    assert (start, end, rate) == (date(2026, 1, 1), date(2026, 12, 31), Decimal("9.75"))
    assert amount == round(1_000_000 * Decimal("0.0975") * 364 / 365)
    assert interest_due(claim("husleje"), DAY, POLICY) is None  # not interest-bearing


def test_interest_is_split_by_half_year_at_the_udlaansrente_plus_8() -> None:
    """renteloven § 5: 9.90 % from 1/1/2023, 11.25 % from 1/7/2023, 11.75 % from 1/1/2024,
    11.50 % from 1/7/2024 (the udlånsrente 3.50 + 8; 11.60 was the foliorente + 8)."""
    fact = claim("loenkrav", due_on=date(2023, 6, 1), amount_ore=1_000_000)
    posting = interest_due(fact, date(2024, 7, 31), POLICY)
    assert posting is not None
    start, end, rate, amount = posting
    assert (start, end, rate) == (date(2023, 6, 1), date(2024, 7, 31), Decimal("11.50"))
    expected = (
        1_000_000
        * (
            Decimal("0.0990") * 30
            + Decimal("0.1125") * 184
            + Decimal("0.1175") * 182
            + Decimal("0.1150") * 30
        )
        / 365
    )
    assert amount == int(expected.to_integral_value())


def test_interest_nothing_before_the_first_rate_in_the_policy() -> None:
    fact = claim("loenkrav", due_on=date(2019, 6, 1), amount_ore=1_000_000)
    posting = interest_due(fact, date(2020, 1, 31), POLICY)
    assert posting is not None and posting[0] == date(2020, 1, 1)  # no rate before 2020


def test_interest_without_a_fixed_due_date_runs_from_demand_days_after_the_demand(
    tmp_path: Path,
) -> None:
    """renteloven § 3, stk. 2 (issue 12 item 6): over-paid salary has no due date fixed in
    advance — interest runs 30 days after the written demand, not from the due date."""
    fact = claim("loenkrav", issued_on=date(2026, 9, 1), due_on=date(2026, 9, 15),
                 amount_ore=1_000_000)  # fmt: skip
    assert interest_due(fact, DAY, POLICY)[0] == date(2026, 10, 1)  # type: ignore[index]
    assert interest_due(fact, date(2026, 10, 1), POLICY) is None  # nothing on day 30
    longer = edited_policy(
        tmp_path, ("demand_days_when_no_due_date = 30", "demand_days_when_no_due_date = 45")
    )
    assert interest_due(fact, DAY, longer)[0] == date(2026, 10, 16)  # type: ignore[index]
    fixed = edited_policy(tmp_path, ("due_date_fixed = false", "due_date_fixed = true"))
    assert interest_due(fact, DAY, fixed)[0] == date(2026, 9, 15)  # type: ignore[index]


def test_interest_gebyrloven_morarente_1_pct_per_begun_month_when_enabled(tmp_path: Path) -> None:
    """gebyrloven § 3: 1 % per begun month from the due date, claims with udpantningsret."""
    fact = claim("husleje", due_on=date(2026, 10, 1), amount_ore=100_000)
    assert interest_due(fact, DAY, POLICY) is None  # off by default
    enabled = ("gebyrloven_morarente_enabled = false", "gebyrloven_morarente_enabled = true")
    policy = edited_policy(tmp_path, enabled)
    posting = interest_due(fact, DAY, policy)  # 2/10–1/11 and 2/11–27/11: two begun months
    assert posting is not None and posting[3] == 2_000
    assert interest_due(fact, date(2026, 11, 1), policy)[3] == 1_000  # type: ignore[index]
    assert interest_due(claim("juniorklub"), DAY, policy) is None  # renteloven: not § 3
    posted = claim("husleje", due_on=date(2026, 10, 1), amount_ore=100_000,
                   interest_posted_until=date(2026, 11, 1))  # fmt: skip
    assert interest_due(posted, DAY, policy)[3] == 1_000  # type: ignore[index]
    half_pct = ('gebyrloven_morarente_pct_per_month = "1.00"',
                'gebyrloven_morarente_pct_per_month = "0.50"')  # fmt: skip
    half = interest_due(fact, DAY, edited_policy(tmp_path, enabled, half_pct))
    assert half is not None and half[3] == 1_000
