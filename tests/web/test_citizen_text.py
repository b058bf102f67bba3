"""Issue 15 items 11 and 14: a CPR in a subject is masked everywhere; bidi and zero-width
characters in names and subjects are shown as their code point."""

from __future__ import annotations

from email.message import EmailMessage

from opkraevning.store.db import session_scope
from opkraevning.store.models import Debtor
from tests.conftest import Database
from tests.web.test_web import _client, _ingest, _login, _users

CPR_SPELLINGS = ["2507563219", "250756-3219", "250756\u20133219", "25.07.56-3219"]


def _mail(subject: str, body: str = "Hej, jeg har betalt.") -> bytes:
    message = EmailMessage()
    message["From"] = "Karina Winther <karina67@hotmail.com>"
    message["To"] = "opkraevning@norddjurs.dk"
    message["Subject"] = subject
    message["Message-ID"] = f"<cpr-{abs(hash(subject))}@hotmail.com>"
    message.set_content(body)
    return message.as_bytes()


def test_a_cpr_in_a_subject_is_masked_on_every_page_and_in_the_api(
    dev_database: Database,
) -> None:
    ids = [
        _ingest(dev_database, _mail(f"Betaling, mit cpr er {spelling}", f"cpr {spelling}"))
        for spelling in CPR_SPELLINGS
    ]
    no_subject = _mail("x").replace(b"Subject: x\n", b"")
    assert b"Subject" not in no_subject
    _ingest(dev_database, no_subject)  # a message without a subject is shown too
    _users(dev_database)
    client = _client(dev_database)
    _login(client)
    pages = [client.get("/indbakke").text, client.get("/skyldner/D1100000").text]
    pages += [client.get(f"/sag/{message_id}").text for message_id in ids]
    api = [client.get("/api/indbakke").text, client.get("/api/skyldnere/D1100000").text]
    api += [client.get(f"/api/sager/{message_id}").text for message_id in ids]
    for text in pages + api:
        assert "3219" not in text
    assert "250756-****" in pages[0] and "250756-****" in pages[1]
    assert all("250756-****" in page for page in pages[2:])


def test_bidi_and_zero_width_characters_are_shown_as_code_points(
    dev_database: Database,
) -> None:
    with session_scope(dev_database.engine) as session:
        debtor = session.get(Debtor, "D1100000")
        assert debtor is not None
        debtor.name = "Karina \u202eredlohsi\u202c Winther\u200b"
        session.add(debtor)
    message_id = _ingest(dev_database, _mail("Faktura \u202egpj.exe\u202c til\u2066 betaling"))
    _users(dev_database)
    client = _client(dev_database)
    _login(client)
    for page in (
        client.get("/indbakke").text,
        client.get(f"/sag/{message_id}").text,
        client.get("/skyldner/D1100000").text,
        client.get("/skyldnere?q=Karina").text,
    ):
        assert "\u202e" not in page and "\u200b" not in page and "\u2066" not in page
    sag = client.get(f"/sag/{message_id}").text
    assert "Faktura ⟨U+202E⟩gpj.exe⟨U+202C⟩ til⟨U+2066⟩ betaling" in sag
    debtor_page = client.get("/skyldner/D1100000").text
    assert "Karina ⟨U+202E⟩redlohsi⟨U+202C⟩ Winther⟨U+200B⟩" in debtor_page
