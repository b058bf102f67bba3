"""Letter rendering benchmark: the reminder run's letters → Danish text and MeMo XML.

Builds a synthetic register (real import into SQLite), runs the real reminder rules
(``remind --dry-run``) to get the run's letters, loads the debtors and claim rows they
name, and renders ``--letters`` letters from them, cycling through the run's output:
each letter is rendered (Jinja2 + babel, with the legal references) and wrapped in a
MeMo 1.1 message. A sample of the MeMo messages is validated against the official XSD.

Baseline, measured in the same process: a bare Jinja2 template of the same length
with babel formatting of the same number of amounts and dates.

    python -m bench.render_bench [--letters 100000] [--debtors 20000]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal
from jinja2 import Environment
from sqlmodel import Session, col, select

from opkraevning.app.register_import import import_register
from opkraevning.app.reminder.outcome import LetterEntry
from opkraevning.app.reminder.run import remind
from opkraevning.assistant.drafting.letter_context import ClaimRow, claim_row
from opkraevning.assistant.drafting.run_letters import render_reminder
from opkraevning.assistant.policy.model import policy_for
from opkraevning.demo.synthetic import write_register
from opkraevning.mailbox.formats.memo import OutgoingMemo, build_memo, validation_errors
from opkraevning.store import migrate
from opkraevning.store.db import make_engine
from opkraevning.store.models import Debtor
from opkraevning.store.register_lookup import SqlRegister

DAY = date(2026, 11, 27)

BARE = """Rykker: Du mangler at betale {{ total|kr }}

Kære {{ name }}

Vi har endnu ikke fået din betaling. Det gælder:
{% for c in claims %}
- {{ c.type }}, faktura {{ c.ref }}: {{ c.amount|kr }}
{% endfor %}
- Rykkergebyr: {{ fee|kr }}

I alt skal du betale {{ total|kr }}. Betal senest {{ deadline|dato }}.
Er sidste frist en lørdag, søndag eller helligdag, kan du betale den næste bankdag.
Vi tager et gebyr for at rykke dig (gebyrloven § 2, stk. 2-3).

Sådan betaler du: brug betalings-ID'et i din netbank.
{% for c in claims %}
- Faktura {{ c.ref }}: +71<{{ c.pid }} +85286148<
{% endfor %}

Hvad sker der, hvis du ikke betaler? Så sender vi beløbet til inddrivelse hos
Gældsstyrelsen. Det gør vi uden at skrive til dig igen (gældsinddrivelsesloven § 2,
stk. 4). Gældsstyrelsen kan lægge renter til. De kan også trække beløbet i din løn.

Kan du ikke betale hele beløbet? Så skriv til os før fristen.

