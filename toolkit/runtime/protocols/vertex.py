"""Vertex AI's Gemini models: Gemini's body, Vertex's URL, a Bearer token from Application Default Credentials.

``https://{region}-aiplatform.googleapis.com/v1/projects/{projectId}/locations/{region}/publishers/google/models/
{model}:generateContent`` (``:streamGenerateContent?alt=sse`` for a stream); the region ``global`` uses the host
``aiplatform.googleapis.com``; a base URL in the credentials replaces the ``…/v1`` root. The token comes from
google-auth's Application Default Credentials (``$GOOGLE_APPLICATION_CREDENTIALS``, or gcloud's
``application_default_credentials.json``), fetched over httpx, cached until shortly before it expires (google-auth's
refresh threshold, kept as a deadline on the monotonic clock), and fetched anew once when a call answers 401. Each
token is registered as a secret the moment it arrives. google-auth comes with ``pip install 'pbcfg[gcp]'`` and is
imported only to get a token.
"""

from __future__ import annotations

import importlib.util
import os
import threading
import time
from typing import TYPE_CHECKING, NamedTuple

from pbcfg.runtime.protocols.base import bad_region, path_segment
from pbcfg.runtime.protocols.gemini import Gemini
from pbcfg.runtime.responses import Failure, Kind, excerpt
from pbcfg.runtime.sealed import plain

if TYPE_CHECKING:
    from google.auth.credentials import Credentials

    from pbcfg.ponybunny.effective import EffectiveEndpoint
    from pbcfg.runtime.protocols.base import HttpRequest

__all__ = ["DEFAULT_REGION", "PROTOCOL", "Vertex", "vertex_root"]

DEFAULT_REGION = "us-central1"  # PonyBunny's own choice when no region is given
INSTALL = "pip install 'pbcfg[gcp]'"
SCOPES = ("https://www.googleapis.com/auth/cloud-platform",)
TOKEN_TIMEOUT = 30.0  # seconds for the token endpoint's whole answer
TOKEN_BODY_CAP = 64 * 1024  # bytes of it: a token answer is a few hundred
REFRESH_MARGIN = 225.0  # seconds before its expiry a token is fetched anew: google-auth's own refresh threshold


def _google_auth_installed() -> bool:
    """Whether google-auth can be imported; without any ``google`` package, looking for ``google.auth`` raises."""
    try:
        return importlib.util.find_spec("google.auth") is not None
    except ModuleNotFoundError:
        return False


def _region(endpoint: EffectiveEndpoint) -> str:
    value = endpoint.fields.get("region")
    return plain(value.value) if value else DEFAULT_REGION


def vertex_root(endpoint: EffectiveEndpoint) -> str:
    """The API root (``…/v1``): the credentials' base URL (a ``{region}`` in it filled), else the region's host."""
    if endpoint.base_url is not None:
        return plain(endpoint.base_url.value).replace("{region}", _region(endpoint)).rstrip("/")
    return PROTOCOL.derived_base_url(endpoint)


class _Answer(NamedTuple):
    """google-auth's view of an HTTP response."""

    status: int
    headers: dict
    data: bytes


def _fetch(url: str, method: str = "GET", body=None, headers=None, timeout=None, **_ignored) -> _Answer:
    """google-auth's transport (``google.auth.transport.Request``'s call), over httpx: no second HTTP client. The
    whole exchange ends within :data:`TOKEN_TIMEOUT` (a token endpoint that drips its answer is cut there, as every
    exchange of the runtime is), never follows a redirect, and reads at most :data:`TOKEN_BODY_CAP` bytes."""
    import time

    import httpx
    from google.auth.exceptions import TransportError

    from pbcfg.runtime.transport import deadline, environment_proxy, with_deadlines

    limit = min(timeout or TOKEN_TIMEOUT, TOKEN_TIMEOUT)
    try:
        with httpx.HTTPTransport(proxy=environment_proxy(url)) as transport:
            with_deadlines(transport)
            request = httpx.Request(
                method, url, content=body, headers=headers, extensions={"timeout": httpx.Timeout(limit).as_dict()}
            )
            with deadline(time.monotonic() + limit):
                got = transport.handle_request(request)
                try:
                    data = b""
                    for chunk in got.iter_bytes():
                        data += chunk
                        if len(data) > TOKEN_BODY_CAP:
                            raise TransportError(f"the token endpoint's answer is over {TOKEN_BODY_CAP:,} bytes")
                finally:
                    got.close()
                return _Answer(got.status_code, dict(got.headers), data)
    except httpx.HTTPError as error:
        raise TransportError(f"the token endpoint could not be reached ({type(error).__name__})") from None


class _Fresh(NamedTuple):
    """The Authorization header that carries a token, and until when, on the monotonic clock, it is used."""

    header: dict[str, str]
    until: float


