"""Representative letters: every template in its situations, with realistic data.

Used by the golden tests, the render-everything test, the LIX measure and the spell
check. Each case is built through the same code the service uses (draft_reply for
replies, run_letters for the reminder run), not by hand-filling template contexts.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from opkraevning.app.reminder.outcome import LetterEntry
from opkraevning.assistant.drafting.letter_context import ClaimRow, claim_row, open_claim
from opkraevning.assistant.drafting.letters import RenderedLetter
from opkraevning.assistant.drafting.notices import (
    render_agreement_change,
    render_agreement_end,
    render_receipt,
    render_udlaeg_notice,
    render_write_off,
)
from opkraevning.assistant.drafting.reply_drafts import Draft, Inquiry, draft_reply
from opkraevning.assistant.drafting.run_letters import (
    MissedInstallment,
    render_agreement,
    render_reminder,
    render_transfer_notice,
)
from opkraevning.assistant.policy.bank_days import BankCalendar
from opkraevning.assistant.policy.model import Udlaeg, policy_for
from opkraevning.assistant.proposals.installments import (
    ScheduledInstallment,
    propose_installments,
)
from opkraevning.assistant.read.reading import Reading
from opkraevning.domain.register import ClaimFacts, DebtorFacts

TODAY = date(2026, 11, 27)
POLICY = policy_for(TODAY)
CALENDAR = BankCalendar(POLICY.calendar.extra_closing_days)

KARLA = DebtorFacts(
    "D1100022", "person", "Karla Frederiksen", "Nørregade 14", "8500", "Grenaa",
    "kfrederiksen@gmail.com", "2507563219", None,
)  # fmt: skip
FIRMA = DebtorFacts(
    "D1100300", "company", "Ålsø Tømrer & Snedker ApS", "Havnevej 2", "8500", "Grenaa",
    "bogholderi@aalsoe-toemrer.dk", None, "29189919",
)  # fmt: skip
NO_ID = replace(KARLA, id="D1100023", cpr=None)


def _claim(claim_id: str, claim_type: str, amount_ore: int, **fields: object) -> ClaimFacts:
    values: dict[str, object] = {
        "id": claim_id,
        "debtor_id": "D1100022",
        "claim_type": claim_type,
        "reference": f"2026-{claim_id[-6:]}",
        "payment_id": "395002679175694",
        "description": "",
        "amount_ore": amount_ore,
        "paid_ore": 0,
        "issued_on": date(2026, 8, 1),
        "due_on": date(2026, 9, 1),
        "status": "open",
    }
    values.update(fields)
    return ClaimFacts(**values)  # type: ignore[arg-type]


HUSLEJE = _claim("C110002201", "husleje", 734_490)
LOEN = _claim("C110002202", "loenkrav", 475_536, payment_id="565145758424600")
DAGINST = _claim("C110002203", "daginstitution", 323_628, paid_ore=100_000)
GEBYR = _claim(
    "C110002201-G7", "husleje", 25_000, reference="2026-002201", line="fee",
    parent_claim_id="C110002201",
)  # fmt: skip
OVERDRAGET = _claim("C110002204", "kulturskole", 190_000, status="transferred")
ROTTE = _claim("C110002205", "rottebekaempelse", 37_944)
SMAA = _claim("C110002207", "kulturskole", 8_000)
I_AFTALE = _claim("C110002208", "husleje", 520_000, status="in_agreement")
BETALT = _claim("C110002206", "husleje", 420_000, paid_ore=420_000, status="paid")


def reading(intent: str, **fields: object) -> Reading:
    values: dict[str, object] = {
        "debtor_id": "D1100022",
        "claim_ids": [],
        "intent": intent,
        "intents": [intent],
        "verified_sender": True,
        "offer_monthly_ore": None,
        "auto_reply": False,
        "bounce": False,
        "confidence": 0.98,
    }
    values.update(fields)
    return Reading.model_validate(values)


EMAIL = Inquiry("email", "kfrederiksen@gmail.com", "Karla Frederiksen", "17")
POST = Inquiry("digital_post", None, "Karla Frederiksen", "18")


def _reply(
    read: Reading,
    claims: list[ClaimFacts],
    debtor: DebtorFacts | None = KARLA,
    inquiry: Inquiry = EMAIL,
) -> Draft:
    draft = draft_reply(read, inquiry, debtor, claims, POLICY, TODAY, CALENDAR)
    assert draft is not None
    return draft


def reply_cases() -> dict[str, Draft]:
    """Named drafts covering every reply template and situation."""
    owed = [HUSLEJE, GEBYR, LOEN]
    return {
        "ikke_identificeret": _reply(reading("balance_request", debtor_id=None), [], None),
        "ikke_verificeret": _reply(reading("installment_request", verified_sender=False), owed),
        "ikke_verificeret_digital_post": _reply(
            reading("balance_request", verified_sender=False), owed, inquiry=POST
        ),
        "afdrag_accepteret": _reply(
            reading("installment_request", offer_monthly_ore=100_000, claim_ids=[LOEN.id]), owed
        ),
        "afdrag_behandles": _reply(
            reading(
                "installment_request",
                offer_monthly_ore=100_000,
                claim_ids=[LOEN.id],
                offer_certain=False,
                offer_phrase="1.000 kr. om måneden",
            ),
            owed,
        ),
        "repraesentant": _reply(
            reading("balance_request", on_behalf_of="relative", verified_sender=False), owed
        ),
        "repraesentant_doedsbo_digital_post": _reply(
            reading("contact_update", on_behalf_of="estate", debtor_id=None),
            [],
            None,
            inquiry=POST,
        ),
        "afdrag_modforslag": _reply(
            reading("installment_request", offer_monthly_ore=20_000), [*owed, OVERDRAGET]
        ),
        "afdrag_modforslag_indkomst": _reply(
            reading("installment_request", offer_monthly_ore=30_000, income_monthly_ore=2_200_000),
            owed,
        ),
        "afdrag_lille_beloeb": _reply(reading("installment_request"), [ROTTE], inquiry=POST),
        "afdrag_afslag_smaat": _reply(reading("installment_request"), [SMAA]),
        "afdrag_afslag_aftale": _reply(reading("installment_request"), [I_AFTALE]),
        "overdraget": _reply(reading("installment_request"), [OVERDRAGET]),
        "henstand": _reply(
            reading("deferral_request", dates=[{"date": "2026-12-18", "phrase": "18. december"}]),
            [HUSLEJE],
        ),
        "henstand_modforslag": _reply(
            reading("deferral_request", dates=[{"date": "2027-02-01", "phrase": "1. februar"}]),
            [HUSLEJE],
        ),
        "betaling_modtaget": _reply(
            reading("payment_notice", claim_ids=[BETALT.id]), [BETALT, HUSLEJE]
        ),
        "betaling_delvis": _reply(reading("payment_notice", claim_ids=[DAGINST.id]), [DAGINST]),
        "betaling_loefte": _reply(
            reading("payment_notice", dates=[{"date": "2026-12-04", "phrase": "på fredag"}]),
            [HUSLEJE],
        ),
        "betaling_ikke_set": _reply(reading("payment_notice"), [HUSLEJE]),
        "indsigelse": _reply(reading("dispute", claim_ids=[ROTTE.id]), [ROTTE, HUSLEJE]),
        "saldo": _reply(reading("balance_request"), [*owed, OVERDRAGET, BETALT]),
        "kontakt": _reply(reading("contact_update", text="Jeg er flyttet til Østergade 3."), owed),
        "doedsfald": _reply(
            reading("contact_update", verified_sender=False, text="Min far er død i sidste uge."),
            [HUSLEJE],
        ),
        "kontakt_firma": _reply(
            reading("contact_update", text="Vi er flyttet til Havnevej 9."), [HUSLEJE], FIRMA
        ),
        "doedsbo": _reply(
            reading("contact_update", text="Min mor er død, og jeg står for dødsboet."), owed
        ),
        "firma_saldo": _reply(reading("balance_request"), [HUSLEJE], FIRMA),
        "mail_retur": _reply(reading("bounce", bounce=True, verified_sender=False), owed),
    }


def run_cases() -> dict[str, RenderedLetter]:
    """The reminder run's letters in their variants."""
    rows = {claim.id: claim_row(claim) for claim in (HUSLEJE, LOEN, ROTTE, DAGINST)}
    first = LetterEntry(
        debtor_id=KARLA.id, claim_ids=[HUSLEJE.id, DAGINST.id], kind="reminder", number=1,
        numbers={HUSLEJE.id: 1, DAGINST.id: 1}, fee_ore=25_000, deadline=date(2026, 12, 7),
        transfer_notice=True, rules=None, legal_refs=None,
    )  # fmt: skip
    second = replace(first, claim_ids=[LOEN.id], number=2, fee_ore=10_000)
    own = replace(first, claim_ids=[ROTTE.id], transfer_notice=False)
    no_fee = replace(second, number=3, fee_ore=0)
    breach = replace(first, kind="breach_reminder", claim_ids=[HUSLEJE.id])
    proposal = propose_installments(
        [open_claim(rows[LOEN.id])], POLICY, TODAY, CALENDAR, offer_monthly_ore=50_000
    )
    return {
        "rykker_1": render_reminder(first, KARLA, rows, POLICY, today=TODAY),
        "rykker_2_renteloven": render_reminder(second, KARLA, rows, POLICY, today=TODAY),
        "rykker_3_uden_gebyr": render_reminder(no_fee, KARLA, rows, POLICY, today=TODAY),
        "rykker_fortrinsberettiget": render_reminder(own, FIRMA, rows, POLICY, today=TODAY),
        "rykker_firma": render_reminder(first, FIRMA, rows, POLICY, today=TODAY),
        "rykker_misligholdt": render_reminder(
            breach, KARLA, rows, POLICY, MissedInstallment(date(2026, 11, 11), 50_000), today=TODAY
        ),
        "overdragelse": render_transfer_notice(KARLA, [rows[HUSLEJE.id]], TODAY, POLICY),
        "aftale": render_agreement(KARLA, [rows[LOEN.id]], proposal.schedule, POLICY, today=TODAY),
        **notice_cases(rows, proposal.schedule),
    }


