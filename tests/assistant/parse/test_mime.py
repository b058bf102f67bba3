"""The parse stage on real-world mail: nothing raises, everything yields text or a defect."""

from __future__ import annotations

import base64
from collections.abc import Callable
from email.message import EmailMessage
from email.policy import SMTP

import pytest

from opkraevning.assistant.parse.autoreply import classify_machine_mail
from opkraevning.assistant.parse.mime import decode_text, parse_mail, text_codec
from tests.conftest import DEV_CORPUS, FIXTURES


def _all_mail_files() -> list[str]:
    files = sorted(FIXTURES.glob("**/*.eml")) + sorted((DEV_CORPUS / "mail").glob("*.eml"))
    return [str(path) for path in files]


def test_every_shared_message_parses_without_exception(
    report_score: Callable[[str], None],
) -> None:
    files = _all_mail_files()
    assert len(files) > 700
    without_text = 0
    for path in files:
        with open(path, "rb") as handle:
            parsed = parse_mail(handle.read())
        assert parsed.text.strip() or parsed.defects, path
        without_text += not parsed.text.strip()
    report_score(
        f"parse: {len(files)} messages, 0 exceptions, {without_text} without text"
        " (each with a recorded defect)"
    )


def test_charset_fallback_declared_then_utf8_then_windows_1252() -> None:
    defects: list[str] = []
    assert decode_text("Bøgevang".encode(), "us-ascii", defects) == "Bøgevang"
    assert "decoded as utf-8" in defects[-1]
    defects.clear()
    assert decode_text("Kære Søren – æøå".encode("cp1252"), None, defects) == "Kære Søren – æøå"
    assert decode_text("Ærø".encode("latin-1"), "no-such-charset", defects) == "Ærø"
    assert any("unknown charset" in defect for defect in defects)


def test_windows_1252_body_declared_as_utf8_is_read() -> None:
    raw = (
        b"From: a@example.dk\r\nSubject: x\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        + "Jeg har betalt 1.234,50 kr. – venlig hilsen Søren".encode("cp1252")
    )
    parsed = parse_mail(raw)
    assert parsed.text == "Jeg har betalt 1.234,50 kr. – venlig hilsen Søren"
    assert any("windows-1252" in defect for defect in parsed.defects)


def test_html_only_mail_becomes_clean_text() -> None:
    message = EmailMessage()
    message["From"] = "Mette <mette@example.dk>"
    message["Subject"] = "Afdrag"
    html = (
        "<html><head><style>p {color: red}</style><script>alert(1)</script></head><body>"
        "<p>Hej</p><p>Kan jeg betale <b>800 kr</b> om måneden?</p>"
        "<div>Venlig&nbsp;hilsen<br>Mette</div></body></html>"
    )
    message.set_content(html, subtype="html")
    parsed = parse_mail(message.as_bytes(policy=SMTP))
    assert parsed.text_source == "html"
    assert "Kan jeg betale 800 kr om måneden?" in parsed.text
    assert "<" not in parsed.text
    assert "alert" not in parsed.text
    assert "color" not in parsed.text


def test_attachments_are_listed_with_name_type_and_size() -> None:
    with (DEV_CORPUS / "mail" / "002.eml").open("rb") as handle:
        parsed = parse_mail(handle.read())
    assert [(a.filename, a.content_type) for a in parsed.attachments] == [
        ("Bekræftelse udmeldelse.pdf", "application/pdf")
    ]
    assert parsed.attachments[0].size > 0
    assert "daginstitutionsbetaling" in parsed.text


def test_headers_for_threading_and_machines_are_kept() -> None:
    raw = (
        b"From: =?utf-8?q?S=C3=B8ren?= <SOREN@Example.dk>\r\nTo: opkraevning@norddjurs.dk\r\n"
        b"Subject: =?utf-8?q?Re:_Rykker_[Sag_OPK-12]?=\r\nMessage-ID: <m1@example.dk>\r\n"
        b"In-Reply-To: <opk-7@norddjurs.dk>\r\nReferences: <opk-1@x> <opk-7@norddjurs.dk>\r\n"
        b"Date: Fri, 27 Nov 2026 09:30:00 +0100\r\nAuto-Submitted: no\r\n\r\nHej\r\n"
    )
    parsed = parse_mail(raw)
    assert parsed.from_address == "soren@example.dk"
    assert parsed.from_name == "Søren"
    assert parsed.subject == "Re: Rykker [Sag OPK-12]"
    assert parsed.in_reply_to == "<opk-7@norddjurs.dk>"
    assert parsed.references == ["<opk-1@x>", "<opk-7@norddjurs.dk>"]
    assert parsed.date is not None and parsed.date.hour == 8
    assert parsed.headers["auto-submitted"] == "no"


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x00\xff\xfe garbage",
        b"Content-Type: multipart/mixed; boundary=x\r\n\r\nno parts here",
        b"Subject: =?utf-8?b?!!!?=\r\nFrom: <<<>>>\r\nDate: yesterday\r\n\r\nbody",
        b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n%%%",
    ],
)
def test_broken_input_never_raises(raw: bytes) -> None:
    parsed = parse_mail(raw)
    assert parsed.text.strip() or parsed.defects


# -- issue 15 items 8, 13 and 14 (sender, charsets, 8-bit headers) --
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
