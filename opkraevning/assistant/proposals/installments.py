"""Installment proposals and deferral decisions: pure functions over claims and policy.

RULES.md §4: before transfer the municipality may agree installments or henstand
(gældsinddrivelsesloven § 2, stk. 3); the bounds are the municipality's policy
(minimum monthly amount, maximum months, excluded claim types, first due date,
interest covered). After transfer only Gældsstyrelsen can agree (§ 3).

Decisions:
- ``accept``: the citizen's offer pays everything within the policy's months.
- ``counter``: no offer, or an offer below what the policy needs; we propose the
  smallest monthly amount (rounded up to ``installments.rounding_kr``) that pays
  everything within ``max_months``. When a stated income gives a tabeltræk
  benchmark below that amount, the proposal is flagged for a caseworker (who may
  deviate from policy) instead of being refused: refusing sends the claim to
  Gældsstyrelsen, which is rarely what gets it paid fastest (strategy).
- ``refuse``: nothing can go in an agreement (transferred, excluded, already in an
  agreement), or the amount is no larger than one minimum installment.

Interest accrues monthly on interest-bearing claims (an agreement does not stop
interest); each payment covers interest first, then the interest-bearing claims,
then the rest, so the citizen pays as little interest as possible.
"""

from __future__ import annotations

import calendar as month_calendar
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import Any, Literal

from opkraevning.assistant.policy.bank_days import BankCalendar
from opkraevning.assistant.policy.model import Policy

Decision = Literal["accept", "counter", "refuse"]
OPEN = "open"


@dataclass(frozen=True)
class OpenClaim:
    id: str
    claim_type: str
    reference: str
    remaining_ore: int
    status: str
    payment_id: str | None = None
    due_on: date | None = None


@dataclass(frozen=True)
class Excluded:
    claim: OpenClaim
    reason: str  # transferred, in_agreement, type_excluded


@dataclass(frozen=True)
class ScheduledInstallment:
    number: int
    due_on: date
    amount_ore: int
    interest_ore: int


@dataclass
class Proposal:
    decision: Decision
    reasons: list[str]  # codes; the letter turns them into Danish sentences
    claims: list[OpenClaim]
    excluded: list[Excluded]
    offer_ore: int | None
    required_ore: int  # the smallest monthly amount the policy accepts
    monthly_ore: int | None  # what the proposal asks for
    benchmark_ore: int | None  # tabeltræk from a stated income
    schedule: list[ScheduledInstallment] = field(default_factory=list)
    total_ore: int = 0
    interest_ore: int = 0
    needs_caseworker: bool = False
    legal_refs: list[str] = field(default_factory=list)
    # the citizen's wished first payment date: "as_wished", "outside_policy" or None
    first_payment_wish: str | None = None

    @property
    def first_due_on(self) -> date | None:
        return self.schedule[0].due_on if self.schedule else None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for item in data["schedule"]:
            item["due_on"] = item["due_on"].isoformat()
        for claim in [*data["claims"], *(x["claim"] for x in data["excluded"])]:
            claim["due_on"] = claim["due_on"].isoformat() if claim["due_on"] else None
        return data


def _annual_pct(claim: OpenClaim, policy: Policy, day: date) -> Decimal:
    kind = policy.claim_types[claim.claim_type].interest
    if kind == "renteloven":
        return policy.interest_rate_on(day)
    if kind == "sector":
        return policy.interest.sector_annual_pct
    return Decimal(0)


def split_eligible(
    claims: list[OpenClaim], policy: Policy
) -> tuple[list[OpenClaim], list[Excluded]]:
    """Claims an agreement may cover, and the others with the reason."""
    eligible, excluded = [], []
    for claim in claims:
        if claim.remaining_ore <= 0 or claim.status in ("paid", "written_off"):
            continue
        if claim.status == "transferred":
            excluded.append(Excluded(claim, "transferred"))
        elif claim.status == "in_agreement":
            excluded.append(Excluded(claim, "in_agreement"))
        elif not policy.claim_types[claim.claim_type].installments_allowed:
            excluded.append(Excluded(claim, "type_excluded"))
        else:
            eligible.append(claim)
    return eligible, excluded


