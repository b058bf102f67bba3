"""The reminder rules applied: a claim through the chains, a debtor's reminders planned.

Pure: plain values in, decisions with their trace out; the run (``opkraevning
remind``, ``app/reminder/run.py``) feeds facts in and stores what comes out. The rules
themselves are one module each beside this one; their order is ``chain.py``; this
module only walks the chains (compiled once) and groups reminders into letters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from opkraevning.assistant.policy.bank_days import BankCalendar
from opkraevning.assistant.policy.model import Policy
from opkraevning.assistant.rules.base import Case, Rule, Verdict, compact_trace, ore, trace_json
from opkraevning.assistant.rules.chain import CHAINS
from opkraevning.assistant.rules.foraeldelse import expiry_date
from opkraevning.assistant.rules.hold import active_hold
from opkraevning.assistant.rules.interest import interest_due
from opkraevning.assistant.rules.last_on_time import last_on_time
from opkraevning.assistant.rules.registry import RULES
from opkraevning.domain.facts import ClaimFact

__all__ = [
    "REFS", "ClaimStep", "LetterPlan", "active_hold", "compact_trace", "evaluate",
    "expiry_date", "interest_due", "last_on_time", "ore", "plan_letters", "read_trace",
    "released_at_once", "step_for_claim", "trace_json",
]  # fmt: skip

# ids in the one reference table (opkraevning/templates_da/references.toml)
REFS = {
    "gebyrloven": "gebyrloven-2",
    "renteloven": "renteloven-9b",
    "notice": "gil-2-4",
    "transfer": "gil-2-3-overdragelse",
    "interest": "renteloven-5",
    "foraeldelse": "foraeldelsesloven-3",
}

Compiled = tuple[tuple[Rule, Any], ...]


def _compile(name: str, seen: tuple[str, ...] = ()) -> Compiled:
    if name in seen:
        raise ValueError(f"chain {name!r} jumps back into itself")
    links = []
    for link in CHAINS[name]:
        rule_name, jump = (link, None) if isinstance(link, str) else link
        if rule_name not in RULES:
            raise ValueError(f"chain {name!r} names an unknown rule {rule_name!r}")
        links.append((RULES[rule_name], _compile(jump, (*seen, name)) if jump else None))
    return tuple(links)


COMPILED: dict[str, Compiled] = {name: _compile(name) for name in CHAINS}
CLAIM, EXPIRY, INTEREST, LETTER = (COMPILED[n] for n in ("claim", "expiry", "interest", "letter"))


def run_chain(chain: Compiled, case: Case) -> tuple[str, str] | None:
    """Check the chain's rules in order, record each verdict; the first decision wins."""
    trace = case.trace
    for rule, jump in chain:
        verdict: Verdict | None = rule.check(case)
        if verdict is None:
            continue
        trace.append((rule, verdict))
        if verdict[2] is not None:
            return verdict[2]
        if jump is not None and verdict[0]:
            return run_chain(jump, case)
    return None


class ClaimStep(Case):
    """A claim's case once the claim, expiry and interest chains have run: ``action``
    and ``reason`` (the claim chain's decision), ``expiry_action``, ``interest``."""

    __slots__ = ("action", "reason")
    action: str
    reason: str

    @property
    def claim_id(self) -> str:
        return self.claim.id

    def trace_json(self) -> dict[str, Any]:
        return trace_json(self.trace)


def evaluate(claim: ClaimFact, day: date, policy: Policy, calendar: BankCalendar) -> ClaimStep:
    """Every rule for one claim on ``day``: what to do, forældelse, interest."""
    case = ClaimStep(claim, day, policy, calendar)
    decision = run_chain(CLAIM, case)
    assert decision is not None  # the claim chain ends with the reminder rule
    case.action, case.reason = decision
    if case.action == "write_off":
        case.expiry_action = "write_off"
    else:
        expiry = run_chain(EXPIRY, case)
        case.expiry_action = expiry[0] if expiry else None
    run_chain(INTEREST, case)
    return case


def step_for_claim(
    claim: ClaimFact, day: date, policy: Policy, calendar: BankCalendar
) -> ClaimStep:
    """What the run does with one claim on ``day``: remind, hold, transfer or wait."""
    case = ClaimStep(claim, day, policy, calendar)
    decision = run_chain(CLAIM, case)
    assert decision is not None
    case.action, case.reason = decision
    return case


def read_trace(stored: Any) -> dict[str, Any]:
    """A stored per-claim trace (:func:`compact_trace`) named again, as :func:`trace_json`
    gives it; a trace stored in that named form already (older runs) is returned as is."""
    if isinstance(stored, dict):
        return stored
    checked, fired, values = [], [], {}
    for name, hit, *used in stored:
        checked.append(name)
        if hit:
            fired.append(name)
        if used:
            values[name] = dict(zip(RULES[name].keys, used, strict=True))
    return {"checked": checked, "fired": fired, "values": values}


def released_at_once(kind: str, policy: Policy) -> bool:
    """Whether a letter of this kind goes out without a caseworker's approval (policy:
    breach reminders do, ordinary reminders wait for the batch approval)."""
    if kind == "breach_reminder":
        return policy.reminders.auto_release_breach_reminders
    return policy.reminders.auto_release_reminders


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


def _relationship_fee_letters(steps: list[tuple[ClaimFact, ClaimStep]]) -> None:
    """renteloven § 9 b: the fee letters of a debt relationship (the debtor's unpaid
    claims of one claim type: one continuous arrears period) count together."""
    by_type: dict[str, set[int]] = {}
    for claim, step in steps:
        if step.kind.regime == "renteloven":
            ids = by_type.setdefault(claim.claim_type, set())
            ids.update(letter.letter_id or id(letter) for letter in claim.letters if letter.fee_ore)
    for claim, step in steps:
        if claim.claim_type in by_type:
            step.relationship_fee_letters = len(by_type[claim.claim_type])


def plan_letters(
    debtor_id: str,
    steps: list[tuple[ClaimFact, ClaimStep]],
    day: date,
    policy: Policy,
    calendar: BankCalendar,
) -> list[LetterPlan]:
    """One letter per debtor and regime (policy), with one fee per letter."""
    groups: dict[str, list[tuple[ClaimFact, ClaimStep]]] = {}
    per_debtor = policy.reminders.one_letter_per_debtor
    for claim, step in steps:
        if step.action == "remind":
            key = step.kind.regime if per_debtor else claim.id
            groups.setdefault(key, []).append((claim, step))
    _relationship_fee_letters(steps)
    plans = []
    for group in groups.values():
        regime = group[0][1].kind.regime
        for _, step in group:
            run_chain(LETTER, step)
        fee_allowed = sum(1 for _, step in group if step.fee_allowed)
        fee = ore(policy.fees[regime].fee_kr) if fee_allowed else 0
        notice = any(step.notice for _, step in group)
        refs = [REFS[regime]] + ([REFS["notice"]] if notice else [])
        deadline = calendar.on_or_after(day + timedelta(days=policy.reminders.deadline_days))
        plans.append(
            LetterPlan(
                debtor_id=debtor_id,
                claim_ids=[claim.id for claim, _ in group],
                numbers={claim.id: step.number for claim, step in group},
                regime=regime,
                kind="breach_reminder" if any(step.breach for _, step in group) else "reminder",
                fee_ore=fee if policy.reminders.one_fee_per_letter else fee * fee_allowed,
                deadline=deadline,
                transfer_notice=notice,
                legal_refs=refs,
                rules={claim.id: compact_trace(step.trace) for claim, step in group},
            )
        )
    return plans
