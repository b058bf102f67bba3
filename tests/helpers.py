"""Small helpers shared by tests (servers on free ports, certificates)."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import threading
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


class Worker(threading.Thread):
    """A test thread that hands its exception back: ``finish`` re-raises it, and fails
    when the thread has not ended within the time-out (a hung thread is a failure,
    not a pass)."""

    def __init__(self, target: Callable[..., object], *args: object, name: str = "") -> None:
        super().__init__(daemon=True, name=name or getattr(target, "__name__", "worker"))
        self._work = target
        self._args = args
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self._work(*self._args)
        except BaseException as exc:  # handed to the test thread by finish()
            self.error = exc

    def finish(self, timeout: float) -> None:
        self.join(timeout)
        if self.is_alive():
            raise AssertionError(f"thread {self.name} still running after {timeout} s")
        if self.error is not None:
            raise self.error


def together(work: Callable[[], object], count: int = 2, timeout: float = 120) -> None:
    """Run ``work`` in ``count`` threads at once; re-raise the first error, fail on a hang."""
    workers = [Worker(work, name=f"{getattr(work, '__name__', 'work')}-{n}") for n in range(count)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.finish(timeout)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_loop() -> Iterator[Callable[[Coroutine[Any, Any, Any]], Any]]:
    """An asyncio loop in a thread; yields a function that runs a coroutine on it."""
    loop = asyncio.new_event_loop()
    thread = Worker(loop.run_forever)
    thread.start()

    def call(coroutine: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result(timeout=30)

    try:
        yield call
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.finish(timeout=10)
        loop.close()


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key
