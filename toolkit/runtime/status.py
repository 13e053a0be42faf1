"""``status``: probe each enabled endpoint with its protocol's free probe (OpenAI: ``GET {baseUrl}/models``),
which spends no tokens.

A failed probe is read by the same classification as a failed completion (the
protocol's), with the same hints: ``chat`` and ``status`` say the same thing
about the same answer.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from enum import StrEnum
from typing import NamedTuple
from urllib.parse import urlsplit

from pbcfg.diagnostics import plural
from pbcfg.runtime.plan import config_problem, drop_reason
from pbcfg.runtime.protocols import protocol_for, unsupported
from pbcfg.runtime.responses import Failure, Kind, Models, absent, excerpt

__all__ = ["EndpointStatus", "State", "aprobe_all", "probe", "probe_all"]


class State(StrEnum):
    OK = "ok"
    UNREACHABLE = "unreachable"
    TLS_ERROR = "tls-error"
    AUTH_FAILED = "auth-failed"
    PROXY_AUTH = "proxy-auth"
    PROXY_CONFIG = "proxy-config"
    WRONG_PATH = "wrong-path"
    MODEL_ABSENT = "model-absent"
    REDIRECT = "redirect"
    BAD_RESPONSE = "bad-response"
    CONFIG_ERROR = "config-error"  # a base URL or key no request could carry
    ERROR = "error"
    SKIPPED = "skipped"


class EndpointStatus(NamedTuple):
    endpoint: str
    state: State
    latency_ms: float | None
    detail: str
    hint: str | None = None
    served: tuple[str, ...] = ()  # as excerpts: masked, printable
    absent: tuple[str, ...] = ()  # configured models it does not serve
    source: str | None = None  # where the fix lies: the base URL's source, or the bad value's

    @property
    def ok(self) -> bool:
        return self.state in (State.OK, State.SKIPPED)

    def serves(self, model: str) -> bool:
        """Whether a request for ``model`` can be answered here, as far as the probe can tell."""
        return self.state is State.OK or (self.state is State.MODEL_ABSENT and model not in self.absent)


_BY_KIND = {
    Kind.AUTH: State.AUTH_FAILED,
    Kind.PROXY_AUTH: State.PROXY_AUTH,
    Kind.PROXY_CONFIG: State.PROXY_CONFIG,
    Kind.REDIRECT: State.REDIRECT,
    Kind.BAD_RESPONSE: State.BAD_RESPONSE,
}


def _configured_models(runtime, endpoint_id: str) -> list[str]:
    return [
        model_id
        for model_id, model in (runtime.config.get("models") or {}).items()
        if isinstance(model, dict) and endpoint_id in (model.get("endpoints") or [])
    ]


def _failed(endpoint, failure: Failure, latency: float | None, timeout: float) -> EndpointStatus:
    base = str(endpoint.base_url.value).rstrip("/")  # a SecretURL shows its secrets starred
    port = urlsplit(base).port or (443 if base.startswith("https") else 80)
    if failure.network == "tls":
        return EndpointStatus(
            endpoint.id,
            State.TLS_ERROR,
            None,
            "TLS handshake failed",
            "check the certificate, or use http:// for a server on this machine",
        )
    if failure.network == "connect" or failure.network == "timeout":
        what = (
            "connection refused or host not found"
            if failure.detail.startswith("connection")
            else f"no answer within {timeout:g}s"
        )
        return EndpointStatus(endpoint.id, State.UNREACHABLE, None, what, f"is the server running on port {port}?")
    if failure.network is not None:
        return EndpointStatus(endpoint.id, State.ERROR, None, failure.detail)
    said = f"HTTP {failure.status}: {failure.detail}"
    if failure.status == 404:
        return EndpointStatus(
            endpoint.id,
            State.WRONG_PATH,
            latency,
            f"HTTP 404 on /models: {failure.detail}",
            protocol_for(endpoint).wrong_path_hint(base),
        )
    if failure.kind in _BY_KIND:
        return EndpointStatus(
            endpoint.id,
            _BY_KIND[failure.kind],
            latency,
            failure.detail if failure.status in (None, 200) else said,
            protocol_for(endpoint).hint(failure.kind),
        )
    return EndpointStatus(endpoint.id, State.ERROR, latency, said)


def _read(runtime, endpoint, models: Models | None, latency: float) -> EndpointStatus:
    """A probe's answer against the models the config routes to ``endpoint``."""
    served = tuple(excerpt(model_id) for model_id in models.ids) if models else ()
    missing = [m for m in _configured_models(runtime, endpoint.id) if models and m not in models.ids]
    if missing and models and models.single:
        return EndpointStatus(
            endpoint.id,
            State.OK,
            latency,
            f"llama.cpp's server: it answers every request with the one model it loaded "
            f"({served[0]}), whatever model id the request names",
            served=served,
        )
    if missing and models:
        detail, hint = absent(missing, models.ids)
        return EndpointStatus(endpoint.id, State.MODEL_ABSENT, latency, detail, hint, served, tuple(missing))
    return EndpointStatus(endpoint.id, State.OK, latency, f"{plural(len(served), 'model')} served", served=served)


