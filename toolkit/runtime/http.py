"""HTTP: one pooled client per endpoint, and the one place a request's URL and auth header are built.

Every exchange ends in data or in a classified :class:`~pbcfg.runtime.classify.Failure`;
no httpx exception and no server text leaves this module unclassified.
"""

from __future__ import annotations

import json
import ssl
import threading

from pbcfg.ponybunny.effective import EffectiveEndpoint
from pbcfg.runtime.classify import Failure, Kind, classify, retry_after_seconds
from pbcfg.util.masking import mask

__all__ = ["AZURE_API_VERSION", "Http", "auth_headers", "chat_url"]

AZURE_API_VERSION = "2024-10-21"


def auth_headers(endpoint: EffectiveEndpoint) -> dict[str, str]:
    """The request's auth header: ``Authorization: Bearer <apiKey>``, or Azure's ``api-key``; none without a key."""
    key = endpoint.fields.get("apiKey")
    if endpoint.id == "azure-openai":
        return {"api-key": str(key.value) if key else ""}
    return {"Authorization": f"Bearer {key.value}"} if key else {}


def chat_url(endpoint: EffectiveEndpoint, model: str) -> str:
    if endpoint.id == "azure-openai":
        base = str(endpoint.fields["endpoint"].value).rstrip("/")
        return f"{base}/openai/deployments/{model}/chat/completions?api-version={AZURE_API_VERSION}"
    return str(endpoint.base_url.value).rstrip("/") + "/chat/completions"


def _redact(text: str, endpoint: EffectiveEndpoint) -> str:
    """A server may echo the request: never let a key through in a message."""
    for field in ("apiKey", "secretAccessKey", "accessKeyId"):
        value = endpoint.fields.get(field)
        if value and isinstance(value.value, str) and len(value.value) >= 4:
            text = text.replace(value.value, mask(value.value))
    return text


def _network_failure(error: Exception, endpoint: EffectiveEndpoint) -> Failure:
    """A failure below HTTP: no answer, or a connection that broke."""
    import httpx

    if isinstance(error, httpx.TimeoutException):
        return Failure(Kind.RETRY, "timeout", network="timeout")
    if isinstance(error, httpx.ConnectError):
        cause = error.__context__ or error.__cause__
        if isinstance(cause, ssl.SSLError) or "SSL" in str(error) or "CERTIFICATE" in str(error).upper():
            return Failure(Kind.RETRY, "TLS handshake failed", network="tls")
        return Failure(Kind.RETRY, f"connection error: {type(error).__name__}", network="connect")
    return Failure(Kind.RETRY, f"connection error: {type(error).__name__}", network="read")


class Http:
    """The clients, one per endpoint so each keeps its own pool; thread-safe."""

    def __init__(self, transport=None, retry_after_cap: float = 60.0) -> None:
        self.transport, self.retry_after_cap = transport, retry_after_cap
        self._clients: dict[str, object] = {}
        self._lock = threading.Lock()

    def client(self, endpoint: EffectiveEndpoint):
        import httpx

        with self._lock:
            client = self._clients.get(endpoint.id)
            if client is None:
                client = httpx.Client(transport=self.transport, follow_redirects=False)
                self._clients[endpoint.id] = client
            return client

    def close(self) -> None:
        with self._lock:
            for client in self._clients.values():
                client.close()
            self._clients.clear()

    def _send(self, endpoint: EffectiveEndpoint, method: str, url: str, timeout: float, body: dict | None = None):
        """The response, its headers read and its body not yet; a network failure is classified."""
        import httpx

        client = self.client(endpoint)
        try:
            request = client.build_request(method, url, json=body, headers=auth_headers(endpoint), timeout=timeout)
            return client.send(request, stream=True)
        except httpx.HTTPError as error:
            raise _network_failure(error, endpoint) from None

    def _read(self, response, endpoint: EffectiveEndpoint) -> bytes:
        import httpx

        try:
            return response.read()
        except httpx.HTTPError as error:
            raise _network_failure(error, endpoint) from None
        finally:
            response.close()

    def _refuse(self, response, endpoint: EffectiveEndpoint) -> Failure:
        """An error answer, classified (its body read and the response closed)."""
        try:
            text = self._read(response, endpoint).decode("utf-8", "replace")
        except Failure:
            text = ""
        verdict = classify(response.status_code, text)
        return Failure(verdict.kind, _redact(verdict.message, endpoint), response.status_code,
                       retry_after_seconds(response.headers, self.retry_after_cap))

    def post_chat(self, endpoint: EffectiveEndpoint, model: str, body: dict, timeout: float, stream: bool):
        """The completion's JSON, or with ``stream`` the open response for :mod:`pbcfg.runtime.stream`."""
        response = self._send(endpoint, "POST", chat_url(endpoint, model), timeout, body)
        if response.status_code >= 400:
            raise self._refuse(response, endpoint)
        if stream:
            return response
        raw = self._read(response, endpoint)
        try:
            return json.loads(raw)
        except ValueError as error:
            raise Failure(Kind.RETRY, f"unreadable response: {type(error).__name__}") from None

    def get_models(self, endpoint: EffectiveEndpoint, timeout: float) -> tuple[int, object]:
        """``GET {baseUrl}/models``: (status, parsed JSON or None when the body is not JSON)."""
        response = self._send(endpoint, "GET", str(endpoint.base_url.value).rstrip("/") + "/models", timeout)
        status = response.status_code
        if status >= 400:
            raise self._refuse(response, endpoint)
        raw = self._read(response, endpoint)
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, None
