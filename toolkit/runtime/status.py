"""``status``: probe each enabled endpoint with ``GET {baseUrl}/models``, which is free and spends no tokens."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from enum import StrEnum
from typing import NamedTuple
from urllib.parse import urlsplit

from pbcfg.runtime.answers import read_models
from pbcfg.runtime.classify import Failure, Kind, excerpt
from pbcfg.runtime.plan import SPOKEN, why_not

__all__ = ["EndpointStatus", "State", "probe_all"]

NO_KEY_HINT = "a server without auth still needs some key string: not-needed, EMPTY, ollama, lm-studio, sk-no-key-required"


class State(StrEnum):
    OK = "ok"
    UNREACHABLE = "unreachable"
    TLS_ERROR = "tls-error"
    AUTH_FAILED = "auth-failed"
    WRONG_PATH = "wrong-path"
    MODEL_ABSENT = "model-absent"
    REDIRECT = "redirect"
    BAD_RESPONSE = "bad-response"
    ERROR = "error"
    SKIPPED = "skipped"


class EndpointStatus(NamedTuple):
    endpoint: str
    state: State
    latency_ms: float | None
    detail: str
    hint: str | None = None
    served: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.state in (State.OK, State.SKIPPED)


def _configured_models(runtime, endpoint_id: str) -> list[str]:
    return [model_id for model_id, model in (runtime.config.get("models") or {}).items()
            if isinstance(model, dict) and endpoint_id in (model.get("endpoints") or [])]


def _failed(endpoint, failure: Failure, latency: float | None, timeout: float) -> EndpointStatus:
    base = str(endpoint.base_url.value).rstrip("/")
    port = urlsplit(base).port or (443 if base.startswith("https") else 80)
    if failure.network == "tls":
        return EndpointStatus(endpoint.id, State.TLS_ERROR, None, "TLS handshake failed",
                              "check the certificate, or use http:// for a server on this machine")
    if failure.network == "connect":
        return EndpointStatus(endpoint.id, State.UNREACHABLE, None, "connection refused or host not found",
                              f"is the server running on port {port}?")
    if failure.network == "timeout":
        return EndpointStatus(endpoint.id, State.UNREACHABLE, None, f"no answer within {timeout:g}s",
                              f"is the server running on port {port}?")
    if failure.network is not None:
        return EndpointStatus(endpoint.id, State.ERROR, None, failure.detail)
    if failure.kind is Kind.REDIRECT:
        return EndpointStatus(endpoint.id, State.REDIRECT, latency, failure.detail,
                              "pbcfg never follows a redirect: put the URL it points to in baseUrl")
    if failure.kind is Kind.BAD_RESPONSE:
        return EndpointStatus(endpoint.id, State.BAD_RESPONSE, latency, failure.detail,
                              "is the base URL an OpenAI-compatible API (usually ending in /v1)?")
    if failure.kind is Kind.AUTH:
        return EndpointStatus(endpoint.id, State.AUTH_FAILED, latency, f"HTTP {failure.status}", NO_KEY_HINT)
    if failure.status == 404:
        return EndpointStatus(endpoint.id, State.WRONG_PATH, latency, "HTTP 404 on /models",
                              f"the base URL probably lacks /v1: try {base}/v1")
    return EndpointStatus(endpoint.id, State.ERROR, latency, f"HTTP {failure.status}")


def _probe(runtime, endpoint, timeout: float) -> EndpointStatus:
    start = time.perf_counter()
    try:
        status, body = runtime.models(endpoint, timeout)
        ids = read_models(body, status)
    except Failure as failure:
        return _failed(endpoint, failure, (time.perf_counter() - start) * 1000, timeout)
    latency = (time.perf_counter() - start) * 1000
    served = tuple(excerpt(model_id) for model_id in ids)  # ids are a server's text: masked, printable
    absent = [m for m in _configured_models(runtime, endpoint.id) if m not in ids]
    if absent:
        from pbcfg.util.suggest import did_you_mean

        guesses = [f"{m!r} (did you mean {g!r}?)" if (g := did_you_mean(m, served)) else repr(m) for m in absent]
        return EndpointStatus(endpoint.id, State.MODEL_ABSENT, latency,
                              f"the server does not serve {', '.join(guesses)}",
                              f"it serves: {', '.join(served) or 'nothing'}", served)
    return EndpointStatus(endpoint.id, State.OK, latency, f"{len(served)} model(s) served", served=served)


def probe_all(runtime, timeout: float = 5.0) -> list[EndpointStatus]:
    """Every enabled endpoint: probed concurrently when it can be, else skipped with the reason."""
    probes, results = [], {}
    for endpoint in runtime.endpoints.values():
        if not endpoint.enabled:
            continue
        reason = why_not(endpoint, endpoint.id)
        if reason or endpoint.protocol not in SPOKEN or endpoint.id == "azure-openai":
            results[endpoint.id] = EndpointStatus(endpoint.id, State.SKIPPED, None,
                                                  reason or "Azure deployments have no /models probe")
        else:
            probes.append(endpoint)
    with ThreadPoolExecutor(max_workers=max(1, min(8, len(probes)))) as pool:
        for status in pool.map(lambda e: _probe(runtime, e, timeout), probes):
            results[status.endpoint] = status
    return [results[e] for e in runtime.endpoints if e in results]
