"""Reading a parsed message: who wrote, about which claims, what they want, what they offer.

Takes the parse stage's output and the register's look-ups; returns a
:class:`Reading` with its evidence. Everything here is deterministic and pure
apart from the indexed register look-ups.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from email import message_from_bytes
from email.policy import compat32
from typing import Any

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
from opkraevning.domain.register import Register


@dataclass
class Reading:
    debtor_id: str | None
    claim_ids: list[str]
    intent: str
    intents: list[str]
    verified_sender: bool
    offer_monthly_kr: int | None
    auto_reply: bool
    bounce: bool
    confidence: float
    evidence: list[dict[str, Any]] = field(default_factory=list)
    text: str = ""
    candidates: list[str] = field(default_factory=list)
    match_reason: str = ""
    claim_reason: str = ""
    intent_cues: dict[str, list[str]] = field(default_factory=dict)
    offer_phrase: str | None = None
    dates: list[dict[str, str]] = field(default_factory=list)  # dates the writer names
    income_monthly_kr: int | None = None  # a stated net income, for the tabeltræk benchmark
    children: bool = False  # the writer mentions children (forsørgerpligt)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _returned_text(raw: bytes) -> str:
    try:
        return text_of(message_from_bytes(raw, policy=compat32))
    except Exception:
        return ""


def read_message(register: Register, parsed: dict[str, Any], raw: bytes, today: date) -> Reading:
    machine = parsed.get("machine") or {}
    machine_kind = machine.get("kind", "human")
    body = parsed.get("body") or ""
    new_text = parsed.get("new_text") or ""
    quoted = parsed.get("quoted") or ""
    thread = parsed.get("thread") or {}
    if parsed.get("kind") == "memo":
        memo = parsed.get("memo") or {}
        subject = memo.get("label") or ""
        sender_address, sender_name = None, memo.get("sender_label")
        memo_sender_id = memo.get("sender_id")
    else:
        mail = parsed.get("mail") or {}
        subject = mail.get("subject") or ""
        sender_address, sender_name = mail.get("from_address"), mail.get("from_name")
        memo_sender_id = None
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
            thread_debtor_id=thread.get("debtor_id") if thread.get("trusted") else None,
            bounced_recipients=list(machine.get("failed_recipients") or []) if bounce else [],
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
        offer_monthly_kr=offer,
        auto_reply=machine_kind == "auto_reply",
        bounce=bounce,
        confidence=match.confidence,
        evidence=[item.to_json() for item in match.evidence],
        text=body,
        candidates=match.candidates,
        match_reason=match.reason,
        claim_reason=claim_reason,
        intent_cues=intent.cues,
        offer_phrase=phrase,
        dates=[
            {"date": day.isoformat(), "phrase": said}
            for day, said in (find_dates(body, today) if human else [])
        ],
        income_monthly_kr=income,
        children=human and mentions_children(body),
    )
