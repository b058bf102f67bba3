"""What does the citizen want? Intents from cue phrases, explainably.

Each intent has weighted cue patterns, written for Danish-folded text (æ→ae, ø→oe,
å→aa, so keyboards without Danish letters read the same) and for English. The
score of an intent is the sum of the weights of its cues found in the new text;
the cues that fired are returned as the explanation. The primary intent is the
highest score (ties go to the more specific request); every intent that scored
is kept, so a message asking for both a statement and instalments gets both
answered. Machine mail (auto-replies, bounces) is decided by the parse stage.
Negations are respected: "I do not dispute the amount" is not a dispute.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from opkraevning.assistant.read.intent_model import features, shipped_model
from opkraevning.assistant.read.offers import find_offer
from opkraevning.domain.folding import fold

INTENTS = (
    "installment_request",
    "deferral_request",
    "payment_notice",
    "dispute",
    "balance_request",
    "contact_update",
    "auto_reply",
    "bounce",
    "other",
)
# ties: the earlier in this list wins
PRIORITY = (
    "contact_update",
    "dispute",
    "deferral_request",
    "installment_request",
    "payment_notice",
    "balance_request",
    "other",
)
_PAID = r"(betalt|overfoert)"
_NOT = r"(?<!ikke )(?<!not )(?<!n't )(?<!never )(?<!aldrig )"

CUES: dict[str, list[tuple[str, int]]] = {
    "installment_request": [
        (r"afdrag", 3),
        (r"betalingsordning|betalingsaftale|ratebetaling|rateaftale", 3),
        (r"\brater?\b", 2),
        (r"payment plan|instal+ments?|pay in parts", 3),
        (r"dele (det|beloebet|regningen) op", 3),
        (r"\d\s*(kr\.?|kroner|dkk|,-)?\s*(om|pr\.?|per|hver|i)\s*(maaned|md\b|mdr|month|uge)", 3),
        (r"hver den \d{1,2}\.", 2),
        (r"maanedlige", 2),
        (r"kan ikke betale (det hele|hele beloebet|det)? ?(paa|i) (en|een|\u00e9n) gang", 1),
        (r"not able to pay it all|cannot pay (it )?all", 1),
        (r"ikke i stand til at betale", 1),
        # German, Swedish, English and a period of any length
        (r"in raten|ratenzahlung|monatsraten|abzahl|avbetal|betala i (?:tre |tva |fyra )?delar", 4),
        (
            r"\d\s*(kr\.?|kroner|dkk|,-)?\s*(i|om|pr\.?|per|hver|hvert)\s*(kvartal|halve? aar"
            r"|anden uge|14\.? dag)",
            3,
        ),
        (
            r"(fordele|dele|betale) (det|den|beloebet|regningen|gebyret)? ?(af |op )?over (\d+"
            r"|et|to|tre|fire|fem|seks|ti|tolv) ",
            3,
        ),
    ],
    "deferral_request": [
        (r"henstand", 4),
        (r"udsaettelse|udsaette|udskyde|udskydelse", 4),
        (r"vente med at betale", 4),
        (r"betale (den )?senere|betale foerst", 3),
        (r"postpone|defer|more time to pay|extension", 3),
        (r"(til|efter) (den )?\d{1,2}\.\s*[a-z]+", 1),
        (
            r"zahlungsaufschub|aufschub|stundung|spaeter (?:zu )?(?:be)?zahlen|anstaand|skjuta upp",
            4,
        ),
        (
            r"(kan|ka'?) (det|vi|jeg|i) (\w+ )?vente?'?\b|vente med (at )?betal"
            r"|give mig et par maaneder",
            3,
        ),
        (r"\bpause\b|betale (lidt )?senere|senere betal", 3),
    ],
    "payment_notice": [
        # the writer's own act: "jeg har betalt", "det er overført i dag" — not
        # "indtil det er betalt" (until) or "hvad der er indbetalt" (a question)
        (r"(jeg |vi |han |hun )?har (nu |lige |allerede |i dag )?(ind)?(betalt|overfoert)", 4),
        # "vi har allerede betalt noget af det, men resten …": a part, not the payment
        (r"(betalt|paid) (noget|en del|lidt|part|some) (af|of)", -4),
        (r"(?<!til )(?<!naar )\b(den|det|regningen|beloebet|fakturaen) er (nu )?" + _PAID, 3),
        (r"\bbetalt nu\b", 3),
        (r"kvittering", 2),
        (r"(i|we) (have |just |already )?paid|payment (has been|was) made|receipt", 4),
        (r"betaler (hele beloebet|det hele|resten|regningen|beloebet) (paa|i|den|om)", 3),
        (r"overfoert (i dag|i gaar)", 3),
        (
            r"ueberwiesen|bezahlt habe|habe .{0,40}bezahlt|betalade|har betalat"
            r"|har (?:nu )?overfoert",
            4,
        ),
        (
            r"(blev|er|var) (betalt|overfoert|indbetalt) (i gaar|i dag|i fredags|i mandags|den \d)",
            3,
        ),
        (r"(jeg|vi) (overfoerte|betalte|indbetalte) ", 3),
    ],
    "dispute": [
        (rf"{_NOT}uenig|ikke enig", 4),
        (r"\bklage\b|klager over|indsigelse", 4),
        (r"annulleret|annullere|krediteres|kreditnota", 3),
        (r"(regningen|kravet|beloebet|gebyret) er (forkert|urimelig)|forkert\b", 2),
        (r"aldrig (modtaget|faaet|haft|benyttet)", 3),
        (r"naegter at betale|ikke taenkt mig at betale|forveksling", 4),
        (r"(ikke|slet ikke),? at jeg skal betale|skal ikke betale|skylder (jer )?ikke", 3),
        (r"det maa vaere en fejl|er en fejl", 3),
        (r"udmeldt", 2),
        (rf"{_NOT}dispute|incorrect|wrong amount|never received", 3),
        (r"hvorfor (skal|faar|kommer|har|er|staar)|why (do|did|should|is)|warum", 3),
        (
            r"(det|den|regningen|beloebet) (er|passer) ikke (rigtig|korrekt)|passer ikke"
            r"|not correct",
            3,
        ),
        (r"forstaar ikke (den|det|hvad|regningen|kravet)", 1),
    ],
    "balance_request": [
        (r"hvor meget skylder|hvad skylder", 4),
        (r"saldo|kontoudtog|udtog|mellemvaerende|opgoerelse|oversigt over", 4),
        (r"restbeloeb|hvad (der )?mangler", 2),
        (r"send[e]? (den|regningen|fakturaen|brevet) igen|kopi af (regningen|fakturaen)", 4),
        (r"how much do i owe|statement|balance", 4),
        (r"wie ?viel .{0,30}(schulde|offen)|kontoauszug|hur mycket .{0,20}(skyld|kvar)", 4),
        (
            r"ikke skylder mere|skylder (jeg )?(stadig|mere|noget)|hvad (staar|mangler) (jeg"
            r"|hun|han|vi|min)",
            3,
        ),
        (r"(mangler|skylder) (min|hun|han) \w+ (at betale|i alt)|hvor meget (hun|han) mangler", 3),
    ],
    "contact_update": [
        (r"ny(e)? adresse|adresseaendring|flyttet|flytter til", 4),
        (r"ny(e)? e-?mail|skift(e)? e-?mail|nyt (telefon)?nummer|ny mail", 4),
        (r"doedsbo|er (doed|afgaaet ved doeden)|skifteretsattest|afdoede", 5),
        (r"new address|moved to|changed my (email|address)", 4),
    ],
    "other": [
        (r"\b(mange |tusind )?tak for (hjaelpen|en hurtig|behandlingen|svaret)", 2),
        (r"svindel|phishing|er det jer|hvem er i", 5),
        (r"mobilepay|hvordan (kan jeg )?betale|how (can|do) i pay", 4),
        (r"^\W*$|^\W*(modtaget|ok|okay|tak|fint|super)\W*$", 4),
    ],
}
_LATER_MONTH = (
    r"(?:januar|februar|marts|april|maj|juni|juli|august|september|oktober|november|december)"
)
_PAY_LATER = re.compile(
    r"(?:betale?|betaler|pay|zahlen|betala)\b.{0,40}\b(?:til|i|efter|den|naar|when|in|bis|efter)\b"
    rf".{{0,25}}(?:{_LATER_MONTH}|\d{{1,2}}\.|jul|loen|pension|su\b|penge|paycheck)"
    rf"|(?:vente|vent'?|wait|warten)\b.{{0,40}}(?:{_LATER_MONTH}|\d{{1,2}}\.|jul|loen|pension)"
)
_COMPILED = {
    intent: [(re.compile(pattern), weight) for pattern, weight in cues]
    for intent, cues in CUES.items()
}


# what the trained model chooses among (machine mail is decided by the parse stage)
CLASSES = (
    "installment_request",
    "deferral_request",
    "payment_notice",
    "dispute",
    "balance_request",
    "contact_update",
    "other",
)
SECONDARY_PROBABILITY = 0.2  # a further intent the model gives this much is answered too
# below this probability the model is unsure; then precise cue rules, where they fire, decide
# (chosen on the validation split, see app/train_intents.py)
CUE_OVERRIDE_BELOW = 0.4
STRONG_CUE = 4  # a cue this strong adds its intent to the ones answered


@dataclass
class IntentResult:
    intent: str
    intents: list[str]
    scores: dict[str, int] = field(default_factory=dict)
    cues: dict[str, list[str]] = field(default_factory=dict)
    probability: float | None = None  # the model's, for the chosen intent
    features: list[dict[str, object]] = field(default_factory=list)  # what decided, weighted


def _cue_matches(text: str) -> tuple[dict[str, int], dict[str, list[str]]]:
    folded = " ".join(fold(text).split())
    scores: dict[str, int] = {}
    cues: dict[str, list[str]] = {}
    for intent, patterns in _COMPILED.items():
        for pattern, weight in patterns:
            match = pattern.search(folded)
            if match:
                scores[intent] = scores.get(intent, 0) + weight
                cues.setdefault(intent, []).append(match.group(0))
    # an amount per period or over months is an installment plan; a date to pay it all
    # by, without one, is a deferral
    offer = find_offer(text)
    if offer is not None and (offer.monthly_kr or offer.months):
        scores["installment_request"] = scores.get("installment_request", 0) + 3
        cues.setdefault("installment_request", []).append(offer.phrase)
    elif _PAY_LATER.search(folded):
        scores["deferral_request"] = scores.get("deferral_request", 0) + 3
        cues.setdefault("deferral_request", []).append(_PAY_LATER.search(folded).group(0))  # type: ignore[union-attr]
    # a request to pay later in full is a deferral, not a notice of payment
    if scores.get("deferral_request") and scores.get("payment_notice"):
        scores["payment_notice"] = max(0, scores["payment_notice"] - 3)
    return scores, cues


def _ranked_cues(scores: dict[str, int]) -> list[str]:
    return sorted(
        (intent for intent, score in scores.items() if score > 0),
        key=lambda intent: (-scores[intent], PRIORITY.index(intent)),
    )


def cue_scores(text: str) -> dict[str, int]:
    """The cue rules' score per intent (features of the trained model)."""
    return _cue_matches(text)[0]


