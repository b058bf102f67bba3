"""``interval``: a new letter only when the previous letter's deadline has passed and, for
another reminder, at least ``fees.*.min_days_between_letters`` days after it
(renteloven § 9 b: 10 days). After the procedure, only the deadline counts."""

from __future__ import annotations

from opkraevning.assistant.rules.base import Case, Rule, Verdict

TOO_SOON = ("wait", "too soon after the previous letter")
DEADLINE = ("wait", "the last reminder's deadline has not passed")


def check(case: Case) -> Verdict | None:
    previous = case.previous
    if previous is None:
        return None
    after_deadline = case.day > case.calendar.on_or_after(previous.deadline)
    since = (case.day - previous.released_on).days
    if case.done:
        return after_deadline, (since,), None if after_deadline else DEADLINE
    fired = since >= case.fees.min_days_between_letters and after_deadline
    return fired, (since,), None if fired else TOO_SOON


RULE = Rule(
    "interval",
    "En ny rykker sendes tidligst, når den forriges frist er udløbet, og mindst 10 dage efter den.",
    check,
    keys=("days_since_letter",),
)
