"""Which of the debtor's claims is the message about?

Always among the identified debtor's own claims, and in this order, the first that
names something deciding:
1. betalings-ID or invoice reference in the new text (a reference with one digit
   wrong is accepted when it fits exactly one of the debtor's claims);
2. what the new text describes: an amount equal to a claim's amount or remainder,
   else a claim type ("huslejen", "rottebekæmpelse") narrowed by a period
   ("for marts", "september 2026", "11/2025") when the debtor has several;
3. identifiers in the subject;
4. identifiers in the quoted history (a one-line "Den er betalt nu" under our
   reminder is about that reminder's claim).
A subject or quote never overrides what the new text itself names (a citizen who
answers a reminder about one claim may write about another).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from opkraevning.assistant.read.identifiers import Identifiers, find_amounts_ore, find_identifiers
from opkraevning.domain.folding import fold
from opkraevning.domain.register import ClaimFacts

CLAIM_TYPE_WORDS: dict[str, tuple[str, ...]] = {
    "husleje": ("husleje",),
    "daginstitution": ("daginstitution", "boernehave", "vuggestue", "dagpleje", "daycare", "sfo"),
    "ejendomsskat": ("ejendomsskat",),
    "rottebekaempelse": ("rottebekaempelse", "rotte"),
    "skorstensfejning": ("skorsten",),
    "erstatningskrav": ("erstatning", "skade", "damage"),
    "loenkrav": ("udbetalt loen", "loenkrav", "salary", "meget i loen", "meget loen", "loen ting"),
    "juniorklub": ("juniorklub",),
    "kulturskole": ("kulturskole", "musikskole", "musikundervisning"),
    "foreningsgebyr": ("foreningsgebyr", "lokaleleje", "leje af"),
    "klientbetaling": ("egenbetaling", "plejebolig", "klientbetaling", "hjemmehjaelp"),
    "boliglaan": ("boliglaan", "laanet til ejendomsskat", "laan til ejendomsskat", "laanet",
                  "laan til betaling af ejendomsskat", "ejendomsskattelaan", "mit laan"),
}  # fmt: skip
# words of a claim's description that say nothing particular
_GENERIC = frozenset(
    [
        "foraeldrebetaling",
        "egenbetaling",
        "erstatningskrav",
        "kulturskolen",
        "leje",
        "lokaler",
        "rate",
        "sag",
        "ved",
        "og",
        "paa",
        "kontingent",
        "for",
        "meget",
        "udbetalt",
        "beskadiget",
        "oedelagt",
        "paakoert",
        "bortkommet",
        "skade",
        "kommunal",
        "levering",
        "af",
        "i",
        "ophold",
    ]
)
MONTHS = {
    "januar": 1, "februar": 2, "marts": 3, "april": 4, "maj": 5, "juni": 6, "juli": 7,
    "august": 8, "september": 9, "oktober": 10, "november": 11, "december": 12,
    "january": 1, "february": 2, "march": 3, "may": 5, "june": 6, "july": 7, "october": 10,
}  # fmt: skip
_PERIOD_NUMERIC = re.compile(r"(?<!\d)(\d{1,2})[/.-](20\d{2})(?!\d)")
_OPEN = ("open", "in_agreement")


@dataclass
class ClaimChoice:
    claim_ids: list[str]
    via: str  # which rule decided


def _by_identifiers(claims: list[ClaimFacts], ids: Identifiers) -> list[ClaimFacts]:
    chosen = [
        c
        for c in claims
        if (c.payment_id and c.payment_id in ids.payment_ids)
        or c.reference in ids.references
        or any(c.reference.endswith("-" + suffix) for suffix in ids.reference_suffixes)
    ]
    if chosen:
        return chosen
    # one mistyped digit in a reference, when it fits exactly one of this debtor's claims
    near = [
        c for c in claims for ref in ids.references if Levenshtein.distance(c.reference, ref) == 1
    ]
    return near if len({c.id for c in near}) == 1 else []


def _periods(folded: str) -> list[tuple[int, int | None]]:
    found: list[tuple[int, int | None]] = []
    for month_text, year_text in re.findall(r"\b([a-z]+)\s*(20\d{2})?\b", folded):
        month = MONTHS.get(month_text)
        if month:
            found.append((month, int(year_text) if year_text else None))
    for month_text, year_text in _PERIOD_NUMERIC.findall(folded):
        if 1 <= int(month_text) <= 12:
            found.append((int(month_text), int(year_text)))
    return found


def _matches_period(claim: ClaimFacts, month: int, year: int | None) -> bool:
    described = _PERIOD_NUMERIC.search(claim.description)
    if described:
        claim_month, claim_year = int(described.group(1)), int(described.group(2))
    else:
        claim_month, claim_year = claim.issued_on.month, claim.issued_on.year
    return claim_month == month and (year is None or claim_year == year)


def _keywords(description: str) -> list[str]:
    words = re.findall(r"[a-z]{4,}", fold(description))
    return [w for w in words if w not in _GENERIC]


def _names_description(claim: ClaimFacts, words: list[str]) -> bool:
    """A particular word of the claim's description in the text ("ruden", "guitartimer")."""
    for keyword in _keywords(claim.description):
        for word in words:
            common = len(keyword) if word.startswith(keyword) else 0
            if not common:
                size = 0
                while size < min(len(word), len(keyword)) and word[size] == keyword[size]:
                    size += 1
                common = size if size >= 6 else 0
            if common >= 4:
                return True
    return False


