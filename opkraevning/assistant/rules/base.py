"""What a rule is, and the per-claim case the rules read and write.

A rule (in the spirit of GNU Mailman's ``IRule``) is a module-level :class:`Rule`:
``name`` (unique, the id in traces and tests), ``description`` (one Danish-law-aware
sentence for people), and ``check(case)`` returning a :data:`Verdict` or ``None``
when the rule does not apply to this claim (then it is not recorded as checked).

A verdict is a plain tuple ``(fired, values, decision)``:

- ``fired``: whether the rule's condition holds;
- ``values``: the values it used (a small dict of JSON values — dates as ISO text —
  or ``None``), recorded in the trace as they are;
- ``decision``: ``None`` to go on with the chain, or ``(action, reason)`` to end it
  (actions: remind, hold, wait, nothing, transfer, own_collection; the expiry chain's
  write_off / near_expiry).

Plain tuples and one slotted :class:`Case` per claim keep the hot path cheap: the run
checks a million claims, so no rule object is made per claim and the trace is a list
of ``(name, verdict)`` pairs turned into JSON only when a letter or a list needs it.
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
Verdict = tuple[bool, dict[str, Any] | None, Decision | None]

# Shared verdicts for the common answers (no allocation per claim).
MISS: Verdict = (False, None, None)
HIT: Verdict = (True, None, None)


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    description: str
    check: Callable[[Case], Verdict | None]


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
        self.trace: list[tuple[str, Verdict]] = []


def _released_on(letter: LetterFact) -> date:
    return letter.released_on


def trace_json(trace: list[tuple[str, Verdict]]) -> dict[str, Any]:
    """The stored trace: every rule checked (in order), those that fired, and the values
    each used — ``{"checked": [...], "fired": [...], "values": {rule: {...}}}``."""
    return {
        "checked": [name for name, _ in trace],
        "fired": [name for name, verdict in trace if verdict[0]],
        "values": {name: verdict[1] for name, verdict in trace if verdict[1] is not None},
    }