def classify_intent(text: str, machine_kind: str = "human", subject: str = "") -> IntentResult:
    if machine_kind == "bounce":
        return IntentResult("bounce", ["bounce"], {"bounce": 10}, {"bounce": ["delivery report"]})
    if machine_kind == "auto_reply":
        return IntentResult(
            "auto_reply", ["auto_reply"], {"auto_reply": 10}, {"auto_reply": ["automatic reply"]}
        )
    scores, cues = _cue_matches(text)
    model = shipped_model()
    if model is not None:
        x = features(text, subject, scores, model.params)
        probs = model.probabilities(x)
        ranked = sorted(range(len(probs)), key=lambda k: (-probs[k], k))
        primary = model.classes[ranked[0]]
        by_cue = _ranked_cues(scores)
        if probs[ranked[0]] < CUE_OVERRIDE_BELOW and by_cue and by_cue[0] != primary:
            primary = by_cue[0]
        intents = [primary] + [
            model.classes[k]
            for k in ranked
            if probs[k] >= SECONDARY_PROBABILITY and model.classes[k] != primary
        ]
        intents += [i for i in by_cue if scores[i] >= STRONG_CUE and i not in intents]
        return IntentResult(
            primary,
            intents,
            scores,
            cues,
            probability=round(probs[model.classes.index(primary)], 3),
            features=model.explain(x, primary),
        )
    ranked_cues = _ranked_cues(scores)
    if not ranked_cues:
        return IntentResult("other", ["other"], {}, {})
    return IntentResult(ranked_cues[0], ranked_cues, scores, cues)