def _fresh(credentials: Credentials) -> _Fresh:
    """The credentials' new token, used until :data:`REFRESH_MARGIN` seconds before it expires (forever without an
    expiry): a deadline on the monotonic clock, checked on each call without a date or a clock change in play."""
    header = {"Authorization": f"Bearer {credentials.token}"}
    if credentials.expiry is None:
        return _Fresh(header, float("inf"))
    import datetime

    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)  # google-auth's expiry is naive UTC
    left = (credentials.expiry - now).total_seconds()
    return _Fresh(header, time.monotonic() + left - REFRESH_MARGIN)


class _Tokens:
    """One cached ADC credential and its token per credentials file; thread-safe (a cached token is read without
    the lock: each entry is replaced whole)."""

    def __init__(self) -> None:
        self._credentials: dict[str | None, Credentials] = {}
        self._fresh: dict[str | None, _Fresh] = {}
        self._lock = threading.Lock()

    def header(self) -> dict[str, str]:
        """The Authorization header with a valid access token: the cached one, or a fresh one when it is missing
        or about to expire. Not to be changed: it is the cache's own."""
        where = os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
        fresh = self._fresh.get(where)
        if fresh is not None and time.monotonic() < fresh.until:
            return fresh.header
        with self._lock:
            fresh = self._fresh.get(where)
            if fresh is not None and time.monotonic() < fresh.until:
                return fresh.header
            return self._fetched(where).header

    def _fetched(self, where: str | None) -> _Fresh:
        """A new token (under the lock), registered as a secret the moment it arrives."""
        import google.auth
        from google.auth.exceptions import GoogleAuthError

        from pbcfg.secrets.known import REDACTOR

        try:
            credentials = self._credentials.get(where)
            if credentials is None:
                credentials, _ = google.auth.default(scopes=SCOPES)
                self._credentials[where] = credentials
            credentials.refresh(_fetch)
        except GoogleAuthError as error:
            raise Failure(
                Kind.AUTH,
                "no token from Application Default Credentials: "
                f"{excerpt(str(error))}; run `gcloud auth application-default login`, or set "
                "GOOGLE_APPLICATION_CREDENTIALS to a service-account key file",
            ) from None
        REDACTOR.add(credentials.token)
        fresh = self._fresh[where] = _fresh(credentials)
        return fresh

    def forget(self) -> bool:
        """Drop the cached token (a call answered 401); whether there was one."""
        with self._lock:
            return self._fresh.pop(os.environ.get("GOOGLE_APPLICATION_CREDENTIALS"), None) is not None


class Vertex(Gemini):
    name = "vertex"
    hints = {  # noqa: RUF012 (read only)
        Kind.AUTH: "check Application Default Credentials (`gcloud auth application-default login`, or "
        "GOOGLE_APPLICATION_CREDENTIALS), and that the account may call Vertex AI in the project",
        Kind.BAD_RESPONSE: "is the base URL Vertex AI's API root (https://{region}-aiplatform.googleapis.com/v1)?",
    }

    def __init__(self) -> None:
        super().__init__()
        self._tokens = _Tokens()

    def derived_base_url(self, endpoint: EffectiveEndpoint) -> str:
        """The base URL when the credentials give none (the plan keeps such an endpoint): the region's host
        (``global``: ``aiplatform.googleapis.com``)."""
        region = _region(endpoint)
        host = "aiplatform.googleapis.com" if region == "global" else f"{region}-aiplatform.googleapis.com"
        return f"https://{host}/v1"

    def unavailable(self, endpoint: EffectiveEndpoint) -> str | None:
        if not _google_auth_installed():
            return f"Vertex AI needs google-auth for its token (Application Default Credentials); install it: {INSTALL}"
        return bad_region(_region(endpoint))

    def base(self, endpoint: EffectiveEndpoint) -> str:
        project = path_segment(plain(endpoint.fields["projectId"].value))
        return f"{vertex_root(endpoint)}/projects/{project}/locations/{_region(endpoint)}/publishers/google"

    def headers(self, endpoint: EffectiveEndpoint) -> dict[str, str]:
        return {}

    def authorize(self, endpoint: EffectiveEndpoint, request: HttpRequest) -> dict[str, str]:
        return self._tokens.header()

    async def aauthorize(self, endpoint: EffectiveEndpoint, request: HttpRequest) -> dict[str, str]:
        import asyncio

        return await asyncio.to_thread(self.authorize, endpoint, request)

    def reauthorize(self, endpoint: EffectiveEndpoint, failure: Failure) -> bool:
        return failure.kind == Kind.AUTH and failure.status == 401 and self._tokens.forget()

    def probe_request(self, endpoint: EffectiveEndpoint) -> HttpRequest | str:
        return (
            "untested: Vertex AI lists no Google models for free; the first call fetches a token from "
            "Application Default Credentials"
        )


PROTOCOL = Vertex()
