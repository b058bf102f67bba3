"""The one Danish name of every value a caseworker or citizen can see.

Each vocabulary is keyed by the name of the StrEnum it names (``ClaimStatus``, …) or,
where the values are not an enum, by a plain name (``intent``, ``evidence_kind``, …).
Pages use the Jinja filters made from these in ``opkraevning.web.app``; a test checks
that every value of every StrEnum in the package has a name here, and another crawls
every page and fails on a raw value. An unknown value is shown as it is, so that test
finds it.
"""

from __future__ import annotations

import re

NAMES: dict[str, dict[str, str]] = {
    "MessageState": {
        "received": "Modtaget",
        "parsed": "Indlæst",
        "matched": "Skyldner fundet",
        "classified": "Læst",
        "drafted": "Udkast klar",
        "needs_review": "Kræver en person",
        "done": "Færdig",
        "quarantined": "Fejl",
    },
    "LetterState": {
        "draft": "Udkast",
        "needs_review": "Kræver en person",
        "approved": "Godkendt",
        "rejected": "Afvist",
        "sending": "Sendes",
        "sent": "Sendt",
        "failed": "Fejlet",
    },
    "RunState": {"running": "I gang", "done": "Færdig", "failed": "Fejlet"},
    "Channel": {
        "smtp": "e-mail",
        "imap": "e-mail (postkasse)",
        "digital_post": "Digital Post",
        "file": "indlæst fil",
        "email": "e-mail",
        "print": "brev med posten",
    },
    "ClaimStatus": {
        "open": "åben",
        "in_agreement": "i aftale",
        "transferred": "hos Gældsstyrelsen",
        "paid": "betalt",
        "written_off": "afskrevet",
    },
    "ClaimLine": {"principal": "hovedkrav", "fee": "rykkergebyr", "interest": "renter"},
    "AgreementStatus": {
        "proposed": "foreslået",
        "active": "aktiv",
        "broken": "misligholdt",
        "completed": "afsluttet",
        "cancelled": "annulleret",
    },
    "HoldReason": {
        "dispute": "indsigelse",
        "deferral": "henstand",
        "estate": "dødsbo",
        "manual": "manuel pause",
        "hardship": "sociale hensyn",  # a caseworker task's reason, beside the holds'
    },
    "DebtorKind": {"person": "person", "company": "virksomhed"},
    "Status": {"OK": "OK", "ADVARSEL": "ADVARSEL", "FEJL": "FEJL"},  # `doctor`: already Danish
    "Role": {"sagsbehandler": "sagsbehandler", "administrator": "administrator", "leder": "leder"},
    "intent": {
        "installment_request": "Afdrag",
        "deferral_request": "Henstand",
        "payment_notice": "Betaling",
        "dispute": "Indsigelse",
        "balance_request": "Saldo",
        "contact_update": "Kontaktoplysninger",
        "auto_reply": "Autosvar",
        "bounce": "Returmail",
        "other": "Andet",
        "quarantined": "Fejl ved læsning",
        "unknown": "Ukendt",
    },
    "letter_kind": {
        "reply": "svar",
        "reply_notice": "mail om svar i Digital Post",
        "reminder": "rykker",
        "breach_reminder": "rykker, misligholdt aftale",
        "agreement_confirmation": "bekræftelse af aftale",
        "transfer_notice": "meddelelse om overdragelse",
    },
    "evidence_kind": {
        "digital_post_identity": "afsenderens CPR/CVR i Digital Post",
        "cpr": "CPR-nummer",
        "cvr": "CVR-nummer",
        "payment_id": "betalings-ID",
        "reference": "fakturanummer",
        "thread": "svar på vores brev",
        "registered_email": "kendt e-mailadresse",
        "bounced_recipient": "returneret modtager",
        "name_and_address": "navn og adresse",
        "household_first_name": "fornavn på afsenderens adresse",
        "signature_cvr": "CVR-nummer i underskriften",
        "signature_cpr": "CPR-nummer i underskriften",
        "returned_claim": "kravet i det returnerede brev",
    },
    "evidence_field": {
        "memo_sender": "Digital Post-afsender",
        "new_text": "teksten",
        "subject": "emnet",
        "in_reply_to": "svarhenvisningen",
        "from": "afsenderadressen",
        "report": "returmeldingen",
        "signature": "underskriften",
    },
    "proposal_decision": {
        "accept": "bevilges",
        "counter": "modforslag",
        "refuse": "afslag",
        "caseworker": "afgøres af en sagsbehandler",
    },
    "draft_action": {
        "agreement": "aftalen oprettes",
        "hold": "kravene sættes på pause",
        "caseworker": "en sagsbehandler vurderer sagen",
        "update_contact": "kontaktoplysningerne opdateres",
    },
    "run_list": {
        "letters": "breve",
        "interest": "renteposteringer",
        "transfers": "til Gældsstyrelsen",
        "own_collection": "inddrives selv",
        "write_offs": "forslag til afskrivning",
        "near_expiry": "tæt på forældelse",
        "holds": "på pause",
    },
    "entity": {
        "inbound_message": "henvendelse",
        "outbound_letter": "brev",
        "debtor": "skyldner",
        "claim": "krav",
        "agreement": "aftale",
        "hold": "pause",
        "user_account": "bruger",
        "scheduled_run": "rykkerkørsel",
        "run": "rykkerkørsel",
        "inbound_message.raw": "modtaget mail",
        "reminder_letter": "rykker",
        "register": "register",
    },
    # why the reminder rules held a claim back or let the municipality collect it
    "step_reason": {
        "fortrinsberettiget: the municipality collects": (
            "fortrinsberettiget: kommunen inddriver selv"
        ),
        "hold: installment agreement in good standing": "pause: afdragsordningen overholdes",
        "under the transfer threshold": "under beløbsgrænsen for overdragelse",
        "no notice of transfer given yet": "der er endnu ikke givet varsel om overdragelse",
        "CPR/CVR missing: cannot be transferred": "CPR/CVR mangler: kan ikke overdrages",
        "reminder procedure done, notice given": "rykkerforløbet er slut, og varsel er givet",
    },
    "audit_action": {
        "agreement.activated": "aftale aktiveret",
        "agreement.created": "aftale oprettet",
        "claim.transferred": "sendt til Gældsstyrelsen",
        "claim.udlaeg_recorded": "udlæg registreret",
        "debtor.cpr_viewed": "så hele CPR-nummeret",
        "debtor.email_undeliverable": "e-mail kommer retur",
        "debtor.searched": "søgte efter skyldner",
        "debtor.viewed": "så skyldneren",
        "hold.created": "pause oprettet",
        "inbound_message.viewed": "så henvendelsen",
        "inbound_message.raw.viewed": "så den modtagne mail",
        "letter.approved": "brev godkendt",
        "letter.edited": "brev rettet",
        "letter.excluded": "brev udelukket",
        "letter.reconciled": "brev afstemt",
        "letter.rejected": "udkast afvist",
        "letter.retry": "brev sendes igen",
        "letter.sent": "brev sendt",
        "letter.failed": "brev kunne ikke sendes",
        "login.failed": "forkert adgangskode",
        "login.locked": "konto låst",
        "login.ok": "logget ind",
        "login.refused_disabled": "log-ind afvist: kontoen er lukket",
        "login.refused_locked": "log-ind afvist: kontoen er låst",
        "logout": "logget ud",
        "message.debtor_assigned": "skyldner valgt",
        "message.quarantined": "henvendelse sat til side",
        "run.batch_approved": "rykkerkørsel godkendt",
        "run.letters_drafted": "rykkerbreve lavet",
        "run.print_batch": "hentede rykkerkørslens udskrift",
        "user.created": "bruger oprettet",
        "user.unlocked": "konto låst op",
        "letter.released": "rykker frigivet",
        "remind.run": "rykkerkørsel kørt",
        "register.import": "register indlæst",
        "register.update": "ændret ved indlæsning af registeret",
    },
}


