"""The run's outcome is typed and in øre inside; ``remind --json`` and the exports keep
the kroner strings, ISO dates, names and key order other tools read."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner

from opkraevning.app.reminder.outcome import (
    HoldEntry,
    InterestEntry,
    LetterEntry,
    NearExpiryEntry,
    OwnCollectionEntry,
    RunOutcome,
    TransferEntry,
    WriteOffEntry,
    kr,
)
from opkraevning.app.reminder.run import export_lists, remind
from opkraevning.cli import main
from tests.conftest import Database

RULES = {"checked": ["active"], "fired": [], "values": {}}


def _outcome() -> RunOutcome:
    out = RunOutcome(date(2026, 11, 27), "2026.1+abc")
    out.letters.append(
        LetterEntry(
            "D1", ["C1", "C2"], "reminder", 2, {"C1": 2, "C2": 1}, 25_000, date(2026, 12, 7),
            True, {"C1": RULES}, ["gebyrloven-2"],
        )
    )  # fmt: skip
    out.interest.append(
        InterestEntry(
            "C1", date(2026, 4, 12), date(2026, 11, 27), Decimal("9.60"), 2_784, ["renteloven-5"]
        )
    )
    out.transfers.append(TransferEntry("C3", 464_803, ["C3-G7"], RULES, ["gil-2-3", "gil-2-4"]))
    out.own_collection.append(OwnCollectionEntry("C4", 967_403, "fortrinsberettiget", RULES))
    out.write_offs.append(
        WriteOffEntry("C5", date(2027, 2, 25), "forfaldsdato", 5, ["foraeldelsesloven-3"], RULES)
    )
    out.near_expiry.append(NearExpiryEntry("C6", date(2027, 3, 17), "forfaldsdato", RULES))
    out.holds.append(HoldEntry("C7", "dispute", RULES))
    return out


def test_the_document_keeps_its_names_order_and_kroner_strings() -> None:
    text = json.dumps(_outcome().document())
    assert text == (
        '{"date": "2026-11-27", "policy_version": "2026.1+abc", "letters": [{"debtor_id": "D1", '
        '"claim_ids": ["C1", "C2"], "kind": "reminder", "number": 2, "numbers": {"C1": 2, '
        '"C2": 1}, "fee_kr": "250.00", "deadline": "2026-12-07", "transfer_notice": true, '
        f'"rules": {{"C1": {json.dumps(RULES)}}}, "legal_refs": ["gebyrloven-2"]}}], '
        '"interest": [{"claim_id": "C1", "from": "2026-04-12", "to": "2026-11-27", '
        '"rate_pct": "9.60", "amount_kr": "27.84", "legal_refs": ["renteloven-5"]}], '
        '"transfers": [{"claim_id": "C3", "amount_kr": "4648.03", "fee_claims": ["C3-G7"], '
        f'"rules": {json.dumps(RULES)}, "legal_refs": ["gil-2-3", "gil-2-4"]}}], '
        '"own_collection": [{"claim_id": "C4", "amount_kr": "9674.03", "reason": '
        f'"fortrinsberettiget", "rules": {json.dumps(RULES)}}}], '
        '"write_offs": [{"claim_id": "C5", "expired_on": "2027-02-25", "basis": "forfaldsdato", '
        '"amount_kr": "0.05", "legal_refs": ["foraeldelsesloven-3"], '
        f'"rules": {json.dumps(RULES)}}}], '
        '"near_expiry": [{"claim_id": "C6", "expires_on": "2027-03-17", "basis": "forfaldsdato", '
        f'"rules": {json.dumps(RULES)}}}], '
        f'"holds": [{{"claim_id": "C7", "reason": "dispute", "rules": {json.dumps(RULES)}}}], '
        '"totals": {}}'
    )


def test_kroner_strings_only_at_the_edge() -> None:
    assert [kr(0), kr(5), kr(100), kr(123_450), kr(-2_50)] == [
        "0.00",
        "0.05",
        "1.00",
        "1234.50",
        "-2.50",
    ]
    letter = _outcome().letters[0]
    assert isinstance(letter.fee_ore, int) and isinstance(letter.deadline, date)


def test_exports_write_the_old_columns(tmp_path: Path) -> None:
    paths = export_lists(_outcome(), tmp_path)
    assert [path.name for path in paths] == [
        "transfers-2026-11-27.json",
        "transfers-2026-11-27.csv",
        "own_collection-2026-11-27.json",
        "own_collection-2026-11-27.csv",
    ]
    assert paths[1].read_text(encoding="utf-8").splitlines() == [
        "claim_id,amount_kr,fee_claims",
        "C3,4648.03,C3-G7",
    ]
    assert json.loads(paths[2].read_text(encoding="utf-8"))[0]["amount_kr"] == "9674.03"


def test_remind_json_on_the_dev_register_pins_values(dev_database: Database) -> None:
    result = CliRunner().invoke(
        main,
        ["remind", "--date", "2026-11-27", "--dry-run", "--json"],
        env={"OPKRAEVNING_DATABASE_URL": dev_database.url},
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    first = document["letters"][0]
    assert list(first) == [
        "debtor_id", "claim_ids", "kind", "number", "numbers", "fee_kr", "deadline",
        "transfer_notice", "rules", "legal_refs",
    ]  # fmt: skip
    assert (first["debtor_id"], first["claim_ids"], first["fee_kr"], first["deadline"]) == (
        "D1100000",
        ["C11000000"],
        "250.00",
        "2026-12-07",
    )
    assert first["rules"]["C11000000"]["checked"][0] == "active"
    interest = document["interest"][0]
    assert list(interest) == [
        "claim_id", "from", "to", "rate_pct", "amount_kr", "legal_refs", "rules",
    ]  # fmt: skip
    assert interest["claim_id"] == "C11000001" and interest["from"] == "2026-04-12"
    assert isinstance(interest["amount_kr"], str) and interest["amount_kr"].count(".") == 1
    # the typed outcome in øre says the same as its document in kroner
    outcome, _ = remind(dev_database.engine, date(2026, 11, 27), dry_run=True)
    assert [kr(letter.fee_ore) for letter in outcome.letters] == [
        letter["fee_kr"] for letter in document["letters"]
    ]
    assert [kr(item.amount_ore) for item in outcome.interest] == [
        item["amount_kr"] for item in document["interest"]
    ]
