"""The web app over HTTP: health, log-in, roles, CSRF, escaping, and every action."""

from __future__ import annotations

from datetime import date
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlmodel import Session, col

from opkraevning.app.pipeline import run_parse_stage
from opkraevning.app.reminder.letters import draft_run_letters
from opkraevning.app.reminder.run import remind
from opkraevning.domain.clock import Clock, FixedClock
from opkraevning.settings import load_settings
from opkraevning.store.db import make_engine, session_scope
from opkraevning.store.inbound import store_raw_message
from opkraevning.store.models import (
    AuditEvent,
    Claim,
    Hold,
    InboundMessage,
    InstallmentAgreement,
    OutboundLetter,
    ReminderLetter,
)
from opkraevning.web.app import create_app
from opkraevning.web.auth import create_user
from tests.conftest import DEV_CORPUS, Database

PASSWORD = "en-lang-adgangskode"
OURS = ["opkraevning@norddjurs.dk"]


def _client(database: Database, clock: Clock | None = None) -> TestClient:
    # https: the session cookie is Secure, so a client only sends it over HTTPS
    app = create_app(load_settings(), database.engine, clock)
    return TestClient(app, base_url="https://testserver")


def _users(database: Database) -> None:
    with session_scope(database.engine) as session:
        create_user(session, "karin", PASSWORD, "sagsbehandler", "test")
        create_user(session, "admin", PASSWORD, "administrator", "test")


