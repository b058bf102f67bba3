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
    assert (start, end, rate) == (date(2026, 1, 1), date(2026, 12, 31), Decimal("9.60"))
    assert amount == round(1_000_000 * Decimal("0.096") * 364 / 365)
    assert interest_due(claim("husleje"), DAY, POLICY) is None  # not interest-bearing


def test_interest_is_split_by_half_year_and_nothing_before_the_first_rate() -> None:
    fact = claim("loenkrav", due_on=date(2023, 12, 1), amount_ore=1_000_000)
    posting = interest_due(fact, date(2024, 7, 31), POLICY)
    assert posting is not None
    start, end, rate, amount = posting
    assert (start, end) == (date(2024, 1, 1), date(2024, 7, 31))  # no confirmed rate before 2024
    expected = 1_000_000 * (Decimal("0.1175") * 182 + Decimal("0.1160") * 30) / 365
    assert amount == int(expected.to_integral_value())
    assert rate == Decimal("11.60")


def test_interest_without_a_fixed_due_date_runs_from_demand_days_after_the_demand(
    tmp_path: Path,
) -> None:
    """renteloven § 3, stk. 2: 30 days after the written demand; the setting moves it."""
    not_fixed = ("due_date_fixed = true          # false", "due_date_fixed = false  # false")
    policy = edited_policy(tmp_path, not_fixed)
    fact = claim("loenkrav", issued_on=date(2026, 9, 1), due_on=date(2026, 9, 15),
                 amount_ore=1_000_000)  # fmt: skip
    assert interest_due(fact, DAY, POLICY)[0] == date(2026, 9, 15)  # type: ignore[index]
    assert interest_due(fact, DAY, policy)[0] == date(2026, 10, 1)  # type: ignore[index]
    longer = edited_policy(
        tmp_path,
        not_fixed,
        ("demand_days_when_no_due_date = 30", "demand_days_when_no_due_date = 45"),
    )
    assert interest_due(fact, DAY, longer)[0] == date(2026, 10, 16)  # type: ignore[index]


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
