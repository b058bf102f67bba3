"""Offers: what the citizen offers per month — never income, the debt or an old agreement."""

from __future__ import annotations

from datetime import date

import pytest

from opkraevning.assistant.read.first_payment import find_first_payment
from opkraevning.assistant.read.offers import find_offer, resolve


@pytest.mark.parametrize(
    ("text", "monthly"),
    [
        ("Kan jeg betale 500 kr. om måneden?", 500),
        ("kr. 300,- pr. md.", 300),
        ("Jeg kan betale 1.000 kr hver den 1. fra oktober", 1000),
        ("kan jeg betale 250 om ugen til den er betalt?", 1083),
        ("a payment plan of 1,500 DKK per month", 1500),
        ("i 3 månedlige rater á kr. 1.756,21", 1756),
        ("betalingsordning paa 400 kr pr maaned", 400),
        ("Jeg har fået en rykker på 4.755,36 kr.", None),
        # per fortnight ×26/12, per quarter /3, per half year /6
        ("kan jeg betale 300 hver anden uge?", 650),
        ("jeg kan betale 300 kr hver 14. dag", 650),
        ("Kan vi få lov at betale 10.000 i kvartalet?", 3333),
        ("jeg kan betale 3.000 kr. hvert halve år", 500),
        ("Vi foreslår halvårlige rater på 12.000 kr., første gang efter høsten", 2000),
        ("Wäre es möglich, 1.500 Kronen pro Quartal zu zahlen?", 500),
        # a total over a number of months
        ("De 3.586 kr der mangler vil jeg gerne dele over tre måneder.", 1195),
        ("Jeg vil gerne betale 8.000 kr. i alt over 10 måneder.", 800),
        # income, the debt and an old agreement are not offers
        ("Jeg tjener 18.000 kr. om måneden efter skat. Jeg kan undvære 400 kr. om måneden.", 400),
        ("Min løn er 19.000 kr. efter skat. Jeg kan undvære 1.500 kr. hver måned.", 1500),
        ("Jeg får 14.200 kr. om måneden efter skat og har 9.800 kr. i faste udgifter.", None),
        (
            "Jeg har en aftale om at betale 500 kr. om måneden. "
            "Kan jeg sætte den ned til 300 kr. i december?",
            300,
        ),
        ("Jeg lovede at betale 1.500 kr om måneden. Kan vi sætte det ned til 600 kr?", 600),
        ("Vi hjælper med at nedbringe restancer med op til 30 %.", None),
    ],
)
def test_offers_as_monthly_amounts(text: str, monthly: int | None) -> None:
    assert resolve(find_offer(text), text, 0)[0] == monthly


def test_a_duration_without_an_amount_divides_the_debt() -> None:
    text = "Jeg vil gerne fordele byggesagsgebyret for sag 25-26618 over et år."
    offer = find_offer(text)
    assert offer is not None and offer.months == 12 and offer.monthly_kr is None
    assert resolve(offer, text, 2_347_021) == (1956, offer.phrase)  # 23.470,21 / 12, half up
    assert resolve(offer, text, 0)[0] is None  # no debt known: no amount guessed


WRITTEN = date(2026, 11, 20)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kan jeg betale 5.000 kr. om måneden? Kan jeg starte 1. februar?", date(2027, 2, 1)),
        ("Jeg betaler 450 kr. om måneden fra januar, til den er betalt.", date(2027, 1, 1)),
        ("Kan det vente til den 15. december?", date(2026, 12, 15)),
        ("Wir bitten um einen Zahlungsaufschub bis Ende Januar.", date(2027, 1, 31)),
        ("Ka' det vent' te pensjonen kommer den føst i december?", date(2026, 12, 1)),
        ("kan jeg betale det hele når jeg får løn den 30.?", date(2026, 11, 30)),
        # not a wish: the bill's period, a past payment, a move, a vague phrase
        ("Jeg har fået en rykker for husleje fra juni.", None),
        ("Jeg betalte den 1. november.", None),
        ("Jeg er flyttet fra 1. november.", None),
        ("Jeg vil gerne betale det inden jul.", None),
        ("Kan vi sætte det ned til 600 kr fra næste måned?", None),
    ],
)
def test_first_payment_dates(text: str, expected: date | None) -> None:
    assert find_first_payment(text, WRITTEN)[0] == expected
