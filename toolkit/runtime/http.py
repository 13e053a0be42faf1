"""HTTP: one pooled client per endpoint, the one place a request's URL and auth header are built, and every
exchange bounded.

Each exchange has a total deadline (connect, headers and the whole body), held
on the socket (:mod:`pbcfg.runtime.deadline`) and checked between chunks; a
body over :data:`BODY_CAP` is refused; an error body is read up to
:data:`ERROR_BODY_CAP`. Redirects are never followed (that would resend the
key elsewhere). Every exchange ends in data or in a classified
:class:`~pbcfg.runtime.classify.Failure`: no httpx exception and no unmasked
server text leaves this module.
"""

from __future__ import annotations

import json
import ssl
import threading
import time

from pbcfg.ponybunny.effective import EffectiveEndpoint
from pbcfg.runtime.answers import read_completion
from pbcfg.runtime.classify import Failure, Kind, classify, excerpt, retry_after_seconds
from pbcfg.runtime.deadline import deadline
from pbcfg.runtime.secrets import plain

__all__ = ["AZURE_API_VERSION", "BODY_CAP", "ERROR_BODY_CAP", "Http", "auth_headers", "chat_url"]

AZURE_API_VERSION = "2024-10-21"
BODY_CAP = 16 * 1024 * 1024  # a completion or a model list larger than this is a bad response
ERROR_BODY_CAP = 64 * 1024  # of an error answer, only this much is read: enough for any message


def auth_headers(endpoint: EffectiveEndpoint) -> dict[str, str]:
    """The request's auth header: ``Authorization: Bearer <apiKey>``, or Azure's ``api-key``; none without a key.
    The one place a key leaves its :class:`~pbcfg.util.redaction.Secret`."""
    key = endpoint.fields.get("apiKey")
    if endpoint.id == "azure-openai":
        return {"api-key": plain(key.value) if key else ""}
    return {"Authorization": f"Bearer {plain(key.value)}"} if key else {}


def _url(endpoint: EffectiveEndpoint, path: str) -> str:
    """``{baseUrl}{path}`` (no ``//``); a base URL with a secret in it is unwrapped here, for the request only."""
    return plain(endpoint.base_url.value).rstrip("/") + path


def chat_url(endpoint: EffectiveEndpoint, model: str) -> str:
    if endpoint.id == "azure-openai":
        base = plain(endpoint.fields["endpoint"].value).rstrip("/")
        return f"{base}/openai/deployments/{model}/chat/completions?api-version={AZURE_API_VERSION}"
    return _url(endpoint, "/chat/completions")


def _timed_out(timeout: float) -> Failure:
    return Failure(Kind.RETRY, f"timeout: no complete answer within {timeout:g} s", network="timeout")


def _network_failure(error: Exception, timeout: float) -> Failure:
    """A failure below HTTP: no connection, no answer in time, or a connection that broke."""
    import httpx

    if isinstance(error, httpx.ConnectTimeout):
        return Failure(Kind.RETRY, f"timeout: no connection within {timeout:g} s", network="connect")
    if isinstance(error, httpx.TimeoutException):
        return _timed_out(timeout)
    if isinstance(error, httpx.ConnectError):
        cause = error.__context__ or error.__cause__
        if isinstance(cause, ssl.SSLError) or "SSL" in str(error) or "CERTIFICATE" in str(error).upper():
            return Failure(Kind.RETRY, "TLS handshake failed", network="tls")
        return Failure(Kind.RETRY, f"connection error: {type(error).__name__}", network="connect")
    return Failure(Kind.RETRY, f"connection error: {type(error).__name__}", network="read")


