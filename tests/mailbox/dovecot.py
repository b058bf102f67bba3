"""A real Dovecot for the IMAP tests: own config, free port, temporary Maildir.

One Dovecot serves the whole test session (starting and stopping it per test cost
about 27 s); each test gets its own user and so its own empty mailbox
(``Dovecot.new_mailbox``), which keeps the tests apart. Every user name logs in with
the one test password (a static passdb), and each user has a Maildir of its own.

Dovecot must start as root (it drops to the ``dovecot`` user for mail access); the
mail directory lives in a world-traversable temporary folder for that reason.
Without Dovecot the tests skip locally and fail in CI.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from imapclient import IMAPClient

from tests.helpers import free_port

PASSWORD = "hemmelig-adgangskode"
_numbers = itertools.count(1)

CONFIG = """
base_dir = {root}/run
state_dir = {root}/state
listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login{oauth2_mechanisms}
log_path = {root}/dovecot.log
mail_location = maildir:{root}/mail/%u
mail_uid = dovecot
mail_gid = dovecot
first_valid_uid = 1
default_internal_user = dovecot
default_login_user = dovenull
{oauth2_passdb}passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
protocol imap {{
  mail_max_userip_connections = 100
}}
"""


@dataclass
class Dovecot:
    root: Path
    port: int
    probe_user: str = "probe"

    @property
    def config(self) -> Path:
        return self.root / "dovecot.conf"

    def new_mailbox(self) -> Mailbox:
        """A user never seen before in this session: an empty mailbox of its own."""
        return Mailbox(self, f"opkraevning{next(_numbers)}")

    def client(self, user: str | None = None) -> IMAPClient:
        client = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=10)
        client.login(user or self.probe_user, PASSWORD)
        return client

    def start(self) -> None:
        # Dovecot daemonises: its output goes to its log, never to a pipe we would wait on.
        subprocess.run(
            ["dovecot", "-c", str(self.config)],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                self.client().logout()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError((self.root / "dovecot.log").read_text(errors="replace"))

    def stop(self) -> None:
        subprocess.run(
            ["dovecot", "-c", str(self.config), "stop"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and (self.root / "run" / "master.pid").exists():
            time.sleep(0.1)


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"Dovecot is needed for the IMAP tests: {reason}")
    pytest.skip(reason)


@dataclass
class Mailbox:
    """One test's IMAP account on the shared Dovecot."""

    server: Dovecot
    user: str

    @property
    def port(self) -> int:
        return self.server.port

    @property
    def password(self) -> str:
        return PASSWORD

    def client(self) -> IMAPClient:
        return self.server.client(self.user)

    def stop(self) -> None:
        self.server.stop()

    def start(self) -> None:
        self.server.start()


# XOAUTH2 as Microsoft 365 speaks it: the bearer token is checked by a token
# introspection endpoint (RFC 7662, POST token=...), whose answer must be active and
# name the user who logs in (Dovecot's oauth2 passdb).
OAUTH2_PASSDB = """passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {root}/oauth2.conf.ext
}}
"""
OAUTH2_CONF = """introspection_mode = post
introspection_url = {url}
force_introspection = yes
username_attribute = username
active_attribute = active
active_value = true
"""


@contextmanager
def dovecot(oauth2_introspection_url: str | None = None) -> Iterator[Dovecot]:
    """A Dovecot on a free port; with ``oauth2_introspection_url`` it also takes XOAUTH2."""
    if shutil.which("dovecot") is None:
        _unavailable("dovecot is not installed (apt-get install dovecot-imapd)")
    if os.geteuid() != 0:
        _unavailable("Dovecot must be started as root")
    root = Path(tempfile.mkdtemp(prefix="opk-dovecot-", dir="/tmp"))
    root.chmod(0o755)
    for name in ("run", "state", "mail"):
        (root / name).mkdir()
    shutil.chown(root / "mail", "dovecot", "dovecot")
    server = Dovecot(root, free_port())
    oauth2 = {"oauth2_passdb": "", "oauth2_mechanisms": ""}
    if oauth2_introspection_url:
        (root / "oauth2.conf.ext").write_text(
            OAUTH2_CONF.format(url=oauth2_introspection_url), encoding="utf-8"
        )
        oauth2 = {
            "oauth2_passdb": OAUTH2_PASSDB.format(root=root),
            "oauth2_mechanisms": " xoauth2 oauthbearer",
        }
    config = CONFIG.format(root=root, port=server.port, password=PASSWORD, **oauth2)
    server.config.write_text(config, encoding="utf-8")
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def dovecot_server() -> Iterator[Dovecot]:
    """One Dovecot for the whole session (registered in tests/conftest.py)."""
    with dovecot() as server:
        yield server


@pytest.fixture
def imap(dovecot_server: Dovecot) -> Mailbox:
    """A fresh, empty mailbox of its own for one test."""
    return dovecot_server.new_mailbox()
