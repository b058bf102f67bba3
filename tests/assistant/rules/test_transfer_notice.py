"""transfer_notice: the reminder gives the written notice before transfer."""

from __future__ import annotations

from pathlib import Path

from opkraevning.assistant.rules.engine import plan_letters
from tests.assistant.rules.cases import CALENDAR, DAY, POLICY, claim, edited_policy, step


def test_transfer_notice_not_for_fortrinsberettigede_krav() -> None:
    own = claim("rottebekaempelse")
    [planned] = plan_letters("D1", [(own, step(own))], DAY, POLICY, CALENDAR)
    assert not planned.transfer_notice and "gil-2-4" not in planned.legal_refs


def test_transfer_notice_follows_the_policy(tmp_path: Path) -> None:
    policy = edited_policy(
        tmp_path, ("transfer_notice_in_reminder = true", "transfer_notice_in_reminder = false")
    )
    fact = claim("husleje")
    [planned] = plan_letters("D1", [(fact, step(fact, DAY, policy))], DAY, policy, CALENDAR)
    assert not planned.transfer_notice


def test_transfer_notice_only_on_the_last_letter_before_transfer() -> None:
    """Issue 12 item 1: a renteloven claim's 1st and 2nd reminders are followed by
    another reminder — no notice; the 3rd (the last before transfer) carries it."""
    from datetime import date

    from tests.assistant.rules.cases import letter

    first = claim("kulturskole")
    second = claim("kulturskole", letters=[letter(date(2026, 10, 1), fee=10_000, notice=False)])
    third = claim(
        "kulturskole",
        letters=[
            letter(date(2026, 10, 1), fee=10_000, notice=False),
            letter(date(2026, 10, 20), fee=10_000, notice=False, number=2),
        ],
    )
    notices = [
        plan_letters("D1", [(c, step(c))], DAY, POLICY, CALENDAR)[0].transfer_notice
        for c in (first, second, third)
    ]
    assert notices == [False, False, True]
    [gebyrloven] = plan_letters("D1", [(claim(), step(claim()))], DAY, POLICY, CALENDAR)
    assert gebyrloven.transfer_notice  # one reminder, then transfer: the first is the last