def _monthly_dates(first: date, count: int, calendar: BankCalendar) -> list[date]:
    """The first date, then the same day of each following month, each on a bank day."""
    days = []
    for index in range(count):
        month0 = first.month - 1 + index
        year, month = first.year + month0 // 12, month0 % 12 + 1
        last = month_calendar.monthrange(year, month)[1]
        days.append(calendar.on_or_after(date(year, month, min(first.day, last))))
    return days


def simulate(
    claims: list[OpenClaim],
    monthly_ore: int,
    policy: Policy,
    first: date,
    calendar: BankCalendar,
    max_count: int,
) -> list[ScheduledInstallment] | None:
    """The schedule paying everything with ``monthly_ore``; None if it needs > max_count."""
    rates = {claim.id: _annual_pct(claim, policy, first) for claim in claims}
    balances = {claim.id: claim.remaining_ore for claim in claims}
    order = sorted(claims, key=lambda claim: -rates[claim.id])  # interest-bearing first
    amounts: list[tuple[int, int]] = []
    while sum(balances.values()) > 0:
        if len(amounts) >= max_count:
            return None
        interest = sum(
            int((Decimal(balances[c.id]) * rates[c.id] / 1200).to_integral_value(ROUND_HALF_UP))
            for c in claims
        )
        if monthly_ore <= interest:
            return None  # the installment would not even cover the interest
        left = monthly_ore - interest
        paid = interest
        for claim in order:
            take = min(left, balances[claim.id])
            balances[claim.id] -= take
            left -= take
            paid += take
        amounts.append((paid, interest))
    if len(amounts) > 1 and amounts[-1][0] * 10 < monthly_ore:
        # a crumb of a last installment (0,01 kr.) goes with the one before it
        (paid, interest), (last_paid, last_interest) = amounts[-2], amounts.pop()
        amounts[-1] = (paid + last_paid, interest + last_interest)
    days = _monthly_dates(first, len(amounts), calendar)
    return [
        ScheduledInstallment(number, day, amount, interest)
        for number, (day, (amount, interest)) in enumerate(zip(days, amounts, strict=True), 1)
    ]


