"""Mail benchmark: SMTP intake and parse-stage throughput.

1. Starts ``opkraevning smtp --no-worker`` in a child process on a fresh database,
   sends N realistic mails (the Danish dev corpus, each with its own Message-ID)
   over real SMTP connections from several client threads, and reports stored
   messages per second and the server's peak RSS.
2. Runs the parse stage (MIME, reply split, machine detection) in-process over the
   dev corpus and each fixture set, and reports messages per second.

    python -m bench.mail_bench [--mails 10000] [--clients 4] [--backends sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import func, select
from sqlmodel import Session

from bench.common import drop_schema, fresh_database
from opkraevning.assistant.parse.autoreply import classify_machine_mail
from opkraevning.assistant.parse.mime import parse_mail
from opkraevning.assistant.parse.reply_split import split_reply
from opkraevning.store.db import make_engine
from opkraevning.store.models import InboundMessage

SHARED = Path(__file__).resolve().parents[2] / "shared"
OURS = "opkraevning@norddjurs.dk"
MESSAGE_ID = re.compile(rb"^Message-ID:.*$", re.IGNORECASE | re.MULTILINE)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _corpus() -> list[bytes]:
    return [path.read_bytes() for path in sorted((SHARED / "corpus/dev/mail").glob("*.eml"))]


def _variant(raw: bytes, number: int) -> bytes:
    new_id = f"Message-ID: <bench-{number}-{uuid.uuid4().hex[:8]}@example.dk>".encode()
    if MESSAGE_ID.search(raw):
        return MESSAGE_ID.sub(new_id, raw, count=1)
    return new_id + b"\r\n" + raw


def smtp_intake(backend: str, mails: int, clients: int, workdir: Path) -> None:
    url, schema = fresh_database(backend, workdir)
    port = _free_port()
    env = {
        **os.environ,
        "OPKRAEVNING_DATABASE_URL": url,
        "OPKRAEVNING_SMTP__PORT": str(port),
        "OPKRAEVNING_ACCEPTED_RECIPIENTS": f'["{OURS}"]',
    }
    opk = [sys.executable, "-m", "opkraevning"]
    subprocess.run([*opk, "db", "upgrade"], env=env, check=True, capture_output=True)
    server = subprocess.Popen([*opk, "smtp", "--no-worker"], env=env, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        corpus = _corpus()
        sizes = sum(len(raw) for raw in corpus) / len(corpus)

        def send(worker: int) -> int:
            sent = 0
            with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:
                for number in range(worker, mails, clients):
                    raw = _variant(corpus[number % len(corpus)], number)
                    client.sendmail("borger@example.dk", [OURS], raw)
                    sent += 1
            return sent

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=clients) as pool:
            sent = sum(pool.map(send, range(clients)))
        seconds = time.perf_counter() - started
    finally:
        server.send_signal(signal.SIGINT)
        _, _, usage = os.wait4(server.pid, 0)
    engine = make_engine(url)
    with Session(engine) as session:
        stored = session.execute(select(func.count()).select_from(InboundMessage)).scalar_one()
    engine.dispose()
    drop_schema(schema)
    print(
        f"smtp intake  {backend:<10} {sent:>6} mails ({sizes / 1024:.1f} KiB avg),"
        f" {clients} clients:"
        f" {stored:>6} stored in {seconds:5.1f} s = {stored / seconds:6.0f} msg/s,"
        f" server peak RSS {usage.ru_maxrss / 1024:.0f} MB",
        flush=True,
    )


def parse_throughput() -> None:
    sets = {
        "corpus/dev/mail": sorted((SHARED / "corpus/dev/mail").glob("*.eml")),
        "fixtures/bounces": sorted((SHARED / "fixtures/bounces/mail").glob("*.eml")),
        "fixtures/mime": sorted((SHARED / "fixtures/mime").glob("**/*.eml")),
    }
    for name, paths in sets.items():
        raws = [path.read_bytes() for path in paths]
        rounds = max(1, 3000 // len(raws))
        started = time.perf_counter()
        for _ in range(rounds):
            for raw in raws:
                parsed = parse_mail(raw)
                split_reply(parsed.text)
                classify_machine_mail(raw)
        seconds = time.perf_counter() - started
        count = rounds * len(raws)
        print(
            f"parse stage  {name:<18} {len(raws):>4} messages x {rounds:>2} rounds:"
            f" {count / seconds:6.0f} msg/s",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mails", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="opk-mail-bench-") as tmp:
        for backend in args.backends.split(","):
            smtp_intake(backend, args.mails, args.clients, Path(tmp))
    parse_throughput()


if __name__ == "__main__":
    main()
