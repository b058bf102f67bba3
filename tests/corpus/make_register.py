"""Re-make the register of the labelled corpus: ``python tests/corpus/make_register.py``.

Deterministic (fixed seed): running it again writes byte-identical files to
tests/corpus/register/. The first debtors are a hand-written cast with the hard
cases the mail sets are built on (namesakes, families sharing one address and one
email, spouses, deceased persons, people without email, summer-house owners abroad,
work-domain email, a bookkeeping firm, farms, shops, a housing association); the
rest is filler drawn from Djursland names and addresses. Identifiers are valid:
CPR with a real birth date and the modulus-11 check, CVR modulus 11, betalings-ID
(FI type 71) 15 digits with a modulus-10 check digit.
"""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

from stdnum import luhn

SEED = 14
TODAY = date(2026, 11, 16)
OUT = Path(__file__).parent / "register"
DEBTORS = 300
COMPANIES = 70

# claim type -> (department, low kr, high kr, description with {mm} {yyyy} {x})
KINDS: dict[str, tuple[str, int, int, str]] = {
    "ejendomsskat": ("Skat og Opkrævning", 1_800, 16_000, "Ejendomsskat {yyyy}, {x}. rate"),
    "rottebekaempelse": ("Teknik og Miljø", 90, 420, "Rottebekæmpelsesgebyr {yyyy}"),
    "skorstensfejning": ("Teknik og Miljø", 380, 1_100, "Skorstensfejning og brandsyn {yyyy}"),
    "byggesagsgebyr": ("Byg og Plan", 2_400, 24_000, "Byggesagsgebyr, sag {yy}-{x}"),
    "husleje": ("Boligadministrationen", 3_400, 6_900, "Husleje {mm}/{yyyy}"),
    "klientbetaling": ("Sundhed og Omsorg", 420, 3_900, "Egenbetaling {x} {mm}/{yyyy}"),
    "daginstitution": ("Dagtilbud", 1_350, 3_950, "Forældrebetaling {x} {mm}/{yyyy}"),
    "boliglaan": ("Skat og Opkrævning", 2_200, 11_500, "Lån til betaling af ejendomsskat {yyyy}"),
    "loenkrav": ("Løn og Personale", 600, 9_500, "For meget udbetalt løn {mm}/{yyyy}"),
    "juniorklub": ("Børn og Unge", 180, 690, "Juniorklubben {x}, kontingent {mm}/{yyyy}"),
    "kulturskole": ("Kultur og Fritid", 650, 2_700, "Kulturskolen, {x} {mm}/{yyyy}"),
    "foreningsgebyr": ("Kultur og Fritid", 150, 4_800, "Leje af lokaler, {x} {yyyy}"),
    "erstatningskrav": ("Økonomi", 1_200, 19_000, "Erstatningskrav: {x}"),
}
DETAILS = {
    "klientbetaling": ["madservice", "praktisk hjælp", "ophold i plejebolig", "træning"],
    "daginstitution": ["vuggestuen Mælkebøtten", "dagplejen", "børnehaven Solsikken", "SFO"],
    "juniorklub": ["Fritten", "Sparta", "Kometen"],
    "kulturskole": ["klaverundervisning", "guitarundervisning", "billedskole", "sang"],
    "foreningsgebyr": ["Kolindhallen", "Grenaa Idrætscenter", "mødelokale Rådhuset"],
}
# damage claims: (what happened, low kr, high kr) for persons and for companies
DAMAGES = {
    "person": [
        ("beskadiget skole-iPad", 1_800, 4_500),
        ("påkørt vejskilt", 3_500, 12_000),
        ("ødelagt rude i idrætshal", 1_200, 6_000),
        ("bortkommet lånecykel", 2_500, 7_500),
    ],
    "company": [
        ("skade på kommunal vej ved gravearbejde", 8_000, 19_000),
        ("påkørt lygtepæl", 6_000, 15_000),
        ("beskadiget fortov ved levering", 2_500, 9_000),
    ],
}
FIRST_F = "Anne Kirsten Hanne Mette Lene Maria Inge Karen Lone Bente Camilla Pia Jette Louise "
FIRST_F += "Tina Gitte Julie Ida Emma Sofie Freja Birthe Rikke Dorthe Malene Signe Nanna Ulla"
FIRST_M = "Peter Jens Lars Michael Henrik Søren Thomas Jan Niels Morten Jørgen Hans Anders "
FIRST_M += (
    "Christian Martin Rasmus Ole Per Frederik Mads Jesper Bent Torben Kåre Bjørn Allan Mikkel"
)
SURNAMES = "Nielsen Jensen Hansen Pedersen Andersen Christensen Larsen Sørensen Rasmussen "
SURNAMES += "Jørgensen Petersen Madsen Kristensen Olsen Thomsen Poulsen Johansen Møller Mortensen "
SURNAMES += "Østergaard Søgaard Bækgaard Damgaard Winther Gregersen Krogh Lassen Nissen Bisgaard "
SURNAMES += "Fuglsang Overgaard Kirkegaard Skou Hedegaard Vestergaard Iversen Bach Frandsen"
STREETS = "Storegade Østergade Vestergade Nørregade Søndergade Kirkevej Skovvej Stationsvej "
STREETS += "Havnevej Bakkevej Engvej Mølleparken Ålykkevej Rugårdsvej Kærvej Fasanvej Lærkevej "
STREETS += "Ørnbjergvej Hørdumsgade Bøgevang Præstemarken Åstrupvej Skolevej Toldbodgade Lyngbyvej"
TOWNS = [
    ("8500", "Grenaa"),
    ("8400", "Ebeltoft"),
    ("8410", "Rønde"),
    ("8550", "Ryomgård"),
    ("8560", "Kolind"),
    ("8570", "Trustrup"),
    ("8581", "Nimtofte"),
    ("8585", "Glesborg"),
    ("8586", "Ørum Djurs"),
    ("8961", "Allingåbro"),
    ("8963", "Auning"),
    ("8950", "Ørsted"),
    ("8444", "Balle"),
]
TRADES = "VVS Tømrer El Maler Auto Byg Anlæg Rengøring Kloak Tag Glas Smed Gartner Murer"
DOMAINS = ["gmail.com", "hotmail.com", "outlook.dk", "mail.dk", "live.dk", "yahoo.dk", "jubii.dk"]