Venlig hilsen
Opkrævningen, Norddjurs Kommune
"""


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _run_output(workdir: Path, debtors: int) -> tuple[list[LetterEntry], Any]:
    files = write_register(workdir / "register", debtors=debtors, open_only=True, today=DAY)
    engine = make_engine(f"sqlite:///{workdir / 'render.db'}")
    migrate.upgrade(engine)
    import_register(engine, debtors=files.debtors, claims=files.claims, payments=files.payments)
    outcome, _ = remind(engine, DAY, dry_run=True)
    return outcome.letters, engine


def _letter_data(
    engine: Any, letters: list[LetterEntry]
) -> tuple[dict[str, Any], dict[str, ClaimRow]]:
    debtor_ids = sorted({letter.debtor_id for letter in letters})
    with Session(engine) as session:
        register = SqlRegister(session)
        debtors = {
            row.id: register.debtor(row.id)
            for row in session.exec(select(Debtor).where(col(Debtor.id).in_(debtor_ids))).all()
        }
        rows: dict[str, ClaimRow] = {}
        for debtor_id in debtor_ids:
            rows.update({claim.id: claim_row(claim) for claim in register.claims_of(debtor_id)})
    return debtors, rows


def _bare_baseline(count: int) -> float:
    env = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["kr"] = lambda ore: (
        f"{format_decimal(ore / 100, format='#,##0.00', locale='da_DK')} kr."
    )
    env.filters["dato"] = lambda day: format_date(day, format="d. MMMM y", locale="da_DK")
    template = env.from_string(BARE)
    claims = [
        {"type": "Husleje", "ref": "2026-002201", "amount": 734_490, "pid": "395002679175694"},
        {"type": "Daginstitution", "ref": "2026-002203", "amount": 223_628, "pid": "3950026791"},
    ]
    start = time.perf_counter()
    for index in range(count):
        template.render(
            name=f"Karla Frederiksen {index}", claims=claims, fee=25_000,
            total=983_118 + index, deadline=DAY,
        )  # fmt: skip
    return count / (time.perf_counter() - start)


def _pdf_rates(
    letters: list[LetterEntry],
    debtors: dict[str, Any],
    rows: dict[str, ClaimRow],
    policy: Any,
    count: int,
    text_rate: float,
) -> None:
    """PDF letters per second beside text: one PDF per letter (the Digital Post main
    document) and one print batch of the same letters."""
    from opkraevning.mailbox.formats.pdf import Letterhead, batch_pdf, letter_pdf

    head = Letterhead.of(policy)
    rendered = [
        render_reminder(letters[i % len(letters)], debtors[letters[i % len(letters)].debtor_id],
                        rows, policy, today=DAY)
        for i in range(count)
    ]  # fmt: skip
    letter_pdf(rendered[0].subject, rendered[0].text, head)  # fonts and pango loaded once
    start = time.perf_counter()
    size = sum(len(letter_pdf(x.subject, x.text, head)) for x in rendered)
    single = count / (time.perf_counter() - start)
    start = time.perf_counter()
    batch = batch_pdf([(x.subject, x.text) for x in rendered], head)
    batched = count / (time.perf_counter() - start)
    print(
        f"PDF letters (WeasyPrint, PDF/A-3b): {single:,.1f} letters/s one PDF each "
        f"({size / count / 1024:,.0f} KiB each), {batched:,.1f} letters/s in one print batch "
        f"of {count:,} ({len(batch) / 1024:,.0f} KiB); text + MeMo: {text_rate:,.0f} letters/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=100_000)
    parser.add_argument("--debtors", type=int, default=20_000)
    parser.add_argument("--pdf-letters", type=int, default=200)
    args = parser.parse_args()
    policy = policy_for(DAY)
    with tempfile.TemporaryDirectory(prefix="opk-render-") as tmp:
        started = time.perf_counter()
        letters, engine = _run_output(Path(tmp), args.debtors)
        debtors, rows = _letter_data(engine, letters)
        print(
            f"run output: {len(letters):,} letters for {len(debtors):,} debtors from a register "
            f"of {args.debtors:,} debtors ({time.perf_counter() - started:.1f} s to build)"
        )
    if not letters:
        raise SystemExit("the run produced no letters")
    kinds: dict[str, int] = {}
    for letter in letters:
        kinds[letter.kind] = kinds.get(letter.kind, 0) + 1
    print("letter kinds in the run: " + ", ".join(f"{k} {n:,}" for k, n in sorted(kinds.items())))
    baseline = _bare_baseline(min(args.letters, 20_000))
    print(f"baseline: bare Jinja2 + babel template: {baseline:,.0f} letters/s")
    memory_before = _peak_mb()
    text_bytes = memo_bytes = 0
    sample: list[bytes] = []
    start = time.perf_counter()
    for index in range(args.letters):
        letter = letters[index % len(letters)]
        debtor = debtors[letter.debtor_id]
        rendered = render_reminder(letter, debtor, rows, policy, today=DAY)
        memo = build_memo(
            OutgoingMemo(
                sender_cvr="29189919",
                sender_label="Norddjurs Kommune",
                recipient_id=debtor.cpr or debtor.cvr or "0000000000",
                recipient_id_type="CPR" if debtor.cpr else "CVR",
                recipient_label=debtor.name,
                label=rendered.subject,
                text=rendered.text,
                case_id=f"OPK-{debtor.id}",
                letter_ref=f"OPK-R{index}",
            )
        )
        text_bytes += len(rendered.text)
        memo_bytes += len(memo)
        if index % max(1, args.letters // 50) == 0:
            sample.append(memo)
    elapsed = time.perf_counter() - start
    rate = args.letters / elapsed
    invalid = sum(1 for memo in sample if validation_errors(memo))
    print(
        f"rendered {args.letters:,} letters (text + MeMo) in {elapsed:.1f} s = "
        f"{rate:,.0f} letters/s on one core; "
        f"{rate / baseline:.2f}× the bare baseline (target ≥ 0.33×)"
    )
    print(
        f"mean letter {text_bytes / args.letters:,.0f} chars of text, "
        f"{memo_bytes / args.letters:,.0f} bytes of MeMo XML; "
        f"MeMo sample valid against the XSD: {len(sample) - invalid}/{len(sample)}"
    )
    _pdf_rates(letters, debtors, rows, policy, args.pdf_letters, rate)
    print(f"peak RSS {_peak_mb():.0f} MB (before rendering {memory_before:.0f} MB)")


if __name__ == "__main__":
    main()
