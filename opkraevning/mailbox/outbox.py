"""The outbox: approved letters leave exactly once, by email (SMTP relay) or Digital Post.

- Only ``approved`` letters are sent (a person approved them, or policy released a
  reminder batch). Drafts never leave.
- The attempt is recorded before sending: the letter goes ``approved → sending``
  with its Message-ID fixed and the attempt counted, in its own transaction. Then
  it is handed to the relay, then marked ``sent``.
- If the process dies while a letter is ``sending``, nobody knows whether the relay
  took it. On start the outbox reconciles by Message-ID: found in the sent folder
  → ``sent``; known not to be there → back to ``approved`` and sent again with the
  same Message-ID; no way to tell → ``failed`` with the reason, for a person.
- Failures are retried with exponential backoff; after ``max_attempts`` the letter
  is ``failed`` with the error. A per-address daily cap stops mail loops.
- An email never carries a CPR number (RULES.md §8): such a letter is refused.
- Email gets our Message-ID, In-Reply-To/References when it answers a message,
  the case token in the subject, and ``Auto-Submitted: auto-generated`` when no
  person wrote it. Digital Post gets a MeMo 1.1 message validated against the XSD.
"""

from __future__ import annotations

import base64
import logging
import os
import smtplib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Protocol

import httpx
from sqlalchemy import func, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from opkraevning.assistant.parse.thread_links import case_token
from opkraevning.domain.cpr import contains_cpr
from opkraevning.logs import message_context
from opkraevning.mailbox.formats.memo import OutgoingMemo, build_memo, validation_errors
from opkraevning.mailbox.headers import HeaderError, check_headers_read_back, mailbox
from opkraevning.mailbox.mail_login import RelayError, imap_login, relay_connection
from opkraevning.mailbox.oauth2 import TokenSource
from opkraevning.settings import Settings
from opkraevning.store.audit import record
from opkraevning.store.db import session_scope
from opkraevning.store.inbound import parsed_or_none
from opkraevning.store.models import (
    OUTCOME_UNKNOWN,
    Debtor,
    InboundMessage,
    LetterState,
    OutboundLetter,
)
from opkraevning.store.types import utcnow

log = logging.getLogger(__name__)

AUTOMATIC_KINDS = frozenset(
    {"reminder", "breach_reminder", "transfer_notice", "agreement_confirmation"}
)
POLICY_APPROVER = "policy"


class SendError(Exception):
    """This letter could not be handed over; the text says why."""


class PermanentSendError(SendError):
    """Retrying will not help (e.g. the letter breaks a privacy rule)."""


class SentLookup(Protocol):
    def was_sent(self, message_id: str) -> bool | None:
        """True/False when known, None when it cannot be told."""


@dataclass
class SendResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    postponed: int = 0
    reconciled: int = 0


