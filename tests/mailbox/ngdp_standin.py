"""A local stand-in for NgDP's memo endpoints and the SF1601 sending endpoint.

It implements the documented contract as the client sees it — bearer token,
``GET memos/``, ``GET memos/{id}``, ``POST memos/{id}/receipt`` (COMPLETED or
INVALID), a message leaving the list only once receipted — and records what it
was told, so tests can check that a receipt came only after storing.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI, Header, HTTPException, Request, Response

from tests.helpers import Worker, free_port

TOKEN = "test-token"


@dataclass
class NgdpState:
    waiting: dict[str, bytes] = field(default_factory=dict)
    receipts: list[tuple[str, str, str | None]] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)
    fail_next_receipt: bool = False


def build_app(state: NgdpState) -> FastAPI:
    app = FastAPI()

    def check(authorization: str | None) -> None:
        if authorization != f"Bearer {TOKEN}":
            raise HTTPException(401, "missing or wrong token")

    @app.get("/memos/")
    def list_memos(authorization: str | None = Header(None)) -> list[dict[str, str]]:
        check(authorization)
        return [{"id": memo_id} for memo_id in state.waiting]

    @app.get("/memos/{memo_id}")
    def get_memo(memo_id: str, authorization: str | None = Header(None)) -> Response:
        check(authorization)
        if memo_id not in state.waiting:
            raise HTTPException(404)
        return Response(state.waiting[memo_id], media_type="application/xml")

    @app.post("/memos/{memo_id}/receipt", status_code=204)
    async def receipt(
        memo_id: str, request: Request, authorization: str | None = Header(None)
    ) -> None:
        check(authorization)
        if memo_id not in state.waiting:
            raise HTTPException(404)
        if state.fail_next_receipt:
            state.fail_next_receipt = False
            raise HTTPException(503, "receipt service unavailable")
        body = await request.json()
        if body.get("status") not in ("COMPLETED", "INVALID"):
            raise HTTPException(422, "status must be COMPLETED or INVALID")
        state.receipts.append((memo_id, body["status"], body.get("errorDescription")))
        del state.waiting[memo_id]

    @app.post("/kombipostafsend")
    async def send(request: Request, authorization: str | None = Header(None)) -> dict[str, str]:
        check(authorization)
        body = await request.json()
        request_body = body.get("kombi_request", {})
        transaction = request_body.get("transaction_id")
        if not transaction or not request_body.get("memo"):
            raise HTTPException(422, "kombi_request needs transaction_id and memo")
        if all(item["transaction_id"] != transaction for item in state.sent):
            state.sent.append(request_body)
        return {"transaction_id": transaction, "status": "ACCEPTED"}

    return app


@contextmanager
def ngdp_standin() -> Iterator[tuple[str, NgdpState]]:
    state = NgdpState()
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(build_app(state), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = Worker(server.run)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    if not server.started:
        server.should_exit = True
        thread.finish(timeout=10)
        raise AssertionError("the NgDP stand-in did not start within 10 s")
    try:
        yield f"http://127.0.0.1:{port}", state
    finally:
        server.should_exit = True
        thread.finish(timeout=10)
