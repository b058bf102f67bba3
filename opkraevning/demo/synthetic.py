"""A synthetic but realistic debtor register for Djursland, in the import CSV format.

Used by ``opkraevning demo`` and by the benchmarks. Rows are streamed to the three
files, so a million claims cost no more memory than ten. Identifiers are valid
(CPR birth date, CVR modulus 11, betalings-ID modulus 10), names are Danish and the
addresses are in Norddjurs and Syddjurs. Deterministic for a given seed.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from stdnum import luhn

from opkraevning.store.register_rows import CLAIM_COLUMNS, DEBTOR_COLUMNS, PAYMENT_COLUMNS

FIRST_NAMES = [
    "Anne",
    "Kirsten",
    "Hanne",
    "Mette",
    "Anna",
    "Helle",
    "Susanne",
    "Lene",
    "Maria",
    "Marianne",
    "Inge",
    "Karen",
    "Lone",
    "Bente",
    "Camilla",
    "Pia",
    "Jette",
    "Louise",
    "Charlotte",
    "Tina",
    "Gitte",
    "Julie",
    "Ida",
    "Emma",
    "Sofie",
    "Freja",
    "Peter",
    "Jens",
    "Lars",
    "Michael",
    "Henrik",
    "Søren",
    "Thomas",
    "Jan",
    "Niels",
    "Morten",
    "Jørgen",
    "Hans",
    "Anders",
    "Christian",
    "Martin",
    "Rasmus",
    "Ole",
    "Per",
    "Frederik",
    "Mads",
    "Jesper",
    "Bent",
    "Torben",
    "Kåre",
    "Bjørn",
    "Tonny",
    "Åge",
]
MIDDLE_NAMES = [
    "Marie",
    "Louise",
    "Kristine",
    "Bech",
    "Holm",
    "Skov",
    "Juul",
    "Lund",
    "Dahl",
    "Krogh",
    "Bøgh",
]
SURNAMES = [
    "Nielsen",
    "Jensen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Petersen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
    "Christiansen",
    "Poulsen",
    "Johansen",
    "Møller",
    "Mortensen",
    "Østergaard",
    "Søgaard",
    "Bækgaard",
    "Kjærgaard",
    "Damgaard",
    "Winther",
    "Gregersen",
    "Krogh",
    "Dam",
    "Lassen",
    "Nissen",
]
STREETS = [
    "Storegade",
    "Østergade",
    "Vestergade",
    "Nørregade",
    "Søndergade",
    "Kirkevej",
    "Skovvej",
    "Stationsvej",
    "Havnevej",
    "Bakkevej",
    "Engvej",
    "Mølleparken",
    "Ålykkevej",
    "Rugårdsvej",
    "Kærvej",
    "Fasanvej",
    "Lærkevej",
    "Ørnbjergvej",
    "Hørdumsgade",
    "Ærtelandsvej",
    "Bøgevang",
    "Præstemarken",
    "Åstrupvej",
    "Slotsgade",
    "Skolevej",
]
TOWNS = (
    ("8500", "Grenaa"),
    ("8400", "Ebeltoft"),
    ("8410", "Rønde"),
    ("8550", "Ryomgård"),
    ("8560", "Kolind"),
    ("8570", "Trustrup"),
    ("8581", "Nimtofte"),
    ("8585", "Glesborg"),
    ("8586", "Ørum Djurs"),
    ("8592", "Anholt"),
    ("8961", "Allingåbro"),
    ("8963", "Auning"),
    ("8950", "Ørsted"),
)
MAIL_DOMAINS = ("gmail.com", "hotmail.com", "outlook.dk", "mail.dk", "live.dk", "yahoo.dk")
COMPANY_FORMS = ("ApS", "A/S", "I/S", "IVS")
COMPANY_TRADES = ("VVS", "Tømrer", "El", "Maler", "Auto", "Byg", "Anlæg", "Rengøring")

# claim type → (who owes it, smallest and largest amount in kroner, description)
CLAIM_KINDS: dict[str, tuple[str, int, int, str]] = {
    "ejendomsskat": ("both", 900, 14_000, "Ejendomsskat, {rate}. rate {mm}/{yyyy}"),
    "rottebekaempelse": ("both", 60, 400, "Rottebekæmpelse {yyyy}"),
    "skorstensfejning": ("person", 250, 900, "Skorstensfejning {yyyy}"),
    "byggesagsgebyr": ("both", 1_500, 25_000, "Byggesagsgebyr, sag {mm}/{yyyy}"),
    "husleje": ("person", 3_000, 7_500, "Husleje {mm}/{yyyy}"),
    "klientbetaling": ("person", 400, 4_000, "Egenbetaling {mm}/{yyyy}"),
    "daginstitution": ("person", 1_200, 3_900, "Daginstitution, plads {mm}/{yyyy}"),
    "boliglaan": ("person", 2_000, 12_000, "Boliglån til ejendomsskat {yyyy}"),
    "loenkrav": ("person", 300, 9_000, "For meget udbetalt løn {mm}/{yyyy}"),
    "juniorklub": ("person", 150, 700, "Juniorklub, kontingent {mm}/{yyyy}"),
    "kulturskole": ("person", 500, 2_600, "Kulturskolen, undervisning {mm}/{yyyy}"),
    "foreningsgebyr": ("both", 100, 1_200, "Foreningsgebyr {yyyy}"),
    "erstatningskrav": ("both", 500, 18_000, "Erstatningskrav, skade {mm}/{yyyy}"),
}
STATUS_WEIGHTS = (
    ("open", 70),
    ("paid", 15),
    ("in_agreement", 7),
    ("transferred", 6),
    ("written_off", 2),
)


@dataclass
class DebtorSample:
    """A generated debtor kept in memory for the demo's citizen mails."""

    debtor_id: str
    name: str
    email: str
    claims: list[dict[str, str]] = field(default_factory=list)


