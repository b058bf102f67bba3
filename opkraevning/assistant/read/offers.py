"""What the citizen offers to pay, per month — and only that (pure).

An amount is an offer when an offering verb stands before it in the same clause
("jeg kan betale", "vi foreslår", "kan undvære", "sætte det ned til") or when it is
paired with a period ("500 kr. om måneden"); it is *not* an offer when the clause
says what the writer earns or receives ("tjener", "løn", "efter skat", "pension",
"dagpenge"), an old agreement ("har en aftale om at betale", "lovede") or a payment
already made ("betalte", "har betalt"). Of several offers the last one counts (the
new amount follows the old one: "lovede 1.500 … kan vi sætte det ned til 600").

Periods: per month ×1, per week ×52/12, per fortnight ×26/12, per quarter /3, per
half year /6, per year /12. A total over a duration ("over 6 måneder", "i tre
rater", "over et år") is the total divided by the months; without an amount in the
text the debt the mail is about is divided (the caller passes it). Rounded to whole
kroner, half up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from opkraevning.assistant.read.identifiers import parse_number
from opkraevning.domain.folding import fold

_NUM = r"\d{1,3}(?:[. ]\d{3})+(?:,\d{1,2})?|\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_CUR = r"(?:\s*(?:kr\b\.?|kroner\b|kronen\b|kronor\b|dkk\b|,-))?"
_COUNT_WORDS = {
    "en": 1, "et": 1, "to": 2, "tre": 3, "fire": 4, "fem": 5, "seks": 6, "syv": 7,
    "otte": 8, "ni": 9, "ti": 10, "elleve": 11, "tolv": 12, "atten": 18, "fireogtyve": 24,
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "twelve": 12,
    "zwei": 2, "drei": 3, "vier": 4, "fuenf": 5, "sechs": 6, "zwoelf": 12,
    "tva": 2, "fyra": 4, "sex": 6,
}  # fmt: skip
_COUNT = r"(\d{1,2}|" + "|".join(_COUNT_WORDS) + r")"
# period words → months per payment (a fortnight is 12/26 of a month)
_PERIODS: list[tuple[str, Decimal]] = [
    (r"(?:hver|hvert|per|pr\.?|i|om|a)\s*(?:14\.?\s*dag|fjortende dag|anden uge|andn uge|2\.?\s*uge"
     r"|anden (?:mandag|tirsdag|onsdag|torsdag|fredag))"
     r"|every (?:two|2) weeks|alle (?:zwei|2) wochen|varannan vecka|biweekly|fortnight",
     Decimal(12) / Decimal(26)),
    (r"(?:om|pr\.?|per|hver|i|a|each|pro|im)\s*(?:ugen|uge\b|week\b|woche\b|vecka\b)|weekly"
        r"|woechentlich",
     Decimal(12) / Decimal(52)),
    (r"(?:i|pr\.?|per|hvert|hver|om|pro|each|a)\s*(?:kvartal(?:et)?|quarter|quartal)|quarterly"
     r"|kvartalsvis|vierteljaehrlich", Decimal(3)),
    (r"(?:hvert|hver|pr\.?|per|om|i|each)\s*(?:halve|halvt|half)\s*(?:aar|year)|halvaarlig\w*"
     r"|halbjaehrlich\w*|pro halbjahr|halvaret", Decimal(6)),
    (r"(?:om|pr\.?|per|hvert|i)\s*aaret|(?:per|a|each)\s*year|yearly|aarlig(?:t|e)?\b",
     Decimal(12)),
    (r"(?:om|pr\.?|per|hver|i|a|each|pro|im|den \d{1,2}\.? i hver)\s*(?:maaned(?:en)?|mdn?\b"
        r"|mdr\b|md\.|"
     r"mnd\b|month\b|monat\b|maanad\b|manad\b)|monthly|monatlich|maanedlig\w*|maanadsvis"
     r"|maanedsvis|hver den \d{1,2}\.",
     Decimal(1)),
]  # fmt: skip
_PERIOD = re.compile("|".join(f"(?P<p{i}>{p})" for i, (p, _) in enumerate(_PERIODS)))
_AMOUNT = re.compile(rf"(?:(?:kr\.?|dkk)\s*)?(?P<n>{_NUM}){_CUR}")
_OFFER_VERB = re.compile(
    r"(?:kan|vil|ville|gerne|kunne|maa|foreslaa\w*|tilbyde\w*|undvaere|afdrage|afdraget|betale"
    r"|betaler|betales|afbetale|ned til|op til|haeve\w*|saenke\w*|rater? (?:paa|af|a)|afdrag paa"
    r"|can|could|offer|pay|propose|koennen|koennte|zahlen|moechte|kann|ratenzahlung von|betala"
    r"|ønsker|oensker|proponuje)\b"
)
_NOT_OFFER = re.compile(
    r"(?:tjener|tjenr|indkomst|indtaegt|loen(?:nen)? (?:er|paa)|faar (?:jeg )?(?:kun )?\d"
    r"|faar udbetalt"
    r"|efter skat|foer skat|pension(?:en)? er|dagpenge|kontanthjaelp|boligstoette|husleje(?:n)? er"
    r"|udgifter|har (?:en |et )?(?:aftale|afdragsordning|ordning)|lovede|aftalt|betalte|har betalt"
    r"|er betalt|blev betalt|indbetalt|overfoert|earn|salary is|verdiene|ich verdiene|skylder|owe"
    r"|regning(?:en)? (?:paa|er)|rykker|gebyr(?:et)? (?:paa|er)|i alt ca|betaler nu|betaler stadig)"
)
_DURATION = re.compile(
    rf"(?:over|i|paa|in|ueber|into|inom)\s+(?:de naeste\s+)?{_COUNT}\s*"
    r"(?:maaneder|mdr|months|monate|monaten|monatsraten|maanader|rater|raten|delar|dele|afdrag"
    r"|betalinger|installments|payments|portioner)\b"
    r"|(?P<year>over (?:et|1) aar|over a year|ueber ein jahr|over tolv maaneder)"
)
_DURATION_CONTEXT = re.compile(r"dele|fordele|betale|afdrag|betala|zahlen|pay|split|rate|ratenzahl")


_UNTIL_PAID = re.compile(r"(?:ind)?til (?:det|den|de|beloebet|gaelden) er (?:betalt|afbetalt|ude)")


@dataclass(frozen=True)
class Offer:
    monthly_kr: int | None  # None while a duration waits for the debt to divide
    phrase: str
    months: int | None = None  # a total over a number of months
    total_ore: int | None = None
    certain: bool = False  # an offering verb, an amount and a period in one clause, alone


_ABBREVIATION = re.compile(
    r"(?:\b(?:kr|pr|ca|nr|d|f\.eks|bl\.a|md|mdr|tv|th|st|kl)\.|\b\d{1,2}\.)$"
)


def _clauses(folded: str) -> list[str]:
    """Sentences and clauses; "kr.", "pr.", "1." and the like do not end one."""
    parts = re.split(r"(?<=[.!?;:])\s+(?=[a-z0-9])|\n+|(?<=[a-z]), men |, og (?=jeg|vi)", folded)
    merged: list[str] = []
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if merged and _ABBREVIATION.search(merged[-1]):
            merged[-1] += " " + part
        else:
            merged.append(part)
    return merged


def _round(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _number(text: str) -> Decimal | None:
    value = parse_number(text.replace(" ", "."))
    return value if value is not None and value > 0 else None


def _is_amount(match: re.Match[str], clause: str) -> bool:
    """Not a year, date, day count or phone number: a plausible amount of money."""
    raw = match.group("n")
    end = match.end("n")
    if re.match(
        r"\s*\.?\s*(?:dag|uge|maaned|gang|aar|rate|januar|februar|marts|april|maj|juni|juli"
        r"|august|september|oktober|november|december|jan|feb|okt|nov|dec)",
        clause[end:],
    ):
        return False  # fmt: skip
    if re.search(r"(?:den|d\.|sag|nr\.?|faktura|kl\.?)\s*$", clause[: match.start()]):
        return False
    value = _number(raw)
    if value is None:
        return False
    if re.fullmatch(r"20\d{2}", raw) and not match.group(0).strip().endswith(("kr", "kr.")):
        return False
    return value >= 50


def _period_offer(clause: str) -> tuple[Decimal, str] | None:
    """The last amount in the clause paired with a period, as a monthly amount."""
    found = None
    for period in _PERIOD.finditer(clause):
        months = next(_PERIODS[int(k[1:])][1] for k, v in period.groupdict().items() if v)
        before = clause[: period.start()]
        amounts = [m for m in _AMOUNT.finditer(before) if _is_amount(m, before)]
        after = [m for m in _AMOUNT.finditer(clause, period.end()) if _is_amount(m, clause)]
        near = amounts[-1] if amounts and period.start() - amounts[-1].end() <= 25 else None
        span = (near.start(), period.end()) if near else (0, 0)
        if near is None and after and after[0].start() - period.end() <= 14:
            near = after[0]  # "halvårlige rater på 12.000 kr."
            span = (period.start(), near.end())
        if near is None:
            continue
        value = _number(near.group("n"))
        if value is not None:
            found = (value / months, clause[span[0] : span[1]].strip())
    return found


def _offering(clause: str) -> bool:
    return bool(_OFFER_VERB.search(clause)) and not _NOT_OFFER.search(clause)


def find_offer(text: str) -> Offer | None:
    """The writer's offer (see the module docstring), or None."""
    folded = " ".join(fold(text).replace("\u00a0", " ").split(" "))
    best: Offer | None = None
    found = 0
    for clause in _clauses(folded):
        clause = _UNTIL_PAID.sub(" ", clause)
        if _NOT_OFFER.search(clause) and not re.search(
            r"(?:kan|vil|gerne|foreslaa\w*) (?:\w+ ){0,4}(?:betale|undvaere|afdrage)|ned til"
            r"|undvaere",
            clause,
        ):
            continue
        paired = _period_offer(clause)
        if paired is not None:
            found += 1
            best = Offer(_round(paired[0]), paired[1], certain=_offering(clause))
            continue
        duration = _DURATION.search(clause)
        if duration and _DURATION_CONTEXT.search(clause):
            months = 12 if duration.group("year") else _count(duration.group(1))
            if not months or months < 2:
                continue
            amounts = [
                m
                for m in _AMOUNT.finditer(clause)
                if _is_amount(m, clause) and re.search(r"k|,-", m.group(0))
            ]
            total = _number(amounts[-1].group("n")) if amounts else None
            found += 1
            if total is not None:
                monthly = _round(total / months)
                best = Offer(monthly, duration.group(0), months, int(total * 100), certain=True)
            else:
                best = Offer(None, duration.group(0), months)
            continue
        lowered = re.search(
            rf"(?:ned|op) til (?:kr\.?\s*)?(?P<n>{_NUM}){_CUR}(?![\d%])(?!\s*%)", clause
        )
        value = _number(lowered.group("n")) if lowered else None
        if lowered and value is not None and value >= 50:
            found += 1
            best = Offer(_round(value), lowered.group(0))

    if best is not None and found > 1 and best.certain:
        best = Offer(best.monthly_kr, best.phrase, best.months, best.total_ore, certain=False)
    return best


def _count(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    return _COUNT_WORDS.get(word)


def resolve(offer: Offer | None, text: str, debt_ore: int) -> tuple[int | None, str | None]:
    """Monthly kroner and the phrase; a duration without a total divides the text's
    largest amount, or else the debt the mail is about."""
    if offer is None:
        return None, None
    if offer.monthly_kr is not None:
        return offer.monthly_kr, offer.phrase
    assert offer.months
    total = _largest_amount(text) or (Decimal(debt_ore) / 100 if debt_ore > 0 else None)
    if total is None:
        return None, offer.phrase
    return _round(total / offer.months), offer.phrase


def _largest_amount(text: str) -> Decimal | None:
    folded = fold(text)
    values = []
    for clause in _clauses(folded):
        if re.search(r"betalte|har betalt|tjener|loen|indkomst|pension|dagpenge", clause):
            continue
        for m in re.finditer(rf"(?P<n>{_NUM})\s*(?:kr\b\.?|kroner|kronen|kronor|dkk)", clause):
            value = _number(m.group("n"))
            if value is not None:
                values.append(value)
    return max(values) if values else None
