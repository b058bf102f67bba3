"""``interest``: interest on an interest-bearing claim, posted by each run.

- Renteloven (LBK nr. 459 af 13/05/2014) § 5: simple daily interest at the rate in
  force (Nationalbanken's udlånsrente on 1 January / 1 July + 8 points, policy
  ``interest.renteloven_rates``), from the due date when it was fixed in advance
  (§ 3, stk. 1), otherwise from ``interest.demand_days_when_no_due_date`` (30) days
  after the written demand (§ 3, stk. 2; claim type ``due_date_fixed = false``).
  Days before the first rate in the policy earn nothing (no interest is claimed on a
  rate nobody has confirmed). Interest also runs during an agreement.
- Sector law (ejendomsskat, boliglån): ``interest.sector_annual_pct``.
- Gebyrloven (LBK nr. 56 af 23/01/2018) § 3: the optional morarente on claims with
  udpantningsret, ``interest.gebyrloven_morarente_pct_per_month`` per begun month
  from the due date, only when ``interest.gebyrloven_morarente_enabled``.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from opkraevning.assistant.policy.model import ClaimTypePolicy, InterestRate, Policy
from opkraevning.assistant.rules.base import Case, Rule, Verdict
from opkraevning.domain.facts import ClaimFact

ACTIVE = ("open", "in_agreement")
Posting = tuple[date, date, Decimal, int]
Span = tuple[date, date | None, Decimal]


def _months_begun(start: date, day: date) -> int:
    """Months begun from ``start`` to ``day`` (the first begins the day after start)."""
    if day <= start:
        return 0
    months = (day.year - start.year) * 12 + day.month - start.month
    return months + 1 if day.day > start.day else months


def _morarente(claim: ClaimFact, day: date, policy: Policy) -> Posting | None:
    start = claim.interest_posted_until or claim.due_on
    if day <= start:
        return None
    pct = policy.interest.gebyrloven_morarente_pct_per_month
    months = _months_begun(claim.due_on, day) - _months_begun(claim.due_on, start)
    amount = Decimal(claim.remaining_ore) * pct / 100 * months
    amount_ore = int(amount.to_integral_value(ROUND_HALF_UP))
    return (start, day, pct * 12, amount_ore) if amount_ore > 0 else None


def _interest_start(claim: ClaimFact, kind: ClaimTypePolicy, policy: Policy) -> date:
    if claim.interest_posted_until is not None:
        return claim.interest_posted_until
    if not kind.due_date_fixed and claim.issued_on is not None:
        return claim.issued_on + timedelta(days=policy.interest.demand_days_when_no_due_date)
    return claim.due_on


_SPANS: dict[int, tuple[list[InterestRate], tuple[Span, ...]]] = {}


def _spans(rates: list[InterestRate]) -> tuple[Span, ...]:
    """(from, to or None, annual %) per rate, made once per policy's rate list."""
    known = _SPANS.get(id(rates))
    if known is None or known[0] is not rates:
        spans = tuple(
            (
                row.valid_from,
                rates[i + 1].valid_from if i + 1 < len(rates) else None,
                row.annual_pct,
            )
            for i, row in enumerate(rates)
        )
        known = _SPANS[id(rates)] = (rates, spans)
    return known[1]


def interest_due(claim: ClaimFact, day: date, policy: Policy) -> Posting | None:
    """(from, to, annual rate, øre) of the interest to post on ``day``, or None."""
    kind = policy.claim_types[claim.claim_type]
    if claim.remaining_ore == 0 or claim.status not in ACTIVE:
        return None
    if kind.interest == "none":
        if (
            policy.interest.gebyrloven_morarente_enabled
            and kind.regime == "gebyrloven"
            and kind.udpantningsret
        ):
            return _morarente(claim, day, policy)
        return None
    start = _interest_start(claim, kind, policy)
    if day <= start:
        return None
    if kind.interest == "renteloven":
        rates = policy.interest.renteloven_rates
        start = max(start, rates[0].valid_from)
        spans = _spans(rates)
    else:
        spans = ((start, None, policy.interest.sector_annual_pct),)
    amount = Decimal(0)
    rate = Decimal(0)
    remaining = Decimal(claim.remaining_ore)
    for valid_from, valid_to, annual_pct in spans:
        if valid_from >= day:
            break  # this rate and the later ones start after the run date
        begin = max(start, valid_from)
        end = day if valid_to is None or valid_to > day else valid_to
        if end > begin:
            amount += remaining * annual_pct / 100 * (end - begin).days / 365
            rate = annual_pct
    amount_ore = int(amount.to_integral_value(ROUND_HALF_UP))
    return (start, day, rate, amount_ore) if amount_ore > 0 else None


def check(case: Case) -> Verdict | None:
    kind = case.kind
    if kind.interest == "none" and not case.policy.interest.gebyrloven_morarente_enabled:
        return None  # the claim type bears no interest: not checked
    posting = interest_due(case.claim, case.day, case.policy)
    case.interest = posting
    if posting is None:
        return False, None, None
    start, end, rate, amount = posting
    return True, (start.isoformat(), end.isoformat(), str(rate), amount), None


RULE = Rule(
    "interest",
    "Renter efter renteloven § 3 og § 5 (eller sektorloven) på rentebærende krav, "
    "også i en afdragsordning.",
    check,
    keys=("from", "to", "rate_pct", "amount_ore"),
)