@dataclass
class RegisterFiles:
    debtors: Path
    claims: Path
    payments: Path
    debtor_count: int = 0
    claim_count: int = 0
    payment_count: int = 0
    samples: list[DebtorSample] = field(default_factory=list)


def cvr_number(rng: random.Random) -> str:
    weights = (2, 7, 6, 5, 4, 3, 2)
    while True:
        digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(6)]
        check = (-sum(w * d for w, d in zip(weights, digits, strict=True))) % 11
        if check < 10:
            return "".join(map(str, digits)) + str(check)


def cpr_number(rng: random.Random) -> str:
    born = date(1930, 1, 1) + timedelta(days=rng.randint(0, 27_000))
    # 7th digit: 0-3 means born 1900-1999; 4 with year <= 36 means 2000-2036.
    century_digit = rng.randint(0, 3) if born.year < 2000 else 4
    serial = f"{century_digit}{rng.randint(0, 999):03d}"
    return born.strftime("%d%m%y") + serial


def payment_id(rng: random.Random) -> str:
    body = f"{rng.randint(10**13, 10**14 - 1)}"
    return body + luhn.calc_check_digit(body)


def _person_name(rng: random.Random) -> str:
    parts = [rng.choice(FIRST_NAMES)]
    if rng.random() < 0.2:
        parts.append(rng.choice(MIDDLE_NAMES))
    parts.append(rng.choice(SURNAMES))
    return " ".join(parts)


def _email(rng: random.Random, name: str, kind: str) -> str:
    fold = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", " ": "."})
    local = name.lower().translate(fold).replace("/", "").replace("&", "og")
    if kind == "company":
        return f"info@{local.split('.')[0]}.dk"
    return f"{local}{rng.randint(1, 99) if rng.random() < 0.5 else ''}@{rng.choice(MAIL_DOMAINS)}"


