"""From a read message to a draft reply a caseworker can approve unchanged.

Pure: takes the reading, the debtor and their claims (plain values from the
register), the policy in force and the day; returns a :class:`Draft` or ``None``
when the message should get no reply (auto-replies, bounces, "other": a person
decides those).

Who may learn what (RULES.md §8):
- not identified → a reply that discloses nothing and asks for the invoice number
  or betalings-ID (never the CPR number);
- identified but not verified → no amounts, no claim details; asks the citizen to
  write by Digital Post or from the registered address;
- verified → the substantive answer. It names debts, so it goes by Digital Post
  unless policy allows secure email to a verified address; the email then only
  says where the answer is. A debtor without CPR/CVR gets it by post (``print``).

Proposed actions (a hold for a dispute, henstand or an estate; an agreement to
create) are returned with the draft; they take effect when a caseworker approves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from pydantic import ConfigDict, Field
from pydantic.dataclasses import dataclass as contract

from opkraevning.assistant.drafting.letter_context import (
    ClaimRow,
    claim_row,
    collected_by,
    journal_number,
    office,
    open_claim,
    postal_channel,
    recipient,
)
from opkraevning.assistant.drafting.letters import RenderedLetter, render
from opkraevning.assistant.policy.bank_days import BankCalendar
from opkraevning.assistant.policy.model import Policy
from opkraevning.assistant.proposals.installments import (
    DeferralDecision,
    Proposal,
    decide_deferral,
    propose_installments,
)
from opkraevning.assistant.read.reading import Reading
from opkraevning.domain.folding import fold
from opkraevning.domain.outbound import (
    AgreementAction,
    CaseworkerAction,
    ContactAction,
    DeferralProposal,
    DraftAction,
    HoldAction,
    InstallmentProposal,
    LetterTrace,
    StoredProposal,
)
from opkraevning.domain.register import ClaimFacts, DebtorFacts
from opkraevning.templates_da.names import HARDSHIP_PHRASES

NO_REPLY_INTENTS = ("auto_reply", "bounce", "other")
ESTATE = re.compile(r"doedsbo|afdoede|er doed|afgaaet ved doeden|skifteretsattest|gik bort")
ACTIVE = ("open", "in_agreement", "transferred")


@contract(config=ConfigDict(arbitrary_types_allowed=True))
class Draft:
    """A reply for a caseworker to approve: the letter, where it goes, and why. Validated
    (pydantic): the actions and the proposal are the typed ones the draft stage stores as
    the letter's :class:`LetterTrace`."""

    situation: str  # e.g. installment_counter, not_verified
    letter: RenderedLetter
    channel: str  # email, digital_post, print
    recipient: str | None  # an email address; None for Digital Post and print
    notice: RenderedLetter | None = None  # the email saying where the answer is
    notice_recipient: str | None = None
    proposal: StoredProposal | None = None
    actions: list[DraftAction] = Field(default_factory=list)
    reasons: list[str] = Field(default_factory=list)
    policy_version: str = ""

    def trace(self) -> LetterTrace:
        """What the letter row keeps of the draft (read back by casework and the case page)."""
        return LetterTrace(
            situation=self.situation,
            actions=self.actions,
            proposal=self.proposal,
            reasons=self.reasons,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "situation": self.situation,
            "template": self.letter.template,
            "template_version": self.letter.template_version,
            "channel": self.channel,
            "recipient": self.recipient,
            "subject": self.letter.subject,
            "body": self.letter.text,
            "legal_refs": self.letter.legal_refs,
            "notice": (
                {
                    "template": self.notice.template,
                    "recipient": self.notice_recipient,
                    "subject": self.notice.subject,
                    "body": self.notice.text,
                }
                if self.notice
                else None
            ),
            "proposal": self.proposal.model_dump(mode="json") if self.proposal else None,
            "actions": [action.model_dump(mode="json") for action in self.actions],
            "reasons": self.reasons,
            "policy_version": self.policy_version,
        }


@dataclass(frozen=True)
class Inquiry:
    """Where the message came from, so the answer can go back the right way."""

    channel: str  # email or digital_post
    sender_address: str | None
    sender_name: str | None
    case_ref: str | None = None  # the message's number: the journalnummer before a match


def _rows(claims: list[ClaimFacts]) -> list[ClaimRow]:
    """The debtor's claims as letter rows; a fee or interest line under a claim that went to
    Gældsstyrelsen went with it."""
    rows = [claim_row(claim) for claim in claims]
    transferred = {
        row.id for row in rows if row.line == "principal" and row.status == "transferred"
    }
    return [
        replace(row, status="transferred") if row.parent_claim_id in transferred else row
        for row in rows
    ]


