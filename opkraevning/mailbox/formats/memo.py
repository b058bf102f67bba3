"""MeMo, the Digital Post message format: read 1.1 and 1.2, write 1.1 (validated).

Reading never resolves entities or fetches anything (no XXE). A message that is not
MeMo raises :class:`MemoError` with a reason a person can act on; the caller keeps
the raw bytes either way. Writing puts our case reference in ``ReplyData`` so the
citizen's reply comes back to the case, and validates against the official XSD.
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree

from opkraevning.domain.text import nul_free
from opkraevning.store.types import utcnow

NS = "https://DigitalPost.dk/MeMo-1"
_N = {"memo": NS}
MAX_MEMO_BYTES = 50 * 1024 * 1024  # the default of settings.digital_post.max_memo_bytes
# huge_tree lifts libxml2's 10 MB text-node limit (a MeMo carries its attachments as
# base64 text); entities stay unresolved, no DTD, no network, so it is still safe
# against XXE and entity expansion. The size is bounded before parsing instead.
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True, remove_comments=True
)


class MemoError(ValueError):
    """Not a readable MeMo message; the text says why."""


@dataclass
class MemoFile:
    filename: str
    content_type: str
    size: int
    document: str  # main, additional, technical
    text: str | None = None


@dataclass
class ReplyRef:
    message_uuid: str
    message_id: str | None = None
    case_id: str | None = None
    additional: dict[str, str] = field(default_factory=dict)


@dataclass
class MemoMessage:
    version: str
    message_uuid: str
    message_id: str | None
    label: str
    sender_id: str
    sender_id_type: str
    sender_label: str | None
    recipient_id: str
    recipient_id_type: str
    created: datetime | None
    text: str
    files: list[MemoFile] = field(default_factory=list)
    replies_to: list[ReplyRef] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["created"] = self.created.isoformat() if self.created else None
        return data


def _text(element: Any, path: str) -> str | None:
    found = element.find(path, _N)
    if found is None or found.text is None:
        return None
    return str(found.text).strip()


def _required(element: Any, path: str) -> str:
    value = _text(element, path)
    if not value:
        raise MemoError(f"MeMo lacks {path.replace('memo:', '')}")
    return value


def _datetime(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _files(body: Any) -> list[MemoFile]:
    from opkraevning.assistant.parse.mime import MAX_TEXT_CHARS, html_to_text
    from opkraevning.assistant.parse.pdf import pdf_text

    files: list[MemoFile] = []
    for document, tag in (
        ("main", "memo:MainDocument"),
        ("additional", "memo:AdditionalDocument"),
        ("technical", "memo:TechnicalDocument"),
    ):
        for doc in body.findall(tag, _N):
            for file_ in doc.findall("memo:File", _N):
                content_type = (_text(file_, "memo:encodingFormat") or "").lower()
                raw_content = _text(file_, "memo:content") or ""
                try:
                    content = base64.b64decode(raw_content, validate=False)
                except (binascii.Error, ValueError):
                    content = b""
                text = None
                if content_type.startswith("text/plain"):
                    text = content.decode("utf-8", errors="replace")
                elif content_type.startswith("text/html"):
                    text = html_to_text(content.decode("utf-8", errors="replace"))
                elif content_type in ("application/pdf", "pdf") and document == "main":
                    text = pdf_text(content)
                if text is not None:
                    # read like a mail's text: the first MAX_TEXT_CHARS; the file is
                    # kept whole in the raw message
                    text = nul_free(text[:MAX_TEXT_CHARS])
                files.append(
                    MemoFile(
                        filename=_text(file_, "memo:filename") or "",
                        content_type=content_type,
                        size=len(content),
                        document=document,
                        text=text,
                    )
                )
    return files


_DOCTYPE = re.compile(rb"<!doctype", re.IGNORECASE)


def _has_dtd(raw: bytes) -> bool:
    """A DOCTYPE anywhere (it is only legal before the root; elsewhere it sits in a
    comment or CDATA). MeMo has none; refusing it up front keeps entity tricks away
    from the huge-tree parser whatever libxml2 would do with them."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raw = raw.decode("utf-16", errors="replace").encode("utf-8")
    return _DOCTYPE.search(raw) is not None


