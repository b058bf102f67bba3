"""``opkraevning demo --send-samples``: a handful of citizen mails to the running demo.

The mails in ``demo/samples/mail/`` are written for the demo (not taken from any real
or test corpus): a request to pay in instalments, a dispute, a question from an
address nobody is registered with, a bounce of one of our letters, and a citizen
writing from a new address. Their senders are the citizens in
``demo/samples/register/``, which ``opkraevning demo`` imports beside the synthetic
register. Each sending gets a fresh Date and Message-ID, so sending again makes new
messages (the service would otherwise recognise them as already received).
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import SMTP, default
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path

from opkraevning.store.types import utcnow

SAMPLES = Path(__file__).parent / "samples"
SAMPLE_REGISTER = SAMPLES / "register"
SAMPLE_MAIL = SAMPLES / "mail"
MUNICIPALITY_ADDRESS = "opkraevning@norddjurs.dk"  # the address the sample mails are sent to


@dataclass(frozen=True)
class SentSample:
    name: str
    subject: str
    sender: str


def sample_files() -> list[Path]:
    return sorted(SAMPLE_MAIL.glob("*.eml"))


def _fresh(raw: bytes, number: int) -> tuple[EmailMessage, str]:
    message = message_from_bytes(raw, policy=default)
    del message["Date"], message["Message-ID"]
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(idstring=f"demo-sample{number}", domain="demo.invalid")
    sender = parseaddr(str(message["From"]))[1]
    if sender.upper().startswith("MAILER-DAEMON@"):
        sender = ""  # a delivery report comes from the null sender
    return message, sender


def send_samples(host: str, port: int, recipient: str = MUNICIPALITY_ADDRESS) -> list[SentSample]:
    """Send every sample mail over SMTP to ``host:port``; raise OSError/SMTPException."""
    sent: list[SentSample] = []
    with smtplib.SMTP(host, port, timeout=30) as client:
        for number, path in enumerate(sample_files(), start=1):
            message, sender = _fresh(path.read_bytes(), number)
            client.sendmail(sender, [recipient], message.as_bytes(policy=SMTP))
            sent.append(SentSample(path.stem, str(message["Subject"]), sender or "<>"))
    return sent
