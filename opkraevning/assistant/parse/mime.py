"""Reading a raw mail: headers, a text body, attachments, and every defect on the way.

Never raises on bad input: a message that cannot be read well still yields what
could be read, plus a list of defects saying what went wrong. Text parts are
decoded with their declared charset, then UTF-8, then windows-1252 (what Danish
Outlook writes when it declares nothing or the wrong thing). HTML-only mail is
turned into text with a real HTML parser (inscriptis), never with regexes.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from email.policy import compat32
from email.policy import default as default_policy
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from typing import Any

from inscriptis import get_text
from inscriptis.css_profiles import CSS_PROFILES
from inscriptis.model.config import ParserConfig

MAX_ATTACHMENTS = 50
MAX_TEXT_CHARS = 200_000
_HTML_CONFIG = ParserConfig(css=CSS_PROFILES["strict"], display_links=False)


@dataclass
class Attachment:
    filename: str | None
    content_type: str
    size: int
    disposition: str | None = None


@dataclass
class ParsedMail:
    message_id: str | None = None
    from_address: str | None = None
    from_name: str | None = None
    to: list[str] = field(default_factory=list)
    reply_to: str | None = None
    return_path: str | None = None
    subject: str = ""
    date: datetime | None = None
    in_reply_to: str | None = None
    references: list[str] = field(default_factory=list)
    content_type: str = "text/plain"
    text: str = ""
    text_source: str = "none"  # plain, html, raw, none
    attachments: list[Attachment] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["date"] = self.date.isoformat() if self.date else None
        return data


# Headers later stages look at (auto-reply and bounce detection, threading).
KEPT_HEADERS = (
    "auto-submitted",
    "x-autoreply",
    "x-autorespond",
    "x-auto-response-suppress",
    "precedence",
    "list-id",
    "list-unsubscribe",
    "x-failed-recipients",
    "return-path",
    "x-mailer",
    "content-type",
    "feedback-type",
    "x-original-to",
    "delivered-to",
)


def _raw_header(message: Message, name: str) -> str | None:
    """A header as text, decoding RFC 2047 words leniently; None when absent."""
    try:
        value = message.get(name)
    except Exception:
        value = None
        try:
            raw = compat32_headers(message).get(name)
        except Exception:
            raw = None
        if raw is not None:
            try:
                value = str(make_header(decode_header(str(raw))))
            except Exception:
                value = str(raw)
    if value is None:
        return None
    return " ".join(str(value).split())


def compat32_headers(message: Message) -> Message:
    """The same headers without the default policy's eager parsing."""
    copy = Message(policy=compat32)
    for key, value in message.raw_items():
        copy[key] = value
    return copy


def decode_text(payload: bytes, declared: str | None, defects: list[str]) -> str:
    """Declared charset → UTF-8 → windows-1252; each fallback is recorded."""
    tried: list[str] = []
    if declared:
        try:
            codecs.lookup(declared)
        except LookupError:
            defects.append(f"unknown charset {declared!r}")
        else:
            try:
                return payload.decode(declared)
            except UnicodeDecodeError:
                tried.append(declared)
    if "utf-8" not in tried and (declared or "").lower() not in ("utf-8", "utf8"):
        try:
            text = payload.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            if tried:
                defects.append(f"charset {declared!r} did not fit; decoded as utf-8")
            return text
    if declared or tried:
        defects.append(f"charset {declared!r} did not fit; decoded as windows-1252")
    return payload.decode("windows-1252", errors="replace")


def _payload_bytes(part: Message, defects: list[str]) -> bytes:
    try:
        payload = part.get_payload(decode=True)
    except Exception as exc:
        defects.append(f"undecodable {part.get_content_type()} part: {exc}")
        return b""
    if isinstance(payload, bytes):
        return payload
    raw = part.get_payload()
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


def _part_text(part: Message, defects: list[str]) -> str:
    charset = part.get_content_charset()
    return decode_text(_payload_bytes(part, defects), charset, defects)


def html_to_text(html: str) -> str:
    try:
        text = get_text(html, _HTML_CONFIG)
    except Exception:
        from lxml import html as lxml_html

        try:
            text = lxml_html.fromstring(html).text_content()
        except Exception:
            return ""
    lines = [line.rstrip() for line in text.splitlines()]
    return "\n".join(lines).strip("\n")


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if name is None:
        return None
    try:
        return str(make_header(decode_header(name)))
    except Exception:
        return str(name)


def _is_attachment(part: Message) -> bool:
    disposition = (part.get_content_disposition() or "").lower()
    if disposition == "attachment":
        return True
    if part.get_content_maintype() in ("text", "multipart"):
        return bool(disposition == "inline" and _filename(part))
    return part.get_content_maintype() != "message" or disposition == "attachment"


def _walk_leaves(message: Message) -> list[Message]:
    leaves: list[Message] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        leaves.append(part)
    return leaves