class Http:
    """The clients, one per endpoint so each keeps its own pool, all sharing one TLS context (each client's
    own loads the certificates anew: 4,000 endpoints took 3.4 GB); thread-safe."""

    def __init__(self, transport=None, retry_after_cap: float = 60.0, clock=time.monotonic) -> None:
        self.transport, self.retry_after_cap, self.clock = transport, retry_after_cap, clock
        self._clients: dict[str, object] = {}
        self._tls = None  # made with the first client that needs it
        self._lock = threading.Lock()

    def client(self, endpoint: EffectiveEndpoint):
        import httpx

        with self._lock:
            client = self._clients.get(endpoint.id)
            if client is None:
                if self.transport is None and self._tls is None:
                    self._tls = httpx.create_ssl_context()
                client = httpx.Client(transport=self.transport, follow_redirects=False, verify=self._tls or True)
                if self.transport is None:
                    from pbcfg.runtime.deadline import with_deadlines

                    with_deadlines(client)
                self._clients[endpoint.id] = client
            return client

    def close(self) -> None:
        with self._lock:
            for client in self._clients.values():
                client.close()
            self._clients.clear()

    def exchange(self, endpoint: EffectiveEndpoint, method: str, url: str, timeout: float, body: dict | None = None):
        """Send; (the response once its headers are in, with a 2xx status; the deadline on :attr:`clock` for the
        rest of it). A redirect, an error answer or a network failure raises a classified :class:`Failure`."""
        import httpx

        client = self.client(endpoint)  # made before the clock starts: the first one loads TLS certificates
        at = self.clock() + timeout
        content = None if body is None else json.dumps(body).encode()  # ASCII: a stray surrogate cannot break it
        headers = {**auth_headers(endpoint), **({"Content-Type": "application/json"} if content else {})}
        try:
            with deadline(at, self.clock):
                response = client.send(client.build_request(method, url, content=content, headers=headers,
                                                             timeout=timeout), stream=True)
        except httpx.HTTPError as error:
            raise _network_failure(error, timeout) from None
        except httpx.InvalidURL:  # the plan refuses bad base URLs; a model id can still make one
            raise Failure(Kind.NOT_FOUND, "the request URL is not valid: check the base URL and the model id") from None
        if self.clock() > at:
            response.close()
            raise _timed_out(timeout)
        status = response.status_code
        if 300 <= status < 400:
            response.close()
            where = excerpt(response.headers.get("location", "") or "(no Location)")
            raise Failure(Kind.REDIRECT, f"HTTP {status} redirect to {where}; pbcfg does not follow redirects "
                                         "(that would resend the key): set the base URL to where it points", status)
        if status >= 400:
            text = self.read(response, at, timeout, ERROR_BODY_CAP, partial=True).decode("utf-8", "replace")
            verdict = classify(status, text)
            raise Failure(verdict.kind, verdict.message, status,
                          retry_after_seconds(response.headers, self.retry_after_cap))
        return response, at

    def read(self, response, at: float, timeout: float, cap: int = BODY_CAP, *, partial: bool = False) -> bytes:
        """The whole body by ``at``, closing the response. Over ``cap`` bytes it is a bad response, or with
        ``partial`` (an error answer) its first ``cap`` bytes; a deadline missed while reading an error answer
        leaves what arrived."""
        import httpx

        declared = response.headers.get("content-length", "")
        if not partial and declared.isdigit() and int(declared) > cap:
            response.close()
            raise Failure(Kind.BAD_RESPONSE, f"the answer is {int(declared):,} bytes, over the {cap:,}-byte cap",
                          response.status_code)
        chunks, size = [], 0
        try:
            with deadline(at, self.clock):
                for chunk in response.iter_bytes():
                    chunks.append(chunk)
                    size += len(chunk)
                    if size > cap:
                        if partial:
                            break
                        raise Failure(Kind.BAD_RESPONSE, f"the answer is over the {cap:,}-byte cap",
                                      response.status_code)
                    if self.clock() > at:
                        if partial:
                            break
                        raise _timed_out(timeout)
        except httpx.HTTPError as error:
            if not partial:
                raise _network_failure(error, timeout) from None
        finally:
            response.close()
        body = b"".join(chunks)
        return body[:cap] if partial else body

    def post_chat(self, endpoint: EffectiveEndpoint, model: str, body: dict, timeout: float, stream: bool):
        """The completion as a :class:`~pbcfg.runtime.answers.Reply`, or with ``stream`` (the open response, its
        deadline) for :mod:`pbcfg.runtime.stream`."""
        response, at = self.exchange(endpoint, "POST", chat_url(endpoint, model), timeout, body)
        if stream:
            return response, at
        return read_completion(self.read(response, at, timeout), response.status_code)

    def get_models(self, endpoint: EffectiveEndpoint, timeout: float) -> tuple[int, bytes]:
        """``GET {baseUrl}/models``: (status, body)."""
        response, at = self.exchange(endpoint, "GET", _url(endpoint, "/models"), timeout)
        return response.status_code, self.read(response, at, timeout)
