"""The Danish name of every value a caseworker or citizen can see."""

from __future__ import annotations

INTENT_NAMES = {
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
}
STATE_NAMES = {
    "needs_review": "Kræver en person",
    "drafted": "Udkast klar",
    "quarantined": "Fejl",
    "approved": "Godkendt",
    "sending": "Sendes",
    "sent": "Sendt",
    "failed": "Fejlet",
    "rejected": "Afvist",
    "draft": "Udkast",
    "done": "Færdig",
    "classified": "Læst",
    "received": "Modtaget",
    "parsed": "Indlæst",
}
# the pipeline's stages, as in "fejl i …" and "sendes tilbage til …"
STAGE_NAMES = {"parse": "indlæsningen", "read": "læsningen", "draft": "udkastet"}
CHANNEL_NAMES = {"email": "e-mail", "digital_post": "Digital Post", "print": "brev med posten"}
LETTER_KINDS = {
    "reply": "svar",
    "reply_notice": "mail om svar i Digital Post",
    "reminder": "rykker",
    "breach_reminder": "rykker, misligholdt aftale",
    "agreement_confirmation": "bekræftelse af aftale",
    "transfer_notice": "meddelelse om overdragelse",
}
CLAIM_STATUSES = {
    "open": "åben",
    "in_agreement": "i aftale",
    "transferred": "hos Gældsstyrelsen",
    "paid": "betalt",
    "written_off": "afskrevet",
}
HOLD_REASONS = {"dispute": "indsigelse", "deferral": "henstand", "estate": "dødsbo",
                "manual": "manuel pause"}  # fmt: skip
AGREEMENT_STATUSES = {"proposed": "foreslået", "active": "aktiv", "broken": "misligholdt",
                      "completed": "afsluttet", "cancelled": "annulleret"}  # fmt: skip
