"""The reminder rules: pure functions from a debtor's claims and history to decisions.

Each decision carries a trace: the rule ids checked and fired, the values they saw,
the policy version and the legal references. Nothing here reads or writes the store;
the run (``opkraevning remind``) feeds plain values in and stores what comes out.

Rule ids (tests are named after them):
- ``last_on_time``: the last on-time payment date is the due date, moved to the next
  bank day when it is not one (policy ``calendar.late_payment_moves_to_next_bank_day``).
- ``min_reminder_amount``: no reminder for arrears under 25 kr.
- ``holds``: dispute, deferral until its date, estate, manual hold, and an active
  agreement in good standing stop reminders (each with its reason).
- ``max_fee_letters`` / ``min_interval``: within the regime's number of fee letters and
  at least the minimum days after the previous letter and after its deadline.
- ``fee``: 250 kr (gebyrloven) / 100 kr (renteloven) per letter, one fee per letter;
  none for a disputed claim; none beyond the regime's fee budget.
- ``transfer``: transferable (not fortrinsberettiget), reminder procedure done, notice
  given, last deadline passed, at least 100 kr with interest and fees.
- ``foraeldelse``: 3 years from the due date, 10 years from a signed acknowledgement,
  restarted by a paid installment; a period ending on a non-weekday runs to the next.
- ``interest``: renteloven § 3/§ 5 on interest-bearing types, simple daily interest at
  the rate in force, also during an agreement.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

from opkraevning.assistant.policy.bank_days import BankCalendar
from opkraevning.assistant.policy.model import Policy
from opkraevning.domain.facts import ClaimFact, HoldFact

# ids in the one reference table (opkraevning/templates_da/references.toml)
REFS = {
    "gebyrloven": "gebyrloven-2",
    "renteloven": "renteloven-9b",
    "notice": "gil-2-4",
    "transfer": "gil-2-3-overdragelse",
    "interest": "renteloven-5",
    "foraeldelse": "foraeldelsesloven-3",
}
ACTIVE = ("open", "in_agreement")


@lru_cache(maxsize=256)
def ore(kr: Decimal) -> int:
    return int((kr * 100).to_integral_value(ROUND_HALF_UP))


@dataclass
class Trace:
    checked: list[str] = field(default_factory=list)
    fired: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)

    def check(self, rule: str, fired: bool, **values: Any) -> bool:
        self.checked.append(rule)
        if fired:
            self.fired.append(rule)
        for key, value in values.items():
            self.values[key] = value.isoformat() if isinstance(value, date) else value
        return fired

    def to_json(self) -> dict[str, Any]:
        return {"checked": self.checked, "fired": self.fired, "values": self.values}


@dataclass
class ClaimStep:
    claim_id: str
    action: str  # remind, hold, transfer, own_collection, wait, nothing
    reason: str
    number: int = 0
    trace: Trace = field(default_factory=Trace)


def last_on_time(due_on: date, policy: Policy, calendar: BankCalendar) -> date:
    if policy.calendar.late_payment_moves_to_next_bank_day:
        return calendar.on_or_after(due_on)
    return due_on


def active_hold(claim: ClaimFact, day: date) -> HoldFact | None:
    for hold in claim.holds:
        if hold.until is None or hold.until >= day:
            return hold
    return None


def step_for_claim(
    claim: ClaimFact, day: date, policy: Policy, calendar: BankCalendar
) -> ClaimStep:
    """What the run does with one claim on ``day``: remind, hold, transfer or wait."""
    trace = Trace()
    kind = policy.claim_types[claim.claim_type]
    fees = policy.fees[kind.regime]
    step = ClaimStep(claim.id, "nothing", "", trace=trace)
    if claim.status not in ACTIVE or claim.remaining_ore == 0:
        step.reason = f"status {claim.status}"
        return step
    deadline = last_on_time(claim.due_on, policy, calendar)
    if not trace.check("last_on_time", day > deadline, last_on_time=deadline):
        step.reason = f"not due: last on-time payment date is {deadline.isoformat()}"
        return step
    hold = active_hold(claim, day)
    agreement_ok = (
        claim.agreement is not None
        and claim.agreement.status == "active"
        and (
            claim.agreement.next_unpaid_due is None
            or day <= calendar.on_or_after(claim.agreement.next_unpaid_due)
        )
    )
    if trace.check("holds", hold is not None or agreement_ok, hold=hold.reason if hold else None):
        step.action = "hold"
        if hold is None:
            step.reason = "hold: installment agreement in good standing"
        else:
            until = f" until {hold.until.isoformat()}" if hold.until else ""
            step.reason = f"hold: {hold.reason}{until}"
        return step
    total_ore = claim.remaining_ore + claim.unpaid_fees_ore + claim.unpaid_interest_ore
    letters = sorted(claim.letters, key=lambda letter: letter.released_on)
    fee_letters = sum(1 for letter in letters if letter.fee_ore > 0)
    previous = letters[-1] if letters else None
    notice_given = any(letter.transfer_notice for letter in letters)
    done = fee_letters >= fees.max_fee_letters and previous is not None
    if claim.agreement is not None:
        # A missed installment breaks the agreement: one breach reminder, then transfer
        # without further notice (RULES.md §4) — never a new series of reminders.
        breach_letters = [letter for letter in letters if letter.kind == "breach_reminder"]
        trace.check("agreement_breach", True, breach_reminders=len(breach_letters))
        if breach_letters:
            previous, done = breach_letters[-1], True
    if done:
        assert previous is not None
        passed = day > calendar.on_or_after(previous.deadline)
        trace.check("max_fee_letters", True, fee_letters=fee_letters)
        if not passed:
            step.action, step.reason = "wait", "the last reminder's deadline has not passed"
            return step
        if not kind.fortrinsberettiget:
            enough = total_ore >= ore(policy.thresholds.transfer_min_kr)
            ready = (
                trace.check("transfer", notice_given and enough and claim.has_identity,
                            total_ore=total_ore, notice_given=notice_given)
            )  # fmt: skip
            if ready:
                step.action, step.reason = "transfer", "reminder procedure done, notice given"
            elif not enough:
                step.reason = "under the transfer threshold"
            elif not notice_given:
                step.reason = "no notice of transfer given yet"
            else:
                step.reason = "CPR/CVR missing: cannot be transferred"
            return step
        step.action, step.reason = "own_collection", "fortrinsberettiget: the municipality collects"
        trace.check("transfer", False, fortrinsberettiget=True)
        return step
    if not trace.check(
        "min_reminder_amount",
        claim.remaining_ore >= ore(policy.thresholds.min_reminder_kr),
        remaining_ore=claim.remaining_ore,
    ):
        step.reason = "under the reminder threshold"
        return step
    if previous is not None:
        since = (day - previous.released_on).days
        after_deadline = day > calendar.on_or_after(previous.deadline)
        if not trace.check(
            "min_interval",
            since >= fees.min_days_between_letters and after_deadline,
            days_since_letter=since,
        ):
            step.action, step.reason = "wait", "too soon after the previous letter"
            return step
    step.action = "remind"
    step.number = len(letters) + 1
    step.reason = f"reminder no. {step.number}"
    return step


@dataclass
class LetterPlan:
    debtor_id: str
    claim_ids: list[str]
    numbers: dict[str, int]
    regime: str
    kind: str
    fee_ore: int
    deadline: date
    transfer_notice: bool
    legal_refs: list[str]
    rules: dict[str, Any]


def plan_letters(
    debtor_id: str,
    steps: list[tuple[ClaimFact, ClaimStep]],
    day: date,
    policy: Policy,
    calendar: BankCalendar,
) -> list[LetterPlan]:
    """One letter per debtor and regime (policy), with one fee per letter."""
    due = [(claim, step) for claim, step in steps if step.action == "remind"]
    groups: dict[str, list[tuple[ClaimFact, ClaimStep]]] = {}
    for claim, step in due:
        regime = policy.claim_types[claim.claim_type].regime
        key = regime if policy.reminders.one_letter_per_debtor else claim.id
        groups.setdefault(key, []).append((claim, step))
    plans = []
    for group in groups.values():
        regime = policy.claim_types[group[0][0].claim_type].regime
        fees = policy.fees[regime]
        fee_allowed = [
            claim
            for claim, _ in group
            if sum(1 for letter in claim.letters if letter.fee_ore > 0) < fees.max_fee_letters
            and not (fees.no_fee_after_dispute and claim.letters and claim.was_disputed)
        ]
        fee = ore(fees.fee_kr) if fee_allowed else 0
        transferable = any(
            not policy.claim_types[claim.claim_type].fortrinsberettiget for claim, _ in group
        )
        notice = policy.reminders.transfer_notice_in_reminder and transferable
        refs = [REFS[regime]] + ([REFS["notice"]] if notice else [])
        deadline = calendar.on_or_after(day + timedelta(days=policy.reminders.deadline_days))
        plans.append(
            LetterPlan(
                debtor_id=debtor_id,
                claim_ids=[claim.id for claim, _ in group],
                numbers={claim.id: step.number for claim, step in group},
                regime=regime,
                kind="reminder",
                fee_ore=fee if policy.reminders.one_fee_per_letter else fee * len(fee_allowed),
                deadline=deadline,
                transfer_notice=notice,
                legal_refs=refs,
                rules={claim.id: step.trace.to_json() for claim, step in group},
            )
        )
    return plans


def _next_weekday(day: date, calendar: BankCalendar) -> date:
    """forældelsesloven § 27, stk. 2: a period ending on a weekend, holiday, Grundlovsdag,
    24/12 or 31/12 runs to the next weekday — the bank-day calendar says exactly that."""
    return calendar.on_or_after(day)


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
    return _next_weekday(_add_years(start, years), calendar), basis


def interest_due(
    claim: ClaimFact, day: date, policy: Policy
) -> tuple[date, date, Decimal, int] | None:
    """Simple daily interest from the last posting (or the due date) to ``day``.

    Split by the half-year rates in force; days before the first rate in the policy
    earn nothing (no interest is claimed on a rate nobody has confirmed).
    """
    kind = policy.claim_types[claim.claim_type].interest
    if kind == "none" or claim.remaining_ore == 0 or claim.status not in ACTIVE:
        return None
    start = claim.interest_posted_until or claim.due_on
    if day <= start:
        return None
    if kind == "renteloven":
        rates = policy.interest.renteloven_rates
        start = max(start, rates[0].valid_from)
        changes = [(row.valid_from, row.annual_pct) for row in rates]
    else:
        changes = [(start, policy.interest.sector_annual_pct)]
    amount = Decimal(0)
    rate = Decimal(0)
    for index, (valid_from, annual_pct) in enumerate(changes):
        valid_to = changes[index + 1][0] if index + 1 < len(changes) else day
        begin, end = max(start, valid_from), min(day, valid_to)
        if end > begin:
            amount += Decimal(claim.remaining_ore) * annual_pct / 100 * (end - begin).days / 365
            rate = annual_pct
    amount_ore = int(amount.to_integral_value(ROUND_HALF_UP))
    return (start, day, rate, amount_ore) if amount_ore > 0 else None
