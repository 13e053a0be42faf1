"""``status``: probe each enabled endpoint with ``GET {baseUrl}/models``, which is free and spends no tokens."""

from __future__ import annotations

import ssl
import time
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple
from urllib.parse import urlsplit

from pbcfg.runtime.plan import SPOKEN, why_not

__all__ = ["EndpointStatus", "probe_all"]

NO_KEY_HINT = "a server without auth still needs some key string: not-needed, EMPTY, ollama, lm-studio, sk-no-key-required"


class EndpointStatus(NamedTuple):
    endpoint: str
    state: str  # ok | unreachable | tls-error | auth-failed | wrong-path | model-absent | error | skipped
    latency_ms: float | None
    detail: str
    hint: str | None = None
    served: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.state in ("ok", "skipped")


def _configured_models(runtime, endpoint_id: str) -> list[str]:
    return [model_id for model_id, model in (runtime.config.get("models") or {}).items()
            if isinstance(model, dict) and endpoint_id in (model.get("endpoints") or [])]


def _probe(runtime, endpoint, timeout: float) -> EndpointStatus:
    import httpx

    base = str(endpoint.base_url.value).rstrip("/")
    key = endpoint.fields.get("apiKey")
    headers = {"Authorization": f"Bearer {key.value}"} if key else {}
    port = urlsplit(base).port or (443 if base.startswith("https") else 80)
    start = time.perf_counter()
    try:
        response = runtime._client(endpoint).get(base + "/models", headers=headers, timeout=timeout)
    except httpx.ConnectError as error:
        cause = error.__context__ or error.__cause__
        if isinstance(cause, ssl.SSLError) or "SSL" in str(error) or "CERTIFICATE" in str(error).upper():
            return EndpointStatus(endpoint.id, "tls-error", None, "TLS handshake failed",
                                  "check the certificate, or use http:// for a server on this machine")
        return EndpointStatus(endpoint.id, "unreachable", None, "connection refused or host not found",
                              f"is the server running on port {port}?")
    except httpx.TimeoutException:
        return EndpointStatus(endpoint.id, "unreachable", None, f"no answer within {timeout:g}s",
                              f"is the server running on port {port}?")
    except httpx.HTTPError as error:
        return EndpointStatus(endpoint.id, "error", None, runtime._redact(str(error), endpoint))
    latency = (time.perf_counter() - start) * 1000
    if response.status_code in (401, 403):
        return EndpointStatus(endpoint.id, "auth-failed", latency, f"HTTP {response.status_code}", NO_KEY_HINT)
    if response.status_code == 404:
        return EndpointStatus(endpoint.id, "wrong-path", latency, "HTTP 404 on /models",
                              f"the base URL probably lacks /v1: try {base}/v1")
    if response.status_code >= 400:
        return EndpointStatus(endpoint.id, "error", latency, f"HTTP {response.status_code}")
    try:
        served = tuple(str(m.get("id")) for m in response.json().get("data", []) if isinstance(m, dict))
    except (ValueError, AttributeError):
        return EndpointStatus(endpoint.id, "error", latency, "the /models answer is not the OpenAI list shape")
    absent = [m for m in _configured_models(runtime, endpoint.id) if m not in served]
    if absent:
        from pbcfg.util.suggest import did_you_mean

        guesses = [f"{m!r} (did you mean {g!r}?)" if (g := did_you_mean(m, served)) else repr(m) for m in absent]
        return EndpointStatus(endpoint.id, "model-absent", latency, f"the server does not serve {', '.join(guesses)}",
                              f"it serves: {', '.join(served) or 'nothing'}", served)
    return EndpointStatus(endpoint.id, "ok", latency, f"{len(served)} model(s) served", served=served)


def probe_all(runtime, timeout: float = 5.0) -> list[EndpointStatus]:
    """Every enabled endpoint: probed concurrently when it can be, else skipped with the reason."""
    probes, results = [], {}
    for endpoint in runtime.endpoints.values():
        if not endpoint.enabled:
            continue
        reason = why_not(endpoint, endpoint.id)
        if reason or endpoint.protocol not in SPOKEN or endpoint.id == "azure-openai":
            results[endpoint.id] = EndpointStatus(endpoint.id, "skipped", None,
                                                  reason or "Azure deployments have no /models probe")
        else:
            probes.append(endpoint)
    with ThreadPoolExecutor(max_workers=max(1, min(8, len(probes)))) as pool:
        for status in pool.map(lambda e: _probe(runtime, e, timeout), probes):
            results[status.endpoint] = status
    return [results[e] for e in runtime.endpoints if e in results]
