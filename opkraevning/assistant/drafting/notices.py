"""Letters a collection office sends besides replies and reminders: the receipt with the
expected answer time (kvittering), the notice of write-off (afskrivning), the end or change
of an agreement, and the notice of udlæg or the summons to it (tilsigelse) with the
underretningsgebyr of gebyrloven § 2 a. Pure: plain values in, :class:`RenderedLetter` out.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from opkraevning.assistant.drafting.letter_context import (
    ClaimRow,
    collected_by,
    journal_number,
    office,
    recipient,
)
from opkraevning.assistant.drafting.letters import RenderedLetter, render
from opkraevning.assistant.policy.bank_days import BankCalendar
from opkraevning.assistant.policy.model import Policy
from opkraevning.assistant.proposals.installments import ScheduledInstallment
from opkraevning.assistant.rules.base import ore
from opkraevning.domain.register import DebtorFacts

WriteOffReason = Literal["foraeldet", "small", "assessment"]
AgreementEnd = Literal["paid", "breach", "other"]
UdlaegKind = Literal["tilsigelse", "udlaeg"]


def _frame(policy: Policy, today: date, debtor: DebtorFacts) -> dict[str, object]:
    return {
        "office": office(policy),
        "today": today,
        "journal": journal_number(policy, debtor.id),
        "recipient": recipient(debtor),
    }


def render_receipt(
    policy: Policy,
    received_on: date,
    today: date,
    *,
    sender_name: str | None,
    case_ref: str | None,
    via_post: bool,
    calendar: BankCalendar | None = None,
) -> RenderedLetter:
    """We have your message; expect an answer by ``letters.answer_days`` bank days. It names
    no debt, so it may go to anyone who wrote (the journalnummer is the message's)."""
    calendar = calendar or BankCalendar(policy.calendar.extra_closing_days)
    answer_by = calendar.add_bank_days(received_on, policy.letters.answer_days)
    return render(
        "kvittering",
        {
            "office": office(policy),
            "today": today,
            "journal": journal_number(policy, None, case_ref),
            "recipient": recipient(None, sender_name),
            "via_post": via_post,
            "received_on": received_on,
            "answer_by": answer_by,
        },
    )


def render_write_off(
    debtor: DebtorFacts,
    rows: list[ClaimRow],
    reason: WriteOffReason,
    policy: Policy,
    *,
    today: date,
) -> RenderedLetter:
    return render(
        "afskrivning",
        {
            **_frame(policy, today, debtor),
            "claims": rows,
            "total_ore": sum(row.remaining_ore for row in rows),
            "reason": reason,
        },
    )


def render_agreement_end(
    debtor: DebtorFacts,
    rows: list[ClaimRow],
    reason: AgreementEnd,
    policy: Policy,
    *,
    today: date,
) -> RenderedLetter:
    return render(
        "aftale_aendret",
        {
            **_frame(policy, today, debtor),
            "ended": True,
            "reason": reason,
            "changed_on": today,
            "claims": rows,
            "remaining_ore": sum(row.remaining_ore for row in rows),
            "collected_by": collected_by(rows, policy),
        },
    )


def render_agreement_change(
    debtor: DebtorFacts,
    rows: list[ClaimRow],
    schedule: list[ScheduledInstallment],
    policy: Policy,
    *,
    today: date,
) -> RenderedLetter:
    return render(
        "aftale_aendret",
        {
            **_frame(policy, today, debtor),
            "ended": False,
            "reason": "changed",
            "changed_on": today,
            "claims": rows,
            "schedule": schedule,
            "monthly_ore": schedule[0].amount_ore,
            "total_paid_ore": sum(item.amount_ore for item in schedule),
        },
    )


def render_udlaeg_notice(
    debtor: DebtorFacts,
    rows: list[ClaimRow],
    kind: UdlaegKind,
    meeting_on: date,
    policy: Policy,
    *,
    today: date,
) -> RenderedLetter:
    """The summons to an udlægsforretning (tilsigelse) or the notice that udlæg was made,
    for fortrinsberettigede krav; with the underretningsgebyr the policy sets (gebyrloven
    § 2 a: one fee per notice, at most 450 kr.)."""
    fee_ore = ore(policy.udlaeg.notice_fee_kr)
    return render(
        "underretning_udlaeg",
        {
            **_frame(policy, today, debtor),
            "kind": kind,
            "meeting_on": meeting_on,
            "claims": rows,
            "fee_ore": fee_ore,
            "total_ore": sum(row.remaining_ore for row in rows) + fee_ore,
        },
    )
