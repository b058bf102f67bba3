"""Reading a parsed message: who wrote, about which claims, what they want, what they offer.

Takes the parse stage's output and the register's look-ups; returns a
:class:`Reading` with its evidence. Everything here is deterministic and pure
apart from the indexed register look-ups.

The sender's identity (registered address, Digital Post) verifies the sender only;
what the text is about decides the debtor (see ``matching``). Who writes for whom,
hardship, the offer and a wished first payment date are read from the writer's own
words, each with the phrase that decided it.
"""

from __future__ import annotations

from datetime import date
from email import message_from_bytes
from email.policy import compat32

from opkraevning.assistant.parse.autoreply import text_of
from opkraevning.assistant.read.claims import choose_claims
from opkraevning.assistant.read.first_payment import find_first_payment
from opkraevning.assistant.read.identifiers import (
    Identifiers,
    find_dates,
    find_identifiers,
    find_income_monthly_kr,
    mentions_children,
)
from opkraevning.assistant.read.intents import classify_intent
from opkraevning.assistant.read.matching import MatchInput, MatchResult, match_debtor
from opkraevning.assistant.read.offers import find_offer, resolve
from opkraevning.assistant.read.representation import (
    Representation,
    read_hardship,
    read_representation,
)
from opkraevning.assistant.read.signature import split_signature, written_on
from opkraevning.domain.inbound import MatchEvidence, NamedDate, ParsedMessage, Reading
from opkraevning.domain.register import Register

__all__ = ["Reading", "read_message"]


def _returned_text(raw: bytes) -> str:
    try:
        return text_of(message_from_bytes(raw, policy=compat32))
    except Exception:
        return ""


def _match(
    register: Register,
    parsed: ParsedMessage,
    raw: bytes,
    today: date,
    representation: Representation | None,
) -> tuple[MatchResult, Identifiers, Identifiers]:
    bounce = parsed.machine.kind == "bounce"
    main_text, signature = split_signature(parsed.new_text)
    text_ids = Identifiers() if bounce else find_identifiers(main_text)
    signed = Identifiers() if bounce else find_identifiers(signature)
    # a CVR/CPR in the signature identifies the writer; a betalings-ID there is still the bill
    text_ids.payment_ids += [p for p in signed.payment_ids if p not in text_ids.payment_ids]
    text_ids.references += [r for r in signed.references if r not in text_ids.references]
    subject_ids = Identifiers() if bounce else find_identifiers(parsed.subject)
    thread = parsed.thread
    match = match_debtor(
        register,
        MatchInput(
            new_text="" if bounce else parsed.new_text,
            subject=parsed.subject,
            text_ids=text_ids,
            subject_ids=subject_ids,
            sender_address=None if bounce else parsed.sender_address,
            sender_name=parsed.sender_name,
            memo_sender_id=parsed.memo_sender_id,
            thread_debtor_id=thread.debtor_id if thread and thread.trusted else None,
            bounced_recipients=list(parsed.machine.failed_recipients) if bounce else [],
            signature_ids=Identifiers(
                cvrs=[c for c in signed.cvrs if c not in text_ids.cvrs],
                cprs=[c for c in signed.cprs if c not in text_ids.cprs],
            ),
            writes_for_other=bool(representation and representation.on_behalf_of),
            signer=" ".join(filter(None, [parsed.signoff, signature, parsed.sender_name])),
            returned_ids=find_identifiers(_returned_text(raw)) if bounce else Identifiers(),
        ),
        years=range(today.year - 6, today.year + 1),
    )
    return match, text_ids, subject_ids


def read_message(register: Register, parsed: ParsedMessage, raw: bytes, today: date) -> Reading:
    machine_kind = parsed.machine.kind
    body = parsed.body
    bounce = machine_kind == "bounce"
    human = machine_kind == "human"
    representation = read_representation(body, parsed.signoff) if human else None
    match, text_ids, subject_ids = _match(register, parsed, raw, today, representation)
    intent = classify_intent(body, machine_kind, parsed.subject)
    claim_ids: list[str] = []
    claim_reason = "no debtor identified"
    verified = False
    debt_ore = 0
    if match.debtor_id is not None:
        debtor = register.debtor(match.debtor_id)
        memo_id, address = parsed.memo_sender_id, parsed.sender_address
        verified = bool(
            debtor is not None
            and (
                (memo_id and memo_id in (debtor.cpr, debtor.cvr))
                or (address and debtor.email and address.lower() == debtor.email)
            )
        )
        claims = register.claims_of(match.debtor_id)
        # an automatic reply is about the letter it answers: its subject or quote, or the
        # debtor's only open claim; a human message about nothing in particular gets the
        # only open claim too, except a change of contact details
        choice = choose_claims(
            claims,
            new_text="" if bounce or not human else parsed.new_text,
            new_text_ids=text_ids if human else Identifiers(),
            subject_ids=subject_ids,
            quoted=_returned_text(raw) if bounce else parsed.quoted,
            use_quote=True,
            fallback_single=intent.intent != "contact_update",
        )
        claim_ids, claim_reason = choice.claim_ids, choice.via
        debt_ore = sum(c.remaining_ore for c in claims if c.id in claim_ids)
    found_offer = find_offer(body) if human else None
    offer, phrase = resolve(found_offer, body, debt_ore)
    income, _ = find_income_monthly_kr(body) if human else (None, None)
    # sure only of a plain offer: income named beside it is how offers get misread
    certain = bool(found_offer and found_offer.certain and found_offer.monthly_kr is not None)
    first_on, first_phrase = (
        find_first_payment(body, written_on(parsed, today)) if human else (None, None)
    )
    hardship = read_hardship(body) if human else {}
    return Reading(
        debtor_id=match.debtor_id,
        claim_ids=claim_ids,
        intent=intent.intent,
        intents=intent.intents,
        verified_sender=verified,
        offer_monthly_ore=offer * 100 if offer is not None else None,
        offer_certain=offer is None or (certain and income is None),
        auto_reply=machine_kind == "auto_reply",
        bounce=bounce,
        confidence=match.confidence,
        evidence=[MatchEvidence.model_validate(item.to_json()) for item in match.evidence],
        text=body,
        candidates=match.candidates,
        match_reason=match.reason,
        claim_reason=claim_reason,
        intent_cues=intent.cues,
        intent_probability=intent.probability,
        intent_features=intent.features,
        offer_phrase=phrase,
        dates=[
            NamedDate(date=day, phrase=said)
            for day, said in (find_dates(body, today) if human else [])
        ],
        income_monthly_ore=income * 100 if income is not None else None,
        children=human and mentions_children(body),
        on_behalf_of=representation.on_behalf_of if representation else None,
        on_behalf_of_evidence=representation.evidence if representation else [],
        hardship=sorted(hardship),
        hardship_evidence=hardship,
        first_payment_on=first_on,
        first_payment_phrase=first_phrase,
    )