def _outstanding(rows: list[ClaimRow]) -> list[ClaimRow]:
    """Everything still owed, here or at Gældsstyrelsen."""
    return [row for row in rows if row.status in ACTIVE and row.remaining_ore > 0]


def _relevant(reading: Reading, rows: list[ClaimRow]) -> list[ClaimRow]:
    """The claims the message is about (with their fee and interest lines); when it
    names none, everything the debtor still owes."""
    if reading.claim_ids:
        named = set(reading.claim_ids)
        return [row for row in rows if row.id in named or row.parent_claim_id in named]
    return _outstanding(rows)


def _owed(rows: list[ClaimRow]) -> list[ClaimRow]:
    return [row for row in rows if row.status in ("open", "in_agreement") and row.remaining_ore]


def _transferred(rows: list[ClaimRow]) -> list[ClaimRow]:
    return [row for row in rows if row.status == "transferred" and row.line == "principal"]


def _proposal_context(proposal: Proposal, rows: dict[str, ClaimRow]) -> dict[str, Any]:
    return {
        "decision": proposal.decision,
        "reasons": proposal.reasons,
        "claims": [rows[claim.id] for claim in proposal.claims],
        "excluded": [{"claim": rows[x.claim.id], "reason": x.reason} for x in proposal.excluded],
        "offer_ore": proposal.offer_ore,
        "monthly_ore": proposal.monthly_ore,
        "benchmark_ore": proposal.benchmark_ore,
        "schedule": proposal.schedule,
        "total_ore": proposal.total_ore,
        "interest_ore": proposal.interest_ore,
    }


def _deferral_context(decision: DeferralDecision, rows: dict[str, ClaimRow]) -> dict[str, Any]:
    return {
        "decision": decision.decision,
        "requested": decision.requested,
        "until": decision.until,
        "claims": [rows[claim.id] for claim in decision.claims],
        "excluded": [{"claim": rows[x.claim.id], "reason": x.reason} for x in decision.excluded],
    }


def _payment_context(
    reading: Reading, relevant: list[ClaimRow], claims: list[ClaimFacts], today: date
) -> dict[str, Any]:
    paid = {claim.id: claim.paid_ore for claim in claims}
    mine = [row for row in relevant if row.status != "transferred"]
    open_rows = [row for row in mine if row.remaining_ore > 0]
    promised = sorted(item.date for item in reading.dates)
    promised = [day for day in promised if day >= today]
    paid_ore = sum(paid.get(row.id, 0) for row in mine)
    if mine and not open_rows:
        situation = "paid"
    elif open_rows and paid_ore > 0:
        situation = "partly"
    elif open_rows and promised:
        situation = "promise"
    else:
        situation = "not_seen"
    return {
        "situation": situation,
        "claims": mine,
        "open_claims": open_rows,
        "paid_ore": paid_ore,
        "remaining_ore": sum(row.remaining_ore for row in open_rows),
        "promised_on": promised[0] if promised else None,
    }


def _hold(reason: str, rows: list[ClaimRow], until: date | None = None) -> HoldAction:
    return HoldAction(
        reason=reason, claim_ids=[row.id for row in rows if row.line == "principal"], until=until
    )