def _topical(claims: list[ClaimFacts], folded: str) -> list[ClaimFacts]:
    types = {t for t, words in CLAIM_TYPE_WORDS.items() if any(w in folded for w in words)}
    if "boliglaan" in types and re.search(r"laan\w* til (?:betaling af )?ejendomsskat", folded):
        types.discard("ejendomsskat")
    words = re.findall(r"[a-z]{4,}", folded.replace("'", ""))
    return [c for c in claims if c.claim_type in types or _names_description(c, words)]


def _by_description(claims: list[ClaimFacts], text: str) -> list[ClaimFacts]:
    amounts = set(find_amounts_ore(text))
    by_amount = [c for c in claims if c.amount_ore in amounts or c.remaining_ore in amounts]
    if len(by_amount) == 1:
        return by_amount
    folded = fold(text)
    typed = _topical(claims, folded)
    if not typed:
        return by_amount
    periods = _periods(folded)
    in_period = [c for c in typed if any(_matches_period(c, m, y) for m, y in periods)]
    if in_period:
        return in_period
    return [c for c in typed if c.status in _OPEN] or typed


def choose_claims(
    claims: list[ClaimFacts],
    *,
    new_text: str,
    new_text_ids: Identifiers,
    subject_ids: Identifiers,
    quoted: str,
    use_quote: bool,
    fallback_single: bool = False,
) -> ClaimChoice:
    if not claims:
        return ClaimChoice([], "the debtor has no claims")
    chosen = _by_identifiers(claims, new_text_ids)
    if chosen:
        return ClaimChoice([c.id for c in chosen], "identifier in the new text")
    chosen = _by_description(claims, new_text)
    if chosen:
        return ClaimChoice([c.id for c in chosen], "amount, type or period in the new text")
    chosen = _by_identifiers(claims, subject_ids)
    if chosen:
        return ClaimChoice([c.id for c in chosen], "identifier in the subject")
    if use_quote and quoted:
        chosen = _by_identifiers(claims, find_identifiers(quoted))
        if chosen:
            return ClaimChoice([c.id for c in chosen], "identifier in the quoted letter")
    still_open = [c for c in claims if c.status in _OPEN and c.line == "principal"]
    if len(still_open) == 1 and fallback_single:
        return ClaimChoice([still_open[0].id], "the debtor's only open claim")
    return ClaimChoice([], "the message names no particular claim")
