"""``fee``: whether a reminder may carry a fee for this claim. Gebyrloven § 2, stk. 2–3
(LBK nr. 56 af 23/01/2018): at most 250 kr per reminder, only for claims with
udpantningsret; renteloven § 9 b (LBK nr. 459 af 13/05/2014): at most 100 kr. Never
beyond the regime's fee budget — for renteloven counted per debt relationship and
continuous arrears period (§ 9 b: "for den samme ydelse"): the distinct fee letters
on the debtor's still unpaid claims of the same claim type — and none after a dispute
when policy says so. The
letter carries one fee however many of its claims allow one (policy
``reminders.one_fee_per_letter``)."""

from __future__ import annotations

from opkraevning.assistant.rules.base import HIT, Case, Rule, Verdict


def check(case: Case) -> Verdict:
    fees, claim = case.fees, case.claim
    used = case.relationship_fee_letters if case.kind.regime == "renteloven" else case.fee_letters
    budget_left = used < fees.max_fee_letters
    disputed = fees.no_fee_after_dispute and bool(claim.letters) and claim.was_disputed
    lawful = case.kind.regime != "gebyrloven" or case.kind.udpantningsret
    case.fee_allowed = allowed = budget_left and not disputed and lawful
    if allowed:
        return HIT  # the fee letters so far are in fee_budget's values
    return False, (used, disputed, lawful), None


RULE = Rule(
    "fee",
    "Rykkergebyr: højst 250 kr. (gebyrloven) eller 100 kr. (renteloven), inden for gebyrrammen.",
    check,
    keys=("fee_letters", "disputed", "lawful"),
)