def _choose_body(message: Message, defects: list[str]) -> tuple[str, str]:
    plain: Message | None = None
    html: Message | None = None
    if isinstance(message, EmailMessage):
        try:
            plain = message.get_body(("plain",))
            html = message.get_body(("html",))
        except Exception as exc:
            defects.append(f"body structure: {exc}")
    if plain is None and html is None:
        for part in _walk_leaves(message):
            if part.get_content_disposition() == "attachment":
                continue
            if part.get_content_type() == "text/plain" and plain is None:
                plain = part
            elif part.get_content_type() == "text/html" and html is None:
                html = part
    if plain is not None:
        text = _part_text(plain, defects)
        if text.strip() or html is None:
            return text, "plain"
    if html is not None:
        return html_to_text(_part_text(html, defects)), "html"
    if not message.is_multipart() and message.get_content_maintype() == "text":
        return _part_text(message, defects), "plain"
    return "", "none"


_UNQUOTED_BOUNDARY = re.compile(rb"(boundary=)([^\"\s;][^\s;]*)", re.IGNORECASE)


def _repair_boundary(raw: bytes) -> bytes | None:
    """Quote an unquoted boundary containing '=' (Outlook Express did this)."""
    head, separator, body = raw.partition(b"\r\n\r\n")
    if not separator:
        head, separator, body = raw.partition(b"\n\n")
    repaired, count = _UNQUOTED_BOUNDARY.subn(rb'\1"\2"', head, count=1)
    return repaired + separator + body if count else None


def _load(raw: bytes, defects: list[str]) -> Message:
    message = message_from_bytes(raw, policy=default_policy)
    lost_parts = any(
        type(defect).__name__ == "StartBoundaryNotFoundDefect" for defect in message.defects
    )
    if lost_parts:
        repaired = _repair_boundary(raw)
        if repaired is not None:
            second = message_from_bytes(repaired, policy=default_policy)
            if second.is_multipart() and second.get_payload():
                defects.append("unquoted MIME boundary repaired")
                return second
    return message


def parse_mail(raw: bytes) -> ParsedMail:
    """Read a raw RFC 5322 message. Never raises; problems are in ``defects``."""
    parsed = ParsedMail()
    try:
        message = _load(raw, parsed.defects)
    except Exception as exc:
        parsed.defects.append(f"unparseable message: {exc}")
        parsed.text = decode_text(raw, None, parsed.defects)[:MAX_TEXT_CHARS]
        return parsed

    parsed.defects.extend(type(defect).__name__ for defect in message.defects)

    def header(name: str) -> str | None:
        return _raw_header(message, name)

    parsed.message_id = header("Message-ID")
    name, address = parseaddr(header("From") or "")
    parsed.from_address = address.strip().lower() or None
    parsed.from_name = name or None
    parsed.to = [
        addr.lower() for _, addr in getaddresses([header("To") or "", header("Cc") or ""]) if addr
    ]
    reply_to = parseaddr(header("Reply-To") or "")[1]
    parsed.reply_to = reply_to.lower() or None
    return_path = parseaddr(header("Return-Path") or "")[1]
    parsed.return_path = return_path.lower() if header("Return-Path") is not None else None
    parsed.subject = header("Subject") or ""
    parsed.in_reply_to = header("In-Reply-To")
    parsed.references = (header("References") or "").split()
    for name_ in KEPT_HEADERS:
        value = header(name_)
        if value is not None:
            parsed.headers[name_] = value[:1000]
    date_header = header("Date")
    if date_header:
        try:
            date = parsedate_to_datetime(date_header)
            if date.tzinfo is None:
                date = date.replace(tzinfo=UTC)
            parsed.date = date.astimezone(UTC)
        except (TypeError, ValueError, IndexError, OverflowError):
            parsed.defects.append(f"unreadable Date header: {date_header[:80]!r}")
    try:
        parsed.content_type = message.get_content_type()
    except Exception:
        parsed.defects.append("unreadable Content-Type")

    try:
        text, source = _choose_body(message, parsed.defects)
    except Exception as exc:
        parsed.defects.append(f"body: {exc}")
        text, source = "", "none"
    if not text.strip() and message.is_multipart() and isinstance(message.get_payload(), str):
        # the parts could not be found: keep the body as it stands rather than nothing
        text = decode_text(_payload_bytes(message, parsed.defects), None, parsed.defects)
        source = "raw"
        parsed.defects.append("multipart body without parts; raw body kept as text")
    parsed.text = text.replace("\r\n", "\n").replace("\r", "\n")[:MAX_TEXT_CHARS]
    parsed.text_source = source

    for part in _walk_leaves(message) if message.is_multipart() else []:
        try:
            if not _is_attachment(part):
                continue
            if len(parsed.attachments) >= MAX_ATTACHMENTS:
                parsed.defects.append(f"more than {MAX_ATTACHMENTS} attachments; rest not listed")
                break
            parsed.attachments.append(
                Attachment(
                    filename=_filename(part),
                    content_type=part.get_content_type(),
                    size=len(_payload_bytes(part, parsed.defects)),
                    disposition=part.get_content_disposition(),
                )
            )
        except Exception as exc:
            parsed.defects.append(f"attachment: {exc}")
    if not parsed.text.strip():
        parsed.defects.append(
            f"no readable text body ({len(parsed.attachments)} attachments)"
            if parsed.attachments
            else "no readable text body"
        )
    return parsed
