"""An SMTP flood against a real server process, killed with SIGKILL part-way.

Used by the reliability suite (small, bounded) and by ``bench.reliability_bench``
(5,000 mails). Each client is a real ``smtplib`` client that behaves like a sending
MTA: a message counts as delivered only when the server said 250; on any error
(connection refused or reset while the server is dead, 451) it tries the same bytes
again until it gets 250. The server is ``opkraevning smtp --no-worker`` in a child
process; after ``kill_after`` acknowledgements it gets SIGKILL (no clean-up of any
kind) and is started again on the same port and database.
"""

from __future__ import annotations

import os
import signal
import smtplib
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY

from sqlalchemy import select
from sqlmodel import Session, col

from opkraevning.store.db import make_engine
from opkraevning.store.models import InboundMessage

OURS = "opkraevning@norddjurs.dk"


@dataclass
class FloodResult:
    mails: int
    acknowledged: set[str] = field(default_factory=set)  # Message-IDs that got 250
    errors: int = 0  # failed attempts, each retried
    kills: int = 0
    stored: Counter[str] = field(default_factory=Counter)  # Message-ID -> rows
    seconds: float = 0.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def mail(number: int) -> tuple[str, bytes]:
    message_id = f"<flood-{number}@example.dk>"
    message = EmailMessage()
    message["From"] = f"Borger {number} <borger{number}@example.dk>"
    message["To"] = OURS
    message["Subject"] = f"Betaling {number} – faktura 2026-{number:06d}"
    message["Message-ID"] = message_id
    message.set_content(f"Hej\n\nJeg har betalt faktura 2026-{number:06d}.\n\nVenlig hilsen\n")
    return message_id, message.as_bytes(policy=SMTP_POLICY)


class Server:
    """``opkraevning smtp --no-worker`` as a child process that can be killed."""

    def __init__(self, url: str, port: int) -> None:
        self.env = {
            **os.environ,
            "OPKRAEVNING_DATABASE_URL": url,
            "OPKRAEVNING_SMTP__HOST": "127.0.0.1",
            "OPKRAEVNING_SMTP__PORT": str(port),
            "OPKRAEVNING_ACCEPTED_RECIPIENTS": f'["{OURS}"]',
            "OPKRAEVNING_SCHEDULER__ENABLED": "false",
        }
        self.port = port
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [sys.executable, "-m", "opkraevning", "smtp", "--no-worker"]
        self.process = subprocess.Popen(command, env=self.env, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the SMTP server exited with {self.process.returncode}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the SMTP server did not start within 30 s")

    def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


def flood(url: str, mails: int, clients: int, kill_after: list[int]) -> FloodResult:
    """Send ``mails`` messages from ``clients`` threads; SIGKILL the server after each
    number of acknowledgements in ``kill_after`` and start it again."""
    port = free_port()
    subprocess.run(
        [sys.executable, "-m", "opkraevning", "db", "upgrade"],
        env={**os.environ, "OPKRAEVNING_DATABASE_URL": url},
        check=True,
        capture_output=True,
    )
    server = Server(url, port)
    server.start()
    result = FloodResult(mails)
    lock = threading.Lock()
    restarted = threading.Condition(lock)
    pending_kills = sorted(kill_after)
    generation = [0]

    def acknowledged(message_id: str) -> None:
        with lock:
            result.acknowledged.add(message_id)
            if pending_kills and len(result.acknowledged) >= pending_kills[0]:
                pending_kills.pop(0)
                server.kill()
                result.kills += 1
                server.start()
                generation[0] += 1
                restarted.notify_all()

    def send_one(client: smtplib.SMTP | None, number: int) -> smtplib.SMTP | None:
        message_id, raw = mail(number)
        while True:
            try:
                if client is None:
                    client = smtplib.SMTP("127.0.0.1", port, timeout=30)
                client.sendmail(f"borger{number}@example.dk", [OURS], raw)
                acknowledged(message_id)
                return client
            except (OSError, smtplib.SMTPException):
                with lock:
                    result.errors += 1
                try:
                    if client is not None:
                        client.close()
                except Exception:
                    pass
                client = None
                time.sleep(0.05)

    def worker(first: int) -> None:
        client: smtplib.SMTP | None = None
        for number in range(first, mails, clients):
            client = send_one(client, number)
        if client is not None:
            try:
                client.quit()
            except Exception:
                client.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    result.seconds = time.perf_counter() - started
    server.stop()
    engine = make_engine(url)
    with Session(engine) as session:
        result.stored = Counter(
            m or "" for m in session.scalars(select(col(InboundMessage.message_id))).all()
        )
    engine.dispose()
    return result
