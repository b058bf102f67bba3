"""``active``: only an open claim (or one in an agreement) with something left to pay
is considered at all."""

from __future__ import annotations

from opkraevning.assistant.rules.base import HIT, Case, Rule, Verdict

ACTIVE = ("open", "in_agreement")


def check(case: Case) -> Verdict:
    claim = case.claim
    if claim.status in ACTIVE and case.remaining_ore > 0:
        return HIT
    return False, (claim.status,), ("nothing", f"status {claim.status}")


RULE = Rule(
    "active",
    "Kun åbne krav (også i en afdragsordning) med en restgæld rykkes.",
    check,
    keys=("status",),
)
