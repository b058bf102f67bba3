"""The ``opkraevning`` command line.

Exit codes: 0 success; 1 the command ran but something is wrong (e.g. rows rejected);
2 usage or configuration error; 3 ``import --strict`` refused the files (nothing imported).
"""

from __future__ import annotations

import getpass
import json
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from opkraevning.app.register_import import ImportFileError, RowProblem, import_register
from opkraevning.domain.clock import Clock, SystemClock
from opkraevning.settings import Settings, SettingsError, load_settings
from opkraevning.store import migrate
from opkraevning.store.db import make_engine
from opkraevning.store.queries import count_rows

F = TypeVar("F", bound=Callable[..., Any])

log = logging.getLogger(__name__)
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_STRICT_REFUSED = 3


def _configure_logging(verbose: bool) -> None:
    from opkraevning.logs import configure

    configure(verbose)


def _fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    click.echo(f"opkraevning: {message}", err=True)
    sys.exit(code)


def database_problem(exc: OperationalError) -> str:
    """One line for a database that cannot be reached or used (the driver's first line)."""
    reason = str(exc.orig or exc).strip().splitlines() or ["unknown error"]
    return f"cannot reach the database: {reason[0]}"


class _Commands(click.Group):
    """Every command: a database that cannot be reached is one line on stderr and exit 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OperationalError as exc:
            _fail(database_problem(exc))


@dataclass
class Context:
    config_file: Path | None
    _settings: Settings | None = None
    _engine: Engine | None = None
    _clock: Clock | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            try:
                self._settings = load_settings(self.config_file)
            except SettingsError as exc:
                _fail(str(exc))
        return self._settings

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.settings.database_url)
        return self._engine

    @property
    def clock(self) -> Clock:
        """The one clock: the system's, read in the configured time zone."""
        if self._clock is None:
            self._clock = SystemClock(self.settings.zone)
        return self._clock

    def current_engine(self) -> Engine:
        """The engine, after checking that the schema is current."""
        try:
            up_to_date = migrate.is_up_to_date(self.engine)
        except OperationalError as exc:
            _fail(database_problem(exc))
        if not up_to_date:
            _fail("the database schema is not current: run `opkraevning db upgrade`")
        return self.engine


pass_context = click.make_pass_decorator(Context)


@click.group(cls=_Commands)
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="TOML settings file (or OPKRAEVNING_CONFIG).",
)
@click.option("-v", "--verbose", is_flag=True, help="Debug logging.")
@click.version_option(package_name="opkraevning")
@click.pass_context
def main(ctx: click.Context, config_file: Path | None, verbose: bool) -> None:
    """Opkrævning: the collection office's correspondence assistant."""
    _configure_logging(verbose)
    ctx.obj = Context(config_file)


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@pass_context
def db_upgrade(context: Context) -> None:
    """Create the database, or upgrade it to the newest schema."""
    try:
        before = migrate.current_revision(context.engine)
        migrate.upgrade(context.engine)
    except OperationalError as exc:
        _fail(database_problem(exc))
    after = migrate.current_revision(context.engine)
    click.echo(f"schema {before or 'empty'} -> {after}")


@db.command("current")
@pass_context
def db_current(context: Context) -> None:
    """Show the schema revision and whether it is the newest."""
    current = migrate.current_revision(context.engine)
    head = migrate.head_revision()
    click.echo(f"{current or 'empty'} (newest: {head})")
    if current != head:
        sys.exit(EXIT_PROBLEMS)


def _csv_option(name: str, help_text: str) -> Callable[[F], F]:
    return click.option(
        name, type=click.Path(exists=True, dir_okay=False, path_type=Path), help=help_text
    )


