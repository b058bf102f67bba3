"""``foraeldelse``: when the claim is forældet (forældelsesloven, LBK nr. 1238 af
09/11/2015): 3 years from the due date (§ 3), 10 years from a signed acknowledgement
(§ 5, stk. 1, nr. 3), restarted by a paid installment (§ 15) or an udlæg (§ 18,
§ 19); a period ending on a weekend, holiday, Grundlovsdag, 24/12 or 31/12 runs to
the next weekday (§ 27, stk. 2)."""

from __future__ import annotations

from datetime import date

from opkraevning.assistant.policy.bank_days import BankCalendar
from opkraevning.assistant.policy.model import Policy
from opkraevning.assistant.rules.base import Case, Rule, Verdict
from opkraevning.domain.facts import ClaimFact


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def expiry_date(claim: ClaimFact, policy: Policy, calendar: BankCalendar) -> tuple[date, str]:
    """When the claim is forældet, and from what (due date, acknowledgement, udlæg)."""
    start, years, basis = claim.due_on, policy.foraeldelse.years, "forfaldsdato"
    agreement = claim.agreement
    if agreement is not None and agreement.signed_on is not None:
        start, years = agreement.signed_on, policy.foraeldelse.acknowledged_years
        basis = "skriftlig erkendelse"
        if agreement.last_paid_on and agreement.last_paid_on > start:
            start, basis = agreement.last_paid_on, "betalt afdrag"
    if claim.udlaeg_on and claim.udlaeg_on > start:
        start, years, basis = claim.udlaeg_on, policy.foraeldelse.years, "udlæg"
    # § 27, stk. 2: the bank-day calendar's closing days are exactly those weekdays
    return calendar.on_or_after(_add_years(start, years)), basis


def check(case: Case) -> Verdict:
    expires, basis = expiry_date(case.claim, case.policy, case.calendar)
    case.expires, case.basis = expires, basis
    return expires <= case.day, {"expires_on": expires.isoformat(), "basis": basis}, None


RULE = Rule(
    "foraeldelse",
    "Et krav forældes 3 år efter forfald, 10 år efter skriftlig erkendelse; "
    "afdrag og udlæg afbryder forældelsen.",
    check,
)
