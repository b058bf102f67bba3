from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from opkraevning.assistant.policy.bank_days import BankCalendar
from opkraevning.assistant.policy.model import DEFAULT_POLICY, PolicyError, check_policy, policy_for
from opkraevning.cli import main

TODAY = date(2026, 11, 27)


def test_the_shipped_policy_is_valid_and_carries_the_rules() -> None:
    assert check_policy(DEFAULT_POLICY, TODAY) == [date(2018, 1, 23)]
    policy = policy_for(TODAY)
    assert policy.fees["gebyrloven"].fee_kr == Decimal("250.00")
    assert policy.fees["renteloven"].fee_kr == Decimal("100.00")
    assert policy.fees["renteloven"].max_fee_letters == 3
    assert policy.thresholds.transfer_min_kr == Decimal("100.00")
    assert policy.claim_types["ejendomsskat"].fortrinsberettiget
    assert policy.claim_types["loenkrav"].regime == "renteloven"
    assert policy.interest_rate_on(date(2024, 1, 1)) == Decimal("11.75")
    assert policy.version.startswith("2026.1+")


def _with(tmp_path: Path, old: str, new: str) -> Path:
    text = DEFAULT_POLICY.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "policy.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_a_value_changes_on_its_effective_date(tmp_path: Path) -> None:
    path = _with(
        tmp_path,
        'fee_kr = [ { effective_from = "2014-05-13", value = "100.00" } ]',
        'fee_kr = [ { effective_from = "2014-05-13", value = "100.00" },'
        ' { effective_from = "2027-01-01", value = "110.00" } ]',
    )
    assert policy_for(date(2026, 12, 31), path).fees["renteloven"].fee_kr == Decimal("100.00")
    assert policy_for(date(2027, 1, 1), path).fees["renteloven"].fee_kr == Decimal("110.00")
    assert check_policy(path, TODAY) == [date(2018, 1, 23), date(2027, 1, 1)]


@pytest.mark.parametrize(
    ("old", "new", "named"),
    [
        ("max_fee_letters = 3", 'max_fee_letters = "tre"', "fees.renteloven.max_fee_letters"),
        ("[claim_types.husleje]", "[claim_types.hundeskat]", "unknown claim type(s): hundeskat"),
        ("deadline_days = 10", "deadline_dayz = 10", "reminders.deadline_dayz"),
        ('"06-05", ', '"13-40", ', "calendar.extra_closing_days"),
    ],
)
def test_a_bad_value_is_named(tmp_path: Path, old: str, new: str, named: str) -> None:
    with pytest.raises(PolicyError, match=named.replace("(", r"\(").replace(")", r"\)")):
        check_policy(_with(tmp_path, old, new), TODAY)


def test_policy_commands(tmp_path: Path) -> None:
    runner = CliRunner()
    good = runner.invoke(main, ["policy", "check", str(DEFAULT_POLICY)])
    assert good.exit_code == 0 and "valid on 2018-01-23" in good.output
    bad = _with(tmp_path, "max_months = 18", "max_months = 0")
    refused = runner.invoke(main, ["policy", "check", str(bad)])
    assert refused.exit_code == 1
    assert "installments.max_months" in refused.output
    shown = runner.invoke(main, ["policy", "show", "--date", "2026-11-27"])
    assert shown.exit_code == 0
    assert '"fee_kr": "250.00"' in shown.output


@pytest.mark.parametrize(
    ("day", "bank_day"),
    [
        (date(2026, 11, 27), True),  # a Friday
        (date(2026, 11, 28), False),  # Saturday
        (date(2026, 6, 5), False),  # Grundlovsdag
        (date(2026, 12, 24), False),
        (date(2026, 12, 31), False),
        (date(2026, 4, 6), False),  # 2. påskedag
        (date(2026, 5, 1), True),  # not a bank holiday in Denmark
    ],
)
def test_bank_days(day: date, bank_day: bool) -> None:
    calendar = BankCalendar(policy_for(TODAY).calendar.extra_closing_days)
    assert calendar.is_bank_day(day) is bank_day


def test_deadlines_move_to_the_next_bank_day() -> None:
    calendar = BankCalendar(["06-05", "12-24", "12-31"])
    assert calendar.on_or_after(date(2026, 11, 28)) == date(2026, 11, 30)  # Saturday → Monday
    assert calendar.on_or_after(date(2026, 12, 24)) == date(2026, 12, 28)  # 24–27 closed
    assert calendar.on_or_after(date(2026, 12, 31)) == date(2027, 1, 4)  # 1/1, weekend
    assert calendar.on_or_after(date(2026, 6, 5)) == date(2026, 6, 8)  # Friday → Monday
    assert calendar.add_bank_days(date(2026, 12, 23), 1) == date(2026, 12, 28)


def test_serve_refuses_a_bad_policy_in_one_line(tmp_path: Path) -> None:
    bad = _with(tmp_path, "max_months = 18", "max_months = -1")
    env = {
        "OPKRAEVNING_DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
        "OPKRAEVNING_POLICY_FILE": str(bad),
    }
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"], env=env).exit_code == 0
    result = runner.invoke(main, ["serve"], env=env)
    assert result.exit_code == 2
    assert "OPKRAEVNING_POLICY_FILE" in result.output
    assert "installments.max_months" in result.output
