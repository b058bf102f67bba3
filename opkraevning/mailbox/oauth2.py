"""OAuth 2.0 access tokens for Microsoft 365 mailboxes (IMAP and SMTP submission).

Microsoft 365 has switched basic authentication off for IMAP and SMTP: a service logs
in with XOAUTH2 and an access token it gets itself with the client-credentials grant
(RFC 6749 §4.4) from the tenant's token endpoint, authenticating as the app with a
client secret or with a certificate (a ``private_key_jwt`` client assertion, RFC 7523,
signed PS256 with the ``x5t#S256`` thumbprint, as Microsoft's certificate-credentials
page describes). The token is cached and fetched again before it expires.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from opkraevning.settings import OAuth2Settings

log = logging.getLogger(__name__)

CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_LIFETIME_SECONDS = 600  # Microsoft: "5-10 minutes after nbf"
REFRESH_MARGIN_SECONDS = 300.0
SETTING = "OPKRAEVNING_OAUTH2__"


class TokenError(Exception):
    """No access token: the token endpoint could not be reached or refused the app."""


def xoauth2_string(user: str, token: str) -> str:
    """The SASL XOAUTH2 initial response (before base64)."""
    return f"user={user}\x01auth=Bearer {token}\x01\x01"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def client_assertion(settings: OAuth2Settings, token_url: str, now: float) -> str:
    """A JWT signed with the app's certificate key, proving the app to the token endpoint."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    assert settings.certificate_file is not None
    pem = settings.certificate_file.read_bytes()
    key_pem = settings.private_key_file.read_bytes() if settings.private_key_file else pem
    certificate = x509.load_pem_x509_certificate(pem)
    key = serialization.load_pem_private_key(key_pem, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise TokenError(f"invalid setting {SETTING}CERTIFICATE_FILE: the key must be RSA")
    thumbprint = _b64url(certificate.fingerprint(hashes.SHA256()))
    header = {"alg": "PS256", "typ": "JWT", "x5t#S256": thumbprint}
    claims = {
        "aud": token_url,
        "iss": settings.client_id,
        "sub": settings.client_id,
        "jti": str(uuid.uuid4()),
        "iat": int(now),
        "nbf": int(now),
        "exp": int(now) + ASSERTION_LIFETIME_SECONDS,
    }
    signing_input = ".".join(
        _b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims)
    )
    signature = key.sign(
        signing_input.encode("ascii"),
        padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=hashes.SHA256.digest_size),
        hashes.SHA256(),
    )
    return f"{signing_input}.{_b64url(signature)}"


def certificate_thumbprint(pem: bytes) -> str:
    """The ``x5t#S256`` value of a PEM certificate."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    return _b64url(x509.load_pem_x509_certificate(pem).fingerprint(hashes.SHA256()))


@dataclass
class _Token:
    value: str
    expires_at: float
    lifetime: float


class TokenSource:
    """Client-credentials tokens for one app, cached until shortly before they expire.

    Thread-safe: the IMAP poller and the outbox may ask at the same time.
    """

    def __init__(
        self,
        settings: OAuth2Settings,
        *,
        clock: Callable[[], float] = time.time,
        http: httpx.Client | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.http = http or httpx.Client(timeout=30)
        self._token: _Token | None = None
        self._lock = threading.Lock()
        self.fetched = 0  # how many tokens were requested (for logs and tests)

    def token(self) -> str:
        with self._lock:
            current = self._token
            if current is None or self._needs_refresh(current):
                current = self._token = self._request()
            return current.value

    def invalidate(self) -> None:
        """Forget the cached token (a server refused it): the next call fetches a new one."""
        with self._lock:
            self._token = None

    def _needs_refresh(self, token: _Token) -> bool:
        margin = min(REFRESH_MARGIN_SECONDS, token.lifetime / 2)
        return self.clock() >= token.expires_at - margin

    def _form(self) -> dict[str, str]:
        settings = self.settings
        form = {
            "grant_type": "client_credentials",
            "client_id": settings.client_id,
            "scope": settings.scope,
        }
        if settings.certificate_file is not None:
            form["client_assertion_type"] = CLIENT_ASSERTION_TYPE
            form["client_assertion"] = client_assertion(settings, settings.endpoint, self.clock())
        else:
            form["client_secret"] = settings.client_secret
        return form

    def _request(self) -> _Token:
        endpoint = self.settings.endpoint
        try:
            response = self.http.post(endpoint, data=self._form())
        except httpx.HTTPError as exc:
            raise TokenError(f"the token endpoint {endpoint} cannot be reached: {exc}") from exc
        body = _json(response)
        if response.status_code != 200 or "access_token" not in body:
            raise TokenError(_refusal(response.status_code, body, self.settings))
        lifetime = float(body.get("expires_in", 3600))
        self.fetched += 1
        log.info("OAuth 2.0 token for client %s, valid %.0f s", self.settings.client_id, lifetime)
        return _Token(str(body["access_token"]), self.clock() + lifetime, lifetime)

    def close(self) -> None:
        self.http.close()


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _refusal(status: int, body: dict[str, Any], settings: OAuth2Settings) -> str:
    error = str(body.get("error") or f"HTTP {status}")
    description = str(body.get("error_description") or "").splitlines()
    detail = f": {description[0]}" if description else ""
    hint = {
        "invalid_client": "check CLIENT_ID and the secret or certificate",
        "unauthorized_client": "check CLIENT_ID and TENANT",
        "invalid_scope": "check SCOPE",
        "invalid_request": "check TENANT and TOKEN_URL",
    }.get(error, "check the OAUTH2 settings")
    return (
        f"the token endpoint refused the app {settings.client_id!r} ({error}{detail}); "
        f"{hint} ({SETTING}*)"
    )
