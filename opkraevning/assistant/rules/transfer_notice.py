"""``transfer_notice``: the written notice before transfer (gældsinddrivelsesloven § 2,
stk. 4) goes on the last letter before transfer — the reminder that completes the
procedure, or a broken agreement's breach reminder — never on a letter another
reminder will follow (Gældsstyrelsen: "på sidste rykkerskrivelse, inden I overdrager
fordringen"). Not for claims that cannot be transferred (fortrinsberettiget), and
only when policy puts the notice in reminders (``reminders.transfer_notice_in_reminder``)."""

from __future__ import annotations

from opkraevning.assistant.rules.base import MISS, Case, Rule, Verdict


def check(case: Case) -> Verdict:
    if not case.policy.reminders.transfer_notice_in_reminder or case.kind.fortrinsberettiget:
        case.notice = False
        return MISS
    last = case.breach or case.reminders + 1 >= case.fees.max_fee_letters
    case.notice = last
    return last, (case.reminders + 1, case.breach), None


RULE = Rule(
    "transfer_notice",
    "Sidste rykker før overdragelse varsler skriftligt, at kravet sendes til Gældsstyrelsen "
    "(gældsinddrivelsesloven § 2, stk. 4).",
    check,
    keys=("reminder", "breach"),
)