def probe(runtime, endpoint, timeout: float = 5.0) -> EndpointStatus:
    """One endpoint's probe, classified."""
    start = time.perf_counter()
    try:
        models = runtime.probe(endpoint, timeout)
    except Failure as failure:
        return _failed(endpoint, failure, (time.perf_counter() - start) * 1000, timeout)
    return _read(runtime, endpoint, models, (time.perf_counter() - start) * 1000)


async def aprobe(runtime, endpoint, timeout: float = 5.0) -> EndpointStatus:
    """:func:`probe`, awaited."""
    start = time.perf_counter()
    try:
        models = await runtime.aprobe(endpoint, timeout)
    except Failure as failure:
        return _failed(endpoint, failure, (time.perf_counter() - start) * 1000, timeout)
    return _read(runtime, endpoint, models, (time.perf_counter() - start) * 1000)


def _plan(runtime) -> tuple[dict[str, EndpointStatus], list]:
    """What is known without a request (config errors, skips), and the endpoints to probe."""
    probes, results = [], {}
    for endpoint in runtime.endpoints.values():
        if not endpoint.enabled:
            continue
        problem = config_problem(endpoint) if not endpoint.missing and not unsupported(endpoint) else None
        reason = problem or drop_reason(endpoint, endpoint.id)
        untested = protocol_for(endpoint).probe_request(endpoint) if not reason else None
        if problem:
            results[endpoint.id] = EndpointStatus(
                endpoint.id, State.CONFIG_ERROR, None, problem.text, source=problem.source
            )
        elif reason or isinstance(untested, str):
            results[endpoint.id] = EndpointStatus(
                endpoint.id,
                State.SKIPPED,
                None,
                reason.text if reason else untested,  # type: ignore[arg-type]
                source=reason.source if reason else None,
            )
        else:
            probes.append(endpoint)
    return results, probes


def _ordered(runtime, results: dict, statuses) -> list[EndpointStatus]:
    for status in statuses:
        results[status.endpoint] = status._replace(source=runtime.endpoints[status.endpoint].base_url.source)
    return [results[e] for e in runtime.endpoints if e in results]


def probe_all(runtime, timeout: float = 5.0) -> list[EndpointStatus]:
    """Every enabled endpoint: probed concurrently when it can be, else skipped with the reason (or, for a base URL
    or key no request could carry, a config error)."""
    results, probes = _plan(runtime)
    with ThreadPoolExecutor(max_workers=max(1, min(8, len(probes)))) as pool:
        return _ordered(runtime, results, list(pool.map(lambda e: probe(runtime, e, timeout), probes)))


async def aprobe_all(runtime, timeout: float = 5.0) -> list[EndpointStatus]:
    """:func:`probe_all`, awaited: every probe at once."""
    import asyncio

    results, probes = _plan(runtime)
    return _ordered(runtime, results, await asyncio.gather(*(aprobe(runtime, e, timeout) for e in probes)))
