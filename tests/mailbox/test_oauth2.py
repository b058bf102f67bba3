"""Microsoft 365 log-in: client-credentials tokens (secret or certificate), XOAUTH2 to a real
Dovecot whose oauth2 passdb asks a local introspection endpoint, and XOAUTH2 to an
aiosmtpd relay that checks the token the same way."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest

from opkraevning.mailbox.mail_login import MailLoginError, RelayError, relay_connection
from opkraevning.mailbox.oauth2 import TokenError, TokenSource
from opkraevning.mailbox.sources.imap import ImapPoller
from opkraevning.settings import ImapSettings, OAuth2Settings, RelaySettings
from tests.conftest import Database
from tests.mailbox.dovecot import PASSWORD, Dovecot, dovecot
from tests.mailbox.oauth_standin import IdentityPlatform, identity_platform, oauth_relay


@pytest.fixture(scope="module")
def platform() -> Iterator[IdentityPlatform]:
    with identity_platform() as running:
        yield running


@pytest.fixture(scope="module")
def oauth_dovecot(platform: IdentityPlatform) -> Iterator[Dovecot]:
    with dovecot(oauth2_introspection_url=platform.introspection_url) as server:
        yield server


def _app(platform: IdentityPlatform, **changes: object) -> OAuth2Settings:
    values = {
        "tenant": "norddjurs.onmicrosoft.com",
        "client_id": platform.client_id,
        "client_secret": platform.client_secret,
        "token_url": platform.token_url,
        **changes,
    }
    return OAuth2Settings.model_validate(values)


def _certificate(directory: Path, name: str) -> Path:
    """A self-signed RSA certificate with its key in one PEM file (as Entra ID takes it)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=2))
        .sign(key, hashes.SHA256())
    )
    path = directory / f"{name}.pem"
    path.write_bytes(
        certificate.public_bytes(serialization.Encoding.PEM)
        + key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return path


def test_a_token_is_cached_and_fetched_again_before_it_expires(platform: IdentityPlatform) -> None:
    now = [1_000_000.0]
    tokens = TokenSource(_app(platform), clock=lambda: now[0])
    before = platform.issued
    first = tokens.token()
    assert platform.active(first)
    now[0] += platform.lifetime - 301  # still more than the 5-minute margin left
    assert tokens.token() == first and platform.issued == before + 1
    now[0] += 2  # inside the margin: a new token before the old one runs out
    second = tokens.token()
    assert second != first and platform.issued == before + 2
    tokens.close()


def test_a_refused_secret_is_a_clear_error(platform: IdentityPlatform) -> None:
    tokens = TokenSource(_app(platform, client_secret="forkert"))
    with pytest.raises(TokenError) as error:
        tokens.token()
    message = str(error.value)
    assert "invalid_client" in message and "AADSTS7000215" in message
    assert "OPKRAEVNING_OAUTH2__" in message
    tokens.close()


def test_a_certificate_proves_the_app(platform: IdentityPlatform, tmp_path: Path) -> None:
    registered = _certificate(tmp_path, "opkraevning")
    platform.certificate_pem = registered.read_bytes()
    try:
        good = TokenSource(_app(platform, client_secret="", certificate_file=registered))
        assert platform.active(good.token())
        good.close()
        other = _certificate(tmp_path, "someone-else")
        bad = TokenSource(_app(platform, client_secret="", certificate_file=other))
        with pytest.raises(TokenError, match="thumbprint is not registered"):
            bad.token()
        bad.close()
    finally:
        platform.certificate_pem = None


def _imap(server: Dovecot, user: str) -> ImapSettings:
    return ImapSettings(host="127.0.0.1", port=server.port, ssl=False, auth="oauth2", username=user)


def test_the_imap_poller_logs_in_with_xoauth2_and_stores_mail(
    database: Database, platform: IdentityPlatform, oauth_dovecot: Dovecot
) -> None:
    mailbox = platform.mailbox
    seed = oauth_dovecot.client(mailbox)  # a password log-in only to put a mail there
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "borger@example.com", mailbox, "Afdrag"
    mail["Message-ID"] = f"<xoauth2-{database.kind}@example.com>"
    mail.set_content("Kan jeg betale 500 kr. om måneden?")
    seed.append("INBOX", mail.as_bytes())
    seed.logout()
    tokens = TokenSource(_app(platform))
    poller = ImapPoller(_imap(oauth_dovecot, mailbox), database.engine, tokens)
    introspected = platform.introspections
    try:
        result = poller.poll_once()
    finally:
        poller.close()
        tokens.close()
    assert result.stored >= 1
    assert platform.introspections > introspected  # Dovecot asked about our token


def test_imap_refuses_a_revoked_token_and_the_next_log_in_gets_a_new_one(
    database: Database, platform: IdentityPlatform, oauth_dovecot: Dovecot
) -> None:
    tokens = TokenSource(_app(platform))
    poller = ImapPoller(_imap(oauth_dovecot, platform.mailbox), database.engine, tokens)
    stale = tokens.token()
    platform.revoke_all()
    with pytest.raises(MailLoginError, match=r"refused the OAuth 2\.0 token"):
        poller.connect()
    poller.connect()  # the refused token was dropped; a fresh one is accepted
    assert tokens.token() != stale
    poller.close()
    tokens.close()


def test_imap_refuses_a_token_for_another_mailbox(
    database: Database, platform: IdentityPlatform, oauth_dovecot: Dovecot
) -> None:
    tokens = TokenSource(_app(platform))
    poller = ImapPoller(_imap(oauth_dovecot, "en.anden@norddjurs.dk"), database.engine, tokens)
    with pytest.raises(MailLoginError, match=r"IMAP\.AccessAsApp"):
        poller.connect()
    tokens.close()
    assert PASSWORD  # the password log-in of the same server is untouched


def _relay(port: int, user: str) -> RelaySettings:
    return RelaySettings(host="127.0.0.1", port=port, starttls=False, auth="oauth2", username=user)


def test_the_relay_takes_mail_after_xoauth2(platform: IdentityPlatform) -> None:
    tokens = TokenSource(_app(platform))
    with oauth_relay(platform) as relay:
        with relay_connection(_relay(relay.port, platform.mailbox), tokens) as client:
            client.sendmail(platform.mailbox, ["borger@example.com"], b"Subject: Svar\r\n\r\nHej")
        assert [(user, sender) for user, sender, _ in relay.received] == [
            (platform.mailbox, platform.mailbox)
        ]
    tokens.close()


def test_the_relay_refuses_a_revoked_token_with_a_clear_error(platform: IdentityPlatform) -> None:
    tokens = TokenSource(_app(platform))
    tokens.token()
    platform.revoke_all()
    with oauth_relay(platform) as relay:
        settings = _relay(relay.port, platform.mailbox)
        with pytest.raises(RelayError) as error, relay_connection(settings, tokens):
            pass
        assert error.value.step == "auth"
        assert "refused the OAuth 2.0 token" in str(error.value) and "535" in str(error.value)
        with relay_connection(_relay(relay.port, platform.mailbox), tokens):
            pass  # the next connection fetched a fresh token
    tokens.close()