def _verified_letter(
    reading: Reading,
    claims: list[ClaimFacts],
    policy: Policy,
    today: date,
    calendar: BankCalendar,
) -> tuple[str, str, dict[str, Any], list[DraftAction], StoredProposal | None]:
    """(situation, template, context, actions, proposal json) for a verified writer."""
    everything = _rows(claims)
    relevant = _relevant(reading, everything)
    rows = {row.id: row for row in relevant}
    transferred = _transferred(relevant)
    base: dict[str, Any] = {
        "transferred": transferred,
        "today": today,
        "hardship": hardship_phrases(reading),
    }
    intent = reading.intent
    owed = _owed(relevant)
    if intent in ("installment_request", "deferral_request") and transferred and not owed:
        return "transferred", "svar_overdraget", base, [], None
    if intent == "installment_request":
        proposal = propose_installments(
            [open_claim(row) for row in relevant],
            policy,
            today,
            calendar,
            offer_monthly_ore=reading.offer_monthly_ore,
            income_monthly_ore=reading.income_monthly_ore,
            children=reading.children,
            first_payment_on=_wished_first(reading),
        )
        held = _hold_for_caseworker(proposal, reading)
        if held is not None:
            proposal.needs_caseworker = True
            data = InstallmentProposal.model_validate(
                {**proposal.to_json(), "decision": "caseworker", "held_because": held}
            )
            return "installment_caseworker", "svar_afdrag_behandles", base, [], data
        template = {
            "accept": "svar_afdrag_accepteret",
            "counter": "svar_afdrag_modforslag",
            "refuse": "svar_afdrag_afslag",
        }[proposal.decision]
        context = {
            **base,
            "proposal": _proposal_context(proposal, rows),
            "total_paid_ore": sum(item.amount_ore for item in proposal.schedule),
            "min_monthly_ore": int(policy.installments.min_monthly_kr * 100),
            "max_months": policy.installments.max_months,
            "income_ore": reading.income_monthly_ore or 0,
            "collected_by": collected_by([rows[claim.id] for claim in proposal.claims], policy),
        }
        actions: list[DraftAction] = []
        if proposal.decision != "refuse":
            actions.append(
                AgreementAction(
                    monthly_ore=proposal.monthly_ore,
                    claim_ids=[claim.id for claim in proposal.claims],
                    first_due_on=proposal.first_due_on,
                    needs_caseworker=proposal.needs_caseworker,
                )
            )
        stored = InstallmentProposal.model_validate(proposal.to_json())
        return f"installment_{proposal.decision}", template, context, actions, stored
    if intent == "deferral_request":
        decision = decide_deferral(
            [open_claim(row) for row in relevant],
            policy,
            today,
            calendar,
            _first_future(reading, today),
        )
        context = {
            **base,
            "deferral": _deferral_context(decision, rows),
            "max_days": policy.deferral.max_days,
        }
        actions = []
        if decision.decision != "refuse":
            hold_rows = [rows[claim.id] for claim in decision.claims]
            actions.append(_hold("deferral", hold_rows, decision.until))
        return (
            f"deferral_{decision.decision}",
            "svar_henstand",
            context,
            actions,
            DeferralProposal.model_validate(decision.to_json()),
        )
    if intent == "payment_notice":
        payment = _payment_context(reading, relevant, claims, today)
        return (
            f"payment_{payment['situation']}",
            "svar_betaling",
            {**base, "payment": payment},
            [],
            None,
        )
    if intent == "dispute":
        disputed = [row for row in relevant if row.status != "transferred" and row.remaining_ore]
        context = {**base, "claims": disputed or relevant}
        actions = [_hold("dispute", disputed)] if disputed else []
        actions.append(CaseworkerAction(reason="dispute"))
        return "dispute", "svar_indsigelse", context, actions, None
    if intent == "balance_request":
        mine = _owed(everything)
        principal = [row for row in mine if row.line == "principal"]
        context = {
            **base,
            "transferred": _transferred(_outstanding(everything)),
            "claims": principal,
            "fees_ore": sum(row.remaining_ore for row in mine if row.line == "fee"),
            "interest_ore": sum(row.remaining_ore for row in mine if row.line == "interest"),
            "total_ore": sum(row.remaining_ore for row in mine),
        }
        return "balance", "svar_saldo", context, [], None
    if intent == "contact_update":
        estate = bool(ESTATE.search(fold(reading.text)))
        actions = [ContactAction(text_in_message=True)]
        if estate:
            actions = [_hold("estate", _owed(relevant)), _estate_task(today)]
        return (
            ("estate" if estate else "contact"),
            "svar_kontakt",
            {"estate": estate},
            actions,
            None,
        )
    raise ValueError(f"no reply for intent {intent!r}")


PROKLAMA = timedelta(weeks=8)  # dødsboskifteloven § 81, stk. 3, nr. 2


def _estate_task(today: date) -> CaseworkerAction:
    """Register the claim in the estate before the proklama's 8 weeks run out (a claim not
    registered in time is not covered, § 83, stk. 1); the proklama may not be out yet, so
    the latest day assumes it is published today."""
    return CaseworkerAction(
        reason="estate",
        task=(
            "Anmeld kommunens krav i dødsboet inden for proklamaets frist på 8 uger "
            "(dødsboskifteloven § 81, stk. 3, nr. 2). Find proklamaet i Statstidende."
        ),
        due_on=today + PROKLAMA,
    )


