"""What the reminder rules know about a claim: plain values, read by the store, judged by
the rules (``assistant/rules``). No I/O here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class LetterFact:
    number: int
    released_on: date
    deadline: date
    fee_ore: int
    transfer_notice: bool
    kind: str = "reminder"
    letter_id: int = 0


@dataclass(frozen=True)
class HoldFact:
    reason: str  # dispute, deferral, estate, manual
    until: date | None = None


@dataclass(frozen=True)
class AgreementFact:
    status: str  # active, broken, completed
    signed_on: date | None
    next_unpaid_due: date | None  # the earliest installment not paid in full
    last_paid_on: date | None


@dataclass
class ClaimFact:
    id: str
    debtor_id: str
    claim_type: str
    amount_ore: int
    paid_ore: int
    due_on: date
    status: str
    letters: list[LetterFact] = field(default_factory=list)
    holds: list[HoldFact] = field(default_factory=list)
    agreement: AgreementFact | None = None
    unpaid_fees_ore: int = 0
    fee_claim_ids: list[str] = field(default_factory=list)
    interest_posted_until: date | None = None
    unpaid_interest_ore: int = 0
    has_identity: bool = True  # CPR or CVR known (Gældsstyrelsen requires it)
    was_disputed: bool = False  # a dispute, since settled: later letters carry no fee
    udlaeg_on: date | None = None
    issued_on: date | None = None  # the written demand (renteloven § 3, stk. 2)

    @property
    def remaining_ore(self) -> int:
        return max(0, self.amount_ore - self.paid_ore)
