"""The reminder run's letters as text: reminder, breach reminder, transfer notice,
agreement confirmation. Pure: plain values in, :class:`RenderedLetter` out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from opkraevning.assistant.drafting.letter_context import (
    ClaimRow,
    collected_by,
    journal_number,
    office,
    recipient,
)
from opkraevning.assistant.drafting.letters import RenderedLetter, render
from opkraevning.assistant.policy.model import Policy
from opkraevning.assistant.proposals.installments import ScheduledInstallment
from opkraevning.assistant.rules.engine import REFS
from opkraevning.domain.register import DebtorFacts


@dataclass(frozen=True)
class MissedInstallment:
    due_on: date
    unpaid_ore: int


class ReminderLetterFacts(Protocol):
    """What a reminder letter needs of the run's decision (the run's ``LetterEntry``)."""

    @property
    def claim_ids(self) -> Sequence[str]: ...
    @property
    def kind(self) -> str: ...
    @property
    def number(self) -> int: ...
    @property
    def fee_ore(self) -> int: ...
    @property
    def deadline(self) -> date: ...
    @property
    def transfer_notice(self) -> bool: ...


def reminder_context(
    letter: ReminderLetterFacts,
    debtor: DebtorFacts,
    claims: dict[str, ClaimRow],
    policy: Policy,
    missed: MissedInstallment | None = None,
    *,
    today: date,
) -> tuple[str, dict[str, Any]]:
    """(template, context) for one letter the run decided, dated ``today``."""
    rows = [claims[claim_id] for claim_id in letter.claim_ids]
    fee_ore = letter.fee_ore
    regime = policy.claim_types[rows[0].claim_type].regime
    remaining = sum(row.remaining_ore for row in rows)
    base = {
        "office": office(policy),
        "today": today,
        "journal": journal_number(policy, debtor.id),
        "recipient": recipient(debtor),
        "claims": rows,
        "fee_ore": fee_ore,
        "fee_ref": REFS[regime],
        "deadline": letter.deadline,
        "transfer_notice": letter.transfer_notice,
    }
    if letter.kind == "breach_reminder":
        due = missed.due_on if missed else letter.deadline
        unpaid = missed.unpaid_ore if missed else remaining
        return "rykker_misligholdt", {
            **base,
            "missed_due": due,
            "missed_ore": unpaid,
            "remaining_ore": remaining,
            "collected_by": collected_by(rows, policy),
        }
    own_collection = all(policy.claim_types[row.claim_type].fortrinsberettiget for row in rows)
    return "rykker", {
        **base,
        "number": letter.number,
        "total_ore": remaining + fee_ore,
        "own_collection": own_collection,
    }


def render_reminder(
    letter: ReminderLetterFacts,
    debtor: DebtorFacts,
    claims: dict[str, ClaimRow],
    policy: Policy,
    missed: MissedInstallment | None = None,
    *,
    today: date,
) -> RenderedLetter:
    template, context = reminder_context(letter, debtor, claims, policy, missed, today=today)
    return render(template, context)


def render_transfer_notice(
    debtor: DebtorFacts, rows: list[ClaimRow], sent_on: date, policy: Policy
) -> RenderedLetter:
    return render(
        "meddelelse_overdragelse",
        {
            "office": office(policy),
            "today": sent_on,
            "journal": journal_number(policy, debtor.id),
            "recipient": recipient(debtor),
            "claims": rows,
            "total_ore": sum(row.remaining_ore for row in rows),
            "sent_on": sent_on,
        },
    )


def render_agreement(
    debtor: DebtorFacts,
    rows: list[ClaimRow],
    schedule: list[ScheduledInstallment],
    policy: Policy,
    *,
    today: date,
) -> RenderedLetter:
    return render(
        "aftale_bekraeftelse",
        {
            "office": office(policy),
            "today": today,
            "journal": journal_number(policy, debtor.id),
            "recipient": recipient(debtor),
            "claims": rows,
            "schedule": schedule,
            "monthly_ore": schedule[0].amount_ore,
            "total_paid_ore": sum(item.amount_ore for item in schedule),
            "interest_ore": sum(item.interest_ore for item in schedule),
            "collected_by": collected_by(rows, policy),
        },
    )