CAST_FILE = Path(__file__).parent / "cast.tsv"


def read_cast() -> list[tuple[str, ...]]:
    """The hand-written cast: kind, name, address, town, email, birth year, claim types.

    A claim type repeated n times is n bills; a "*" before it is the monthly bill of
    each of the last three months (August-October 2026).
    """
    cast: list[tuple[str, ...]] = []
    for line in CAST_FILE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            kind, name, address, town, email, year, types = line.split("\t")
            cast.append((kind, name, address, town, email, year, *types.split()))
    return cast


def cpr_for(rng: random.Random, year: int) -> str:
    """A CPR with a real birth date, the right century digit and the modulus-11 check."""
    weights = (4, 3, 2, 7, 6, 5, 4, 3, 2)
    while True:
        born = date(year, 1, 1) + timedelta(days=rng.randint(0, 364))
        century = str(rng.choice((0, 1, 2, 3)) if year < 2000 else 4)
        head = born.strftime("%d%m%y") + century + f"{rng.randint(0, 99):02d}"
        check = (-sum(w * int(d) for w, d in zip(weights, head, strict=True))) % 11
        if check < 10:
            return head + str(check)


def cvr_for(rng: random.Random) -> str:
    weights = (2, 7, 6, 5, 4, 3, 2)
    while True:
        digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(6)]
        check = (-sum(w * d for w, d in zip(weights, digits, strict=True))) % 11
        if check < 10:
            return "".join(map(str, digits)) + str(check)


def payment_id(rng: random.Random) -> str:
    body = str(rng.randint(10**13, 10**14 - 1))
    return body + luhn.calc_check_digit(body)


def filler(rng: random.Random, number: int, company: bool) -> tuple[str, ...]:
    """A random debtor: kind, name, address, postcode and city, email, birth year, types."""
    postcode, city = rng.choice(TOWNS)
    address = f"{rng.choice(STREETS.split())} {rng.randint(1, 120)}"
    fold = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", " ": "."})
    if company:
        owner, trade = rng.choice(SURNAMES.split()), rng.choice(TRADES.split())
        name = f"{owner} {trade} {rng.choice(('ApS', 'ApS', 'A/S', 'I/S'))}"
        domain = f"{owner}{trade}".lower().translate(fold)
        email = f"{rng.choice(('info', 'kontor', 'mail'))}@{domain}.dk"
        kinds = ["byggesagsgebyr", "ejendomsskat", "rottebekaempelse", "erstatningskrav"]
        types = rng.sample(kinds, rng.randint(1, 3))
        return (
            "company",
            name,
            address,
            f"{postcode} {city}",
            email if rng.random() < 0.85 else "",
            "0",
            *types,
        )
    first = rng.choice((FIRST_F if number % 2 else FIRST_M).split())
    name = f"{first} {rng.choice(SURNAMES.split())}"
    local = name.lower().translate(fold) + (str(rng.randint(1, 99)) if rng.random() < 0.4 else "")
    email = f"{local}@{rng.choice(DOMAINS)}" if rng.random() < 0.72 else ""
    types = rng.sample(list(KINDS), rng.randint(1, 3))
    return (
        "person",
        name,
        address,
        f"{postcode} {city}",
        email,
        str(rng.randint(1935, 2003)),
        *types,
    )