def notice_cases(
    rows: dict[str, ClaimRow], schedule: list[ScheduledInstallment]
) -> dict[str, RenderedLetter]:
    """The letters an office sends besides replies and reminders (issue 13)."""
    with_fee = POLICY.model_copy(update={"udlaeg": Udlaeg(notice_fee_kr=Decimal("450.00"))})
    return {
        "kvittering": render_receipt(
            POLICY, TODAY, TODAY, sender_name="Karla Frederiksen", case_ref="17", via_post=False
        ),
        "afskrivning_foraeldet": render_write_off(
            KARLA, [rows[DAGINST.id]], "foraeldet", POLICY, today=TODAY
        ),
        "aftale_ophoert_betalt": render_agreement_end(
            KARLA, [rows[LOEN.id]], "paid", POLICY, today=TODAY
        ),
        "aftale_ophoert_misligholdt": render_agreement_end(
            KARLA, [rows[LOEN.id]], "breach", POLICY, today=TODAY
        ),
        "aftale_aendret": render_agreement_change(
            KARLA, [rows[LOEN.id]], schedule, POLICY, today=TODAY
        ),
        "tilsigelse_udlaeg": render_udlaeg_notice(
            KARLA, [rows[ROTTE.id]], "tilsigelse", date(2026, 12, 14), with_fee, today=TODAY
        ),
        "underretning_udlaeg": render_udlaeg_notice(
            KARLA, [rows[ROTTE.id]], "udlaeg", date(2026, 11, 20), POLICY, today=TODAY
        ),
    }


def all_letters() -> dict[str, RenderedLetter]:
    """Every case as a rendered letter (a reply's email notice too)."""
    letters: dict[str, RenderedLetter] = {}
    for name, draft in reply_cases().items():
        letters[f"svar_{name}"] = draft.letter
        if draft.notice is not None:
            letters[f"svar_{name}_henvisning"] = draft.notice
    letters.update(run_cases())
    return letters
