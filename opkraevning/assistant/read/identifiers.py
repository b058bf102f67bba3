"""Finding identifiers, amounts and offers in what a citizen wrote (pure functions).

Danish folding (``æ→ae, ø→oe, å→aa``) is applied before cue and name matching, so
"betalingsordning paa 400 kr pr maaned" written on a German keyboard reads the
same as the Danish original. CPR numbers are validated (python-stdnum) and never
returned unmasked in evidence; betalings-IDs must pass the modulus-10 check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from stdnum import luhn
from stdnum.dk import cvr as cvr_number

from opkraevning.domain.cpr import find_cprs
from opkraevning.domain.folding import fold

_CVR = re.compile(r"\bcvr[\s.:-]*(?:nr\.?|nummer)?[\s.:-]*(\d{2}\s?\d{2}\s?\d{2}\s?\d{2})\b", re.I)
_FI_LINE = re.compile(r"\+?71\s*<\s*([\d\s]{15,25}?)\s*\+\s*\d{8}\s*<")
_DIGIT_RUN = re.compile(r"(?<![\d.,])\d(?:[ .]?\d){14}(?![\d])")
_REFERENCE = re.compile(r"(?<!\d)(20\d{2})\s?[-/]\s?(\d{6})(?!\d)")
_REFERENCE_SUFFIX = re.compile(
    r"\b(?:faktura|fakturanr|regning|invoice|nr|no)\.?\s*(?:nr\.?|no\.?)?\s*(\d{6})(?!\d)", re.I
)


@dataclass
class Identifiers:
    cprs: list[str] = field(default_factory=list)
    cvrs: list[str] = field(default_factory=list)
    payment_ids: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    reference_suffixes: list[str] = field(default_factory=list)

    def empty(self) -> bool:
        return not (
            self.cprs or self.cvrs or self.payment_ids or self.references or self.reference_suffixes
        )


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def find_identifiers(text: str) -> Identifiers:
    found = Identifiers()
    for match in _CVR.finditer(text):
        digits = match.group(1).replace(" ", "")
        if cvr_number.is_valid(digits):
            found.cvrs.append(digits)
    for match in _FI_LINE.finditer(text):
        digits = re.sub(r"\s", "", match.group(1))
        if len(digits) == 15 and luhn.is_valid(digits):
            found.payment_ids.append(digits)
    for match in _DIGIT_RUN.finditer(text):
        digits = re.sub(r"[ .]", "", match.group(0))
        if len(digits) == 15 and luhn.is_valid(digits):
            found.payment_ids.append(digits)
    for match in _REFERENCE.finditer(text):
        found.references.append(f"{match.group(1)}-{match.group(2)}")
    for match in _REFERENCE_SUFFIX.finditer(text):
        found.reference_suffixes.append(match.group(1))
    cleaned = _FI_LINE.sub(" ", text)
    found.cprs = [cpr for cpr in find_cprs(cleaned) if cpr not in found.payment_ids]
    found.cvrs = _unique(found.cvrs)
    found.payment_ids = _unique(found.payment_ids)
    found.references = _unique(found.references)
    found.reference_suffixes = _unique(
        [s for s in found.reference_suffixes if not any(r.endswith(s) for r in found.references)]
    )
    return found


# -- amounts ----------------------------------------------------------------------

_NUMBER = r"\d{1,3}(?:[.,]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_AMOUNT = re.compile(
    rf"(?:(?:kr\.?|dkk)\s*(?P<a>{_NUMBER})(?:\s*,-)?|(?P<b>{_NUMBER})\s*(?:,-\s*)?(?:kr\b\.?|kroner\b|dkk\b))",
    re.I,
)


def parse_number(text: str) -> Decimal | None:
    """Danish and English number forms: 1.234,56 / 1,234.56 / 1234,5 / 300,- / 1.000."""
    text = text.strip().rstrip("-").rstrip(",").strip()
    if not text:
        return None
    if "," in text and "." in text:
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
    elif "," in text:
        decimal_mark = "," if len(text.rsplit(",", 1)[1]) != 3 else ""
    elif "." in text:
        decimal_mark = "." if len(text.rsplit(".", 1)[1]) != 3 else ""
    else:
        decimal_mark = ""
    digits = ""
    for ch in text:
        if ch.isdigit():
            digits += ch
        elif ch == decimal_mark:
            digits += "."
    try:
        return Decimal(digits)
    except InvalidOperation:
        return None


def find_amounts_ore(text: str) -> list[int]:
    """Amounts written with kr./DKK, in øre."""
    amounts = []
    for match in _AMOUNT.finditer(text):
        value = parse_number(match.group("a") or match.group("b"))
        if value is not None:
            amounts.append(int((value * 100).to_integral_value()))
    return amounts


# -- dates --------------------------------------------------------------------------

_MONTHS = {
    "januar": 1, "februar": 2, "marts": 3, "april": 4, "maj": 5, "juni": 6, "juli": 7,
    "august": 8, "september": 9, "oktober": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "okt": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_WEEKDAYS = {"mandag": 0, "tirsdag": 1, "onsdag": 2, "torsdag": 3, "fredag": 4,
             "loerdag": 5, "soendag": 6}  # fmt: skip
_DAY_MONTH = re.compile(r"\b(\d{1,2})\.\s*(" + "|".join(_MONTHS) + r")\.?(?:\s+(20\d{2}))?\b")
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})[./](\d{1,2})(?:[./](20\d{2}))?\b")
_ISO_DATE = re.compile(r"\b(20\d{2})-(\d{2})-(\d{2})\b")
_WEEKDAY = re.compile(r"\b(?:paa|naeste|paa naeste|til|om)\s+(" + "|".join(_WEEKDAYS) + r")\b")


def _future(day: int, month: int, year: int | None, today: date) -> date | None:
    try:
        candidate = date(year or today.year, month, day)
    except ValueError:
        return None
    if year is None and candidate < today - timedelta(days=31):
        candidate = candidate.replace(year=today.year + 1)
    return candidate


def find_dates(text: str, today: date) -> list[tuple[date, str]]:
    """Dates a citizen names, resolved against the day the mail was written.

    "den 1. december", "15. oktober 2026", "1/12", "2026-12-01", "på fredag",
    "i morgen", "efter nytår" (2 January), "næste måned" (the 1st of next month).
    A day-and-month without a year that lies well in the past means next year.
    """
    folded = fold(text)
    found: list[tuple[date, str]] = []
    for match in _ISO_DATE.finditer(folded):
        day = _future(int(match.group(3)), int(match.group(2)), int(match.group(1)), today)
        if day:
            found.append((day, match.group(0)))
    for match in _DAY_MONTH.finditer(folded):
        year = int(match.group(3)) if match.group(3) else None
        day = _future(int(match.group(1)), _MONTHS[match.group(2)], year, today)
        if day:
            found.append((day, match.group(0)))
    for match in _NUMERIC_DATE.finditer(folded):
        if int(match.group(2)) > 12:
            continue
        year = int(match.group(3)) if match.group(3) else None
        day = _future(int(match.group(1)), int(match.group(2)), year, today)
        if day:
            found.append((day, match.group(0)))
    for match in _WEEKDAY.finditer(folded):
        ahead = (_WEEKDAYS[match.group(1)] - today.weekday()) % 7 or 7
        found.append((today + timedelta(days=ahead), match.group(0)))
    if re.search(r"\bi morgen\b", folded):
        found.append((today + timedelta(days=1), "i morgen"))
    if re.search(r"efter nytaar|efter jul og nytaar|after new year", folded):
        found.append((date(today.year + 1, 1, 2), "efter nytår"))
    if re.search(r"naeste maaned|next month", folded):
        first = date(today.year + (today.month == 12), today.month % 12 + 1, 1)
        found.append((first, "næste måned"))
    return found


_MONTH = r"(?:maaned(?:en)?|md\b\.?|mdr\b\.?|month\b)"
_CURRENCY = r"(?:kr\b\.?|kroner\b|dkk\b|,-)?"

# -- income: what the writer says they live on (for the tabeltræk benchmark) -------

_INCOME = re.compile(
    r"(?:tjener|indkomst(?:en)?|indtaegt(?:en)?|loen(?:en)?|kontanthjaelp(?:en)?|pension(?:en)?"
    r"|dagpenge(?:ne)?|su(?:en)?|udbetalt|faar(?: udbetalt)?|income|earn)\s+"
    r"(?:(?:er|paa|of|is)\s+)*(?:kun\s+|ca\.?\s+|omkring\s+|about\s+|only\s+)?"
    rf"(?:kr\.?\s*|dkk\s*)?(?P<amount>{_NUMBER})\s*{_CURRENCY}\s*(?:,-\s*)?(?:efter skat\s*)?"
    rf"(?:(?:om|pr\.?|per|hver|i|a)\s*(?:(?P<month>{_MONTH})|(?P<year>aaret|aar\b|year\b)))?"
)
_CHILDREN = re.compile(r"\b(?:boern|barn|soen|datter|forsoerger|children|kids)\b")


def find_income_monthly_kr(text: str) -> tuple[int | None, str | None]:
    """A stated net income per month ("jeg får 11.500 kr. om måneden efter skat").

    Yearly amounts are divided by 12. An amount under 1.000 kr. is not an income
    (it is an offer or a bill), so it is ignored.
    """
    for match in _INCOME.finditer(fold(text)):
        value = parse_number(match.group("amount"))
        if value is None:
            continue
        if match.group("year"):
            value = value / 12
        if value < 1000:
            continue
        return int(value), match.group(0).strip()
    return None, None


def mentions_children(text: str) -> bool:
    """Whether the writer says they provide for children (forsørgerpligt)."""
    return bool(_CHILDREN.search(fold(text)))