def _login(client: TestClient, name: str = "karin") -> str:
    response = client.post("/api/log-ind", json={"username": name, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return str(response.json()["csrf_token"])


def _audit(database: Database, action: str) -> list[AuditEvent]:
    with Session(database.engine) as session:
        return list(
            session.scalars(select(AuditEvent).where(col(AuditEvent.action) == action)).all()
        )


def _ingest(database: Database, raw: bytes) -> int:
    with session_scope(database.engine) as session:
        message, _ = store_raw_message(session, raw, channel="smtp")
        assert message.id is not None
        message_id = message.id
    run_parse_stage(database.engine, OURS)
    return message_id


def _reply(database: Database, message_id: int) -> OutboundLetter:
    with Session(database.engine) as session:
        return session.scalars(
            select(OutboundLetter).where(
                col(OutboundLetter.inbound_message_id) == message_id,
                col(OutboundLetter.kind) == "reply",
            )
        ).one()


def test_health_and_ready(database: Database) -> None:
    client = _client(database)
    assert client.get("/health").json() == {"status": "ok"}
    ready = client.get("/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready"}


def test_ready_is_503_when_schema_is_missing(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/empty.db")
    client = TestClient(create_app(load_settings(), engine))
    assert client.get("/health").status_code == 200
    response = client.get("/ready")
    assert response.status_code == 503
    assert response.json()["database"] == "schema not current"


@pytest.mark.parametrize(
    "path", ["/indbakke", "/skyldnere", "/udbakke", "/rykkerkoersel", "/sag/1", "/skyldner/D1"]
)
def test_every_page_needs_a_session(database: Database, path: str) -> None:
    response = _client(database).get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/log-ind?next=")


def test_api_and_its_description_need_a_session(database: Database) -> None:
    client = _client(database)
    assert client.get("/api/indbakke").status_code == 401
    assert client.post("/api/breve/1/godkend", json={}).status_code == 401
    assert client.get("/api/openapi.json", follow_redirects=False).status_code == 303
    _users(database)
    _login(client)
    spec = client.get("/api/openapi.json").json()
    assert "/api/breve/{letter_id}/godkend" in spec["paths"]


def test_login_page_sets_a_secure_httponly_session_cookie(database: Database) -> None:
    _users(database)
    client = _client(database)
    form = client.get("/log-ind")
    token = form.cookies.get("opk_login")
    assert token and f'value="{token}"' in form.text
    refused = client.post(
        "/log-ind", data={"username": "karin", "password": PASSWORD, "login_csrf": "forkert"}
    )
    assert refused.status_code == 403
    response = client.post(
        "/log-ind",
        data={"username": "karin", "password": PASSWORD, "login_csrf": token, "next": "/udbakke"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/udbakke"
    cookie = response.headers["set-cookie"].lower()
    assert "opk_session=" in cookie and "httponly" in cookie and "secure" in cookie
    assert "samesite=strict" in cookie
    assert client.get("/indbakke").status_code == 200
    offsite = client.post(
        "/log-ind",
        data={
            "username": "karin",
            "password": PASSWORD,
            "login_csrf": client.get("/log-ind").cookies["opk_login"],
            "next": "//evil.example/",
        },
        follow_redirects=False,
    )
    assert offsite.headers["location"] == "/indbakke"


def test_logout_ends_the_session(database: Database) -> None:
    _users(database)
    client = _client(database)
    csrf = _login(client)
    assert client.get("/api/mig").status_code == 200
    assert client.post("/api/log-ud").status_code == 403  # no CSRF header
    assert client.post("/api/log-ud", headers={"X-CSRF-Token": csrf}).status_code == 200
    assert client.get("/api/mig").status_code == 401


def test_lock_out_after_repeated_failures(database: Database) -> None:
    _users(database)
    client = _client(database)
    for _ in range(5):
        bad = client.post("/api/log-ind", json={"username": "karin", "password": "forkert-kode"})
        assert bad.status_code == 401
    locked = client.post("/api/log-ind", json={"username": "karin", "password": PASSWORD})
    assert locked.status_code == 423  # the right password does not help while locked
    assert len(_audit(database, "login.locked")) == 1
    assert len(_audit(database, "login.failed")) == 4
    unknown = client.post("/api/log-ind", json={"username": "nobody", "password": PASSWORD})
    assert unknown.status_code == 401


def test_csrf_token_is_required_and_checked(database: Database) -> None:
    _users(database)
    client = _client(database)
    csrf = _login(client)
    assert client.post("/api/breve/99/godkend", json={}).status_code == 403
    wrong = client.post("/api/breve/99/godkend", json={}, headers={"X-CSRF-Token": "x" + csrf})
    assert wrong.status_code == 403
    right = client.post("/api/breve/99/godkend", json={}, headers={"X-CSRF-Token": csrf})
    assert right.status_code == 409  # past the checks: the letter does not exist
    page = client.post("/brev/99/godkend", data={"csrf_token": "forkert"})
    assert page.status_code == 403


def test_administration_requires_the_role(database: Database) -> None:
    _users(database)
    caseworker = _client(database)
    csrf = _login(caseworker, "karin")
    assert caseworker.get("/api/brugere").status_code == 403
    assert caseworker.get("/admin/brugere").status_code == 403
    new = {"username": "ole", "password": PASSWORD, "role": "sagsbehandler"}
    assert (
        caseworker.post("/api/brugere", json=new, headers={"X-CSRF-Token": csrf}).status_code == 403
    )
    admin = _client(database)
    admin_csrf = _login(admin, "admin")
    assert admin.get("/api/brugere").status_code == 200
    assert admin.post("/api/brugere", json=new).status_code == 403  # no CSRF
    created = admin.post("/api/brugere", json=new, headers={"X-CSRF-Token": admin_csrf})
    assert created.status_code == 201
    assert "ole" in [u["username"] for u in admin.get("/api/brugere").json()]


def test_debtor_list_masks_cpr_and_finds_by_betalings_id(dev_database: Database) -> None:
    _users(dev_database)
    client = _client(dev_database)
    _login(client)
    html = client.get("/skyldnere").text
    assert "300 skyldnere" in html and "Karina Winther" in html
    assert "250756-****" in html and "2507563219" not in html
    assert "10.136,23 kr." in html  # D1100000: 9.674,03 + 612,55 - 150,35 paid
    with Session(dev_database.engine) as session:
        claim = session.scalars(select(Claim).where(col(Claim.payment_id).is_not(None))).first()
        assert claim is not None
    found = client.get("/api/skyldnere", params={"q": claim.payment_id}).json()
    assert [d["id"] for d in found["debtors"]] == [claim.debtor_id]
    by_reference = client.get("/api/skyldnere", params={"q": claim.reference}).json()
    assert claim.debtor_id in [d["id"] for d in by_reference["debtors"]]
    by_cpr = client.get("/api/skyldnere", params={"q": "250756-3219"}).json()
    assert by_cpr["total"] == 1 and by_cpr["debtors"][0]["cpr"] == "250756-****"


def test_seeing_a_full_cpr_number_is_logged(dev_database: Database) -> None:
    _users(dev_database)
    client = _client(dev_database)
    csrf = _login(client)
    page = client.get("/skyldner/D1100000").text
    assert "250756-****" in page and "2507563219" not in page
    assert not _audit(dev_database, "debtor.cpr_viewed")
    shown = client.post("/api/skyldnere/D1100000/cpr", headers={"X-CSRF-Token": csrf})
    assert shown.json() == {"cpr": "2507563219"}
    events = _audit(dev_database, "debtor.cpr_viewed")
    assert [(e.actor, e.entity_id) for e in events] == [("karin", "D1100000")]
    assert "2507563219" not in str(events[0].details)
    assert _audit(dev_database, "debtor.viewed")


def test_citizen_html_and_script_render_as_text(dev_database: Database) -> None:
    mail = EmailMessage()
    mail["From"] = "Ond Person <ond@example.com>"
    mail["To"] = OURS[0]
    mail["Subject"] = "<script>alert('emne')</script> faktura"
    mail.set_content(
        'Hej <script>alert("x")</script>\n<img src=x onerror=alert(1)>\n'
        '<a href="javascript:alert(2)">klik</a> </textarea><b>fed</b>\n'
    )
    message_id = _ingest(dev_database, mail.as_bytes())
    _users(dev_database)
    client = _client(dev_database)
    _login(client)
    html = client.get(f"/sag/{message_id}").text
    for trick in ("<script>alert", "<img src=x", '<a href="javascript', "</textarea><b>"):
        assert trick not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    inbox = client.get("/indbakke").text
    assert "<script>alert(" not in inbox and "&lt;script&gt;alert(" in inbox
    raw = client.get(f"/sag/{message_id}/original")
    assert raw.headers["content-type"].startswith("text/plain")
    assert raw.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'self'" in client.get("/indbakke").headers["content-security-policy"]


def test_approving_an_edited_installment_reply_keeps_both_texts_and_makes_the_agreement(
    dev_database: Database,
) -> None:
    message_id = _ingest(dev_database, (DEV_CORPUS / "mail" / "001.eml").read_bytes())
    reply = _reply(dev_database, message_id)
    assert reply.state == "needs_review" and reply.trace is not None
    assert reply.trace["situation"] == "installment_accept"
    _users(dev_database)
    client = _client(dev_database)
    csrf = _login(client)
    inbox = client.get("/api/indbakke").json()
    assert message_id in [m["id"] for m in inbox["messages"]]
    edited = reply.body.replace("Tak for din henvendelse.", "Tak for din mail og dit forslag.")
    approved = client.post(
        f"/api/breve/{reply.id}/godkend", json={"body": edited}, headers={"X-CSRF-Token": csrf}
    )
    assert approved.status_code == 200, approved.text
    data = approved.json()
    assert data["state"] == "approved" and data["edited"] and data["original_body"] == reply.body
    assert data["body"].startswith(edited.strip()[:40])
    again = client.post(f"/api/breve/{reply.id}/godkend", json={}, headers={"X-CSRF-Token": csrf})
    assert again.status_code == 409  # approved once only
    with Session(dev_database.engine) as session:
        message = session.get(InboundMessage, message_id)
        assert message is not None and message.state == "done"
        agreement = session.scalars(select(InstallmentAgreement)).one()
        assert agreement.status == "active" and agreement.monthly_amount_ore == 50_000
        assert session.get(Claim, "C11000220").status == "in_agreement"  # type: ignore[union-attr]
        notices = session.scalars(
            select(OutboundLetter).where(col(OutboundLetter.kind) == "reply_notice")
        ).all()
        assert [n.state for n in notices] == ["approved"]  # the email notice goes with it
    assert [e.actor for e in _audit(dev_database, "letter.edited")] == ["karin"]
    assert {e.actor for e in _audit(dev_database, "letter.approved")} == {"karin"}
    assert _audit(dev_database, "agreement.created")


def test_rejecting_needs_a_reason_and_a_dispute_hold_applies_on_approval(
    dev_database: Database,
) -> None:
    message_id = _ingest(dev_database, (DEV_CORPUS / "mail" / "008.eml").read_bytes())
    reply = _reply(dev_database, message_id)
    _users(dev_database)
    client = _client(dev_database)
    csrf = _login(client)
    headers = {"X-CSRF-Token": csrf}
    assert (
        client.post(
            f"/api/breve/{reply.id}/afvis", json={"reason": ""}, headers=headers
        ).status_code
        == 422
    )
    assert (
        client.post(f"/api/breve/{reply.id}/godkend", json={}, headers=headers).status_code == 200
    )
    with Session(dev_database.engine) as session:
        holds = session.scalars(select(Hold)).all()
    assert [(h.reason, h.claim_id, h.created_by) for h in holds] == [
        ("dispute", "C11000390", "karin")
    ]


def test_reject_sends_the_message_back_to_a_person(dev_database: Database) -> None:
    message_id = _ingest(dev_database, (DEV_CORPUS / "mail" / "005.eml").read_bytes())
    reply = _reply(dev_database, message_id)
    _users(dev_database)
    client = _client(dev_database)
    csrf = _login(client)
    response = client.post(
        f"/api/breve/{reply.id}/afvis",
        json={"reason": "ring i stedet"},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.json()["state"] == "rejected"
    case = client.get(f"/api/sager/{message_id}").json()
    assert case["state"] == "needs_review"
    assert next(e.reason for e in _audit(dev_database, "letter.rejected")) == "ring i stedet"


def test_picking_the_debtor_redrafts_the_reply(dev_database: Database) -> None:
    mail = EmailMessage()
    mail["From"] = "Ukendt <ukendt@example.com>"
    mail["To"] = OURS[0]
    mail["Subject"] = "Hvor meget skylder jeg?"
    mail.set_content("Hej, hvor meget skylder jeg? Hilsen Karina")
    message_id = _ingest(dev_database, mail.as_bytes())
    first = _reply(dev_database, message_id)
    assert first.template == "svar_ikke_verificeret"  # the same answer as for any unverified
    _users(dev_database)
    client = _client(dev_database)
    csrf = _login(client)
    response = client.post(
        f"/api/sager/{message_id}/skyldner",
        json={"debtor_id": "D1100000"},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 200
    letters = response.json()["letters"]
    assert [(x["template"], x["state"]) for x in letters] == [
        ("svar_ikke_verificeret", "rejected"),
        ("svar_ikke_verificeret", "needs_review"),  # a caseworker's choice verifies nobody
    ]
    assert _audit(dev_database, "message.debtor_assigned")[0].actor == "karin"


def test_reminder_batch_approval_releases_and_books_fees_and_exclusion_needs_a_reason(
    dev_database: Database,
) -> None:
    day = date(2026, 11, 27)
    _, run_id = remind(dev_database.engine, day)
    assert run_id is not None
    drafted = draft_run_letters(dev_database.engine, run_id)
    _users(dev_database)
    released_day = date(2026, 11, 30)  # the app's clock: the day the caseworker approves
    client = _client(dev_database, FixedClock.on(released_day))
    csrf = _login(client)
    headers = {"X-CSRF-Token": csrf}
    waiting = client.get(f"/api/rykkerkoersler/{run_id}/breve").json()
    assert waiting["counts"]["needs_review"] == drafted
    excluded_id = waiting["letters"][0]["id"]
    assert (
        client.post(
            f"/api/breve/{excluded_id}/udeluk", json={"reason": ""}, headers=headers
        ).status_code
        == 422
    )
    assert (
        client.post(
            f"/api/breve/{excluded_id}/udeluk", json={"reason": "dødsbo"}, headers=headers
        ).json()["state"]
        == "rejected"
    )
    approved = client.post(f"/api/rykkerkoersler/{run_id}/godkend", json={}, headers=headers)
    assert approved.json() == {"approved": drafted - 1}
    with Session(dev_database.engine) as session:
        released = session.scalar(
            select(func.count())
            .select_from(ReminderLetter)
            .where(col(ReminderLetter.released_on) == released_day)
        )
        fees = session.scalar(
            select(func.count()).select_from(Claim).where(col(Claim.line) == "fee")
        )
        excluded = session.scalars(
            select(ReminderLetter).where(ReminderLetter.outbound_letter_id == excluded_id)
        ).one()
    assert released == drafted - 1 and excluded.released_on is None
    assert fees and fees > 0
    page = client.get(f"/rykkerkoersel/{run_id}?tilstand=approved").text
    assert "Til Gældsstyrelsen" in page


def test_a_failed_letter_can_be_sent_again(dev_database: Database) -> None:
    message_id = _ingest(dev_database, (DEV_CORPUS / "mail" / "002.eml").read_bytes())
    reply = _reply(dev_database, message_id)
    with session_scope(dev_database.engine) as session:
        letter = session.get(OutboundLetter, reply.id)
        assert letter is not None
        letter.state, letter.last_error, letter.attempts = "failed", "550 mailbox unavailable", 8
    _users(dev_database)
    client = _client(dev_database)
    csrf = _login(client)
    outbox = client.get("/udbakke?tilstand=failed").text
    assert "550 mailbox unavailable" in outbox
    response = client.post(f"/api/breve/{reply.id}/igen", headers={"X-CSRF-Token": csrf})
    assert response.json()["state"] == "approved"
    assert _audit(dev_database, "letter.retry")[0].actor == "karin"


def test_cpr_in_the_citizens_text_is_masked_and_the_original_view_is_logged(
    dev_database: Database,
) -> None:
    message_id = _ingest(dev_database, (DEV_CORPUS / "mail" / "002.eml").read_bytes())
    _users(dev_database)
    client = _client(dev_database)
    _login(client)
    page = client.get(f"/sag/{message_id}").text
    assert "010465-0804" not in page and "010465-****" in page
    assert not _audit(dev_database, "inbound_message.raw.viewed")
    raw = client.get(f"/sag/{message_id}/original")
    assert "010465-0804" in raw.text
    assert [e.actor for e in _audit(dev_database, "inbound_message.raw.viewed")] == ["karin"]


def test_recording_an_udlaeg_needs_csrf_and_is_audited(dev_database: Database) -> None:
    _users(dev_database)
    client = _client(dev_database)
    csrf = _login(client)
    body = {"day": "2026-11-20", "note": "udlæg i bil"}
    assert client.post("/api/krav/C11000220/udlaeg", json=body).status_code == 403
    done = client.post("/api/krav/C11000220/udlaeg", json=body, headers={"X-CSRF-Token": csrf})
    assert done.json() == {"claim_id": "C11000220", "udlaeg_on": "2026-11-20"}
    again = client.post("/api/krav/C11000220/udlaeg", json=body, headers={"X-CSRF-Token": csrf})
    assert again.status_code == 409
    assert [e.actor for e in _audit(dev_database, "claim.udlaeg_recorded")] == ["karin"]
    assert "udlæg 20. november 2026" in client.get("/skyldner/D1100022").text


def test_a_counter_proposal_becomes_an_agreement_when_the_citizen_says_yes(
    dev_database: Database,
) -> None:
    mail = EmailMessage()
    mail["From"] = "Karla Frederiksen <kfrederiksen@gmail.com>"
    mail["To"] = OURS[0]
    mail["Subject"] = "Afdrag 2025-376465"
    mail.set_content("Hej. Kan jeg betale 100 kr. om måneden på faktura 2025-376465?")
    message_id = _ingest(dev_database, mail.as_bytes())
    reply = _reply(dev_database, message_id)
    assert reply.trace is not None and reply.trace["situation"] == "installment_counter"
    _users(dev_database)
    client = _client(dev_database)
    csrf = _login(client)
    headers = {"X-CSRF-Token": csrf}
    assert client.post(f"/api/breve/{reply.id}/godkend", json={}, headers=headers).is_success
    with Session(dev_database.engine) as session:
        agreement = session.scalars(select(InstallmentAgreement)).one()
        assert agreement.status == "proposed"
        assert session.get(Claim, "C11000220").status == "open"  # type: ignore[union-attr]
    letter = client.post(f"/api/aftaler/{agreement.id}/aktiver", headers=headers).json()
    assert letter["kind"] == "agreement_confirmation" and letter["state"] == "needs_review"
    assert letter["subject"] == "Din aftale om afdrag" and "1. rate:" in letter["body"]
    assert "foraeldelsesloven-5" in letter["legal_refs"]
    assert client.post(f"/api/aftaler/{agreement.id}/aktiver", headers=headers).status_code == 409
    with Session(dev_database.engine) as session:
        assert session.get(Claim, "C11000220").status == "in_agreement"  # type: ignore[union-attr]
    outbox = client.get("/udbakke").text
    assert "Venter på godkendelse" in outbox and "Din aftale om afdrag" in outbox
    assert client.post(f"/api/breve/{letter['id']}/godkend", json={}, headers=headers).is_success


def test_marking_claims_as_transferred_moves_their_lines_and_drafts_the_notice(
    dev_database: Database,
) -> None:
    from sqlalchemy import update

    remind(dev_database.engine, date(2026, 11, 27))
    with session_scope(dev_database.engine) as session:
        session.execute(update(ReminderLetter).values(released_on=date(2026, 11, 27)))
    later, _ = remind(dev_database.engine, date(2026, 12, 15), dry_run=True)
    chosen = [item.claim_id for item in later.transfers[:3]]
    assert len(chosen) == 3
    _users(dev_database)
    client = _client(dev_database)
    csrf = _login(client)
    headers = {"X-CSRF-Token": csrf}
    assert client.post("/api/overdragelser", json={"claim_ids": chosen}).status_code == 403
    notices = client.post("/api/overdragelser", json={"claim_ids": chosen}, headers=headers)
    assert notices.status_code == 200, notices.text
    letters = notices.json()
    assert {x["kind"] for x in letters} == {"transfer_notice"}
    assert all("Gældsstyrelsen" in x["body"] and "gil-3" in x["legal_refs"] for x in letters)
    with Session(dev_database.engine) as session:
        statuses = {
            c.status for c in session.scalars(select(Claim).where(col(Claim.id).in_(chosen)))
        }
        lines = session.scalars(select(Claim).where(col(Claim.parent_claim_id).in_(chosen))).all()
    assert statuses == {"transferred"}
    assert all(line.status in ("transferred", "paid", "written_off") for line in lines)
    again = client.post("/api/overdragelser", json={"claim_ids": chosen}, headers=headers)
    assert again.status_code == 409
    assert len(_audit(dev_database, "claim.transferred")) == 3
    after, _ = remind(dev_database.engine, date(2026, 12, 15), dry_run=True)
    assert not set(chosen) & {item.claim_id for item in after.transfers}


def test_the_run_page_forms_approve_the_chosen_letters_and_mark_transfers(
    dev_database: Database,
) -> None:
    from sqlalchemy import update

    day = date(2026, 11, 27)
    _, run_id = remind(dev_database.engine, day)
    assert run_id is not None
    draft_run_letters(dev_database.engine, run_id)
    _users(dev_database)
    client = _client(dev_database)
    csrf = _login(client)
    waiting = client.get(f"/api/rykkerkoersler/{run_id}/breve").json()["letters"]
    chosen = [str(x["id"]) for x in waiting[:2]]
    form = {"csrf_token": csrf, "valgte": "1", "letter_id": chosen}
    done = client.post(f"/rykkerkoersel/{run_id}/godkend", data=form, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith("besked=2-godkendt")
    with Session(dev_database.engine) as session:
        states = {
            str(x.id): x.state
            for x in session.scalars(
                select(OutboundLetter).where(col(OutboundLetter.run_id) == run_id)
            )
        }
    assert [states[x] for x in chosen] == ["approved", "approved"]
    assert list(states.values()).count("approved") == 2

    with session_scope(dev_database.engine) as session:
        session.execute(update(ReminderLetter).values(released_on=day))
    later, _ = remind(dev_database.engine, date(2026, 12, 15), dry_run=True)
    claims = [item.claim_id for item in later.transfers[:2]]
    form = {"csrf_token": csrf, "claim_id": claims}
    marked = client.post(f"/rykkerkoersel/{run_id}/overdrag", data=form, follow_redirects=False)
    assert marked.status_code == 303, marked.text
    assert marked.headers["location"].endswith("besked=2-krav-sendt-2-breve")
    with Session(dev_database.engine) as session:
        statuses = {
            c.status for c in session.scalars(select(Claim).where(col(Claim.id).in_(claims)))
        }
    assert statuses == {"transferred"}


def test_no_handler_blocks_the_event_loop(database: Database) -> None:
    """Handlers do blocking database work: they are plain ``def`` (run in the thread pool)."""
    import inspect

    from fastapi.routing import APIRoute

    def walk(routes: list[Any]) -> list[APIRoute]:
        # FastAPI may keep an included router as one route holding the original router
        found: list[APIRoute] = []
        for route in routes:
            inner = getattr(route, "original_router", None)
            found += walk(inner.routes) if inner is not None else []
            found += [route] if isinstance(route, APIRoute) else []
        return found

    routes = walk(create_app(load_settings(), database.engine).routes)
    assert len(routes) > 30
    assert [r.path for r in routes if inspect.iscoroutinefunction(r.endpoint)] == []
