"""The inbound pipeline: parse → read → draft, one module per stage, and its runner.

- ``parse``: raw bytes → the parsed message (``received`` → ``parsed``);
- ``read``: who wrote, which claims, what they want (``parsed`` → ``classified``);
- ``draft``: the reply for a caseworker (``classified`` → ``drafted``/``needs_review``/``done``);
- ``runner``: picks messages by state, one transaction per stage and message;
- ``quarantine`` and ``requeue``: a failed stage keeps the message with the stage and
  the error; requeue sends it back to that stage.
"""

from opkraevning.app.pipeline.draft import draft_stage
from opkraevning.app.pipeline.parse import find_thread, parse_message
from opkraevning.app.pipeline.read import read_stage, stored_reading
from opkraevning.app.pipeline.requeue import Requeued, RequeueError, requeue, requeue_message
from opkraevning.app.pipeline.runner import (
    STAGES,
    StageResult,
    run_parse_stage,
    run_pipeline,
)
from opkraevning.store.inbound import stored_parsed

__all__ = [
    "STAGES",
    "RequeueError",
    "Requeued",
    "StageResult",
    "draft_stage",
    "find_thread",
    "parse_message",
    "read_stage",
    "requeue",
    "requeue_message",
    "run_parse_stage",
    "run_pipeline",
    "stored_parsed",
    "stored_reading",
]