@main.command("import")
@_csv_option("--debtors", "debtors.csv")
@_csv_option("--claims", "claims.csv")
@_csv_option("--payments", "payments.csv")
@click.option("--strict", is_flag=True, help="Import nothing if any row is bad.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a TTY).")
@click.option("--actor", default=None, help="Name for the audit log (default: the OS user).")
@pass_context
def import_command(
    context: Context,
    debtors: Path | None,
    claims: Path | None,
    payments: Path | None,
    strict: bool,
    progress: bool | None,
    actor: str | None,
) -> None:
    """Import the register CSV files (debtors, claims, payments).

    Exit status: 0 all rows imported; 1 bad rows were reported and the good rows
    imported; 3 with --strict, bad rows were reported and nothing was imported.
    """
    if not (debtors or claims or payments):
        _fail("give at least one of --debtors, --claims, --payments")
    engine = context.current_engine()

    def report_problem(problem: RowProblem) -> None:
        click.echo(f"rejected {problem}", err=True)

    try:
        report = import_register(
            engine,
            debtors=debtors,
            claims=claims,
            payments=payments,
            strict=strict,
            actor=actor or f"import:{getpass.getuser()}",
            on_problem=report_problem,
            progress=sys.stderr.isatty() if progress is None else progress,
        )
    except ImportFileError as exc:
        _fail(str(exc))
    for file_report in report.files:
        click.echo(
            f"{file_report.kind}: {file_report.rows} rows, {file_report.created} new, "
            f"{file_report.updated} updated, {file_report.unchanged} unchanged, "
            f"{file_report.rejected} rejected"
        )
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    if not report.committed:
        click.echo(f"nothing imported: {report.rejected} bad rows (--strict)", err=True)
        sys.exit(EXIT_STRICT_REFUSED)
    if report.rejected:
        click.echo(f"imported the good rows; {report.rejected} bad rows skipped", err=True)
        sys.exit(EXIT_PROBLEMS)


@main.command()
@click.option("--serve/--no-serve", default=True, help="Start the service after seeding.")
@click.option(
    "--send-samples",
    is_flag=True,
    help="Send the sample citizen mails to the running demo (by SMTP) and stop.",
)
@pass_context
def demo(context: Context, serve: bool, send_samples: bool) -> None:
    """Seed demo data (once) and start the service in the foreground.

    The demo also takes mail for opkraevning@norddjurs.dk, the address the sample mails
    are written to; `opkraevning demo --send-samples` sends them to the running demo.
    """
    from opkraevning.demo.seed import DEMO_PASSWORD, DEMO_USER, seed_demo
    from opkraevning.demo.send import MUNICIPALITY_ADDRESS

    settings = context.settings
    if MUNICIPALITY_ADDRESS not in settings.accepted_recipients:
        accepted = [*settings.accepted_recipients, MUNICIPALITY_ADDRESS]
        settings = context._settings = settings.model_copy(update={"accepted_recipients": accepted})
    if send_samples:
        _send_samples(settings)
        return
    recipients = ", ".join(settings.accepted_recipients)
    migrate.upgrade(context.engine)
    result = seed_demo(context.engine, settings.data_dir, settings.accepted_recipients[0])
    with Session(context.engine) as session:
        counts = count_rows(session)
    click.echo(
        f"demo data: {counts['debtors']} debtors, {counts['claims']} claims, "
        f"{counts['payments']} payments; {result.mails_new} new of {result.mails_total} mails"
    )
    if serve:
        click.echo(f"open http://{settings.web.host}:{settings.web.port}/ (Ctrl-C stops)")
        click.echo(f"log in as {DEMO_USER} with the password {DEMO_PASSWORD} (demo only)")
        click.echo(f"SMTP on {settings.smtp.host}:{settings.smtp.port} for {recipients}")
        click.echo(
            "send sample citizen mails (in another terminal): opkraevning demo --send-samples"
        )
        _run_service(context)


def _send_samples(settings: Settings) -> None:
    import smtplib

    from opkraevning.demo.send import send_samples

    host = "127.0.0.1" if settings.smtp.host in ("0.0.0.0", "") else settings.smtp.host
    try:
        sent = send_samples(host, settings.smtp.port)
    except (OSError, smtplib.SMTPException) as exc:
        _fail(
            f"the demo does not answer on {host}:{settings.smtp.port} ({exc}): "
            "start it with `make demo`"
        )
    for sample in sent:
        click.echo(f"sent {sample.name}: {sample.subject!r} from {sample.sender}")
    click.echo(
        f"the drafts appear in Indbakke within a minute: http://{settings.web.host}:{settings.web.port}/indbakke"
    )


def _run_service(context: Context, only: tuple[str, ...] | None = None) -> None:
    from opkraevning.assistant.policy.model import PolicyError, policy_for
    from opkraevning.runners.serve import ALL_PARTS, ServiceError, run

    try:
        policy_for(context.clock.today(), context.settings.policy_file)
    except PolicyError as exc:
        _fail(f"invalid setting OPKRAEVNING_POLICY_FILE: {exc}")
    try:
        run(context.settings, context.current_engine(), only or ALL_PARTS)
    except ServiceError as exc:
        _fail(str(exc), EXIT_PROBLEMS)


