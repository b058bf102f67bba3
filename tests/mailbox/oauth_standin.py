"""Local stand-ins for Microsoft 365's OAuth 2.0 side, speaking the real mechanisms.

- A token endpoint for the client-credentials grant (RFC 6749 §4.4) at
  ``/{tenant}/oauth2/v2.0/token``: the app proves itself with its secret or with a
  certificate (an RFC 7523 client assertion whose PS256 signature, ``x5t#S256``
  thumbprint, audience, issuer, subject and lifetime are all checked). Refusals are
  Entra-style JSON (``invalid_client`` with an AADSTS description, HTTP 401).
- A token introspection endpoint (RFC 7662) at ``/introspect``, which Dovecot's oauth2
  passdb and the relay below ask: ``{"active": true, "username": mailbox}`` for a
  token it issued that has not expired or been revoked, ``{"active": false}`` else.
- An aiosmtpd relay with an XOAUTH2 authenticator that checks the bearer token with
  the introspection endpoint and the user against the mailbox the app may send as.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import httpx
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult

from tests.helpers import free_port

SCOPE = "https://outlook.office365.com/.default"
TENANT = "norddjurs.onmicrosoft.com"


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class IdentityPlatform:
    """One tenant with one app registration that may use one mailbox."""

    port: int
    client_id: str = "6f1c2a0e-0000-4000-8000-000000000001"
    client_secret: str = "hemmelig-app-nøgle"
    mailbox: str = "opkraevning@norddjurs.dk"
    lifetime: int = 3599
    certificate_pem: bytes | None = None  # the certificate registered for the app
    tokens: dict[str, float] = field(default_factory=dict)  # token -> expires at
    issued: int = 0
    introspections: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def token_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/{TENANT}/oauth2/v2.0/token"

    @property
    def introspection_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/introspect"

    def revoke_all(self) -> None:
        with self.lock:
            self.tokens.clear()

    def active(self, token: str) -> bool:
        with self.lock:
            self.introspections += 1
            expires = self.tokens.get(token)
            return expires is not None and expires > time.time()

    # -- the grant ----------------------------------------------------------------

    def _assertion_problem(self, assertion: str) -> str | None:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding, rsa

        if self.certificate_pem is None:
            return "AADSTS700027: no certificate is registered for the app"
        try:
            head, body, signature = assertion.split(".")
            header, claims = json.loads(_b64url_decode(head)), json.loads(_b64url_decode(body))
        except ValueError:
            return "AADSTS50027: JWT token is invalid or malformed"
        certificate = x509.load_pem_x509_certificate(self.certificate_pem)
        thumbprint = base64.urlsafe_b64encode(certificate.fingerprint(hashes.SHA256()))
        if header.get("alg") != "PS256" or header.get("x5t#S256") != thumbprint.rstrip(b"=").decode(
            "ascii"
        ):
            return "AADSTS700027: the certificate thumbprint is not registered for the app"
        key = certificate.public_key()
        assert isinstance(key, rsa.RSAPublicKey)
        try:
            key.verify(
                _b64url_decode(signature),
                f"{head}.{body}".encode("ascii"),
                padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32),
                hashes.SHA256(),
            )
        except Exception:
            return "AADSTS700027: the client assertion has an invalid signature"
        now = time.time()
        if claims.get("aud") != self.token_url:
            return "AADSTS700016: the assertion's audience is not this endpoint"
        if claims.get("iss") != self.client_id or claims.get("sub") != self.client_id:
            return "AADSTS700021: the assertion's issuer or subject is not the app"
        if not claims.get("nbf", now + 1) - 300 <= now < claims.get("exp", 0):
            return "AADSTS700024: the client assertion is not within its valid time range"
        return None

    def grant(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        if form.get("grant_type") != "client_credentials":
            return 400, {"error": "unsupported_grant_type"}
        if form.get("client_id") != self.client_id:
            return 400, {
                "error": "unauthorized_client",
                "error_description": "AADSTS700016: Application not found in the directory",
            }
        if form.get("scope") != SCOPE:
            return 400, {"error": "invalid_scope", "error_description": "AADSTS70011: scope"}
        if "client_assertion" in form:
            problem = self._assertion_problem(form["client_assertion"])
        elif form.get("client_secret") == self.client_secret:
            problem = None
        else:
            problem = "AADSTS7000215: Invalid client secret provided."
        if problem is not None:
            return 401, {"error": "invalid_client", "error_description": problem}
        token = secrets.token_urlsafe(32)
        with self.lock:
            self.tokens[token] = time.time() + self.lifetime
            self.issued += 1
        return 200, {"token_type": "Bearer", "expires_in": self.lifetime, "access_token": token}


def _handler(platform: IdentityPlatform) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _reply(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if self.path == f"/{TENANT}/oauth2/v2.0/token":
                self._reply(*platform.grant(form))
            elif self.path == "/introspect":
                token = form.get("token", "")
                if platform.active(token):
                    self._reply(200, {"active": True, "username": platform.mailbox})
                else:
                    self._reply(200, {"active": False})
            else:
                self._reply(404, {"error": "not_found"})

    return Handler


@contextmanager
def identity_platform(**options: Any) -> Iterator[IdentityPlatform]:
    platform = IdentityPlatform(free_port(), **options)
    server = ThreadingHTTPServer(("127.0.0.1", platform.port), _handler(platform))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield platform
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


# -- an SMTP relay that takes XOAUTH2 ------------------------------------------------------


@dataclass
class OAuthRelay:
    port: int
    received: list[tuple[str, str, bytes]] = field(default_factory=list)  # (user, from, data)


class _XOAuth2Handler:
    def __init__(self, relay: OAuthRelay, platform: IdentityPlatform) -> None:
        self.relay, self.platform = relay, platform

    async def auth_XOAUTH2(self, server: SMTP, args: list[str]) -> AuthResult:
        import asyncio

        if len(args) == 2:
            raw = base64.b64decode(args[1])
        else:
            answer = await server.challenge_auth("", encode_to_b64=False)
            raw = answer if isinstance(answer, bytes) else b""
        parts = dict(
            item.split("=", 1) for item in raw.decode(errors="replace").split("\x01") if "=" in item
        )
        user, bearer = parts.get("user", ""), parts.get("auth", "")
        token = bearer.removeprefix("Bearer ")

        def introspect() -> dict[str, Any]:
            response = httpx.post(self.platform.introspection_url, data={"token": token})
            return dict(response.json())

        answer_json = await asyncio.to_thread(introspect)
        if answer_json.get("active") and answer_json.get("username") == user:
            return AuthResult(success=True, auth_data=user)
        error = json.dumps({"status": "401", "schemes": "bearer", "scope": SCOPE})
        await server.challenge_auth(base64.b64encode(error.encode()).decode(), False)
        return AuthResult(
            success=False, handled=False, message="535 5.7.3 Authentication unsuccessful"
        )

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if not session.authenticated:
            return "530 5.7.57 Client not authenticated to send mail"
        self.relay.received.append((str(session.auth_data), envelope.mail_from, envelope.content))
        return "250 2.0.0 OK queued"


@contextmanager
def oauth_relay(platform: IdentityPlatform) -> Iterator[OAuthRelay]:
    relay = OAuthRelay(free_port())
    controller = Controller(
        _XOAuth2Handler(relay, platform),
        hostname="127.0.0.1",
        port=relay.port,
        auth_require_tls=False,  # the test relay speaks plain SMTP; TLS is tested elsewhere
        auth_exclude_mechanism=["LOGIN", "PLAIN"],
    )
    controller.start()
    try:
        yield relay
    finally:
        controller.stop()
