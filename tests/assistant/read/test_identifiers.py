from __future__ import annotations

from datetime import date

import pytest

from opkraevning.assistant.read.identifiers import (
    find_amounts_ore,
    find_dates,
    find_identifiers,
    parse_number,
)


def test_cpr_with_and_without_dash_validated() -> None:
    ids = find_identifiers(
        "Mit cpr-nr. er 010465-0804, min mands 0401762648. Ugyldigt: 321356-1234"
    )
    assert ids.cprs == ["0104650804", "0401762648"]


def test_cvr_only_when_named_and_valid() -> None:
    assert find_identifiers("Lassen ApS, CVR-nr. 77949658").cvrs == ["77949658"]
    assert find_identifiers("CVR 77949659").cvrs == []  # check digit wrong
    assert find_identifiers("ring på 77949658").cvrs == []  # not named as a CVR


@pytest.mark.parametrize(
    "text",
    [
        "+71<497182643279702 +85286148<",
        "+71&lt;497182643279702 +85286148&lt;".replace("&lt;", "<"),
        "betalings-id 4971 8264 3279 702",
        "betalings-id 497 182 643 279 702",
        "betalings-ID: 497182643279702.",
    ],
)
def test_betalings_id_in_all_its_forms(text: str) -> None:
    assert find_identifiers(text).payment_ids == ["497182643279702"]


def test_betalings_id_with_wrong_check_digit_is_ignored() -> None:
    assert find_identifiers("betalings-id 497182643279703").payment_ids == []


def test_references_and_missing_year() -> None:
    ids = find_identifiers("faktura 2025-376465 og regning nr. 552251")
    assert ids.references == ["2025-376465"]
    assert ids.reference_suffixes == ["552251"]


@pytest.mark.parametrize(
    ("text", "ore"),
    [
        ("1.234,50", 123450),
        ("1,234.50", 123450),
        ("300,-", 30000),
        ("1.000", 100000),
        ("1,500", 150000),
        ("906,45", 90645),
        ("12", 1200),
    ],
)
def test_numbers_in_danish_and_english(text: str, ore: int) -> None:
    value = parse_number(text)
    assert value is not None and int(value * 100) == ore


def test_amounts_need_a_currency() -> None:
    assert find_amounts_ore("regning på 3.564,19 kr. for september 2026, DKK 11,248.58") == [
        356419,
        1124858,
    ]


def test_dates_resolved_against_the_day_written() -> None:
    friday = date(2026, 11, 27)
    assert find_dates("henstand til den 1. december", friday)[0][0] == date(2026, 12, 1)
    assert find_dates("jeg betaler på fredag", date(2026, 11, 25))[0][0] == friday
    assert find_dates("kan jeg vente til efter nytår", friday)[0][0] == date(2027, 1, 2)
    assert find_dates("den 15. januar", friday)[0][0] == date(2027, 1, 15)