@main.command()
@click.option("--no-ports", is_flag=True, help="Skip the port checks (the service is running).")
@click.pass_context
def doctor(ctx: click.Context, no_ports: bool) -> None:
    """Check the installation: one line per check (OK, ADVARSEL, FEJL) and what to do.

    Exit status: 0 no check failed (warnings allowed); 1 a check failed (FEJL).
    """
    from opkraevning.app.doctor import Status, run_checks

    context: Context = ctx.obj
    try:
        settings = load_settings(context.config_file)
    except SettingsError as exc:
        click.echo(f"FEJL     konfiguration: {exc}; ret indstillingen")
        sys.exit(EXIT_PROBLEMS)
    checks = run_checks(settings, make_engine(settings.database_url), ports=not no_ports)
    for check in checks:
        click.echo(check.line())
    failed = sum(check.status is Status.ERROR for check in checks)
    warned = sum(check.status is Status.WARNING for check in checks)
    click.echo(f"{len(checks)} kontroller: {failed} fejl, {warned} advarsler")
    sys.exit(EXIT_PROBLEMS if failed else 0)


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--overwrite", is_flag=True, help="Replace FILE if it exists.")
@pass_context
def backup(context: Context, file: Path, overwrite: bool) -> None:
    """Copy the SQLite database to FILE while the service runs (consistent, checked).

    For PostgreSQL it prints the pg_dump command to use instead.
    """
    from opkraevning.store.backup import BackupError, backup_sqlite, pg_dump_command, sqlite_path

    url = context.settings.database_url
    try:
        source = sqlite_path(url)
        if source is None:
            _fail(f"the database is PostgreSQL: back it up with `{pg_dump_command(url, file)}`")
        result = backup_sqlite(source, file, overwrite=overwrite)
    except BackupError as exc:
        _fail(str(exc), EXIT_PROBLEMS)
    size = f"{result.size_bytes / 1024 / 1024:.1f} MB"
    click.echo(f"backup of {source} -> {result.path}: {size}, {result.tables} tables, integrity ok")


@main.command()
@pass_context
def serve(context: Context) -> None:
    """Run the service: web app, SMTP, pipeline worker and the configured sources."""
    _run_service(context)


@main.command()
@click.option(
    "--worker/--no-worker", default=True, help="Also run the pipeline worker (default: yes)."
)
@pass_context
def smtp(context: Context, worker: bool) -> None:
    """Run only the SMTP listener (and the pipeline worker that reads what it stores)."""
    _run_service(context, ("smtp", "worker") if worker else ("smtp",))


@main.command()
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per file (the default).")
@pass_context
def ingest(context: Context, files: tuple[Path, ...], as_json: bool) -> None:
    """Run the whole pipeline on mail files (.eml) or MeMo files (.xml) and print the result."""
    from opkraevning.app.ingest import ingest_file

    engine = context.current_engine()
    for path in files:
        result = ingest_file(
            engine,
            path,
            context.settings.accepted_recipients,
            context.clock.today(),
            context.settings.policy_file,
        )
        click.echo(json.dumps(result, ensure_ascii=False))


@main.command()
@click.argument("message_ids", nargs=-1, type=int)
@click.option("--all", "every", is_flag=True, help="Every quarantined message.")
@pass_context
def requeue(context: Context, message_ids: tuple[int, ...], every: bool) -> None:
    """Send quarantined messages back to the stage that failed (the worker runs it again)."""
    from opkraevning.app.pipeline import RequeueError, requeue_message
    from opkraevning.app.pipeline.requeue import quarantined_ids
    from opkraevning.store.db import session_scope

    if every == bool(message_ids):
        _fail("give message ids or --all (not both)")
    engine = context.current_engine()
    with Session(engine) as session:
        ids = quarantined_ids(session) if every else list(message_ids)
    failed, count = False, 0
    actor = f"cli:{getpass.getuser()}"
    for message_id in ids:  # one transaction each: one bad id does not hold back the rest
        try:
            with session_scope(engine) as session:
                done = requeue_message(session, message_id, actor)
        except RequeueError as exc:
            click.echo(f"opkraevning: {exc}", err=True)
            failed = True
            continue
        count += 1
        click.echo(f"message {message_id}: back to the {done.stage} stage ({done.error})")
    click.echo(f"{count} requeued")
    if failed:
        sys.exit(EXIT_PROBLEMS)


