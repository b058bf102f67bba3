"""What a rule is, and the per-claim case the rules read and write.

A rule (in the spirit of GNU Mailman's ``IRule``) is a module-level :class:`Rule`:
``name`` (unique, the id in traces and tests), ``description`` (one Danish-law-aware
sentence for people), ``check(case)`` returning a :data:`Verdict` or ``None`` when the
rule does not apply to this claim (then it is not recorded as checked), and ``keys``:
the names of the values its verdicts carry, in order.

A verdict is a plain tuple ``(fired, values, decision)``:

- ``fired``: whether the rule's condition holds;
- ``values``: the values it used, a tuple in the order of the rule's ``keys`` (JSON
  values — dates as ISO text), or ``None``;
- ``decision``: ``None`` to go on with the chain, or ``(action, reason)`` to end it
  (actions: remind, hold, wait, nothing, transfer, own_collection; the expiry chain's
  write_off / near_expiry).

Plain tuples and one slotted :class:`Case` per claim keep the hot path cheap: the run
checks a million claims, so no rule object and no dict is made per claim; the trace is
a list of ``(rule, verdict)`` pairs, named only when a letter or a list needs it.

Two forms of a trace: :func:`trace_json` (``{"checked", "fired", "values"}``, in the
``remind --json`` document and the lists) and :func:`compact_trace`, what a reminder
letter stores per claim — one ``[name, fired (1/0), *values]`` entry per rule checked,
in order, the values in the order of the rule's ``keys``. ``engine.read_trace`` turns a
stored trace back into the first form.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

from opkraevning.assistant.policy.bank_days import BankCalendar
from opkraevning.assistant.policy.model import ClaimTypePolicy, Policy, RegimeFees
from opkraevning.domain.facts import ClaimFact, LetterFact

Decision = tuple[str, str]
Verdict = tuple[bool, tuple[Any, ...] | None, Decision | None]
Trace = list[tuple["Rule", Verdict]]

# Shared verdicts for the common answers (no allocation per claim).
MISS: Verdict = (False, None, None)
HIT: Verdict = (True, None, None)


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    description: str
    check: Callable[[Case], Verdict | None]
    keys: tuple[str, ...] = ()  # the names of the values in its verdicts, in order


@lru_cache(maxsize=256)
def ore(kr: Decimal) -> int:
    """Kroner from the policy as whole øre."""
    return int((kr * 100).to_integral_value(ROUND_HALF_UP))


class Case:
    """One claim on one run date: the facts, the policy parts it needs, what the rules
    have worked out so far (``done``, ``expires`` …) and the trace."""

    __slots__ = (
        "basis",
        "breach",
        "calendar",
        "claim",
        "day",
        "done",
        "expires",
        "expiry_action",
        "fee_allowed",
        "fee_letters",
        "fees",
        "interest",
        "kind",
        "letters",
        "notice",
        "notice_given",
        "number",
        "policy",
        "previous",
        "relationship_fee_letters",
        "remaining_ore",
        "reminders",
        "total_ore",
        "trace",
    )  # fmt: skip

    def __init__(self, claim: ClaimFact, day: date, policy: Policy, calendar: BankCalendar) -> None:
        self.claim = claim
        self.remaining_ore = remaining = claim.remaining_ore
        self.day = day
        self.policy = policy
        self.calendar = calendar
        self.kind: ClaimTypePolicy = policy.claim_types[claim.claim_type]
        self.fees: RegimeFees = policy.fees[self.kind.regime]
        letters = claim.letters
        if letters:
            if len(letters) > 1:
                letters = sorted(letters, key=_released_on)
            self.fee_letters = sum(1 for letter in letters if letter.fee_ore > 0)
            self.reminders = sum(1 for letter in letters if letter.kind == "reminder")
            self.previous: LetterFact | None = letters[-1]
            self.notice_given = any(letter.transfer_notice for letter in letters)
        else:
            self.fee_letters, self.previous, self.notice_given = 0, None, False
            self.reminders = 0
        self.letters: list[LetterFact] = letters
        # renteloven § 9 b: fee letters on the debt relationship (set by the letter plan)
        self.relationship_fee_letters = self.fee_letters
        self.done = False  # the reminder procedure is done (fee budget used, or breach)
        self.total_ore = remaining + claim.unpaid_fees_ore + claim.unpaid_interest_ore
        self.number = 0
        self.expires: date | None = None
        self.basis = ""
        self.expiry_action: str | None = None
        self.interest: tuple[date, date, Decimal, int] | None = None
        self.fee_allowed = False
        self.notice = False
        self.breach = False  # the claim is under an agreement that is not kept
        self.trace: Trace = []


def _released_on(letter: LetterFact) -> date:
    return letter.released_on


def trace_json(trace: Trace) -> dict[str, Any]:
    """The trace named: every rule checked (in order), those that fired, and the values
    each used — ``{"checked": [...], "fired": [...], "values": {rule: {...}}}``."""
    return {
        "checked": [rule.name for rule, _ in trace],
        "fired": [rule.name for rule, verdict in trace if verdict[0]],
        "values": {
            rule.name: dict(zip(rule.keys, verdict[1], strict=True))
            for rule, verdict in trace
            if verdict[1] is not None
        },
    }


def compact_trace(trace: Trace) -> list[list[Any]]:
    """The stored form: ``[name, fired, *values]`` per rule checked, in order."""
    return [
        [rule.name, 1 if fired else 0, *values] if values else [rule.name, 1 if fired else 0]
        for rule, (fired, values, _) in trace
    ]
