"""The date the writer wishes to pay first (or to pay in full after a deferral) (pure).

Only dates in a clause about paying later count ("jeg kan starte 1. februar",
"kan det vente til den 15. december", "fra januar", "når jeg får løn den 30."), never
the period of a bill ("husleje for maj", "fra december 2024") nor a past payment.
A month alone is the 1st of that month; "Ende Januar" / "slutningen af januar" is its
last day. Vague phrases ("næste måned", "når dagpengene kommer", "på fredag") give
no date. Dates are resolved against the day the message was written: a day and
month without a year is the next such day.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from opkraevning.domain.folding import fold

_MONTH_NAMES = {
    "januar": 1, "january": 1, "januari": 1, "februar": 2, "february": 2, "februari": 2,
    "marts": 3, "march": 3, "maerz": 3, "mars": 3, "april": 4, "maj": 5, "may": 5, "mai": 5,
    "juni": 6, "june": 6, "juli": 7, "july": 7, "august": 8, "augusti": 8, "september": 9,
    "oktober": 10, "october": 10, "november": 11, "december": 12, "dezember": 12,
}  # fmt: skip
_MONTH = (
    r"(?P<month>jan\w*|feb\w*|mar\w*|apr\w*|maj|mai|may|jun\w*|juli|july|aug\w*|sep\w*|okt\w*"
    r"|oct\w*|nov\w*|dec\w*|dez\w*)"
)
_CONTEXT = re.compile(
    r"\bbetal|\bstarte\b|\bbegynde\b|foerste gang|\bvente\b|henstand|udsaettelse|udskyde|\bpause\b"
    r"|\bafdrag|traekke|\bbegin|postpone|\bpay\b|until|\bzahl|aufschub|betala|indbetal"
    r"|\bkan det vente"
    r"|\bvent|foreslaa|beginnend|monatlich|ratenzahlung|\bmaaned"
)
_STRONG = re.compile(
    r"(?:\btil|\bfra|\bstarte|\bbegynde|foerste gang|henstand til|vente til|\befter|\bbis|until"
    r"|from|\bab|taenker|\bi)\s*(?:den |d\. |med |igen )?$"
)
_UNTIL_PAID = re.compile(r"(?:ind)?til (?:det|den|de|beloebet|gaelden) er (?:betalt|afbetalt|ude)")
_HORIZON_DAYS = 160  # a wished first payment without a year lies within about five months
_PAST = re.compile(r"betalte|har betalt|er betalt|blev betalt|overfoerte|paid|bezahlt|betalade")
_PATTERNS = [
    # "den 15. januar 2027", "1. februar", "1 februar", "30. novemver"
    re.compile(rf"(?:den |d\.? )?(?P<day>[0-3]?\d)\.? ?(?:i )?{_MONTH}\.?(?: (?P<year>20\d\d))?\b"),
    # "den første i december", "den føst i december"
    re.compile(rf"den (?P<first>foerste|foerst|foest|forste|1\.?) (?:i |kommende? )?{_MONTH}\b"),
    # "Ende Januar", "slutningen af januar", "end of january"
    re.compile(rf"(?P<end>ende|slutningen af|end of|sidst i|slutet av) {_MONTH}\b"),
    # "fra januar", "i januar", "til februar", "tænker marts", "ab Januar"
    re.compile(
        rf"(?:fra|i|til|efter|inden|starte|begynde|taenker|in|im|ab|bis|until|from|by|i slutningen)"
        rf" (?:med |i )?{_MONTH}\b(?! ?(?:20\d\d|sidste aar|i aar))"
    ),
]
_NUMERIC = re.compile(
    r"(?:den |d\.? )(?P<day>[0-3]?\d)[./](?P<m>[01]?\d)(?:[./](?P<year>20\d\d))?\b"
)
_DAY_ONLY = re.compile(r"(?:den|d\.) (?P<day>[0-3]?\d)\.?(?!\s*(?:\d|kr|i hver|hver))")
_BILL_PERIOD = re.compile(rf"(?:for|af|fra|siden|i|regningen for|husleje for) {_MONTH} (?:20\d\d)")
_DAY_FIRST = re.compile(r"den (?:foerstkommende|forstkommende|foerstkommend) maaned")


def _month(word: str) -> int | None:
    if word in _MONTH_NAMES:
        return _MONTH_NAMES[word]
    for name, number in _MONTH_NAMES.items():
        if len(word) >= 3 and name.startswith(word[:3]) and abs(len(word) - len(name)) <= 2:
            return number
    return None


def _next(day: int, month: int, year: int | None, written: date) -> date | None:
    try:
        if year is not None:
            return date(year, month, day)
        candidate = date(written.year, month, day)
    except ValueError:
        return None
    if candidate < written - timedelta(days=3):
        try:
            candidate = date(written.year + 1, month, day)
        except ValueError:
            return None
    return candidate


def _candidates(clause: str, written: date) -> list[tuple[int, date, str]]:
    """(position, date, phrase) of every date in the clause that may be a wish."""
    found: list[tuple[int, date, str]] = []
    for index, pattern in enumerate(_PATTERNS):
        for match in pattern.finditer(clause):
            month = _month(match.group("month"))
            if month is None:
                continue
            groups = match.groupdict()
            if index == 0:
                day = int(groups["day"])
            elif groups.get("end"):
                day = calendar.monthrange(written.year, month)[1]
            else:
                day = 1
            year = int(groups["year"]) if groups.get("year") else None
            one = _next(day, month, year, written)
            if one is not None and (year is not None or (one - written).days <= _HORIZON_DAYS):
                found.append((match.start(), one, match.group(0)))
    for numeric in _NUMERIC.finditer(clause):
        if 1 <= int(numeric.group("m")) <= 12:
            year = int(numeric.group("year")) if numeric.group("year") else None
            one = _next(int(numeric.group("day")), int(numeric.group("m")), year, written)
            if one is not None and (one - written).days <= _HORIZON_DAYS:
                found.append((numeric.start(), one, numeric.group(0)))
    first = _DAY_FIRST.search(clause)
    if first:
        month_start = date(written.year + (written.month == 12), written.month % 12 + 1, 1)
        found.append((first.start(), month_start, "den førstkommende måned"))
    day_only = _DAY_ONLY.search(clause)
    if day_only and not found and re.search(r"loen|pension|\bsu\b|penge", clause):
        day = int(day_only.group("day"))
        if 1 <= day <= 31:
            year, month = written.year, written.month
            if day < written.day:
                year, month = (year + (month == 12), month % 12 + 1)
            last = calendar.monthrange(year, month)[1]
            found.append((day_only.start(), date(year, month, min(day, last)), day_only.group(0)))
    return [item for item in found if item[1] >= written - timedelta(days=3)]


def find_first_payment(text: str, written: date) -> tuple[date | None, str | None]:
    best: tuple[int, int, date, str] | None = None
    for order, sentence in enumerate(re.split(r"(?<=[.!?])\s+(?=[A-ZÆØÅ])|\n+", text)):
        clause = _UNTIL_PAID.sub(" ", " ".join(fold(sentence).split()))
        if not _CONTEXT.search(clause) or _PAST.search(clause):
            continue
        clause = _BILL_PERIOD.sub(" ", clause)
        for position, day, phrase in _candidates(clause, written):
            score = 2 + bool(_STRONG.search(clause[:position]))
            if best is None or score > best[0]:
                best = (score, order, day, phrase)
    return (best[2], best[3]) if best else (None, None)
