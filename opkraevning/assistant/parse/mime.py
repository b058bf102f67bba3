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
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.policy import compat32
from email.policy import default as default_policy
from email.utils import parseaddr, parsedate_to_datetime
from typing import Any

from inscriptis import get_text
from inscriptis.css_profiles import CSS_PROFILES
from inscriptis.model.config import ParserConfig

from opkraevning.domain.text import nul_free

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


MAX_HEADER_CHARS = 10_000  # longer header values are cut before parsing (the parser is slow)
# Codecs Python calls text encodings that no mail charset can mean: they raise on any
# input or turn bytes into something that is not the text (escapes, IDNA, punycode).
_NOT_A_MAIL_CHARSET = {"undefined", "unicode-escape", "raw-unicode-escape", "punycode", "idna"}


def text_codec(declared: str | None) -> str | None:
    """The Python codec for a declared charset; None when it is not a text encoding.

    ``codecs.lookup`` also finds ``rot13``, ``hex``, ``zlib``, ``base64_codec`` (bytes
    to bytes) and ``undefined`` (always raises): they are treated as unknown charsets.
    """
    if not declared:
        return None
    try:
        info = codecs.lookup(declared)
    except Exception:  # LookupError, or a name with a NUL in it
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_A_MAIL_CHARSET:
        return None
    return info.name


def _eight_bit(value: str) -> str:
    """A raw header value with its 8-bit bytes read as UTF-8, else windows-1252/Latin-1.

    The email package keeps undeclared 8-bit header bytes as surrogates and shows them
    as U+FFFD; old clients send Latin-1 there, so that is what such bytes mean.
    """
    try:
        data = value.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:  # already real text
        return value
    if data.isascii():
        return value
    for codec in ("utf-8", "cp1252"):
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _header_sources(message: Message, name: str) -> list[str]:
    """Every raw value of the named header (8-bit bytes decoded, unfolded, NUL-free)."""
    try:
        items = message.raw_items()
    except Exception:
        return []
    sources = []
    for key, value in items:
        if key.lower() == name.lower():
            unfolded = "".join(_eight_bit(str(value)).splitlines())
            sources.append(nul_free(unfolded))
    return sources


def _parsed(name: str, source: str, defects: list[str] | None = None) -> Any:
    if len(source) > MAX_HEADER_CHARS:
        if defects is not None:
            defects.append(f"{name} header of {len(source)} characters cut")
        source = source[:MAX_HEADER_CHARS]
    try:
        return default_policy.header_factory(name, source)
    except Exception:
        return None


def _raw_header(message: Message, name: str, defects: list[str] | None = None) -> str | None:
    """The first such header as text, RFC 2047 words decoded leniently; None when absent."""
    sources = _header_sources(message, name)
    if not sources:
        return None
    header = _parsed(name, sources[0], defects)
    if header is not None:
        value = str(header)
    else:
        try:
            value = str(make_header(decode_header(sources[0][:MAX_HEADER_CHARS])))
        except Exception:
            value = sources[0][:MAX_HEADER_CHARS]
    return nul_free(" ".join(value.split()))


def _addresses(message: Message, name: str, defects: list[str]) -> list[Address] | None:
    """The parsed address list of every such header (RFC 5322 via headerregistry).

    Never the decoded display text: an encoded word that decodes to an address, or to
    "a, b", is a display name, not a mailbox. None when a header cannot be parsed.
    """
    found: list[Address] = []
    for source in _header_sources(message, name):
        if len(source) > MAX_HEADER_CHARS:
            defects.append(f"{name} header of {len(source)} characters not read")
            return None
        header = _parsed(name, source)
        addresses = getattr(header, "addresses", None)
        if addresses is None:
            defects.append(f"unreadable {name} header")
            return None
        found.extend(addresses)
    return found


def _is_mailbox(address: Address) -> bool:
    """A usable address: local part and domain, at most 254 characters (RFC 5321)."""
    spec = address.addr_spec
    return bool(address.username and address.domain and "@" in spec and len(spec) <= 254)


def _one_mailbox(addresses: list[Address] | None) -> Address | None:
    if addresses is None or len(addresses) != 1 or not _is_mailbox(addresses[0]):
        return None
    return addresses[0]


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
        codec = text_codec(declared)
        if codec is None:
            defects.append(f"unknown charset {declared!r}")
        else:
            try:
                return nul_free(payload.decode(codec))
            except (UnicodeError, LookupError):
                tried.append(declared)
    if "utf-8" not in tried and (declared or "").lower() not in ("utf-8", "utf8"):
        try:
            text = payload.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            if tried:
                defects.append(f"charset {declared!r} did not fit; decoded as utf-8")
            return nul_free(text)
    if declared or tried:
        defects.append(f"charset {declared!r} did not fit; decoded as windows-1252")
    return nul_free(payload.decode("windows-1252", errors="replace"))


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
        return nul_free(str(make_header(decode_header(name))))
    except Exception:
        return nul_free(str(name))


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


def _read_addresses(message: Message, parsed: ParsedMail) -> None:
    """Sender, recipients, Reply-To and Return-Path from the parsed address lists.

    Exactly one From mailbox or no sender at all (the message is then unverified):
    two From mailboxes, a group, or a display name without an address say nobody.
    """
    senders = _addresses(message, "From", parsed.defects)
    sender = _one_mailbox(senders)
    if sender is not None:
        parsed.from_address = sender.addr_spec.strip().lower()
        parsed.from_name = nul_free(sender.display_name) or None
    else:
        count = len(senders) if senders is not None else 0
        parsed.defects.append(f"From names {count} mailboxes, not exactly one; sender unknown")
        parsed.from_name = nul_free(" ".join(a.display_name for a in senders or [])) or None
    recipients = (_addresses(message, "To", parsed.defects) or []) + (
        _addresses(message, "Cc", parsed.defects) or []
    )
    parsed.to = [a.addr_spec.lower() for a in recipients if _is_mailbox(a)]
    reply_to = _one_mailbox(_addresses(message, "Reply-To", parsed.defects))
    parsed.reply_to = reply_to.addr_spec.lower() if reply_to else None
    return_path = _raw_header(message, "Return-Path")  # the envelope sender; never trusted
    parsed.return_path = parseaddr(return_path)[1].lower() if return_path is not None else None


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
        return _raw_header(message, name, parsed.defects)

    parsed.message_id = header("Message-ID")
    _read_addresses(message, parsed)
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
