"""active: only open claims (or in an agreement) with something left are considered."""

from __future__ import annotations

from tests.assistant.rules.cases import action, claim, step


def test_active_paid_and_closed_claims_are_left_alone() -> None:
    assert action(claim(paid_ore=300_000)) == "nothing"
    closed = step(claim(status="transferred"))
    assert (closed.action, closed.reason) == ("nothing", "status transferred")
    assert action(claim(paid_ore=200_000)) == "remind"
