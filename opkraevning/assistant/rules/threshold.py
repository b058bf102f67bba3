"""``threshold``: no reminder for arrears under ``thresholds.min_reminder_kr`` (25 kr,
the municipality's strategy p. 3)."""

from __future__ import annotations

from opkraevning.assistant.rules.base import Case, Rule, Verdict, ore

UNDER = ("nothing", "under the reminder threshold")


def check(case: Case) -> Verdict:
    remaining = case.remaining_ore
    if remaining >= ore(case.policy.thresholds.min_reminder_kr):
        return True, (remaining,), None
    return False, (remaining,), UNDER


RULE = Rule(
    "threshold",
    "Der rykkes ikke for restancer under 25 kr. (kommunens strategi).",
    check,
    keys=("remaining_ore",),
)