def claim_rows(
    rng: random.Random, debtor_id: str, types: list[str], company: bool
) -> list[list[str]]:
    rows: list[list[str]] = []
    for spec in types:
        claim_type = spec.lstrip("*")
        months = (
            [date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1)] if spec[0] == "*" else [None]
        )
        detail = rng.choice(DETAILS.get(claim_type, [""]))
        low, high = KINDS[claim_type][1:3]
        if claim_type == "erstatningskrav":
            detail, low, high = rng.choice(DAMAGES["company" if company else "person"])
        fixed = rng.randint(low * 100, high * 100)
        for month in months:
            issued = month or TODAY - timedelta(days=rng.randint(12, 820))
            if claim_type == "ejendomsskat":
                issued = date(issued.year, rng.choice((1, 7)), 5)
                x = "1" if issued.month == 1 else "2"
            elif claim_type == "byggesagsgebyr":
                x = f"{rng.randint(1000, 29999):05d}"
            else:
                x = detail
            due = issued + timedelta(days=rng.choice((14, 20, 30)))
            ore = fixed if month else rng.randint(low * 100, high * 100)
            if company and claim_type in ("ejendomsskat", "byggesagsgebyr"):
                ore *= 3
            text = KINDS[claim_type][3].format(
                mm=f"{issued.month:02d}", yyyy=issued.year, yy=issued.strftime("%y"), x=x
            )
            age = (TODAY - due).days
            weights = [60, 12, 8 if age > 120 else 0, 18, 2 if age > 300 else 0]
            status = rng.choices(
                ["open", "in_agreement", "transferred", "paid", "written_off"], weights
            )[0]
            period = ("", "")
            if month:
                nxt = date(month.year + month.month // 12, month.month % 12 + 1, 1)
                period = (month.isoformat(), (nxt - timedelta(days=1)).isoformat())
            last_on_time = (due + timedelta(days=1)).isoformat() if due.weekday() == 5 else ""
            number = len(rows) + 1
            rows.append([
                f"C{debtor_id[1:]}{number:02d}", debtor_id, claim_type,
                f"{issued.year}-{rng.randint(100_000, 999_999)}", payment_id(rng), text,
                f"{ore // 100}.{ore % 100:02d}", issued.isoformat(), due.isoformat(), status,
                KINDS[claim_type][0], *period, last_on_time,
            ])  # fmt: skip
    return rows


def main() -> None:
    rng = random.Random(SEED)
    OUT.mkdir(exist_ok=True)
    debtors: list[list[str]] = []
    claims: list[list[str]] = []
    payments: list[list[str]] = []
    cast = read_cast()
    companies = sum(1 for row in cast if row[0] == "company")
    people = len(cast) - companies
    while len(cast) < DEBTORS:
        company = companies < COMPANIES and (people >= DEBTORS - COMPANIES or rng.random() < 0.25)
        cast.append(filler(rng, len(cast), company))
        companies, people = companies + company, people + (not company)
    households: dict[tuple[str, str], list[str]] = {}
    for number, (kind, name, address, town, email, year, *types) in enumerate(cast, start=1):
        debtor_id = f"D{4_100_000 + number}"
        postcode, city = town.split(" ", 1)
        company = kind == "company"
        phone = (
            "" if rng.random() < 0.55 else f"+45 {rng.randint(20, 99)}{rng.randint(0, 999_999):06d}"
        )
        debtors.append([
            debtor_id, kind, "" if company else cpr_for(rng, int(year)),
            cvr_for(rng) if company else "", name, address, postcode, city, email, phone,
        ])  # fmt: skip
        rows = claim_rows(rng, debtor_id, list(types), company)
        claims.extend(rows)
        if not company and int(year) < 2004:
            households.setdefault((address, postcode), []).append(debtor_id)
        for row in rows:
            status, ore = row[9], int(row[6].replace(".", ""))
            paid_on = min(TODAY, date.fromisoformat(row[8]) + timedelta(days=rng.randint(-9, 35)))
            if status == "paid":
                payments.append([row[0], row[6], paid_on.isoformat()])
            elif status in ("open", "in_agreement") and rng.random() < 0.3:
                part = rng.randint(ore // 10, ore // 2)
                payments.append([row[0], f"{part // 100}.{part % 100:02d}", paid_on.isoformat()])
    liable = shared_liability(claims, households)
    write(
        OUT / "debtors.csv",
        "debtor_id kind cpr cvr name address postcode city email phone",
        debtors,
    )
    claim_head = "claim_id debtor_id claim_type reference payment_id description amount issued_on "
    claim_head += "due_on status department period_from period_to last_on_time_on"
    write(OUT / "claims.csv", claim_head, claims)
    write(OUT / "payments.csv", "claim_id amount paid_on", payments)
    write(OUT / "liable.csv", "claim_id debtor_id", liable)
    print(f"{len(debtors)} debtors ({companies} companies), {len(claims)} claims, "
          f"{len(payments)} payments, {len(liable)} further liable")  # fmt: skip


def shared_liability(
    claims: list[list[str]], households: dict[tuple[str, str], list[str]]
) -> list[list[str]]:
    """Both adults of a household (the first two listed) are liable for daycare and property tax."""
    couple = {}
    for members in households.values():
        if len(members) >= 2:
            couple[members[0]], couple[members[1]] = members[1], members[0]
    return [
        [row[0], couple[row[1]]]
        for row in claims
        if row[2] in ("daginstitution", "ejendomsskat") and row[1] in couple
    ]


def write(path: Path, header: str, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(header.split())
        out.writerows(rows)


if __name__ == "__main__":
    main()
