"""Logging in to the municipality's mail servers: password, or XOAUTH2 with an OAuth 2.0
token (Microsoft 365). One place for the IMAP poller, the outbox and ``doctor``, so all
three log in the same way and fail with the same clear words."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager

from imapclient import IMAPClient
from imapclient.exceptions import LoginError

from opkraevning.mailbox.oauth2 import TokenError, TokenSource, xoauth2_string
from opkraevning.settings import ImapSettings, RelaySettings

__all__ = ["MailLoginError", "RelayError", "TokenError", "imap_login", "relay_connection"]

M365_HINT = (
    "in Microsoft 365 the app needs the IMAP.AccessAsApp / SMTP.SendAsApp permission and "
    "access to the mailbox (Add-MailboxPermission for its service principal)"
)


class MailLoginError(Exception):
    """The server refused the log-in; the text says which account, how and what to check."""


class RelayError(Exception):
    """The relay failed at one step: ``step`` is connect, starttls or auth."""

    def __init__(self, step: str, message: str) -> None:
        super().__init__(message)
        self.step = step


def imap_login(client: IMAPClient, settings: ImapSettings, tokens: TokenSource | None) -> None:
    if settings.auth == "oauth2":
        if tokens is None:
            raise MailLoginError("IMAP auth is oauth2 but no OAuth 2.0 app is configured")
        token = tokens.token()
        try:
            client.oauth2_login(settings.username, token)
        except LoginError as exc:
            tokens.invalidate()
            raise MailLoginError(
                f"the IMAP server refused the OAuth 2.0 token for {settings.username} ({exc}); "
                f"{M365_HINT}"
            ) from exc
        return
    try:
        client.login(settings.username, settings.password)
    except LoginError as exc:
        raise MailLoginError(
            f"the IMAP server refused user {settings.username!r} ({exc}); "
            "check OPKRAEVNING_IMAP__USERNAME and __PASSWORD"
        ) from exc


def smtp_login(client: smtplib.SMTP, relay: RelaySettings, tokens: TokenSource | None) -> None:
    if relay.auth == "oauth2":
        if tokens is None:
            raise MailLoginError("relay auth is oauth2 but no OAuth 2.0 app is configured")
        token = tokens.token()

        def respond(challenge: bytes | None = None) -> str:
            # After a refusal the server sends its error as a challenge: answer empty.
            return xoauth2_string(relay.username, token) if challenge is None else ""

        try:
            client.auth("XOAUTH2", respond)
        except smtplib.SMTPAuthenticationError as exc:
            tokens.invalidate()
            raise MailLoginError(
                f"the relay refused the OAuth 2.0 token for {relay.username} "
                f"({exc.smtp_code} {_text(exc.smtp_error)}); {M365_HINT}"
            ) from exc
        return
    if relay.username:
        try:
            client.login(relay.username, relay.password)
        except smtplib.SMTPAuthenticationError as exc:
            raise MailLoginError(
                f"the relay refused user {relay.username!r} ({exc.smtp_code}); "
                "check OPKRAEVNING_RELAY__USERNAME and __PASSWORD"
            ) from exc


def _text(value: bytes | str) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else value


@contextmanager
def relay_connection(
    relay: RelaySettings, tokens: TokenSource | None, timeout: float = 30
) -> Iterator[smtplib.SMTP]:
    """A logged-in connection to the relay; :class:`RelayError` names the step that failed."""
    where = f"{relay.host}:{relay.port}"
    try:
        client = smtplib.SMTP(relay.host, relay.port, timeout=timeout)
    except (OSError, smtplib.SMTPException) as exc:
        raise RelayError("connect", f"cannot connect to the relay {where}: {exc}") from exc
    with client:
        try:
            client.ehlo()
            if relay.starttls:
                if not client.has_extn("starttls"):
                    raise RelayError("starttls", f"the relay {where} does not offer STARTTLS")
                client.starttls(context=ssl.create_default_context(cafile=relay.ca_file))
                client.ehlo()
        except (OSError, smtplib.SMTPException) as exc:
            raise RelayError("starttls", f"STARTTLS with the relay {where} failed: {exc}") from exc
        try:
            smtp_login(client, relay, tokens)
        except (MailLoginError, TokenError) as exc:
            raise RelayError("auth", str(exc)) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise RelayError("auth", f"log-in at the relay {where} failed: {exc}") from exc
        yield client
