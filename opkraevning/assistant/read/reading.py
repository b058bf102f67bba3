"""Reading a parsed message: who wrote, about which claims, what they want, what they offer.

Takes the parse stage's output and the register's look-ups; returns a
:class:`Reading` with its evidence. Everything here is deterministic and pure
apart from the indexed register look-ups.
"""

from __future__ import annotations

from datetime import date
from email import message_from_bytes
from email.policy import compat32

from opkraevning.assistant.parse.autoreply import text_of
from opkraevning.assistant.read.claims import choose_claims
from opkraevning.assistant.read.identifiers import (
    Identifiers,
    find_dates,
    find_identifiers,
    find_income_monthly_kr,
    find_offer_monthly_kr,
    mentions_children,
)
from opkraevning.assistant.read.intents import classify_intent
from opkraevning.assistant.read.matching import MatchInput, match_debtor
from opkraevning.domain.inbound import MatchEvidence, NamedDate, ParsedMessage, Reading
from opkraevning.domain.register import Register

__all__ = ["Reading", "read_message"]


def _returned_text(raw: bytes) -> str:
    try:
        return text_of(message_from_bytes(raw, policy=compat32))
    except Exception:
        return ""


def read_message(register: Register, parsed: ParsedMessage, raw: bytes, today: date) -> Reading:
    machine_kind = parsed.machine.kind
    body, new_text, quoted = parsed.body, parsed.new_text, parsed.quoted
    thread = parsed.thread
    subject = parsed.subject
    sender_address, sender_name = parsed.sender_address, parsed.sender_name
    memo_sender_id = parsed.memo_sender_id
    bounce = machine_kind == "bounce"
    text_ids = Identifiers() if bounce else find_identifiers(new_text)
    subject_ids = Identifiers() if bounce else find_identifiers(subject)
    match = match_debtor(
        register,
        MatchInput(
            new_text="" if bounce else new_text,
            subject=subject,
            text_ids=text_ids,
            subject_ids=subject_ids,
            sender_address=None if bounce else sender_address,
            sender_name=sender_name,
            memo_sender_id=memo_sender_id,
            thread_debtor_id=thread.debtor_id if thread and thread.trusted else None,
            bounced_recipients=list(parsed.machine.failed_recipients) if bounce else [],
        ),
        years=range(today.year - 6, today.year + 1),
    )
    intent = classify_intent(body, machine_kind)
    claim_ids: list[str] = []
    claim_reason = "no debtor identified"
    verified = False
    if match.debtor_id is not None:
        debtor = register.debtor(match.debtor_id)
        verified = bool(
            debtor is not None
            and (
                (memo_sender_id and memo_sender_id in (debtor.cpr, debtor.cvr))
                or (sender_address and debtor.email and sender_address.lower() == debtor.email)
            )
        )
        if machine_kind == "auto_reply":
            claim_reason = "an automatic reply is about nothing in particular"
        else:
            choice = choose_claims(
                register.claims_of(match.debtor_id),
                new_text="" if bounce else new_text,
                new_text_ids=text_ids,
                subject_ids=subject_ids,
                quoted=_returned_text(raw) if bounce else quoted,
                use_quote=True,
            )
            claim_ids, claim_reason = choice.claim_ids, choice.via
    human = machine_kind == "human"
    offer, phrase = find_offer_monthly_kr(body) if human else (None, None)
    income, _ = find_income_monthly_kr(body) if human else (None, None)
    return Reading(
        debtor_id=match.debtor_id,
        claim_ids=claim_ids,
        intent=intent.intent,
        intents=intent.intents,
        verified_sender=verified,
        offer_monthly_ore=offer * 100 if offer is not None else None,
        auto_reply=machine_kind == "auto_reply",
        bounce=bounce,
        confidence=match.confidence,
        evidence=[MatchEvidence.model_validate(item.to_json()) for item in match.evidence],
        text=body,
        candidates=match.candidates,
        match_reason=match.reason,
        claim_reason=claim_reason,
        intent_cues=intent.cues,
        offer_phrase=phrase,
        dates=[
            NamedDate(date=day, phrase=said)
            for day, said in (find_dates(body, today) if human else [])
        ],
        income_monthly_ore=income * 100 if income is not None else None,
        children=human and mentions_children(body),
    )
