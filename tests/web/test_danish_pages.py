"""Every page of the demo, as a caseworker and as an administrator, in Danish: no raw
enum value, no ISO date, a Danish title and ``lang="da"``. And every value of every
StrEnum in the package, every intent, run list, proposal outcome and audit action has
one Danish name in ``templates_da.names``."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

import opkraevning
from opkraevning.app import casework
from opkraevning.app.pipeline import run_parse_stage
from opkraevning.app.reminder.letters import draft_run_letters
from opkraevning.app.reminder.run import LISTS, remind
from opkraevning.assistant.proposals.installments import Decision
from opkraevning.assistant.read.intents import INTENTS
from opkraevning.assistant.read.matching import STRENGTH
from opkraevning.demo.seed import seed_demo
from opkraevning.domain.clock import SystemClock
from opkraevning.settings import load_settings
from opkraevning.store import migrate
from opkraevning.store.db import make_engine, session_scope
from opkraevning.store.models import AuditEvent, InboundMessage, OutboundLetter
from opkraevning.templates_da.names import NAMES
from opkraevning.web.app import create_app
from opkraevning.web.auth import create_user
from tests.web.crawl import crawl, visible

PASSWORD = "en-lang-adgangskode"
RECIPIENT = "opkraevning@norddjurs.dk"
ISO_DATE = re.compile(r"(?<![\d-])\d{4}-\d{2}-\d{2}(?![\d-])")
AUDIT_LIKE = re.compile(
    r"(?<![\w@.-])(?:letter|message|run|remind|register|debtor|claim|agreement|hold|login|user|"
    r"inbound_message|outbound_letter)\.[a-z_.]*[a-z]"
)
DANISH_WORDS = {"reference", "person", "manual"}  # raw values that are also Danish words


def _raw_values() -> set[str]:
    raw = {
        value
        for vocabulary in NAMES.values()
        for value, name in vocabulary.items()
        if value != name and value not in DANISH_WORDS
    }
    return raw


def _raw_pattern() -> re.Pattern[str]:
    words = "|".join(sorted((re.escape(v) for v in _raw_values()), key=len, reverse=True))
    return re.compile(rf"(?<![\w@./-])(?:{words})(?![\w@/-]|\.\w)")


@dataclass
class Demo:
    engine: Engine
    client: TestClient


def _demo_data(engine: Engine, data_dir: Path) -> None:
    seed_demo(engine, data_dir, RECIPIENT)
    run_parse_stage(engine, [RECIPIENT])
    clock = SystemClock()
    day = clock.today()
    _, run_id = remind(engine, day)
    assert run_id is not None
    assert draft_run_letters(engine, run_id) > 0
    with session_scope(engine) as session:
        run_letters = session.exec(
            select(OutboundLetter).where(OutboundLetter.run_id == run_id).limit(3)
        ).all()
        casework.approve_letter(session, run_letters[0].id or 0, "karin", None, clock=clock)
        casework.exclude_run_letter(session, run_letters[1].id or 0, "dødsbo", "karin")
        replies = session.exec(
            select(OutboundLetter).where(col(OutboundLetter.inbound_message_id).is_not(None))
        ).all()
        if replies:
            casework.edit_letter(session, replies[0].id or 0, replies[0].body + "\nTak.", "karin")
        first = session.exec(select(InboundMessage).order_by(col(InboundMessage.id))).first()
        assert first is not None
        casework.log_view(session, "karin", "inbound_message", str(first.id))
        create_user(session, "karin", PASSWORD, "sagsbehandler", "test")
        create_user(session, "admin", PASSWORD, "administrator", "test")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    directory = tmp_path_factory.mktemp("demo")
    engine = make_engine(f"sqlite:///{directory / 'demo.db'}")
    migrate.upgrade(engine)
    _demo_data(engine, directory)
    yield engine
    engine.dispose()


def _logged_in(engine: Engine, username: str) -> TestClient:
    client = TestClient(create_app(load_settings(), engine), base_url="https://testserver")
    response = client.post("/api/log-ind", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    client.headers["Accept"] = "text/html"
    return client


@pytest.mark.parametrize("username", ["karin", "admin"])
def test_every_page_is_in_danish(demo: Engine, username: str) -> None:
    pages = crawl(_logged_in(demo, username))
    shapes = {re.sub(r"[A-Z]*\d+", "N", path.partition("?")[0]) for path in pages}
    expected = {"/indbakke", "/sag/N", "/skyldner/N", "/skyldnere", "/rykkerkoersel",
                "/rykkerkoersel/N", "/udbakke"}  # fmt: skip
    if username == "admin":
        expected.add("/admin/brugere")
    assert expected <= shapes, f"not reached: {expected - shapes}"
    raw = _raw_pattern()
    problems = []
    for path, html in pages.items():
        page = visible(html)
        if page.lang != "da":
            problems.append(f"{path}: lang={page.lang!r}")
        if not page.title.strip():
            problems.append(f"{path}: no title")
        for pattern, what in ((raw, "raw value"), (AUDIT_LIKE, "raw action"),
                              (ISO_DATE, "ISO date")):  # fmt: skip
            for found in pattern.finditer(page.text):
                around = page.text[max(0, found.start() - 40) : found.end() + 40]
                problems.append(f"{path}: {what} {found.group(0)!r} in …{around}…")
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:40])


def test_the_crawl_check_finds_raw_values() -> None:
    """The check itself: it flags what the pages used to show, and passes Danish text."""
    raw = _raw_pattern()
    for bad in ("Forslag: accept", "Ved godkendelse: agreement", "letters 595 interest 75",
                "letter.approved", "via smtp", "reference: new_text = 1"):  # fmt: skip
        text = visible(f"<p>{bad}</p>").text
        assert raw.search(text) or AUDIT_LIKE.search(text) or ISO_DATE.search(text), bad
    assert ISO_DATE.search(visible("<td>2026-11-27</td>").text)
    fine = visible(
        "<p>Skrevet 27. november 2026 til karla@email.dk, fakturanummer 2026-0042</p>"
        '<div class="citizen">reply letter.approved 2026-11-27</div><textarea>done</textarea>'
    ).text
    assert not raw.search(fine) and not AUDIT_LIKE.search(fine), fine
    assert "2026-11-27" not in fine


def _str_enums() -> list[type[StrEnum]]:
    found: dict[str, type[StrEnum]] = {}
    for module in pkgutil.walk_packages(opkraevning.__path__, "opkraevning."):
        if module.name.endswith("__main__"):
            continue
        try:
            loaded = importlib.import_module(module.name)
        except Exception:  # a module that needs an optional part to import
            continue
        for _, value in inspect.getmembers(loaded, inspect.isclass):
            if issubclass(value, StrEnum) and value.__module__.startswith("opkraevning"):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return list(found.values())


def test_every_value_a_person_can_see_has_a_danish_name() -> None:
    enums = _str_enums()
    assert {"ClaimStatus", "LetterState", "MessageState", "Channel"} <= {e.__name__ for e in enums}
    missing = [
        f"{enum.__name__}.{member.value}"
        for enum in enums
        for member in enum
        if member.value not in NAMES.get(enum.__name__, {})
    ]
    vocabularies = {
        "intent": list(INTENTS),
        "run_list": list(LISTS),
        "proposal_decision": list(typing.get_args(Decision)),
        "evidence_kind": list(STRENGTH),
    }
    missing += [
        f"{name}.{value}"
        for name, values in vocabularies.items()
        for value in values
        if value not in NAMES[name]
    ]
    assert not missing, f"no Danish name for {missing}"


def test_every_recorded_audit_action_has_a_danish_name(demo: Engine) -> None:
    with Session(demo) as session:
        actions = set(session.exec(select(AuditEvent.action)).all())
    assert {"letter.approved", "letter.excluded", "run.letters_drafted"} <= actions
    assert actions - set(NAMES["audit_action"]) == set()
