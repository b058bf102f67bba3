"""``fee_budget``: the regime's number of fee letters (gebyrloven: policy, default one;
renteloven § 9 b: at most three). When it is used up the reminder procedure is done
and the chain goes on in the ``procedure_done`` chain (transfer or own collection)."""

from __future__ import annotations

from opkraevning.assistant.rules.base import Case, Rule, Verdict


def check(case: Case) -> Verdict | None:
    if case.previous is None:
        return None
    limit = case.fees.max_fee_letters
    if case.done or case.fee_letters >= limit:
        case.done = True
        return True, {"fee_letters": case.fee_letters}, None
    return False, {"fee_letters": case.fee_letters}, None


RULE = Rule(
    "fee_budget",
    "Når ordningens antal rykkere med gebyr er brugt, er rykkerproceduren gennemført.",
    check,
)
