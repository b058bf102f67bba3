"""Structured logs: one JSON object per line, the message in hand on every line, no CPR.

``message_context("in-42")`` marks every log line written inside it (in this thread or
task) with ``message_id``; the pipeline uses ``in-<id>`` for inbound messages and the
outbox ``out-<id>`` for letters. Lines outside any message say ``"-"``. Anything shaped
like a CPR number is masked in the text and in tracebacks before it is written.
``OPKRAEVNING_LOG_FORMAT=text`` gives plain lines for a person at a terminal.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import TextIO

from opkraevning.domain.privacy import redact_cpr_in_text

_MESSAGE: ContextVar[str] = ContextVar("opkraevning_message", default="-")


@contextmanager
def message_context(message_id: str) -> Iterator[None]:
    token = _MESSAGE.set(message_id)
    try:
        yield
    finally:
        _MESSAGE.reset(token)


class _MessageFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.message_id = _MESSAGE.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message_id": getattr(record, "message_id", _MESSAGE.get()),
            "msg": redact_cpr_in_text(record.getMessage()),
        }
        if record.exc_info:
            entry["exc"] = redact_cpr_in_text(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "message_id"):
            record.message_id = _MESSAGE.get()
        return redact_cpr_in_text(super().format(record))


def handler(stream: TextIO | None = None, fmt: str | None = None) -> logging.Handler:
    """A stream handler with the message filter and the chosen format."""
    out: logging.StreamHandler[TextIO] = logging.StreamHandler(stream or sys.stderr)
    out.addFilter(_MessageFilter())
    if (fmt or os.environ.get("OPKRAEVNING_LOG_FORMAT", "json")) == "text":
        out.setFormatter(
            TextFormatter("%(asctime)s %(levelname)s %(name)s [%(message_id)s] %(message)s")
        )
    else:
        out.setFormatter(JsonFormatter())
    return out


def configure(verbose: bool = False) -> None:
    level = logging.DEBUG if verbose else logging.INFO
    logging.basicConfig(level=level, handlers=[handler()], force=True)
    if not verbose:
        for noisy in ("alembic", "mail.log", "httpx", "uvicorn.error"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
