"""``near_expiry``: a claim within ``foraeldelse.near_expiry_days`` of forældelse is listed
for a caseworker (who can interrupt it, e.g. by udlæg)."""

from __future__ import annotations

from opkraevning.assistant.rules.base import MISS, Case, Rule, Verdict

NEAR = ("near_expiry", "close to forældelse")


def check(case: Case) -> Verdict | None:
    assert case.expires is not None  # the foraeldelse rule comes first in the chain
    left = (case.expires - case.day).days
    if left <= 0:
        return None
    if left <= case.policy.foraeldelse.near_expiry_days:
        return True, (left,), NEAR
    return MISS


RULE = Rule(
    "near_expiry",
    "Krav tæt på forældelse vises for en sagsbehandler, så forældelsen kan afbrydes.",
    check,
    keys=("days_left",),
)
