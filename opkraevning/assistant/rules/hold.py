"""``hold``: a dispute, a deferral until its date, an estate, a manual hold, or an active
installment agreement in good standing stops reminders (each with its reason)."""

from __future__ import annotations

from datetime import date

from opkraevning.assistant.rules.base import MISS, Case, Rule, Verdict
from opkraevning.domain.facts import ClaimFact, HoldFact

AGREEMENT: Verdict = (
    True,
    ("agreement",),
    ("hold", "hold: installment agreement in good standing"),
)


def active_hold(claim: ClaimFact, day: date) -> HoldFact | None:
    for hold in claim.holds:
        if hold.until is None or hold.until >= day:
            return hold
    return None


def check(case: Case) -> Verdict:
    claim, day = case.claim, case.day
    hold = active_hold(claim, day) if claim.holds else None
    if hold is not None:
        until = f" until {hold.until.isoformat()}" if hold.until else ""
        return True, (hold.reason,), ("hold", f"hold: {hold.reason}{until}")
    agreement = claim.agreement
    if (
        agreement is not None
        and agreement.status == "active"
        and (
            agreement.next_unpaid_due is None
            or day <= case.calendar.on_or_after(agreement.next_unpaid_due)
        )
    ):
        return AGREEMENT
    return MISS


RULE = Rule(
    "hold",
    "Indsigelse, henstand, dødsbo, manuel stop eller en overholdt afdragsordning stopper rykkere.",
    check,
    keys=("hold",),
)
