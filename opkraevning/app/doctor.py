"""``opkraevning doctor``: is this installation ready? One line per check, in Danish.

Each check says OK, ADVARSEL (works, but something is missing or will soon be a
problem) or FEJL (this part will not work), and what to do. ``serve`` runs the same
checks at start and logs them. The checks only look: they change nothing (no
directory is created, no mail is sent, no schema is upgraded).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import tempfile
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from opkraevning.domain.clock import Clock, SystemClock
from opkraevning.settings import Settings

MIB = 1024 * 1024


class Status(StrEnum):
    OK = "OK"
    WARNING = "ADVARSEL"
    ERROR = "FEJL"


@dataclass(frozen=True)
class Check:
    name: str  # Danish label, e.g. "database"
    status: Status
    message: str  # Danish: what was found and, unless OK, what to do

    def line(self) -> str:
        return f"{self.status.value:<8} {self.name}: {self.message}"


def _ok(name: str, message: str) -> Check:
    return Check(name, Status.OK, message)


def _warn(name: str, message: str) -> Check:
    return Check(name, Status.WARNING, message)


def _error(name: str, message: str) -> Check:
    return Check(name, Status.ERROR, message)


def _first_line(exc: BaseException) -> str:
    lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


# -- configuration, database, policy ------------------------------------------------------


def check_configuration(settings: Settings) -> Check:
    name = "konfiguration"
    if settings.accepted_recipients == ["opkraevning@localhost"]:
        return _warn(
            name,
            "tager kun imod post til opkraevning@localhost; sæt OPKRAEVNING_ACCEPTED_RECIPIENTS "
            "til kommunens adresse(r)",
        )
    if not settings.web.secure_cookies:
        return _warn(
            name, "log-in-cookien sendes også uden HTTPS; sæt OPKRAEVNING_WEB__SECURE_COOKIES=true"
        )
    source = os.environ.get("OPKRAEVNING_CONFIG")
    return _ok(name, f"indstillingerne er gyldige ({'fra ' + source if source else 'fra miljøet'})")


def check_database(engine: Engine) -> Iterator[Check]:
    from opkraevning.store import migrate

    shown = engine.url.render_as_string(hide_password=True)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:
        yield _error(
            "database",
            f"kan ikke nå {shown}: {_first_line(exc)}; tjek OPKRAEVNING_DATABASE_URL, og at "
            "databaseserveren kører",
        )
        yield _error("databaseskema", "ikke undersøgt, fordi databasen ikke kan nås")
        return
    yield _ok("database", f"svarer ({shown})")
    current, head = migrate.current_revision(engine), migrate.head_revision()
    if current == head:
        yield _ok("databaseskema", f"nyeste udgave ({head})")
    else:
        yield _error(
            "databaseskema",
            f"udgave {current or 'tom'}, nyeste er {head}; kør `opkraevning db upgrade`",
        )


def check_policy(settings: Settings, today: date) -> Check:
    from opkraevning.assistant.policy.model import PolicyError, check_policy, policy_for

    name = "politik"
    path = settings.policy_file
    try:
        if path is None:
            policy_for(today, None)
            return _ok(name, "den medfølgende standardpolitik")
        dates = check_policy(path, today)
    except PolicyError as exc:
        return _error(name, f"{path} er ugyldig: {exc}; ret filen (`opkraevning policy check`)")
    return _ok(name, f"{path} er gyldig ({len(dates)} udgaver)")


# -- mail servers -----------------------------------------------------------------------


def check_relay(settings: Settings) -> Check:
    from opkraevning.mailbox.mail_login import RelayError, relay_connection
    from opkraevning.mailbox.oauth2 import TokenSource

    name = "relay (udgående post)"
    relay = settings.relay
    if not relay.enabled:
        return _warn(
            name,
            "ikke sat op: godkendte breve sendes ikke med e-mail; sæt OPKRAEVNING_RELAY__HOST",
        )
    tokens = TokenSource(settings.oauth2) if relay.auth == "oauth2" else None
    steps = {"connect": "forbindelse", "starttls": "STARTTLS", "auth": "log-ind"}
    try:
        with relay_connection(relay, tokens, timeout=10):
            pass
    except RelayError as exc:
        advice = {
            "connect": "tjek OPKRAEVNING_RELAY__HOST og __PORT og firewallen",
            "starttls": "tjek __STARTTLS og __CA_FILE (relayets certifikat)",
            "auth": (
                "tjek appen i OPKRAEVNING_OAUTH2__* og dens rettigheder"
                if relay.auth == "oauth2"
                else "tjek OPKRAEVNING_RELAY__USERNAME og __PASSWORD"
            ),
        }[exc.step]
        return _error(name, f"{steps[exc.step]} fejlede: {exc}; {advice}")
    finally:
        if tokens is not None:
            tokens.close()
    how = (
        "XOAUTH2"
        if relay.auth == "oauth2"
        else ("adgangskode" if relay.username else "uden log-ind")
    )
    tls = ", STARTTLS" if relay.starttls else ""
    return _ok(name, f"{relay.host}:{relay.port}{tls}, log-ind {how}")


def check_imap(settings: Settings) -> Check:
    from imapclient import IMAPClient

    from opkraevning.mailbox.mail_login import MailLoginError, imap_login
    from opkraevning.mailbox.oauth2 import TokenError, TokenSource

    name = "IMAP (indgående post)"
    imap = settings.imap
    if not imap.enabled:
        return _ok(
            name,
            "ikke sat op (post modtages med SMTP); sæt OPKRAEVNING_IMAP__HOST for en postkasse",
        )
    where = f"{imap.host}:{imap.port}"
    tokens = TokenSource(settings.oauth2) if imap.auth == "oauth2" else None
    try:
        try:
            client = IMAPClient(imap.host, port=imap.port, ssl=imap.ssl, timeout=10)
        except Exception as exc:
            return _error(
                name,
                f"kan ikke forbinde til {where}: {_first_line(exc)}; tjek __HOST, __PORT og __SSL",
            )
        try:
            imap_login(client, imap, tokens)
            if not client.folder_exists(imap.folder):
                return _error(
                    name, f"mappen {imap.folder!r} findes ikke; tjek OPKRAEVNING_IMAP__FOLDER"
                )
        except (MailLoginError, TokenError) as exc:
            return _error(name, f"log-ind fejlede: {exc}")
        finally:
            with contextlib.suppress(Exception):
                client.logout()
    finally:
        if tokens is not None:
            tokens.close()
    how = "XOAUTH2" if imap.auth == "oauth2" else "adgangskode"
    return _ok(name, f"{imap.username}@{where}, mappen {imap.folder}, log-ind {how}")


# -- directories, ports, disk -----------------------------------------------------------


def _writable(directory: Path) -> bool:
    try:
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".opk-doctor-"):
            return True
    except OSError:
        return False


def _nearest_existing(path: Path) -> Path:
    path = path.absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_directory(name: str, path: Path, setting: str) -> Check:
    if path.exists() and not path.is_dir():
        return _error(name, f"{path} er ikke en mappe; ret {setting}")
    if not path.exists():
        parent = _nearest_existing(path)
        if parent.is_dir() and _writable(parent):
            return _warn(
                name, f"{path} findes ikke endnu; tjenesten opretter den (eller: mkdir -p {path})"
            )
        return _error(
            name, f"{path} findes ikke og kan ikke oprettes; opret den, eller ret {setting}"
        )
    if not _writable(path):
        return _error(
            name, f"{path} kan ikke skrives i; giv tjenestens bruger skriveret (chown/chmod)"
        )
    return _ok(name, f"{path} findes og kan skrives i")


def check_digital_post(settings: Settings) -> Iterator[Check]:
    config = settings.digital_post
    dirs = [
        ("Digital Post, indgående mappe", config.drop_dir, "OPKRAEVNING_DIGITAL_POST__DROP_DIR"),
        ("Digital Post, udgående mappe", config.outbox_dir, "OPKRAEVNING_DIGITAL_POST__OUTBOX_DIR"),
    ]
    if not config.enabled and not config.can_send:
        yield _warn(
            "Digital Post",
            "ikke sat op: breve til Digital Post kan ikke sendes; sæt "
            "OPKRAEVNING_DIGITAL_POST__OUTBOX_DIR eller __SEND_URL",
        )
        return
    for name, path, setting in dirs:
        if path is not None:
            yield check_directory(name, path, setting)


def _our_web_app(host: str, port: int) -> bool:
    target = "127.0.0.1" if host in ("0.0.0.0", "") else host
    try:
        with urllib.request.urlopen(f"http://{target}:{port}/health", timeout=2) as response:
            return b'"ok"' in response.read()
    except OSError:
        return False


def check_port(name: str, host: str, port: int, setting: str, probe: Callable[[], bool]) -> Check:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except PermissionError:
            return _error(
                name,
                f"port {port} på {host} kræver rettigheder (under 1024): giv tjenesten "
                f"CAP_NET_BIND_SERVICE, eller vælg en anden port ({setting})",
            )
        except OSError as exc:
            if probe():
                return _ok(name, f"{host}:{port} bruges af opkraevning, som kører")
            return _error(
                name,
                f"{host}:{port} kan ikke bruges ({exc.strerror}); stop det andet program "
                f"eller ret {setting}",
            )
    return _ok(name, f"{host}:{port} er ledig")


def check_ports(settings: Settings) -> Iterator[Check]:
    web, smtp = settings.web, settings.smtp
    yield check_port(
        "port, web",
        web.host,
        web.port,
        "OPKRAEVNING_WEB__PORT",
        lambda: _our_web_app(web.host, web.port),
    )
    yield check_port(
        "port, SMTP",
        smtp.host,
        smtp.port,
        "OPKRAEVNING_SMTP__PORT",
        lambda: _our_web_app(web.host, web.port),
    )


def check_disk(settings: Settings, engine: Engine | None = None) -> Check:
    name = "diskplads"
    directory = settings.data_dir
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        directory = Path(url.database).parent
    existing = _nearest_existing(directory)
    free_mb = shutil.disk_usage(existing).free // MIB
    minimum = settings.min_free_disk_mb
    shown = f"{free_mb:,} MB fri i {existing}".replace(",", ".")
    if free_mb < minimum / 10:
        return _error(
            name, f"kun {shown}; skaf plads (mindst {minimum} MB, OPKRAEVNING_MIN_FREE_DISK_MB)"
        )
    if free_mb < minimum:
        return _warn(name, f"{shown}, under {minimum} MB; skaf plads snart")
    return _ok(name, shown)


ALL = ("web", "smtp", "worker", "imap", "digital_post", "outbox", "scheduler")


def run_checks(
    settings: Settings,
    engine: Engine,
    *,
    ports: bool = True,
    parts: tuple[str, ...] = ALL,
    clock: Clock | None = None,
) -> list[Check]:
    """Every check for the chosen parts of the service, in the order an operator fixes
    things. ``ports``: see whether the web and SMTP ports are free (not while serving)."""
    today = (clock or SystemClock(settings.zone)).today()
    checks = [check_configuration(settings), *check_database(engine), check_policy(settings, today)]
    if "outbox" in parts:
        checks.append(check_relay(settings))
    if "imap" in parts:
        checks.append(check_imap(settings))
    if "digital_post" in parts or "outbox" in parts:
        checks += list(check_digital_post(settings))
    if ports:
        checks += [
            c for c in check_ports(settings) if c.name.removeprefix("port, ").lower() in parts
        ]
    checks.append(check_disk(settings))
    return checks