@main.command("eval")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Date to read as.")
@click.option("--set", "sets", multiple=True, help="Sets of a corpus with labels/<set>.jsonl.")
@click.option(
    "--split",
    type=click.Choice(["all", "training", "validation"]),
    default="all",
    help="Only the intent model's training or validation part of sets a-c.",
)
@click.option("--summary", is_flag=True, help="Scores only, no list of wrong answers.")
@pass_context
def eval_command(
    context: Context, directory: Path, today: Any, sets: tuple[str, ...], split: str, summary: bool
) -> None:
    """Measure the reading of labelled mail: DIR/mail + DIR/labels.jsonl (the dev corpus) or
    DIR/mail/<set>/ + DIR/labels/<set>.jsonl (tests/corpus), with the register in DIR/register.

    Each set is one score block on a temporary database of its own, so production data
    is never touched and no set's mail meets another's.
    """
    from opkraevning.app.evaluation import corpus_sets, evaluate
    from opkraevning.assistant.read.model_data import in_validation

    try:
        chosen = corpus_sets(directory, list(sets))
    except FileNotFoundError as exc:
        _fail(str(exc))
    day = today.date() if today else context.clock.today()
    for one in chosen:
        results = _eval_results(directory / "register", one.mail, day)
        labels = one.labels
        title = one.title
        if split != "all":
            keep = split == "validation"
            labels = [label for label in labels if in_validation(one.name, label["file"]) == keep]
            title += f", {split} split"
        report = evaluate(results, labels, title)
        for line in report.lines(details=not summary):
            click.echo(line)
        click.echo("")


def _eval_results(register: Path, files: list[Path], day: Any) -> list[dict[str, Any]]:
    import tempfile

    from opkraevning.app.ingest import ingest_file

    with tempfile.TemporaryDirectory(prefix="opk-eval-") as tmp:
        engine = make_engine(f"sqlite:///{tmp}/eval.db")
        migrate.upgrade(engine)
        imported = import_register(
            engine,
            debtors=register / "debtors.csv",
            claims=register / "claims.csv",
            payments=register / "payments.csv" if (register / "payments.csv").exists() else None,
        )
        if imported.rejected:
            _fail(f"the register in {register} has {imported.rejected} bad rows")
        own = ["opkraevning@norddjurs.dk", "opkraevning@localhost"]
        results = [ingest_file(engine, path, own, day) for path in files]
        engine.dispose()
    return results


@main.command()
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Run date.")
@click.option("--dry-run", is_flag=True, help="Show what would happen; change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as one JSON document.")
@click.option(
    "--export-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write the transfer and own-collection lists there as CSV and JSON.",
)
@click.option(
    "--compare-policy",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="With --dry-run: show what this other policy file would do differently.",
)
@click.option(
    "--draft-letters/--no-draft-letters",
    default=True,
    help="Render the recorded run's letters for review and the outbox (default: yes).",
)
@pass_context
def remind(
    context: Context,
    day: Any,
    dry_run: bool,
    as_json: bool,
    export_dir: Path | None,
    compare_policy: Path | None,
    draft_letters: bool,
) -> None:
    """The reminder run: letters, interest, transfers, own collection, forældelse, holds."""
    from opkraevning.app.reminder.run import compute_with, diff_outcomes, export_lists
    from opkraevning.app.reminder.run import remind as run_reminders
    from opkraevning.app.reminder.workers import peak_rss_mb
    from opkraevning.assistant.policy.model import PolicyError

    if compare_policy is not None and not dry_run:
        _fail("--compare-policy only goes with --dry-run")
    run_day = day.date() if day else context.clock.today()
    engine = context.current_engine()
    try:
        collect = as_json or export_dir is not None or compare_policy is not None
        workers = context.settings.remind_workers
        outcome, run_id = run_reminders(
            engine, run_day, context.settings.policy_file, dry_run, collect=collect, workers=workers
        )
        other = compute_with(engine, run_day, compare_policy, workers) if compare_policy else None
        log.info("reminder run finished: peak RSS (MB) %s", json.dumps(peak_rss_mb()))
        if not dry_run and draft_letters:
            from opkraevning.app.reminder.letters import draft_unfinished

            # this run's letters, and any an earlier, cut-off attempt left undrafted
            drafted = sum(draft_unfinished(engine, context.settings.policy_file).values())
            if run_id is not None or drafted:
                click.echo(f"{drafted} letters rendered for review and the outbox", err=True)
    except PolicyError as exc:
        _fail(str(exc), EXIT_PROBLEMS)
    if export_dir is not None:
        for path in export_lists(outcome, export_dir):
            click.echo(f"wrote {path}", err=True)
    if other is not None:
        click.echo(f"{compare_policy} compared with the policy in force, on {run_day}:")
        for line in diff_outcomes(outcome, other) or ["no difference"]:
            click.echo(line)
        return
    if as_json:
        document = outcome.document()
        document["run_id"] = run_id
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    counts = ", ".join(f"{count} {name}" for name, count in outcome.counts().items())
    if dry_run:
        click.echo(f"dry run for {run_day}: {counts} (nothing stored)")
    elif run_id is None:
        click.echo(f"the run for {run_day} is already recorded: no new run")
    else:
        click.echo(f"run {run_id} for {run_day}: {counts}")


