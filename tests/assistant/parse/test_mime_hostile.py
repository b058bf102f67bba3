"""Issue 15 items 8, 13 and 14: who the sender is, odd charsets, 8-bit headers."""

from __future__ import annotations

import base64

import pytest

from opkraevning.assistant.parse.autoreply import classify_machine_mail
from opkraevning.assistant.parse.mime import parse_mail, text_codec


def _b64(text: str) -> str:
    return "=?utf-8?b?" + base64.b64encode(text.encode()).decode() + "?="


def _mail(from_: str, *, extra: str = "", charset: str = "utf-8") -> bytes:
    return (
        f"From: {from_}\r\nTo: opk@kommune.dk\r\nSubject: Hej\r\n{extra}"
        f"Content-Type: text/plain; charset={charset}\r\n\r\nHej med dig\r\n"
    ).encode()


# -- item 8: addresses only from the parsed address list ---------------------------


@pytest.mark.parametrize(
    "from_",
    [
        _b64("karina67@hotmail.com"),  # the whole From is one encoded word
        _b64("karina67@hotmail.com, other@example.dk"),  # an encoded "a, b"
        _b64("<karina67@hotmail.com>"),
        "karina67@hotmail.com, other@example.dk",  # two mailboxes
        "Karina <karina67@hotmail.com>, Bo <bo@example.dk>",
        "undisclosed-recipients:;",
        "Karina",  # a name without an address
        "",
    ],
)
def test_no_single_mailbox_means_no_sender(from_: str) -> None:
    parsed = parse_mail(_mail(from_))
    assert parsed.from_address is None
    assert any("not exactly one" in defect for defect in parsed.defects)


def test_two_from_headers_mean_no_sender() -> None:
    raw = _mail("a@example.dk", extra="From: karina67@hotmail.com\r\n")
    assert parse_mail(raw).from_address is None


def test_an_address_inside_an_encoded_display_name_does_not_replace_the_real_one() -> None:
    parsed = parse_mail(_mail(_b64("Karina <karina67@hotmail.com>") + " <attacker@evil.example>"))
    assert parsed.from_address == "attacker@evil.example"
    assert parsed.from_name == "Karina <karina67@hotmail.com>"


def test_a_plain_mailbox_is_still_the_sender() -> None:
    parsed = parse_mail(_mail(f"{_b64('Søren Ærø')} <Soeren@Example.dk>"))
    assert (parsed.from_address, parsed.from_name) == ("soeren@example.dk", "Søren Ærø")
    parsed = parse_mail(_mail('"Winther, Karina" <karina67@hotmail.com>'))
    assert (parsed.from_address, parsed.from_name) == ("karina67@hotmail.com", "Winther, Karina")


def test_encoded_recipients_are_not_split_into_addresses() -> None:
    raw = _mail("a@example.dk", extra=f"Reply-To: {_b64('x@evil.example, y@evil.example')}\r\n")
    parsed = parse_mail(
        raw.replace(b"To: opk@kommune.dk", b"To: " + _b64("z@evil.example").encode())
    )
    assert parsed.reply_to is None
    assert parsed.to == []


# -- item 13: charset names that are codecs but not text encodings ------------------

NOT_TEXT = ["rot13", "hex", "zlib", "base64_codec", "undefined", "uu", "bz2", "quopri", "punycode"]


@pytest.mark.parametrize("charset", NOT_TEXT)
def test_codecs_that_are_not_text_encodings_are_unknown_charsets(charset: str) -> None:
    assert text_codec(charset) is None
    parsed = parse_mail(_mail("a@example.dk", charset=charset))
    assert parsed.text == "Hej med dig\n"
    assert f"unknown charset {charset!r}" in parsed.defects


@pytest.mark.parametrize("charset", NOT_TEXT)
def test_machine_mail_detection_survives_such_charsets(charset: str) -> None:
    raw = (
        "From: MAILER-DAEMON@example.dk\r\nTo: opk@kommune.dk\r\nSubject: Undelivered\r\n"
        "Content-Type: multipart/report; report-type=delivery-status; boundary=x\r\n\r\n"
        f"--x\r\nContent-Type: text/plain; charset={charset}\r\n\r\nNot delivered\r\n"
        f"--x\r\nContent-Type: message/delivery-status; charset={charset}\r\n\r\n"
        "Final-Recipient: rfc822; ane@example.dk\r\nAction: failed\r\nStatus: 5.1.1\r\n--x--\r\n"
    ).encode()
    verdict = classify_machine_mail(raw, {"opk@kommune.dk"})
    assert verdict.kind == "bounce"


def test_real_charsets_still_work() -> None:
    assert text_codec("ISO-8859-1") == "iso8859-1"
    assert text_codec("utf-7") == "utf-7"
    raw = _mail("a@example.dk", charset="iso-8859-1").replace(
        b"Hej med dig", "Søde æbler".encode("latin-1")
    )
    assert parse_mail(raw).text == "Søde æbler\n"


# -- item 14: an 8-bit Latin-1 Subject is Latin-1 ----------------------------------


def test_latin1_8bit_headers_decode_as_latin1() -> None:
    raw = (
        "From: Søren Ærø <soeren@example.dk>\r\nTo: opk@kommune.dk\r\n"
        "Subject: Betaling for ærø-færgen\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\n"
        "Hej\r\n"
    ).encode("latin-1")
    parsed = parse_mail(raw)
    assert parsed.subject == "Betaling for ærø-færgen"
    assert parsed.from_name == "Søren Ærø"
    assert parsed.from_address == "soeren@example.dk"


def test_utf8_8bit_headers_still_decode_as_utf8() -> None:
    raw = "From: Søren <s@example.dk>\r\nSubject: Ærø\r\n\r\nHej\r\n".encode()
    assert parse_mail(raw).subject == "Ærø"
