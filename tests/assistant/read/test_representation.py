"""Who writes for whom (never verified) and the hardship they name, each with its phrase."""

from __future__ import annotations

import pytest

from opkraevning.assistant.read.representation import read_hardship, read_representation


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("Jeg skriver på vegne af min mor, Ruth Nissen, Engvej 30 i Auning.", "relative"),
        ("Min mand Ole har fået en rykker. Han er ikke så god til computer.", "relative"),
        ("ich schreibe im Namen meines Vaters, Klaus-Dieter Hoffmann", "relative"),
        ("Jeg er sagsbehandler for Kenneth Olsen i Jobcentret.", "social_worker"),
        ("Undertegnede er udpeget som bobestyrer i dødsboet efter Gudrun Pedersen.", "estate"),
        ("Som advokat for Hanne Sørensen skal jeg anmode om aktindsigt.", "lawyer"),
        ("Vi er bogholder for Kolind Blomster og Is ApS (CVR 30321391).", "accountant"),
        ("Jeg skriver for min nabo Else Winther på Ålykkevej 3.", "neighbour"),
        # first person, and an employee signing for their own company
        ("Kan jeg betale 500 kr. om måneden?", None),
        ("Med venlig hilsen Birgitte Holm, Bogholder, Djurs Entreprenør ApS", None),
        ("Vores revisor skal bruge en kopi af regningen.", None),
        ("Jeg så rykkeren hos min tidligere nabo.", None),
    ],
)
def test_on_behalf_of(text: str, role: str | None) -> None:
    reading = read_representation(text)
    assert reading.on_behalf_of == role
    assert bool(reading.evidence) == (role is not None)


def test_hardship_signals_with_their_phrases() -> None:
    found = read_hardship(
        "Jeg er blevet skilt, har mistet mit job og lever nu af kontanthjælp. "
        "Min far døde i sidste uge, og jeg er sygemeldt med stress."
    )
    assert set(found) == {"divorce", "unemployment", "benefits", "death_in_family", "illness"}
    assert found["benefits"] == "kontanthjaelp"
    # "bekræftelse" is no cancer, "sygedagpenge" no unemployment
    assert read_hardship("Kan I sende en bekræftelse?") == {}
    assert set(read_hardship("Line er sygemeldt og får sygedagpenge.")) == {"illness"}