@main.group()
def policy() -> None:
    """The collection policy (rules as data)."""


@policy.command("check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_context
def policy_check(context: Context, file: Path) -> None:
    """Validate a policy file on every date one of its versions starts."""
    from opkraevning.assistant.policy.model import PolicyError, check_policy

    try:
        dates = check_policy(file, context.clock.today())
    except PolicyError as exc:
        _fail(str(exc), EXIT_PROBLEMS)
    click.echo(f"{file}: valid on {', '.join(day.isoformat() for day in dates)}")


@policy.command("show")
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), default=None)
@pass_context
def policy_show(context: Context, day: Any) -> None:
    """Print the policy in force on a date (default: today) as JSON."""
    from opkraevning.assistant.policy.model import PolicyError, policy_for

    try:
        resolved = policy_for(
            day.date() if day else context.clock.today(), context.settings.policy_file
        )
    except PolicyError as exc:
        _fail(str(exc), EXIT_PROBLEMS)
    click.echo(json.dumps(resolved.model_dump(mode="json"), indent=2, ensure_ascii=False))


@main.command("settings")
@pass_context
def show_settings(context: Context) -> None:
    """Print the effective settings (passwords hidden)."""
    data = context.settings.model_dump(mode="json")
    for group in ("imap", "relay"):
        if data[group].get("password"):
            data[group]["password"] = "********"
    if data["digital_post"].get("api_token"):
        data["digital_post"]["api_token"] = "********"
    if data["oauth2"].get("client_secret"):
        data["oauth2"]["client_secret"] = "********"
    data["database_url"] = make_url(data["database_url"]).render_as_string(hide_password=True)
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


@main.group()
def user() -> None:
    """Web app accounts."""


@user.command("add")
@click.argument("name")
@click.option(
    "--role", type=click.Choice(["sagsbehandler", "administrator", "leder"]), required=True
)
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Asked for when not given (at least 12 characters); read from stdin when piped.",
)
@pass_context
def user_add(context: Context, name: str, role: str, password: str) -> None:
    """Create a local account with an argon2 password hash."""
    from opkraevning.store.db import session_scope
    from opkraevning.web.auth import AccountError, create_user

    try:
        with session_scope(context.current_engine()) as session:
            create_user(session, name, password, role, actor="cli")
    except AccountError as exc:
        _fail(str(exc), EXIT_PROBLEMS)
    click.echo(f"user {name} created with role {role}")


@user.command("unlock")
@click.argument("name")
@pass_context
def user_unlock(context: Context, name: str) -> None:
    """Lift a lock-out after failed log-ins."""
    from sqlmodel import select

    from opkraevning.store.audit import record
    from opkraevning.store.db import session_scope
    from opkraevning.store.models import UserAccount

    with session_scope(context.current_engine()) as session:
        account = session.exec(select(UserAccount).where(UserAccount.username == name)).first()
        if account is None:
            _fail(f"no user {name!r}", EXIT_PROBLEMS)
        account.locked_until, account.failed_logins = None, 0
        session.add(account)
        record(session, "cli", "user.unlocked", "user_account", str(account.id))
    click.echo(f"user {name} unlocked")


@main.command()
@click.option("--month", default=None, help="The month to report, as YYYY-MM (e.g. 2026-11).")
@click.option("--year", default=None, help="The year to report, as YYYY.")
@click.option(
    "--pdf",
    "pdf_file",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Write the report as PDF to this file.",
)
@pass_context
def report(context: Context, month: str | None, year: str | None, pdf_file: Path) -> None:
    """The monthly or yearly report for leaders and politicians (the overview's figures)."""
    from opkraevning.app.overview.report import ReportError, month_period, render_pdf, year_period

    if (month is None) == (year is None):
        _fail("give either --month YYYY-MM or --year YYYY")
    try:
        period = month_period(month) if month else year_period(str(year))
        pdf = render_pdf(
            context.current_engine(), period, context.clock, context.settings.policy_file
        )
    except ReportError as exc:
        _fail(str(exc))
    pdf_file.write_bytes(pdf)
    click.echo(f"{period.title}: {pdf_file} ({len(pdf):,} bytes)".replace(",", "."))
