from __future__ import annotations

from collections.abc import Callable

from opkraevning.assistant.parse.reply_split import split_reply, trim_reply
from tests.conftest import FIXTURES

TRIMMER = FIXTURES / "reply-trimmer"


def _normalised(text: str) -> str:
    return " ".join(text.split())


def test_discourse_trimmer_cases_at_least_85_percent(report_score: Callable[[str], None]) -> None:
    cases = sorted((TRIMMER / "emails").glob("*.txt"))
    assert len(cases) == 64
    right = []
    for case in cases:
        expected = (TRIMMER / "trimmed" / case.name).read_text(encoding="utf-8")
        new_text, _ = trim_reply(case.read_text(encoding="utf-8"))
        if _normalised(new_text) == _normalised(expected):
            right.append(case.name)
    share = len(right) / len(cases)
    report_score(f"reply-trimmer: {len(right)}/{len(cases)} = {share:.1%} new text exact")
    assert share >= 0.85


def test_gmail_danish_attribution_and_signoff() -> None:
    text = (
        "Hej\n\nKan jeg betale 500 kr. om måneden?\n\nMed venlig hilsen\nKaren Hansen\n\n"
        "Den man. 12. okt. 2026 kl. 10.02 skrev Opkrævningen <opkraevning@norddjurs.dk>:\n"
        "> Faktura 2026-123456 på 1.000,00 kr.\n> betalings-ID 908100339075799\n"
    )
    reply = split_reply(text)
    assert reply.body == "Hej\n\nKan jeg betale 500 kr. om måneden?"
    assert reply.signoff == "Med venlig hilsen\nKaren Hansen"
    assert "908100339075799" in reply.quoted
    assert "908100339075799" not in reply.new_text


def test_gmail_attribution_wrapped_over_two_lines() -> None:
    text = (
        "Tak, det er betalt.\n\nDen tir. 3. nov. 2026 kl. 11.20 skrev Opkrævningen <\n"
        "opkraevning@norddjurs.dk>:\n\n> Rykker\n"
    )
    assert trim_reply(text)[0] == "Tak, det er betalt."


def test_outlook_headers_in_danish() -> None:
    text = (
        "Jeg er uenig i regningen.\n\nVenlig hilsen\nHenrik\n\n"
        "________________________________\nFra: Opkrævningen <opkraevning@norddjurs.dk>\n"
        "Sendt: 23. marts 2026 14:31\nTil: Henrik Klausen <hk@example.dk>\n"
        "Emne: Rykker for husleje\n\nKære Henrik\nDu skylder 3.000 kr.\n"
    )
    reply = split_reply(text)
    assert reply.new_text == "Jeg er uenig i regningen.\n\nVenlig hilsen\nHenrik"
    assert reply.body == "Jeg er uenig i regningen."
    assert "Du skylder 3.000 kr." in reply.quoted


def test_original_message_and_forward_markers() -> None:
    original = "Betalt i dag.\n\n-----Oprindelig meddelelse-----\nFra: x\nSendt: 1. maj 2026\nTekst"
    assert trim_reply(original)[0] == "Betalt i dag."
    forward = (
        "Se nedenfor.\n\n---------- Videresendt besked ---------\nFra: Mor <mor@example.dk>\n"
        "Dato: 1. maj 2026\nEmne: regning\nTil: mig\n\nHej skat\n"
    )
    assert trim_reply(forward)[0] == "Se nedenfor."


def test_device_signature_goes_but_a_sentence_with_fra_stays() -> None:
    text = "Fra næste måned kan jeg betale 300 kr.\n\nSendt fra min iPhone"
    assert trim_reply(text)[0] == "Fra næste måned kan jeg betale 300 kr."


def test_signoff_in_english_and_short_forms() -> None:
    assert split_reply("Paid today.\n\nKind regards,\nEmily").body == "Paid today."
    assert split_reply("Betalt.\n\nMvh Simone").signoff == "Mvh Simone"
    long_tail = "Hilsen fra Grenaa til alle jer på kontoret, I gør det godt og det skal I vide"
    assert split_reply(f"Tak.\n\n{long_tail}").body.endswith("skal I vide")


def test_a_reply_that_starts_with_den_is_not_taken_for_an_attribution() -> None:
    text = (
        "Den er betalt nu. Beklager forsinkelsen\n\nSendt fra min iPhone\n\n"
        "> Den 21. okt. 2026 kl. 10.05 skrev Opkrævningen <opkraevning@norddjurs.\n"
        "dk>:\n>\n> Kære Vera\n"
    )
    assert trim_reply(text)[0] == "Den er betalt nu. Beklager forsinkelsen"
