"""serve starts one runner per file and owns the signals."""

from __future__ import annotations

import asyncio
import os
import pkgutil
import signal
from email.message import EmailMessage

from sqlalchemy import select
from sqlmodel import Session, col

import opkraevning.runners
from opkraevning.runners.serve import ALL_PARTS, RUNNERS, serve
from opkraevning.settings import load_settings
from opkraevning.store.db import session_scope
from opkraevning.store.inbound import store_raw_message
from opkraevning.store.models import InboundMessage, MessageState
from tests.conftest import Database

NOT_RUNNERS = {"serve", "loop"}  # the starter and the shared loop


def test_every_runner_module_is_a_part_of_serve() -> None:
    modules = {
        module.name
        for module in pkgutil.iter_modules(opkraevning.runners.__path__)
        if module.name not in NOT_RUNNERS
    }
    assert modules == set(ALL_PARTS) == set(RUNNERS)
    assert ALL_PARTS == ("web", "smtp", "worker", "imap", "digital_post", "outbox", "scheduler")


def _state(database: Database) -> str:
    with Session(database.engine) as session:
        return str(session.execute(select(col(InboundMessage.state))).scalar_one())


def test_serve_runs_the_chosen_runners_until_sigterm(database: Database) -> None:
    mail = EmailMessage()
    mail["From"] = "Borger <borger@example.com>"
    mail["To"] = "opkraevning@norddjurs.dk"
    mail["Subject"] = "Spørgsmål"
    mail["Message-ID"] = "<serve-1@example.com>"
    mail.set_content("Hej, hvor meget skylder jeg?")
    with session_scope(database.engine) as session:
        store_raw_message(session, mail.as_bytes(), channel="smtp")
    settings = load_settings(worker_interval_seconds=0.05)

    async def main() -> str:
        service = asyncio.create_task(serve(settings, database.engine, only=("worker",)))
        for _ in range(400):
            if _state(database) != MessageState.RECEIVED.value:
                break
            await asyncio.sleep(0.05)
        os.kill(os.getpid(), signal.SIGTERM)  # serve's handler, not the default: we live on
        await asyncio.wait_for(service, timeout=30)
        return _state(database)

    assert asyncio.run(main()) != MessageState.RECEIVED.value
