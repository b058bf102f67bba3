"""The letter trace: typed, versioned, validated when read back; version 1 rows read."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from opkraevning.domain.outbound import (
    TRACE_SCHEMA_VERSION,
    AgreementAction,
    CaseworkerAction,
    DeferralProposal,
    HoldAction,
    InstallmentProposal,
    LetterTrace,
)

# a reply's trace exactly as the draft stage stored it before this model (version 1)
OLD_REPLY: dict[str, Any] = {
    "situation": "installment_accept",
    "actions": [
        {
            "action": "agreement",
            "monthly_ore": 50_000,
            "claim_ids": ["C1"],
            "first_due_on": "2026-12-11",
            "needs_caseworker": False,
        },
        {"action": "hold", "reason": "dispute", "claim_ids": ["C2"], "until": None},
        {"action": "caseworker", "reason": "dispute"},
    ],
    "proposal": {
        "decision": "accept",
        "reasons": ["offer_ok"],
        "claims": [
            {
                "id": "C1",
                "claim_type": "husleje",
                "reference": "2026-1",
                "remaining_ore": 100_000,
                "status": "open",
                "payment_id": None,
                "due_on": "2026-10-01",
            },
        ],
        "excluded": [],
        "offer_ore": 50_000,
        "required_ore": 10_000,
        "monthly_ore": 50_000,
        "benchmark_ore": None,
        "schedule": [
            {"number": 1, "due_on": "2026-12-11", "amount_ore": 50_000, "interest_ore": 0},
            {"number": 2, "due_on": "2027-01-11", "amount_ore": 50_000, "interest_ore": 0},
        ],
        "total_ore": 100_000,
        "interest_ore": 0,
        "needs_caseworker": False,
        "legal_refs": ["gil-2-3-afdrag"],
    },
    "reasons": ["Politikken tillader sikker mail til en bekræftet adresse."],
}


def test_a_version_1_reply_trace_reads_back_typed() -> None:
    trace = LetterTrace.model_validate(OLD_REPLY)
    assert trace.schema_version == TRACE_SCHEMA_VERSION
    agreement, hold, person = trace.actions
    assert isinstance(agreement, AgreementAction) and agreement.first_due_on == date(2026, 12, 11)
    assert isinstance(hold, HoldAction) and hold.until is None and hold.claim_ids == ["C2"]
    assert isinstance(person, CaseworkerAction) and person.task is None
    proposal = trace.proposal
    assert isinstance(proposal, InstallmentProposal)
    assert [item.due_on for item in proposal.schedule] == [date(2026, 12, 11), date(2027, 1, 11)]
    assert proposal.claims[0].remaining_ore == 100_000


def test_a_deferral_is_told_apart_from_an_installment_proposal() -> None:
    trace = LetterTrace.model_validate(
        {
            "situation": "deferral_accept",
            "actions": [
                {"action": "hold", "reason": "deferral", "claim_ids": ["C1"], "until": "2027-01-04"}
            ],
            "proposal": {
                "decision": "accept",
                "requested": "2027-01-01",
                "until": "2027-01-04",
                "reasons": ["within_policy"],
                "claim_ids": ["C1"],
                "excluded": [],
                "legal_refs": ["gil-2-3-afdrag"],
            },
        }
    )
    assert isinstance(trace.proposal, DeferralProposal)
    assert trace.proposal.until == date(2027, 1, 4)
    assert trace.actions[0].until == date(2027, 1, 4)  # type: ignore[union-attr]


def test_written_and_read_back_it_is_the_same_and_keeps_a_newer_proposal_key() -> None:
    old = {**OLD_REPLY, "proposal": {**OLD_REPLY["proposal"], "held_because": "offer_uncertain"}}
    trace = LetterTrace.model_validate(old)
    again = LetterTrace.model_validate(trace.to_json())
    assert again == trace
    assert again.to_json()["proposal"]["held_because"] == "offer_uncertain"
    assert trace.to_json()["actions"][2] == {"action": "caseworker", "reason": "dispute"}


def test_other_letters_traces() -> None:
    assert LetterTrace.model_validate({"notice_for": 7}).notice_for == 7
    rules = {"C1": {"checked": ["active", "fee"], "fired": ["fee"], "values": {"fee": {"x": 1}}}}
    run = LetterTrace.model_validate({"reminder_letter_id": 3, "rules": rules})
    assert run.rules is not None and run.rules["C1"].fired == ["fee"]
    assert LetterTrace.model_validate({"reminder_letter_id": 3, "rules": None}).rules is None
    assert LetterTrace.model_validate({"claim_ids": ["C1"]}).claim_ids == ["C1"]


@pytest.mark.parametrize(
    "bad",
    [
        {"schema_version": 99},
        {"actions": [{"action": "pay_everything"}]},
        {"actions": [{"action": "hold", "claim_ids": ["C1"]}]},  # a hold needs its reason
        {"proposal": {"decision": "accept", "schedule": [{"number": 1, "due_on": "snart"}]}},
    ],
)
def test_a_trace_that_does_not_fit_is_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        LetterTrace.model_validate(bad)
