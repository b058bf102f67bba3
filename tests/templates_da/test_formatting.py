from __future__ import annotations

from datetime import date

from opkraevning.templates_da.formatting import dato, kr


def test_kroner_in_danish_format() -> None:
    assert kr(123450) == "1.234,50 kr."
    assert kr(5) == "0,05 kr."
    assert kr(100_000_000) == "1.000.000,00 kr."
    assert kr(-123450) == "-1.234,50 kr."


def test_kroner_equal_babels_format_decimal() -> None:
    import random
    from decimal import Decimal

    from babel.numbers import format_decimal

    rng = random.Random(7)
    values = [
        0,
        1,
        99,
        100,
        999_99,
        1_000_00,
        -5,
        *(rng.randint(-(10**12), 10**12) for _ in range(2000)),
    ]
    for ore in values:
        expected = format_decimal(Decimal(ore) / 100, format="#,##0.00", locale="da_DK")
        assert kr(ore) == f"{expected} kr.", ore


def test_dates_as_danes_write_them() -> None:
    assert dato(date(2026, 11, 27)) == "27. november 2026"
    assert dato(date(2026, 6, 5)) == "5. juni 2026"