def _death_notice(
    reading: Reading,
    inquiry: Inquiry,
    debtor: DebtorFacts | None,
    claims: list[ClaimFacts],
    policy: Policy,
    today: date,
    common: dict[str, Any],
) -> Draft:
    """Someone not verified reports a death: condolences and what happens, in a letter
    that says nothing about any case (the same text whether or not we know the person);
    when the deceased is a debtor, the proposed actions stop the reminders and give a
    caseworker the task to register the claim in the estate."""
    via_post = inquiry.channel == "digital_post"
    letter = render(
        "svar_doedsfald",
        {**common, "recipient": recipient(None, inquiry.sender_name), "via_post": via_post},
    )
    actions: list[DraftAction] = []
    if debtor is not None:
        actions = [_hold("estate", _owed(_rows(claims))), _estate_task(today)]
    return Draft(
        "estate_reported",
        letter,
        "digital_post" if via_post else "email",
        None if via_post else inquiry.sender_address,
        actions=actions,
        reasons=[
            "Et dødsfald er meldt af en, vi ikke kan bekræfte: svaret kondolerer og oplyser "
            "intet om sagen; rykkerne standses, og kravet skal anmeldes i boet."
        ],
        policy_version=policy.version,
    )


def _social_considerations(draft: Draft, reading: Reading) -> None:
    """Sociale hensyn (strategy): a hardship the writer names goes to a caseworker, who
    weighs it (a lower rate, a pause); the letter already says we read it. The signals come
    from the reading (``hardship``, with the phrase that shows each as evidence)."""
    signals: list[str] = list(getattr(reading, "hardship", []))
    if not signals:
        return
    evidence: dict[str, str] = dict(getattr(reading, "hardship_evidence", {}))
    said = "; ".join(f"»{evidence[kind]}«" for kind in signals if kind in evidence)
    draft.actions.append(
        CaseworkerAction(
            reason="hardship",
            task=(
                f"Borgeren skriver, at {' og at '.join(hardship_phrases(reading))}"
                f"{f' ({said})' if said else ''}. Vurder sociale hensyn: en lavere rate "
                "eller en pause, før svaret sendes."
            ),
        )
    )
    draft.reasons.append(
        "Sociale hensyn: borgeren nævner sin situation; en sagsbehandler vurderer."
    )
    if isinstance(draft.proposal, InstallmentProposal):
        draft.proposal.needs_caseworker = True


def hardship_phrases(reading: Reading) -> list[str]:
    """What the writer said about their situation, as the letter repeats it ("du er syg")."""
    return [HARDSHIP_PHRASES.get(kind, kind) for kind in getattr(reading, "hardship", [])]


def _first_future(reading: Reading, today: date) -> date | None:
    wished = _wished_first(reading)
    if wished is not None and wished > today:
        return wished
    days = sorted(item.date for item in reading.dates)
    return next((day for day in days if day > today), None)


def _bounce_letter(debtor: DebtorFacts | None, policy: Policy, today: date) -> Draft | None:
    """A bounce of our mail to a registered citizen: the address is marked undeliverable
    (parse stage), and a person gets a draft telling the citizen so by Digital Post (or
    the post) and asking for a new address. A bounce for nobody we know gets nothing."""
    if debtor is None or not debtor.email:
        return None
    letter = render(
        "svar_mail_retur",
        {
            "office": office(policy),
            "today": today,
            "journal": journal_number(policy, debtor.id),
            "recipient": recipient(debtor),
            "address": debtor.email,
        },
    )
    channel = postal_channel(debtor)
    way = "Digital Post" if channel == "digital_post" else "posten"
    return Draft(
        "email_bounced",
        letter,
        channel,
        None,
        reasons=[
            f"Mailen til {debtor.email} kom retur, og adressen er markeret som ubrugelig. "
            f"Brevet går med {way} og beder om en ny adresse."
        ],
        policy_version=policy.version,
    )


def _wished_first(reading: Reading) -> date | None:
    return reading.first_payment_on


def _hold_for_caseworker(proposal: Proposal, reading: Reading) -> str | None:
    """Why an acceptable proposal must not be drafted as accepted, or None.

    An amount the reading is not sure of, or one installment covering the whole debt
    when the citizen asked to pay in installments, is what a misread amount looks like
    ("min løn er 18.000 …, jeg kan undvære 400" once read as 18.000): a caseworker decides.
    """
    if proposal.decision != "accept":
        return None
    if not reading.offer_certain:
        return "offer_uncertain"
    if proposal.offer_ore is not None and proposal.offer_ore >= proposal.total_ore:
        return "offer_covers_whole_debt"
    return None


HELD_REASONS = {
    "offer_uncertain": "Det tilbudte beløb er ikke sikkert læst ({phrase}): en sagsbehandler "
    "skal se forslaget, før der svares.",
    "offer_covers_whole_debt": "Tilbuddet dækker hele gælden i én rate, men borgeren bad om "
    "rater: beløbet er måske læst forkert, så en sagsbehandler afgør det.",
}