def _round_up(ore: int, step_ore: int) -> int:
    return -(-ore // step_ore) * step_ore


def tabeltraek_monthly_ore(policy: Policy, day: date, monthly_net_ore: int, children: bool) -> int:
    """Gældsstyrelsen's benchmark: yearly net income × tabeltræk % / 12, rounded down to
    whole or half hundred kroner (gældsinddrivelsesbekendtgørelsen § 11, stk. 1)."""
    yearly = Decimal(monthly_net_ore) / 100 * 12
    pct = policy.tabeltraek_for(day.year).pct_for(yearly, children)
    monthly_kr = yearly * pct / 100 / 12
    return int(monthly_kr // 50 * 50) * 100


def first_due_date(day: date, policy: Policy, calendar: BankCalendar) -> date:
    return calendar.on_or_after(day + timedelta(days=policy.installments.first_due_days))


def propose_installments(
    claims: list[OpenClaim],
    policy: Policy,
    day: date,
    calendar: BankCalendar,
    *,
    offer_monthly_ore: int | None = None,
    income_monthly_ore: int | None = None,
    children: bool = False,
    first_payment_on: date | None = None,
) -> Proposal:
    """Accept the offer, counter-propose, or refuse — within the policy in force on ``day``.

    A wished first payment date is honoured when it is no earlier than the policy's first
    due date and no later than the longest henstand the policy allows
    (``deferral.max_days``); otherwise the policy's first due date stands.
    """
    bounds = policy.installments
    eligible, excluded = split_eligible(claims, policy)
    offer_ore = offer_monthly_ore
    min_ore = int((bounds.min_monthly_kr * 100).to_integral_value(ROUND_CEILING))
    step_ore = int((bounds.rounding_kr * 100).to_integral_value(ROUND_CEILING))
    total = sum(claim.remaining_ore for claim in eligible)
    benchmark = (
        tabeltraek_monthly_ore(policy, day, income_monthly_ore, children)
        if income_monthly_ore is not None and bounds.use_tabeltraek
        else None
    )
    refs = ["gil-2-3-afdrag"]
    base = Proposal(
        decision="refuse",
        reasons=[],
        claims=eligible,
        excluded=excluded,
        offer_ore=offer_ore,
        required_ore=min_ore,
        monthly_ore=None,
        benchmark_ore=benchmark,
        total_ore=total,
        legal_refs=refs,
    )
    if any(item.reason == "transferred" for item in excluded):
        refs.append("gil-3")
    if not eligible:
        base.reasons = ["nothing_eligible"]
        base.legal_refs += ["gil-2-3-klage", "forvaltningsloven-22"]
        return base
    if total <= min_ore:
        base.reasons = ["below_min_monthly"]
        base.legal_refs += ["gil-2-3-klage", "forvaltningsloven-22"]
        return base
    first = first_due_date(day, policy, calendar)
    if first_payment_on is not None:
        latest = day + timedelta(days=policy.deferral.max_days)
        if first <= first_payment_on <= latest:
            first = calendar.on_or_after(first_payment_on)
            base.first_payment_wish = "as_wished"
        else:
            base.first_payment_wish = "outside_policy"
    required = max(min_ore, _round_up(-(-total // bounds.max_months), step_ore))
    schedule = simulate(eligible, required, policy, first, calendar, bounds.max_months)
    while schedule is None:  # interest makes the plain division too small
        required += step_ore
        schedule = simulate(eligible, required, policy, first, calendar, bounds.max_months)
    base.required_ore = required
    if offer_ore is not None and offer_ore >= required:
        monthly = min(offer_ore, total)
        accepted = simulate(eligible, monthly, policy, first, calendar, bounds.max_months)
        assert accepted is not None  # a larger amount than required always fits
        base.decision, base.monthly_ore, base.schedule = "accept", monthly, accepted
        base.reasons = ["offer_within_policy"]
    else:
        base.decision, base.monthly_ore, base.schedule = "counter", required, schedule
        if offer_ore is None:
            base.reasons = ["no_offer"]
        elif offer_ore < min_ore:
            base.reasons = ["offer_below_min_monthly"]
        else:
            base.reasons = ["offer_too_long"]
        base.legal_refs += ["gil-2-3-klage", "forvaltningsloven-22"]
        if benchmark is not None:
            base.legal_refs.append("bek-1110-11")
            if benchmark < required:
                base.reasons.append("benchmark_below_required")
                base.needs_caseworker = True
            elif offer_ore is not None:
                base.reasons.append("benchmark_allows")
    base.interest_ore = sum(item.interest_ore for item in base.schedule)
    if any(_annual_pct(claim, policy, day) > 0 for claim in eligible):
        base.legal_refs.append("renteloven-5")
    return base


@dataclass
class DeferralDecision:
    decision: Decision
    requested: date | None
    until: date | None
    reasons: list[str]
    claims: list[OpenClaim]
    excluded: list[Excluded]
    legal_refs: list[str]

    def to_json(self) -> dict[str, Any]:
        return {
            "decision": self.decision,
            "requested": self.requested.isoformat() if self.requested else None,
            "until": self.until.isoformat() if self.until else None,
            "reasons": self.reasons,
            "claim_ids": [claim.id for claim in self.claims],
            "excluded": [{"claim_id": x.claim.id, "reason": x.reason} for x in self.excluded],
            "legal_refs": self.legal_refs,
        }


def decide_deferral(
    claims: list[OpenClaim],
    policy: Policy,
    day: date,
    calendar: BankCalendar,
    requested: date | None,
) -> DeferralDecision:
    """Henstand until the asked date when within ``deferral.max_days``; else until the
    policy's limit (a counter-proposal); nothing when no claim can get henstand."""
    eligible, excluded = split_eligible(claims, policy)
    latest = calendar.on_or_after(day + timedelta(days=policy.deferral.max_days))
    refs = ["gil-2-3-afdrag"]
    if not eligible:
        refs += ["gil-2-3-klage", "forvaltningsloven-22"]
        return DeferralDecision("refuse", requested, None, ["nothing_eligible"], [], excluded, refs)
    if requested is not None and day < requested <= latest:
        until = calendar.on_or_after(requested)
        reasons = ["within_policy"]
        return DeferralDecision("accept", requested, until, reasons, eligible, excluded, refs)
    reason = "no_date" if requested is None or requested <= day else "beyond_max_days"
    if reason == "no_date":
        return DeferralDecision("accept", requested, latest, [reason], eligible, excluded, refs)
    refs += ["gil-2-3-klage", "forvaltningsloven-22"]
    return DeferralDecision("counter", requested, latest, [reason], eligible, excluded, refs)