def parse_memo(raw: bytes, max_bytes: int = MAX_MEMO_BYTES) -> MemoMessage:
    """Read a MeMo 1.1 or 1.2 message. Raises :class:`MemoError` when it cannot."""
    if len(raw) > max_bytes:
        raise MemoError(f"MeMo of {len(raw)} bytes is over the limit of {max_bytes} bytes")
    if _has_dtd(raw):
        raise MemoError("not a MeMo message: it has a document type declaration (DTD)")
    try:
        root = etree.fromstring(raw, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise MemoError(f"not well-formed XML: {exc}") from None
    if root.tag != f"{{{NS}}}Message":
        raise MemoError(f"not a MeMo message: root element is {etree.QName(root).localname}")
    version = root.get("memoVersion") or ""
    if version not in ("1.0", "1.1", "1.2"):
        raise MemoError(f"unsupported memoVersion {version!r}")
    header = root.find("memo:MessageHeader", _N)
    if header is None:
        raise MemoError("MeMo lacks MessageHeader")
    body = root.find("memo:MessageBody", _N)
    files = _files(body) if body is not None else []
    text = "\n\n".join(f.text for f in files if f.document == "main" and f.text)
    replies = [
        ReplyRef(
            message_uuid=_required(reply, "memo:messageUUID"),
            message_id=_text(reply, "memo:messageID"),
            case_id=_text(reply, "memo:caseID"),
            additional={
                (_text(extra, "memo:label") or ""): (_text(extra, "memo:value") or "")
                for extra in reply.findall("memo:AdditionalReplyData", _N)
            },
        )
        for reply in header.findall("memo:ReplyData", _N)
    ]
    return MemoMessage(
        version=version,
        message_uuid=_required(header, "memo:messageUUID"),
        message_id=_text(header, "memo:messageID"),
        label=_text(header, "memo:label") or "",
        sender_id=_required(header, "memo:Sender/memo:senderID"),
        sender_id_type=(_text(header, "memo:Sender/memo:idType") or "").upper(),
        sender_label=_text(header, "memo:Sender/memo:label"),
        recipient_id=_required(header, "memo:Recipient/memo:recipientID"),
        recipient_id_type=(_text(header, "memo:Recipient/memo:idType") or "").upper(),
        created=_datetime(_text(body, "memo:createdDateTime")) if body is not None else None,
        text=text,
        files=files,
        replies_to=replies,
    )


@dataclass(frozen=True)
class OutgoingMemo:
    """What a letter by Digital Post needs; the case reference goes into ReplyData."""

    sender_cvr: str
    sender_label: str
    recipient_id: str
    recipient_id_type: str  # CPR or CVR
    recipient_label: str
    label: str
    text: str
    case_id: str
    letter_ref: str
    message_uuid: str = field(default_factory=lambda: str(uuid.uuid4()))
    created: datetime = field(default_factory=utcnow)
    reply: bool = True
    pdf: bytes | None = None  # the letter as PDF: then the main document, the text its alternative


def build_memo(memo: OutgoingMemo) -> bytes:
    """A MeMo 1.1 message with the letter as main document: the PDF when there is one, with
    the text as an alternative File of the same document (MeMo allows several formats of
    one main document), else the text alone."""
    m = f"{{{NS}}}"
    root = etree.Element(m + "Message", nsmap={"memo": NS})
    root.set("memoVersion", "1.1")
    root.set("memoSchVersion", "1.1.0")
    header = etree.SubElement(root, m + "MessageHeader")

    def add(parent: Any, tag: str, value: str) -> Any:
        element = etree.SubElement(parent, m + tag)
        element.text = value
        return element

    add(header, "messageType", "DIGITALPOST")
    add(header, "messageUUID", memo.message_uuid)
    add(header, "messageID", memo.letter_ref)
    add(header, "label", memo.label[:255])
    add(header, "reply", "true" if memo.reply else "false")
    add(header, "mandatory", "false")
    add(header, "legalNotification", "false")
    sender = etree.SubElement(header, m + "Sender")
    add(sender, "senderID", memo.sender_cvr)
    add(sender, "idType", "CVR")
    add(sender, "label", memo.sender_label)
    recipient = etree.SubElement(header, m + "Recipient")
    add(recipient, "recipientID", memo.recipient_id)
    add(recipient, "idType", memo.recipient_id_type)
    add(recipient, "label", memo.recipient_label)
    content = etree.SubElement(header, m + "ContentData")
    case = etree.SubElement(content, m + "CaseID")
    add(case, "caseID", memo.case_id)
    add(case, "caseSystem", "opkraevning")
    reply = etree.SubElement(header, m + "ReplyData")
    add(reply, "messageID", memo.letter_ref)
    add(reply, "messageUUID", memo.message_uuid)
    add(reply, "caseID", memo.case_id)
    extra = etree.SubElement(reply, m + "AdditionalReplyData")
    add(extra, "label", "opkraevning")
    add(extra, "value", memo.letter_ref)
    body = etree.SubElement(root, m + "MessageBody")
    add(body, "createdDateTime", memo.created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    main = etree.SubElement(body, m + "MainDocument")
    add(main, "label", memo.label[:255])
    files = [("text/plain", "brev.txt", memo.text.encode("utf-8"))]
    if memo.pdf is not None:
        files.insert(0, ("application/pdf", "brev.pdf", memo.pdf))
    for media_type, filename, content in files:
        file_ = etree.SubElement(main, m + "File")
        add(file_, "encodingFormat", media_type)
        add(file_, "filename", filename)
        add(file_, "language", "da")
        add(file_, "content", base64.b64encode(content).decode("ascii"))
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def xsd_path() -> Path:
    """The official MeMo 1.1 schema (Digitaliseringsstyrelsen), shipped in ``memo_xsd/``."""
    return Path(__file__).parent / "memo_xsd" / "MeMo_core.xsd"


@lru_cache(maxsize=2)
def _schema(path: Path) -> Any:
    import xmlschema

    return xmlschema.XMLSchema(str(path))


def validation_errors(xml: bytes, schema_path: Path | None = None) -> list[str]:
    """Why ``xml`` does not validate against the MeMo 1.1 XSD (empty when it does)."""
    schema = _schema(schema_path or xsd_path())
    return [str(error.reason or error) for error in schema.iter_errors(xml.decode("utf-8"))]