def danish(vocabulary: str, value: object) -> str:
    """The Danish name of ``value``; an unknown value is returned unchanged."""
    if value is None:
        return ""
    text = str(value)
    return NAMES.get(vocabulary, {}).get(text, text)


def state(value: object) -> str:
    """A message's, a letter's or a run's state (the pages show all three)."""
    text = str(value)
    for vocabulary in ("LetterState", "MessageState", "RunState"):
        if text in NAMES[vocabulary]:
            return NAMES[vocabulary][text]
    return text


_POINTS_AT = re.compile(r"^(\w+) points at (\d+) debtors")
_DECIDED_BY = re.compile(r"^decided by (\w+)$")


def match_reason(text: str | None) -> str:
    """The matcher's reason (an English log line) as a Danish sentence."""
    if not text:
        return ""
    if text.startswith("no identifier"):
        return "Intet nummer, ingen adresse og ingen kendt afsender i henvendelsen."
    if found := _POINTS_AT.match(text):
        kind, count = found.groups()
        what = danish("evidence_kind", kind).capitalize()
        return f"{what} peger på {count} skyldnere: vælg den rigtige."
    if found := _DECIDED_BY.match(text):
        return f"Afgjort af {danish('evidence_kind', found.group(1))}."
    return text


# the names the pages used before this module held them all (kept for imports)
INTENT_NAMES = NAMES["intent"]
LETTER_KINDS = NAMES["letter_kind"]
CHANNEL_NAMES = NAMES["Channel"]
CLAIM_STATUSES = NAMES["ClaimStatus"]
HOLD_REASONS = NAMES["HoldReason"]
AGREEMENT_STATUSES = NAMES["AgreementStatus"]
STATE_NAMES = {**NAMES["RunState"], **NAMES["MessageState"], **NAMES["LetterState"]}

# sociale hensyn: a hardship the reading found, as a letter repeats it to the writer
HARDSHIP_PHRASES = {
    "illness": "du er syg",
    "unemployment": "du er blevet ledig",
    "divorce": "du er blevet skilt",
    "death_in_family": "du har mistet en af dine nærmeste",
    "benefits": "du lever af offentlige ydelser",
    "other": "du er i en svær situation",
}
# the pipeline's stages, as in "fejl i …" and "sendes tilbage til …"
STAGE_NAMES = {"parse": "indlæsningen", "read": "læsningen", "draft": "udkastet"}