class Outbox:
    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        *,
        lookup: SentLookup | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.lookup = lookup
        self.clock = clock
        self.http: httpx.Client | None = None
        self.tokens: TokenSource | None = None  # OAuth 2.0 tokens when relay.auth = "oauth2"

    # -- bookkeeping --------------------------------------------------------------

    def _start_of_local_day(self, moment: datetime) -> datetime:
        local = moment.astimezone(self.settings.zone)
        return datetime.combine(local.date(), time(0), tzinfo=self.settings.zone)

    def _backoff(self, attempts: int) -> timedelta:
        return timedelta(minutes=min(2 ** (attempts - 1), 360))

    def _due_ids(self, session: Session, limit: int) -> list[int]:
        now = self.clock()
        query = (
            select(OutboundLetter.id)
            .where(
                OutboundLetter.state == LetterState.APPROVED.value,
                col(OutboundLetter.channel).in_(("email", "digital_post")),  # print: by hand
                (col(OutboundLetter.next_attempt_at).is_(None))
                | (col(OutboundLetter.next_attempt_at) <= now),
            )
            .order_by(col(OutboundLetter.id))
            .limit(limit)
        )
        return [letter_id for letter_id in session.exec(query).all() if letter_id is not None]

    def _sent_today(self, session: Session, recipient: str) -> int:
        since = self._start_of_local_day(self.clock())
        return int(
            session.exec(
                select(func.count())
                .select_from(OutboundLetter)
                .where(
                    func.lower(OutboundLetter.recipient) == recipient.lower(),
                    OutboundLetter.state == LetterState.SENT.value,
                    col(OutboundLetter.sent_at) >= since,
                )
            ).one()
        )

    def _claim(self, letter_id: int) -> OutboundLetter | None:
        """approved → sending, with Message-ID fixed and the attempt counted (committed)."""
        with session_scope(self.engine) as session:
            letter = session.get(OutboundLetter, letter_id)
            if letter is None or letter.state != LetterState.APPROVED.value:
                return None
            cap = self.settings.outbox.daily_cap_per_address
            if (
                letter.channel == "email"
                and letter.recipient
                and self._sent_today(session, letter.recipient) >= cap
            ):
                tomorrow = self._start_of_local_day(self.clock()) + timedelta(days=1, hours=7)
                letter.next_attempt_at = tomorrow
                letter.last_error = "daily cap for this address reached; sent tomorrow"
                session.add(letter)
                return None
            claimed = session.execute(
                update(OutboundLetter)
                .where(
                    col(OutboundLetter.id) == letter_id,
                    col(OutboundLetter.state) == LetterState.APPROVED.value,
                )
                .values(
                    state=LetterState.SENDING.value,
                    attempts=OutboundLetter.attempts + 1,
                    message_id=letter.message_id or self._new_message_id(letter),
                )
            )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                return None
            session.refresh(letter)
            return letter

    def _new_message_id(self, letter: OutboundLetter) -> str:
        if letter.channel == "digital_post":
            return str(uuid.uuid4())
        token = uuid.uuid4().hex[:16]
        return f"<opk-{letter.id}-{token}@{self.settings.outbox.message_id_domain}>"

    def _finish(self, letter_id: int, error: Exception | None) -> str:
        with session_scope(self.engine) as session:
            letter = session.get(OutboundLetter, letter_id)
            assert letter is not None
            if error is None:
                letter.state = LetterState.SENT.value
                letter.sent_at = self.clock()
                letter.last_error = None
                outcome = "sent"
            elif (
                isinstance(error, PermanentSendError)
                or letter.attempts >= self.settings.outbox.max_attempts
            ):
                letter.state = LetterState.FAILED.value
                letter.last_error = str(error)[:2000]
                outcome = "failed"
            else:
                letter.state = LetterState.APPROVED.value
                letter.next_attempt_at = self.clock() + self._backoff(letter.attempts)
                letter.last_error = str(error)[:2000]
                outcome = "retry"
            session.add(letter)
            record(
                session,
                "outbox",
                f"letter.{outcome}",
                "outbound_letter",
                str(letter_id),
                {
                    "channel": letter.channel,
                    "attempts": letter.attempts,
                    "message_id": letter.message_id,
                },
                reason=letter.last_error,
            )
            return outcome

    # -- building and handing over ------------------------------------------------

    def build_email(self, session: Session, letter: OutboundLetter) -> EmailMessage:
        body = letter.edited_body if letter.edited_body is not None else letter.body
        if contains_cpr(body) or contains_cpr(letter.subject):
            raise PermanentSendError(
                "the letter contains a CPR number and may not go by email; send it by Digital Post"
            )
        if not letter.recipient:
            raise PermanentSendError("the letter has no recipient address")
        relay = self.settings.relay
        sender = relay.from_address or self.settings.accepted_recipients[0]
        assert letter.id is not None
        token = case_token(letter.id)
        subject = letter.subject if token in letter.subject else f"{letter.subject} {token}"
        try:
            headers: dict[str, str | Address] = {
                "From": mailbox(sender, self.settings.digital_post.sender_label),
                "To": mailbox(letter.recipient),
                "Subject": subject.strip(),
                "Date": format_datetime(self.clock()),
                "Message-ID": letter.message_id or "",
            }
        except HeaderError as exc:
            raise PermanentSendError(str(exc)) from exc
        if letter.inbound_message_id is not None:
            inbound = session.get(InboundMessage, letter.inbound_message_id)
            if inbound is not None and inbound.message_id:
                parsed = parsed_or_none(inbound) if inbound.parsed is not None else None
                earlier = parsed.mail.references if parsed and parsed.mail else []
                headers["In-Reply-To"] = inbound.message_id
                headers["References"] = " ".join([*earlier, inbound.message_id])
        if letter.kind in AUTOMATIC_KINDS or letter.approved_by in (None, POLICY_APPROVER):
            headers["Auto-Submitted"] = "auto-generated"
        headers["X-Auto-Response-Suppress"] = "All"
        message = EmailMessage()
        try:
            for name, value in headers.items():
                message[name] = value
            message.set_content(body)
            check_headers_read_back(message, headers)
        except (HeaderError, ValueError, TypeError) as exc:  # e.g. CR/LF in a value
            raise PermanentSendError(f"a header could not be written: {exc}") from exc
        return message

    def _send_email(self, message: EmailMessage) -> None:
        relay = self.settings.relay
        if not relay.enabled:
            raise SendError("no SMTP relay is configured (OPKRAEVNING_RELAY__HOST)")
        if relay.auth == "oauth2" and self.tokens is None:
            self.tokens = TokenSource(self.settings.oauth2)
        try:
            with relay_connection(relay, self.tokens) as client:
                client.send_message(message)
        except RelayError as exc:
            raise SendError(str(exc)) from exc
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentSendError(f"the relay refused the recipient: {exc.recipients}") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise SendError(f"SMTP relay {relay.host}:{relay.port}: {exc}") from exc

    def _pdf(self, subject: str, text: str) -> bytes | None:
        """The letter as PDF on the letterhead, the MeMo main document. Should rendering
        fail, the letter still goes with its text as the main document (logged): a
        letter is never held back for its layout."""
        from opkraevning.assistant.policy.model import policy_for
        from opkraevning.mailbox.formats.pdf import Letterhead, letter_pdf

        try:
            policy = policy_for(self.clock().date(), self.settings.policy_file)
            return letter_pdf(subject, text, Letterhead.of(policy))
        except Exception:
            log.warning("the PDF of a letter could not be made; sending its text", exc_info=True)
            return None

    def build_memo(self, session: Session, letter: OutboundLetter) -> bytes:
        debtor = session.get(Debtor, letter.debtor_id) if letter.debtor_id else None
        if debtor is None or not (debtor.cpr or debtor.cvr):
            raise PermanentSendError("Digital Post needs the debtor's CPR or CVR number")
        config = self.settings.digital_post
        assert letter.id is not None and letter.message_id is not None
        text = letter.edited_body if letter.edited_body is not None else letter.body
        xml = build_memo(
            OutgoingMemo(
                sender_cvr=config.sender_cvr,
                sender_label=config.sender_label,
                recipient_id=debtor.cpr or debtor.cvr or "",
                recipient_id_type="CPR" if debtor.cpr else "CVR",
                recipient_label=debtor.name,
                label=letter.subject or "Brev fra Opkrævningen",
                text=text,
                pdf=self._pdf(letter.subject, text),
                case_id=f"OPK-{letter.debtor_id}",
                letter_ref=f"OPK-L{letter.id}",
                message_uuid=letter.message_id,
                created=self.clock(),
            )
        )
        errors = validation_errors(xml)
        if errors:
            raise PermanentSendError(f"the MeMo message does not validate: {errors[0]}")
        return xml

    def _send_memo(self, xml: bytes, message_uuid: str) -> None:
        config = self.settings.digital_post
        if config.outbox_dir is not None:
            config.outbox_dir.mkdir(parents=True, exist_ok=True)
            target = config.outbox_dir / f"{message_uuid}.xml"
            temporary = target.with_suffix(".tmp")
            temporary.write_bytes(xml)
            os.replace(temporary, target)  # the same letter twice is the same file
        if config.send_url:
            self.http = self.http or httpx.Client(timeout=30)
            try:
                response = self.http.post(
                    config.send_url,
                    json={
                        "kombi_request": {
                            "transaction_id": message_uuid,
                            "memo": base64.b64encode(xml).decode("ascii"),
                        }
                    },
                    headers={"Authorization": f"Bearer {config.api_token}"},
                )
                response.raise_for_status()
            except httpx.HTTPError as exc:
                raise SendError(f"Digital Post sending service: {exc}") from exc
        if config.outbox_dir is None and not config.send_url:
            raise SendError("Digital Post sending is not configured")

    def _deliver(self, letter: OutboundLetter) -> None:
        with Session(self.engine) as session:
            if letter.channel == "email":
                self._send_email(self.build_email(session, letter))
            elif letter.channel == "digital_post":
                assert letter.message_id is not None
                self._send_memo(self.build_memo(session, letter), letter.message_id)
            else:
                raise PermanentSendError(f"unknown channel {letter.channel!r}")

    # -- the rounds -----------------------------------------------------------------

    def reconcile(self) -> int:
        """Settle letters left ``sending`` by a process that stopped mid-send."""
        settled = 0
        with Session(self.engine) as session:
            stuck = session.exec(
                select(OutboundLetter).where(OutboundLetter.state == LetterState.SENDING.value)
            ).all()
        for letter in stuck:
            assert letter.id is not None and letter.message_id is not None
            known = self.lookup.was_sent(letter.message_id) if self.lookup else None
            with session_scope(self.engine) as session:
                current = session.get(OutboundLetter, letter.id)
                if current is None or current.state != LetterState.SENDING.value:
                    continue
                if known is True:
                    current.state, current.sent_at = LetterState.SENT.value, self.clock()
                    reason = "found in the sent folder by Message-ID"
                elif known is False:
                    current.state = LetterState.APPROVED.value
                    reason = "not in the sent folder: will be sent again with the same Message-ID"
                else:
                    current.state = LetterState.FAILED.value
                    reason = OUTCOME_UNKNOWN
                current.last_error = None if known is True else reason
                session.add(current)
                details = {"message_id": letter.message_id, "state": current.state}
                record(
                    session,
                    "outbox",
                    "letter.reconciled",
                    "outbound_letter",
                    str(letter.id),
                    details,
                    reason=reason,
                )
            settled += 1
        return settled

    def send_due(self, limit: int = 50) -> SendResult:
        result = SendResult()
        with Session(self.engine) as session:
            due = self._due_ids(session, limit)
        for letter_id in due:
            with message_context(f"out-{letter_id}"):
                self._send_one(letter_id, result)
        return result

    def _send_one(self, letter_id: int, result: SendResult) -> None:
        letter = self._claim(letter_id)
        if letter is None:
            result.postponed += 1
            return
        try:
            self._deliver(letter)
            error: Exception | None = None
        except SendError as exc:
            error = exc
        except Exception as exc:  # an unexpected fault is recorded, never lost
            log.exception("sending the letter failed")
            error = SendError(f"{type(exc).__name__}: {exc}")
        outcome = self._finish(letter_id, error)
        log.info("letter %s", outcome)
        result.sent += outcome == "sent"
        result.retried += outcome == "retry"
        result.failed += outcome == "failed"

    def close(self) -> None:
        if self.http is not None:
            self.http.close()
        if self.tokens is not None:
            self.tokens.close()


class ImapSentLookup:
    """Looks for a Message-ID in the relay account's sent folder over IMAP."""

    def __init__(self, settings: Settings, folder: str) -> None:
        self.settings = settings
        self.folder = folder

    def was_sent(self, message_id: str) -> bool | None:
        from imapclient import IMAPClient

        imap = self.settings.imap
        if not imap.enabled:
            return None
        try:
            tokens = TokenSource(self.settings.oauth2) if imap.auth == "oauth2" else None
            with IMAPClient(imap.host, port=imap.port, ssl=imap.ssl, timeout=30) as client:
                imap_login(client, imap, tokens)  # password or XOAUTH2, as the poller
                if tokens is not None:
                    tokens.close()
                if not client.folder_exists(self.folder):
                    return None
                client.select_folder(self.folder, readonly=True)
                return bool(client.search(["HEADER", "Message-ID", message_id]))
        except Exception:
            log.warning("could not look in %s for %s", self.folder, message_id, exc_info=True)
            return None


def outbox_for(engine: Engine, settings: Settings) -> Outbox:
    lookup = (
        ImapSentLookup(settings, settings.relay.sent_folder)
        if settings.relay.sent_folder and settings.imap.enabled
        else None
    )
    return Outbox(engine, settings, lookup=lookup)
