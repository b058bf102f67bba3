"""``opkraevning demo``: a register and a few citizen mails to look at, seeded once.

The register is generated into ``<data_dir>/demo/`` the first time and imported
with the ordinary import, so running the demo again changes nothing (the import is
idempotent and the mails are deduplicated by Message-ID and content). Beside it the
few hand-written citizens of ``demo/samples/register/`` are imported: the senders of
the sample mails that ``opkraevning demo --send-samples`` sends (see demo/send.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import select

from opkraevning.app.register_import import ImportReport, import_register
from opkraevning.demo.send import SAMPLE_REGISTER
from opkraevning.demo.synthetic import DebtorSample, write_register
from opkraevning.store.db import session_scope
from opkraevning.store.inbound import store_raw_message
from opkraevning.store.models import Channel, Role, UserAccount
from opkraevning.store.types import utcnow
from opkraevning.web.auth import create_user

DEMO_DEBTORS = 400
DEMO_SEED = 2026
# The demo's own account. Only ever created by `opkraevning demo`, in the demo's database;
# a real installation creates its accounts with `opkraevning user add`.
DEMO_USER = "demo"
DEMO_PASSWORD = "demo-adgangskode"


@dataclass
class DemoResult:
    report: ImportReport
    mails_new: int
    mails_total: int
    samples: ImportReport | None = None  # the sample mails' citizens


def _mail(to: str, sample: DebtorSample, subject: str, body: str, number: int) -> bytes:
    message = EmailMessage()
    message["From"] = f"{sample.name} <{sample.email}>"
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(idstring=f"demo{number}", domain="demo.invalid")
    message.set_content(body)
    return message.as_bytes(policy=SMTP)


def _citizen_mails(samples: list[DebtorSample], to: str) -> list[bytes]:
    """Typical Danish mails, each about a real claim of a demo debtor."""
    texts = [
        (
            "Afdragsordning på {reference}",
            "Hej\n\nJeg har fået en regning på {amount} kr. ({reference}), men jeg kan ikke "
            "betale det hele på én gang. Kan jeg betale 500 kr. om måneden?\n\n"
            "Med venlig hilsen\n{name}\n",
        ),
        (
            "Regningen er forkert",
            "Hej\n\nJeg er uenig i regningen {reference}. Vi har aldrig modtaget ydelsen.\n\n"
            "Venlig hilsen {name}\n",
        ),
        (
            "Betalt",
            "Hej\n\nJeg har betalt {amount} kr. i går med betalings-ID {payment_id}.\n\n"
            "Mvh {name}\n\nSendt fra min iPhone\n",
        ),
        (
            "Hvor meget skylder jeg?",
            "Hej\n\nKan I sende mig en oversigt over, hvad jeg skylder kommunen?\n\n"
            "Tak på forhånd\n{name}\n",
        ),
        (
            "Ny adresse",
            "Hej\n\nJeg er flyttet. Min nye adresse er Storegade 12, 8500 Grenaa.\n\n"
            "Hilsen {name}\n",
        ),
    ]
    mails = []
    for number, (sample, (subject, body)) in enumerate(zip(samples, texts, strict=False)):
        claim = sample.claims[0]
        values = {
            "reference": claim["reference"],
            "amount": claim["amount"].replace(".", ","),
            "payment_id": claim["payment_id"],
            "name": sample.name,
        }
        mails.append(_mail(to, sample, subject.format(**values), body.format(**values), number))
    return mails


def seed_demo(engine: Engine, data_dir: Path, recipient: str) -> DemoResult:
    """Generate (once), import and add the demo mails; safe to run any number of times."""
    directory = data_dir / "demo"
    mails_dir = directory / "mail"
    if not (directory / "debtors.csv").is_file() or not mails_dir.is_dir():
        files = write_register(directory, debtors=DEMO_DEBTORS, seed=DEMO_SEED, keep_samples=5)
        mails_dir.mkdir(parents=True, exist_ok=True)
        for number, raw in enumerate(_citizen_mails(files.samples, recipient), start=1):
            (mails_dir / f"{number:03d}.eml").write_bytes(raw)
        (directory / "README.json").write_text(
            json.dumps({"seed": DEMO_SEED, "debtors": files.debtor_count}), encoding="utf-8"
        )
    report = import_register(
        engine,
        debtors=directory / "debtors.csv",
        claims=directory / "claims.csv",
        payments=directory / "payments.csv",
        actor="demo",
    )
    samples = import_register(
        engine,
        debtors=SAMPLE_REGISTER / "debtors.csv",
        claims=SAMPLE_REGISTER / "claims.csv",
        actor="demo",
    )
    new = 0
    mail_files = sorted(mails_dir.glob("*.eml"))
    with session_scope(engine) as session:
        for path in mail_files:
            _, created = store_raw_message(session, path.read_bytes(), channel=Channel.FILE.value)
            new += created
        if not session.exec(select(UserAccount).where(UserAccount.username == DEMO_USER)).first():
            create_user(session, DEMO_USER, DEMO_PASSWORD, Role.ADMINISTRATOR.value, actor="demo")
    return DemoResult(report, new, len(mail_files), samples)
