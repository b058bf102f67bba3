"""A real Dovecot for the IMAP tests: own config, free port, temporary Maildir.

Dovecot must start as root (it drops to the ``dovecot`` user for mail access); the
mail directory lives in a world-traversable temporary folder for that reason.
Without Dovecot the tests skip locally and fail in CI.
"""

from __future__ import annotations

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

USER, PASSWORD = "opkraevning", "hemmelig-adgangskode"

CONFIG = """
base_dir = {root}/run
state_dir = {root}/state
listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
log_path = {root}/dovecot.log
mail_location = maildir:{root}/mail/%u
mail_uid = dovecot
mail_gid = dovecot
first_valid_uid = 1
default_internal_user = dovecot
default_login_user = dovenull
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
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

    @property
    def config(self) -> Path:
        return self.root / "dovecot.conf"

    def client(self) -> IMAPClient:
        client = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=10)
        client.login(USER, PASSWORD)
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


@contextmanager
def dovecot() -> Iterator[Dovecot]:
    if shutil.which("dovecot") is None:
        _unavailable("dovecot is not installed (apt-get install dovecot-imapd)")
    if os.geteuid() != 0:
        _unavailable("Dovecot must be started as root")
    root = Path(tempfile.mkdtemp(prefix="opk-dovecot-", dir="/tmp"))
    root.chmod(0o755)
    for name in ("run", "state", "mail"):
        (root / name).mkdir()
    shutil.chown(root / "mail", "dovecot", "dovecot")
    (root / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n", encoding="utf-8")
    server = Dovecot(root, free_port())
    server.config.write_text(CONFIG.format(root=root, port=server.port), encoding="utf-8")
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
