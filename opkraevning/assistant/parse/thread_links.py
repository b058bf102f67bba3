"""Linking a reply to the letter we sent: by Message-ID and by the case token in subjects.

The link is only trusted when the sender fits the case (the address we wrote to,
the debtor's registered address, or for Digital Post the debtor's CPR/CVR): a
forwarded thread, or a neighbour replying to a letter shown to them, must not
hijack a case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CASE_TOKEN = re.compile(r"\[OPK-(\d{1,12})\]", re.IGNORECASE)


def case_token(letter_id: int) -> str:
    """The token we put in the subject of every letter we send: ``[OPK-123]``."""
    return f"[OPK-{letter_id}]"


@dataclass(frozen=True)
class LetterRef:
    """What threading needs to know about a letter we sent."""

    id: int
    message_id: str | None
    recipient: str | None
    debtor_id: str | None
    debtor_email: str | None
    debtor_ids: tuple[str, ...] = ()  # the debtor's CPR/CVR, for Digital Post replies


@dataclass(frozen=True)
class ThreadLink:
    letter_id: int
    via: str  # in-reply-to, references, subject-token, memo-reply
    trusted: bool
    reason: str
    debtor_id: str | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "letter_id": self.letter_id,
            "via": self.via,
            "trusted": self.trusted,
            "reason": self.reason,
            "debtor_id": self.debtor_id,
        }


def candidate_message_ids(in_reply_to: str | None, references: list[str]) -> list[tuple[str, str]]:
    found = [("in-reply-to", token) for token in (in_reply_to or "").split() if token]
    found += [("references", token) for token in reversed(references)]
    return found


def subject_letter_ids(subject: str) -> list[int]:
    return [int(match) for match in CASE_TOKEN.findall(subject or "")]


def judge(
    letter: LetterRef, via: str, sender_address: str | None, sender_id: str | None
) -> ThreadLink:
    """Decide whether a found link may be trusted, with the reason in words."""
    address = (sender_address or "").lower()
    debtor = letter.debtor_id
    if sender_id and sender_id in letter.debtor_ids:
        return ThreadLink(letter.id, via, True, "Digital Post sender is the debtor", debtor)
    if address and address == (letter.recipient or "").lower():
        return ThreadLink(letter.id, via, True, "sender is the address the letter went to", debtor)
    if address and address == (letter.debtor_email or "").lower():
        return ThreadLink(letter.id, via, True, "sender is the debtor's registered address", debtor)
    reason = "sender does not fit the case (forwarded or someone else)"
    return ThreadLink(letter.id, via, False, reason, debtor)
