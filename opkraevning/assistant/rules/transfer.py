"""``transfer``: after the reminder procedure (gældsinddrivelsesloven § 2, stk. 3) a claim
goes to Gældsstyrelsen when the notice of transfer was given (§ 2, stk. 4), the debtor
is identified (CPR/CVR) and it is at least ``thresholds.transfer_min_kr`` (100 kr)
with interest and fees (Gældsstyrelsen)."""

from __future__ import annotations

from opkraevning.assistant.rules.base import Case, Rule, Verdict, ore

READY = ("transfer", "reminder procedure done, notice given")
UNDER = ("nothing", "under the transfer threshold")
NO_NOTICE = ("nothing", "no notice of transfer given yet")
NO_IDENTITY = ("nothing", "CPR/CVR missing: cannot be transferred")


def check(case: Case) -> Verdict | None:
    if not case.done:
        return None
    enough = case.total_ore >= ore(case.policy.thresholds.transfer_min_kr)
    notice, identity = case.notice_given, case.claim.has_identity
    values = (case.total_ore, notice, identity)
    if notice and enough and identity:
        return True, values, READY
    if not enough:
        return False, values, UNDER
    return False, values, NO_NOTICE if not notice else NO_IDENTITY


RULE = Rule(
    "transfer",
    "Efter rykkerproceduren og varslet sendes krav på mindst 100 kr. til Gældsstyrelsen.",
    check,
    keys=("total_ore", "notice_given", "has_identity"),
)
