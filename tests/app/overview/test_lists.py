"""The lists behind the figures; the afstemning list on a crafted register."""

from __future__ import annotations

from datetime import date

from sqlalchemy import update
from sqlmodel import Session, col

from opkraevning.app.overview.lists import listing, to_csv
from opkraevning.store.db import session_scope
from opkraevning.store.models import Claim, Debtor, Payment
from tests.app.overview.test_figures import DAY, _claim, crafted_register
from tests.conftest import Database


def test_afstemning_names_what_the_departments_should_correct(database: Database) -> None:
    crafted_register(database)
    with session_scope(database.engine) as session:
        session.execute(
            update(Debtor).where(col(Debtor.id) == "A").values(cpr="0101701234", address="Torvet 1")
        )
        session.add_all(
            [
                _claim("c6", "A", "husleje", 10_000, date(2026, 5, 1), status="paid"),
                _claim("d1", "A", "kulturskole", 5_000, date(2026, 5, 1), status="paid"),
                _claim("d2", "A", "kulturskole", 6_000, date(2026, 6, 1), status="paid"),
            ]
        )
        session.flush()
        session.add(Payment(claim_id="c6", amount_ore=12_000, paid_on=date(2026, 5, 2)))
    with session_scope(database.engine) as session:
        session.execute(
            update(Claim).where(col(Claim.id).in_(["d1", "d2"])).values(reference="R-1")
        )
    with Session(database.engine) as session:
        found = listing(session, "afstemning", DAY)
    problems = sorted((row[0], row[1], row[4]) for row in found.rows)
    assert problems == sorted(
        [
            ("betalt mere end kravet", "c6", 2_000),
            ("betalt, men stadig åbent", "c5", 30_000),
            ("reference brugt flere gange", "d1", 5_000),
            ("reference brugt flere gange", "d2", 6_000),
            ("kan ikke overdrages: skyldner mangler CPR/CVR eller adresse", "c3", 20_000),
            ("kan ikke overdrages: skyldner mangler CPR/CVR eller adresse", "c4", 40_000),
            ("kan ikke overdrages: skyldner mangler CPR/CVR eller adresse", "c5", 30_000),
        ]
    )
    csv_lines = to_csv(found).decode("utf-8-sig").splitlines()
    assert csv_lines[0] == "Problem;Krav;Skyldner;Kravtype;Beløb"
    assert "betalt mere end kravet;c6;A;Husleje;20,00" in csv_lines
