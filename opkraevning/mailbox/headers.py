"""Outgoing mail headers built from parts and proven to read back as meant.

Addresses are ``email.headerregistry.Address`` objects, never strings glued together:
``Norddjurs Kommune, Opkrævningen <…>`` written by hand has an unquoted comma and
reads as two mailboxes. Before a letter leaves, its serialised headers are parsed
again and compared with what was meant.
"""

from __future__ import annotations

from email import message_from_bytes
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.policy import default as default_policy


class HeaderError(ValueError):
    """A header that cannot be written, or does not read back as meant."""


def mailbox(address: str, display_name: str = "") -> Address:
    """Exactly one mailbox from a plain address, or a permanent error (never two recipients)."""
    if any(char in address for char in "\r\n\x00"):
        raise HeaderError(f"the address {address!r} contains a line break")
    parsed = default_policy.header_factory("To", address.strip())
    found = list(getattr(parsed, "addresses", ()))
    if len(found) != 1 or not found[0].username or not found[0].domain or parsed.defects:
        raise HeaderError(f"{address!r} is not exactly one email address")
    return Address(display_name=display_name, username=found[0].username, domain=found[0].domain)


def check_headers_read_back(message: EmailMessage, meant: dict[str, str | Address]) -> None:
    """Serialise the message and parse its headers again: each must say what was meant.

    Catches what string building gets wrong (an unquoted comma in a display name made
    every From two mailboxes); such a letter is not sent.
    """
    again = message_from_bytes(message.as_bytes(policy=SMTP_POLICY), policy=default_policy)
    for name, value in meant.items():
        values = again.get_all(name) or []
        if len(values) != 1:
            raise HeaderError(f"the {name} header reads back {len(values)} times")
        if isinstance(value, Address):
            read = list(getattr(values[0], "addresses", ()))
            if read != [value]:
                raise HeaderError(f"the {name} header reads back as {read!r}, not {value!r}")
        elif " ".join(str(values[0]).split()) != " ".join(value.split()):
            raise HeaderError(f"the {name} header does not read back as written")
