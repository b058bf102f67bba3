"""``transfer_notice``: the reminder tells the debtor in writing that the claim will be
sent to Gældsstyrelsen (gældsinddrivelsesloven § 2, stk. 4) when the claim can be
transferred at all (not fortrinsberettiget) and policy puts the notice in reminders
(``reminders.transfer_notice_in_reminder``)."""

from __future__ import annotations

from opkraevning.assistant.rules.base import HIT, MISS, Case, Rule, Verdict


def check(case: Case) -> Verdict:
    notice = case.policy.reminders.transfer_notice_in_reminder and not case.kind.fortrinsberettiget
    case.notice = notice
    return HIT if notice else MISS


RULE = Rule(
    "transfer_notice",
    "Rykkeren varsler skriftligt, at kravet sendes til Gældsstyrelsen "
    "(gældsinddrivelsesloven § 2, stk. 4).",
    check,
)
