"""The parse stage on real-world mail: nothing raises, everything yields text or a defect."""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage
from email.policy import SMTP

import pytest

from opkraevning.assistant.parse.mime import decode_text, parse_mail
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
