"""``foraeldelse``: when the claim is forældet (forældelsesloven, LBK nr. 1238 af
09/11/2015): 3 years (§ 3) — 5 for claims based on employment, e.g. over-paid salary
(§ 4, stk. 1; claim type ``foraeldelse_years``) — from the last on-time payment date
(§ 2, stk. 2), 10 years from a signed acknowledgement (§ 5, stk. 1, nr. 3), restarted
by a paid installment (§ 15) or an udlæg with a new period of the same length (§ 18,
§ 19, stk. 1); a period ending on a weekend, holiday, Grundlovsdag, 24/12 or 31/12
runs to the next weekday (§ 27, stk. 2)."""

from __future__ import annotations

from datetime import date

from opkraevning.assistant.policy.bank_days import BankCalendar
from opkraevning.assistant.policy.model import Policy
from opkraevning.assistant.rules.base import Case, Rule, Verdict
from opkraevning.assistant.rules.last_on_time import last_on_time
from opkraevning.domain.facts import ClaimFact


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def expiry_date(claim: ClaimFact, policy: Policy, calendar: BankCalendar) -> tuple[date, str]:
    """When the claim is forældet, and from what (last on-time date, acknowledgement,
    paid installment, udlæg).

    § 2, stk. 2: the period runs from the end of the time to pay on time (the last
    on-time payment date, the due date moved to the next bank day); § 3/§ 4: the claim
    type's period; § 5, stk. 1, nr. 3: 10 years from a written acknowledgement; § 19,
    stk. 1: an udlæg starts a new period of the same length as the one it interrupts.
    """
    years = policy.claim_types[claim.claim_type].foraeldelse_years or policy.foraeldelse.years
    start, basis = last_on_time(claim.due_on, policy, calendar), "forfaldsdato"
    agreement = claim.agreement
    if agreement is not None and agreement.signed_on is not None:
        start, years = agreement.signed_on, policy.foraeldelse.acknowledged_years
        basis = "skriftlig erkendelse"
        if agreement.last_paid_on and agreement.last_paid_on > start:
            start, basis = agreement.last_paid_on, "betalt afdrag"
    if claim.udlaeg_on and claim.udlaeg_on > start:
        start, basis = claim.udlaeg_on, "udlæg"
    # § 27, stk. 2: a period ending on a weekend, holiday, 5/6, 24/12 or 31/12 runs on
    return calendar.next_weekday(_add_years(start, years)), basis


def check(case: Case) -> Verdict:
    expires, basis = expiry_date(case.claim, case.policy, case.calendar)
    case.expires, case.basis = expires, basis
    return expires <= case.day, (expires.isoformat(), basis), None


RULE = Rule(
    "foraeldelse",
    "Et krav forældes 3 år efter forfald, 10 år efter skriftlig erkendelse; "
    "afdrag og udlæg afbryder forældelsen.",
    check,
    keys=("expires_on", "basis"),
)
