"""``last_on_time``: no reminder before the last on-time payment date has passed. The
date is the due date, moved to the next bank day when it is not one (policy
``calendar.late_payment_moves_to_next_bank_day``; RULES.md §7)."""

from __future__ import annotations

from datetime import date

from opkraevning.assistant.policy.bank_days import BankCalendar
from opkraevning.assistant.policy.model import Policy
from opkraevning.assistant.rules.base import Case, Rule, Verdict


def last_on_time(due_on: date, policy: Policy, calendar: BankCalendar) -> date:
    if policy.calendar.late_payment_moves_to_next_bank_day:
        return calendar.on_or_after(due_on)
    return due_on


def check(case: Case) -> Verdict:
    deadline = last_on_time(case.claim.due_on, case.policy, case.calendar)
    iso = deadline.isoformat()
    if case.day > deadline:
        return True, (iso,), None
    return False, (iso,), ("nothing", f"not due: last on-time payment date is {iso}")


RULE = Rule(
    "last_on_time",
    "Der rykkes først, når sidste rettidige betalingsdag (flyttet til næste bankdag) er passeret.",
    check,
    keys=("last_on_time",),
)