def write_register(
    directory: Path,
    *,
    debtors: int,
    claims: int | None = None,
    seed: int = 1,
    today: date = date(2026, 11, 1),
    keep_samples: int = 0,
    open_only: bool = False,
) -> RegisterFiles:
    """Write debtors.csv, claims.csv and payments.csv; stream, never hold the register.

    ``claims`` is the exact total (spread evenly); by default 1 to 6 per debtor at random.
    """
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    files = RegisterFiles(
        directory / "debtors.csv", directory / "claims.csv", directory / "payments.csv"
    )
    types = list(CLAIM_KINDS)
    statuses = [s for s, _ in STATUS_WEIGHTS]
    status_weights = [w for _, w in STATUS_WEIGHTS]
    with (
        files.debtors.open("w", encoding="utf-8", newline="") as debtor_file,
        files.claims.open("w", encoding="utf-8", newline="") as claim_file,
        files.payments.open("w", encoding="utf-8", newline="") as payment_file,
    ):
        debtor_out, claim_out, payment_out = (
            csv.writer(debtor_file),
            csv.writer(claim_file),
            csv.writer(payment_file),
        )
        debtor_out.writerow(DEBTOR_COLUMNS)
        claim_out.writerow(CLAIM_COLUMNS)
        payment_out.writerow(PAYMENT_COLUMNS)
        for number in range(debtors):
            debtor_id = f"D{2_000_000 + number}"
            company = rng.random() < 0.1
            kind = "company" if company else "person"
            if company:
                first, second = rng.choice(SURNAMES), rng.choice(COMPANY_TRADES)
                name = f"{first} {second} {rng.choice(COMPANY_FORMS)}"
            else:
                name = _person_name(rng)
            postcode, city = rng.choice(TOWNS)
            email = _email(rng, name, kind) if rng.random() < 0.75 else ""
            phone = f"{rng.randint(20, 99)}{rng.randint(0, 999_999):06d}"
            if rng.random() < 0.5:
                phone = ""
            debtor_out.writerow(
                (
                    debtor_id,
                    kind,
                    "" if company else cpr_number(rng),
                    cvr_number(rng) if company else "",
                    name,
                    f"{rng.choice(STREETS)} {rng.randint(1, 120)}",
                    postcode,
                    city,
                    email,
                    phone,
                )
            )
            files.debtor_count += 1
            sample = None
            if len(files.samples) < keep_samples and email and not company:
                sample = DebtorSample(debtor_id, name, email)
                files.samples.append(sample)
            if claims is None:
                count = rng.randint(1, 6)
            else:
                count = (number + 1) * claims // debtors - number * claims // debtors
            for claim_no in range(count):
                claim_type = rng.choice(types)
                who, low, high, text = CLAIM_KINDS[claim_type]
                if who == "person" and company:
                    claim_type = "erstatningskrav"
                    who, low, high, text = CLAIM_KINDS[claim_type]
                issued = today - timedelta(days=rng.randint(5, 1100))
                due = issued + timedelta(days=rng.choice((14, 20, 30)))
                ore = rng.randint(low * 100, high * 100)
                status = rng.choices(statuses, status_weights)[0]
                if open_only:
                    status = "open"
                claim_id = f"C{debtor_id[1:]}{claim_no:02d}"
                row = {
                    "claim_id": claim_id,
                    "debtor_id": debtor_id,
                    "claim_type": claim_type,
                    "reference": f"{issued.year}-{rng.randint(100_000, 999_999)}",
                    "payment_id": payment_id(rng),
                    "description": text.format(
                        rate=rng.randint(1, 2), mm=f"{issued.month:02d}", yyyy=issued.year
                    ),
                    "amount": f"{ore // 100}.{ore % 100:02d}",
                    "issued_on": issued.isoformat(),
                    "due_on": due.isoformat(),
                    "status": status,
                }
                claim_out.writerow(row.values())
                files.claim_count += 1
                if sample is not None:
                    sample.claims.append(row)
                paid_on = min(today, due + timedelta(days=rng.randint(-10, 40)))
                if status == "paid":
                    payment_out.writerow((claim_id, row["amount"], paid_on.isoformat()))
                    files.payment_count += 1
                elif status in ("open", "in_agreement") and rng.random() < 0.3:
                    part = rng.randint(1, max(1, ore - 1))
                    amount = f"{part // 100}.{part % 100:02d}"
                    payment_out.writerow((claim_id, amount, paid_on.isoformat()))
                    files.payment_count += 1
    return files
