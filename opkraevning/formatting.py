"""Danish formatting for everything people read: "1.234,50 kr." and "27. november 2026"."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_decimal

LOCALE = "da_DK"


def kr(ore: int) -> str:
    """Integer øre as Danish kroner: ``123450`` → ``1.234,50 kr.``"""
    amount = Decimal(ore) / 100
    return f"{format_decimal(amount, format='#,##0.00', locale=LOCALE)} kr."


def dato(day: date) -> str:
    """A date as Danes write it in letters: ``27. november 2026``."""
    return format_date(day, format="d. MMMM y", locale=LOCALE)