def _no_disclosure(
    reading: Reading,
    inquiry: Inquiry,
    debtor: DebtorFacts | None,
    common: dict[str, Any],
    back_channel: str,
    back_to: str | None,
    policy: Policy,
) -> Draft:
    """One answer for every writer we may tell nothing: unidentified, unverified, or
    writing for someone else. Its text depends only on what the writer wrote and how
    (their own display name, their channel, whether they say they write for someone),
    never on whether the register knows the person they named: no oracle."""
    via_post = inquiry.channel == "digital_post"
    letter = render(
        "svar_ikke_verificeret",
        {
            **common,
            "recipient": recipient(None, inquiry.sender_name),
            "via_post": via_post,
            "representative": reading.on_behalf_of,
        },
    )
    if reading.on_behalf_of:
        situation = "representative"
        reasons = [
            f"Skrevet på vegne af en anden ({REPRESENTATIVES.get(reading.on_behalf_of, 'anden')}):"
            " det er ikke bekræftet. Svaret beder om fuldmagt (ved dødsbo: skifteretsattest)"
            " og oplyser intet; en sagsbehandler afgør sagen."
        ]
    elif debtor is None:
        situation = "not_identified"
        reasons = ["Ingen sikker skyldner: svaret oplyser intet og beder om fakturanummer."]
    else:
        situation = "not_verified"
        reasons = ["Afsenderen er ikke bekræftet som skyldneren: svaret nævner ingen beløb."]
    return Draft(
        situation, letter, back_channel, back_to, reasons=reasons, policy_version=policy.version
    )


REPRESENTATIVES = {
    "lawyer": "advokat",
    "social_worker": "sagsbehandler eller socialrådgiver",
    "relative": "pårørende",
    "estate": "dødsbo",
    "accountant": "revisor eller bogholder",
    "neighbour": "nabo",
    "other": "anden",
}


def draft_reply(
    reading: Reading,
    inquiry: Inquiry,
    debtor: DebtorFacts | None,
    claims: list[ClaimFacts],
    policy: Policy,
    today: date,
    calendar: BankCalendar | None = None,
) -> Draft | None:
    """The reply to one read message, or ``None`` when it should get none."""
    if reading.bounce:
        return _bounce_letter(debtor, policy, today)
    if reading.auto_reply or reading.intent in NO_REPLY_INTENTS:
        return None
    calendar = calendar or BankCalendar(policy.calendar.extra_closing_days)
    # the journalnummer names the debtor only in a reply to the verified debtor: anyone
    # else learns nothing, not even that a case exists (RULES.md §8)
    anonymous = journal_number(policy, None, inquiry.case_ref)
    common = {"office": office(policy), "today": today, "journal": anonymous}
    via_post = inquiry.channel == "digital_post"
    back_channel = "digital_post" if via_post else "email"
    back_to = None if via_post else inquiry.sender_address
    if ESTATE.search(fold(reading.text)) and not (debtor and reading.verified_sender):
        return _death_notice(reading, inquiry, debtor, claims, policy, today, common)
    if debtor is None or not reading.verified_sender or reading.on_behalf_of:
        return _no_disclosure(reading, inquiry, debtor, common, back_channel, back_to, policy)
    situation, template, context, actions, proposal = _verified_letter(
        reading, claims, policy, today, calendar
    )
    mine = {**common, "journal": journal_number(policy, debtor.id)}
    estate = situation == "estate"
    letter = render(template, {**mine, **context, "recipient": recipient(debtor, estate=estate)})
    details = situation not in ("contact", "estate")
    draft = Draft(
        situation,
        letter,
        back_channel,
        back_to,
        proposal=proposal,
        actions=actions,
        policy_version=policy.version,
    )
    _social_considerations(draft, reading)
    held_because = getattr(proposal, "held_because", None)
    if held_because in HELD_REASONS:
        phrase = reading.offer_phrase or "intet beløb fundet"
        draft.reasons.append(HELD_REASONS[str(held_because)].format(phrase=phrase))
    if not details or via_post:
        return draft
    if policy.letters.secure_email_to_verified:
        draft.reasons.append("Politikken tillader sikker mail til en bekræftet adresse.")
        return draft
    draft.reasons.append(
        "Svaret nævner gæld: det sendes med Digital Post, og mailen siger kun, hvor svaret er."
    )
    draft.channel, draft.recipient = postal_channel(debtor), None
    if draft.channel == "digital_post":
        if inquiry.sender_address:
            notice = {**mine, "recipient": recipient(debtor, estate=estate)}
            draft.notice = render("email_henvisning", notice)
            draft.notice_recipient = inquiry.sender_address
    else:
        draft.reasons.append("Intet CPR/CVR til Digital Post: brevet skal sendes med posten.")
    return draft
