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
