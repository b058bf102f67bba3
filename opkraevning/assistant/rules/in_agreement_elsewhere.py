"""``in_agreement_elsewhere``: the register marks the claim ``in_agreement`` but no
agreement of ours covers it — an agreement made outside the system is still an
agreement (gældsinddrivelsesloven § 2, stk. 3): the claim is held and listed for a
caseworker to record the agreement, never dunned like an open claim."""

from __future__ import annotations

from opkraevning.assistant.rules.base import MISS, Case, Rule, Verdict

HOLD: Verdict = (
    True,
    ("in_agreement",),
    ("hold", "hold: in agreement in the register, no agreement recorded: record it"),
)


def check(case: Case) -> Verdict:
    claim = case.claim
    return HOLD if claim.status == "in_agreement" and claim.agreement is None else MISS


RULE = Rule(
    "in_agreement_elsewhere",
    "Et krav i aftale i registret uden aftale hos os holdes tilbage, til aftalen er registreret.",
    check,
    keys=("status",),
)
