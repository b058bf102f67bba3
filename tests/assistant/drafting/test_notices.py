"""The letters a real office sends besides replies and reminders (issue 13): each says
what happened, with its date and journalnummer, and what the citizen can do."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from opkraevning.assistant.drafting.letter_context import claim_row
from opkraevning.assistant.drafting.notices import (
    render_agreement_end,
    render_receipt,
    render_udlaeg_notice,
    render_write_off,
)
from opkraevning.assistant.policy.model import Udlaeg
from tests.assistant.drafting.letter_cases import (
    DAGINST,
    FIRMA,
    KARLA,
    LOEN,
    POLICY,
    ROTTE,
    TODAY,
    all_letters,
)

LETTERS = all_letters()


def test_every_letter_has_its_date_and_journalnummer() -> None:
    for name, letter in LETTERS.items():
        head = letter.text.split("\n\n", 1)[0]
        assert head.startswith("Dato: 27. november 2026\nJournalnummer: OPK-"), name


def test_the_journalnummer_names_the_debtor_only_in_a_reply_to_the_debtor() -> None:
    assert "Journalnummer: OPK-D1100022" in LETTERS["svar_saldo"].text
    for name in ("svar_ikke_identificeret", "svar_ikke_verificeret", "kvittering"):
        assert "D1100022" not in LETTERS[name].text, name  # not even that a case exists


def test_the_receipt_promises_an_answer_in_bank_days() -> None:
    text = LETTERS["kvittering"].text
    assert "Vi har fået den 27. november 2026" in text
    # 10 bank days from Friday 27 November 2026: 11 December 2026
    assert "svar senest 11. december 2026" in text
    shorter = POLICY.model_copy(
        update={"letters": POLICY.letters.model_copy(update={"answer_days": 2})}
    )
    quick = render_receipt(
        shorter, TODAY, TODAY, sender_name=None, case_ref="3", via_post=True
    ).text
    assert "svar senest 1. december 2026" in quick and "Tak for din besked" in quick


def test_write_off_says_why_and_what_it_means() -> None:
    text = render_write_off(KARLA, [claim_row(DAGINST)], "foraeldet", POLICY, today=TODAY).text
    assert "Vi har afskrevet dette krav" in text and "forældet" in text
    assert "ikke skal betale kravet" in text and "forældelsesloven § 3" in text
    small = render_write_off(KARLA, [claim_row(DAGINST)], "small", POLICY, today=TODAY).text
    assert "forældet" not in small and "så lille" in small


def test_an_agreement_that_ends_says_what_now() -> None:
    paid = render_agreement_end(KARLA, [claim_row(LOEN)], "paid", POLICY, today=TODAY).text
    assert "er ophørt 27. november 2026" in paid and "Du har betalt det hele" in paid
    broken = LETTERS["aftale_ophoert_misligholdt"].text
    assert "Der mangler" in broken and "Gældsstyrelsen" in broken
    assert "ændret" in LETTERS["aftale_aendret"].subject


def test_udlaeg_notice_takes_the_fee_the_policy_sets() -> None:
    summons = LETTERS["tilsigelse_udlaeg"].text
    assert "14. december 2026" in summons and "pantefogeden" in summons
    assert LETTERS["tilsigelse_udlaeg"].subject == "Indkaldelse til udlægsforretning"
    assert "Gebyr for denne underretning: 450,00 kr." in summons
    assert "gebyrloven § 2 a" in summons
    total = claim_row(ROTTE).remaining_ore + 45_000
    assert f"I alt {total // 100}," in summons.replace(".", "")
    no_fee = LETTERS["underretning_udlaeg"].text  # the default policy: no fee decided
    assert "Gebyr" not in no_fee and "gebyrloven" not in no_fee
    cheaper = POLICY.model_copy(update={"udlaeg": Udlaeg(notice_fee_kr=Decimal("200.00"))})
    text = render_udlaeg_notice(
        FIRMA, [claim_row(ROTTE)], "udlaeg", date(2026, 11, 20), cheaper, today=TODAY
    ).text
    assert "200,00 kr." in text and "Til Ålsø Tømrer & Snedker ApS" in text


def test_the_fee_in_a_reminder_is_in_the_total_and_paid_with_an_invoice() -> None:
    text = LETTERS["rykker_1"].text
    assert "Læg gebyret" not in text
    assert "Gebyret er med i beløbet ovenfor. Betal det sammen med faktura" in text


def test_companies_hear_no_word_of_wages_and_de_is_never_they() -> None:
    company = LETTERS["rykker_firma"].text
    assert "din løn" not in company and "modregne" in company
    person = LETTERS["rykker_1"].text
    assert "Gældsstyrelsen kan også trække beløbet i din løn eller i ydelser" in person
    for name, letter in LETTERS.items():
        assert " De kan" not in letter.text and ". De " not in letter.text, name


def test_bank_days_and_the_fi_line_are_explained() -> None:
    text = LETTERS["rykker_1"].text
    assert "Falder fristen på en dag, hvor bankerne holder lukket" in text
    assert "Linjen betyder: kortart 71, betalings-ID 395002679175694, kreditornummer" in text
    assert "Betalingsservice" in text and "Mit Betalingsoverblik" in text
    plain = POLICY.model_copy(
        update={
            "letters": POLICY.letters.model_copy(
                update={"betalingsservice_text": "", "betalingsoverblik_text": ""}
            )
        }
    )
    bare = render_udlaeg_notice(
        KARLA, [claim_row(ROTTE)], "udlaeg", date(2026, 11, 20), plain, today=TODAY
    ).text
    assert "Sådan betaler du" in bare and "Betalingsservice" not in bare


def test_transferred_claims_sentence_agrees_with_the_number() -> None:
    one = LETTERS["svar_afdrag_modforslag"].text
    assert "Et af dine krav er sendt til Gældsstyrelsen" in one
    assert "Kun Gældsstyrelsen kan lave en aftale om det." in one and "Dem kan" not in one


def test_address_change_reply_says_where_an_address_is_changed() -> None:
    assert "CPR-registret" in LETTERS["svar_kontakt"].text
    assert "CVR-registret" in LETTERS["svar_kontakt_firma"].text
