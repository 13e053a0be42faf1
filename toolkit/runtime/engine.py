"""The plan/execute loop: which candidate next, retries, fallback, cooldown, rate limits, cost.

Rules (the README's "Runtime" section states them for users):

- Endpoints of a model are tried in ascending priority, ties in list order;
  the chain's models in order, repeats dropped.
- On the same endpoint, connection errors, timeouts, 408, 409, 429 and 5xx are
  retried up to ``defaults.maxRetries`` times, with exponential backoff from
  ``defaults.retryDelayMs`` plus jitter, honouring ``Retry-After`` and
  ``retry-after-ms`` up to a cap. Then the next endpoint.
- 401/403, 404, a missing model, a proxy's auth or config error, a redirect
  and an answer that is not a completion move on at once; a missing model's
  hint names what the server serves (``GET /models``). A context-length error moves to the next
  model whose ``maxContextTokens`` is larger. Any other 400/422 stops: another
  model will not fix a bad request.
- An endpoint over its rate limit is skipped for this call. When every one is,
  the call waits for the earliest free slot up to ``max_wait``, then raises
  :class:`RateLimited` with the time to wait.
- A failure cools down for ``cooldown`` seconds, unless it is the last option:
  the whole endpoint after a connection failure, else only that model on it
  (a 429 from one model behind a proxy leaves its other models in play).
- A stream asks for its token counts (``stream_options.include_usage``); a
  server that refuses the option is asked again without it, and never again.
  Without counts, cost is unknown and the token limit counts an estimate.
- A stream falls back only until its first chunk reaches the caller. A stream
  that ends without a finish reason or ``[DONE]`` is an error.
- Every attempt ends by its deadline: ``defaults.timeout`` for the whole
  exchange (streams: :mod:`pbcfg.runtime.stream` states theirs).

HTTP lives in :mod:`pbcfg.runtime.http`, streams in :mod:`pbcfg.runtime.stream`.
"""

from __future__ import annotations

import json
import random
import threading
import time
from typing import NamedTuple

from pbcfg.ponybunny.effective import EffectiveEndpoint
from pbcfg.runtime.answers import Reply, absent, read_models
from pbcfg.runtime.classify import HINTS, Failure, Kind
from pbcfg.runtime.deadline import seconds
from pbcfg.runtime.errors import AllAttemptsFailed, NoRoute, RateLimited, RequestRejected
from pbcfg.runtime.http import Http
from pbcfg.runtime.plan import Candidate, Plan, make_plan
from pbcfg.runtime.results import Attempt, Completion, Outcome
from pbcfg.runtime.stream import open_stream

__all__ = ["Runtime"]

_SKIPPED = (Outcome.RATE_LIMITED, Outcome.COOLDOWN)
CHARACTERS_PER_TOKEN = 4  # for a token estimate when a server reports no usage


class Runtime:
    """A loaded config, ready to plan and run requests. Thread-safe; one pooled client per endpoint.

    A context manager: leaving it closes every client and every stream still open.
    """

    def __init__(self, merged: dict, endpoints: dict[str, EffectiveEndpoint], *, window=None, cooldowns=None,
                 clock=time.monotonic,
                 sleep=time.sleep, rng: random.Random | None = None, transport=None, cooldown: float = 10.0,
                 retry_after_cap: float = 60.0, max_wait: float = 30.0, stream_deadline: float = 600.0,
                 documents: dict | None = None, directory: str = ".") -> None:
        from pbcfg.runtime.limiter import MemoryCooldowns, MemoryWindow

        self.config = merged
        self.endpoints = endpoints
        self.documents = documents or {}  # the parsed files by kind, to place a finding in them
        self.directory = directory  # the config directory they are (or would be) in
        self.defaults = merged.get("defaults") or {}
        self.window = window or MemoryWindow(clock)
        self.cooldowns = cooldowns or MemoryCooldowns(clock)  # (endpoint, model or None for all) -> seconds left
        self.clock, self.sleep = clock, sleep
        self.rng = rng or random.Random()
        self.http = Http(transport, retry_after_cap, clock)
        self.cooldown, self.retry_after_cap, self.max_wait = cooldown, retry_after_cap, max_wait
        self.stream_deadline = stream_deadline  # a stream's total deadline, in seconds
        self._no_stream_options: set[str] = set()  # endpoints that refused stream_options
        self._plans: dict[tuple, Plan] = {}  # the config never changes, so neither does a plan
        self._streams: set = set()  # open until read to the end or closed, even when dropped unread
        self._lock = threading.Lock()

    def __enter__(self) -> Runtime:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        """Close every stream still open, then every client."""
        with self._lock:
            streams = list(self._streams)
        for stream in streams:
            stream.close()
        self.http.close()

    def _forget_stream(self, stream) -> None:
        with self._lock:
            self._streams.discard(stream)

    @property
    def user_config(self) -> dict:
        """The user's llm-config.json as written (before PonyBunny's defaults), or {} without one."""
        document = self.documents.get("llm-config")
        return document.data if document is not None and isinstance(document.data, dict) else {}

    @property
    def llm_config(self):
        """The merged config as the typed, generated model (pydantic is imported only here)."""
        from pbcfg.generated import LlmConfig

        return LlmConfig.model_validate(self.config)

    def status(self, timeout: float = 5.0) -> list:
        """Probe every enabled endpoint; see :mod:`pbcfg.runtime.status`."""
        from pbcfg.runtime.status import probe_all

        return probe_all(self, timeout)

    def models(self, endpoint: EffectiveEndpoint, timeout: float = 5.0) -> tuple[int, bytes]:
        """``GET {baseUrl}/models`` on ``endpoint`` within ``timeout`` seconds: (status, body); a failure raises
        :class:`~pbcfg.runtime.classify.Failure`."""
        return self.http.get_models(endpoint, seconds(timeout))

    # -- planning ------------------------------------------------------------------------------

    def plan(self, *, tier: str | None = None, agent: str | None = None, model: str | None = None) -> Plan:
        if sum(x is not None for x in (tier, agent, model)) != 1:
            from pbcfg.errors import UsageError

            raise UsageError("give exactly one of tier, agent or model")
        key = (tier, agent, model)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = make_plan(self.config, self.endpoints, tier=tier, agent=agent, model=model)
        return plan

    # -- bookkeeping ---------------------------------------------------------------------------

    def _rate_limit(self, endpoint_id: str) -> dict:
        return (self.config.get("endpoints", {}).get(endpoint_id) or {}).get("rateLimit") or {}

    def _limit_wait(self, endpoint: EffectiveEndpoint) -> float | None:
        """None when a request may go now (a slot is taken), else the seconds until one is free."""
        limit = self._rate_limit(endpoint.id)
        tokens = limit.get("tokensPerMinute")
        if tokens and self.window.used(f"{endpoint.id}:tokens") >= tokens:
            return 60.0
        requests = limit.get("requestsPerMinute")
        return self.window.acquire(f"{endpoint.id}:requests", requests) if requests else None

    def record_usage(self, endpoint: EffectiveEndpoint, usage: dict, characters=lambda: 0) -> None:
        """Count a call's tokens against the endpoint's ``tokensPerMinute``: the server's usage, or when it reported
        none, an estimate of one token per :data:`CHARACTERS_PER_TOKEN` of ``characters()`` (prompt and answer)."""
        if not self._rate_limit(endpoint.id).get("tokensPerMinute"):
            return
        total = usage.get("total_tokens") or (usage.get("prompt_tokens", 0) + usage.get("completion_tokens", 0))
        total = total or -(-characters() // CHARACTERS_PER_TOKEN)
        if total:
            self.window.record(f"{endpoint.id}:tokens", int(total))

    def cost(self, candidate: Candidate, usage: dict) -> float | None:
        """What ``usage`` costs on this model and endpoint (``costPer1kTokens`` × ``costMultiplier``); None when
        the server reported no token counts."""
        if "prompt_tokens" not in usage and "completion_tokens" not in usage:
            return None
        prices = (self.config.get("models", {}).get(candidate.model) or {}).get("costPer1kTokens") or {}
        multiplier = (self.config.get("endpoints", {}).get(candidate.endpoint.id) or {}).get("costMultiplier", 1)
        return ((usage.get("prompt_tokens", 0) * prices.get("input", 0)
                 + usage.get("completion_tokens", 0) * prices.get("output", 0)) / 1000) * multiplier

    def _cooling_down(self, candidate: Candidate) -> bool:
        """Whether the endpoint (after a connection failure) or this model on it (after anything else) failed a
        moment ago, here or in another worker sharing the state."""
        return self.cooldowns.remaining(candidate.endpoint.id, candidate.model) > 0

    def _cool(self, candidate: Candidate, failure: Failure) -> None:
        """A connection that could not be made cools the whole endpoint; any other failure (a 429, a model error,
        a refused key, a bad answer) only this model on it: a proxy's other models stay in play. For as long as the
        server's Retry-After asked, else ``cooldown`` seconds."""
        if failure.kind in (Kind.CONTEXT_LENGTH, Kind.REJECTED):
            return  # the request's fault, not the endpoint's
        model = None if failure.network in ("connect", "tls") else candidate.model
        self.cooldowns.cool(candidate.endpoint.id, model, failure.retry_after or self.cooldown)

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        base = self.defaults.get("retryDelayMs", 1000) / 1000 * (2 ** attempt)
        delay = base * (1 + self.rng.uniform(0, 0.25))
        return min(max(delay, retry_after or 0.0), self.retry_after_cap)

    def _explain(self, candidate: Candidate, failure: Failure, timeout: float) -> tuple[Outcome, str | None]:
        """The outcome and hint of a failure, as ``status`` would put them. A missing model (or a 404) asks the
        server what it serves (``GET /models``, free), to name it and the closest id."""
        outcome = {Kind.RETRY: Outcome.FAILED, Kind.NO_STREAM_OPTIONS: Outcome.REJECTED}.get(failure.kind) or \
            Outcome(failure.kind.value)
        if failure.kind not in (Kind.MODEL_ABSENT, Kind.NOT_FOUND):
            return outcome, HINTS.get(failure.kind)
        try:
            status, body = self.models(candidate.endpoint, min(timeout, 5.0))
            models = read_models(body, status)
        except Failure as probe:
            if probe.status == 404:
                base = str(candidate.endpoint.base_url.value).rstrip("/")
                return outcome, f"GET /models answers 404 too: the base URL probably lacks /v1: try {base}/v1"
            return outcome, None
        if candidate.model in models.ids:
            return outcome, None
        return Outcome.MODEL_ABSENT, absent([candidate.model], models.ids)[1]

    # -- execution -----------------------------------------------------------------------------

    def complete(self, messages: list[dict], *, tier: str | None = None, agent: str | None = None,
                 model: str | None = None, stream: bool = False, max_wait: float | None = None, **params):
        """Run one chat completion through the plan; see the module docstring for the rules."""
        plan = self.plan(tier=tier, agent=agent, model=model)
        if not plan.attempts:
            reasons = "; ".join(f"{d.model}@{d.endpoint or '-'}: {d.reason}" for d in plan.dropped)
            raise NoRoute(f"no usable endpoint for {tier or agent or model!r}: {reasons}", plan.dropped)
        timeout = seconds(params.pop("timeout", self.defaults.get("timeout", 120000) / 1000))
        body = {"messages": messages, "max_tokens": self.defaults.get("maxTokens", 4096),
                "temperature": self.defaults.get("temperature", 0.7), **params}
        if stream:
            body["stream"] = True
        call = _Call(plan, body, timeout, stream, [])
        budget = self.max_wait if max_wait is None else max_wait
        while True:
            result, wait = self._run_plan(call)
            if result is not None:
                return result
            if wait is None:
                break
            if wait > budget:
                raise RateLimited(f"every endpoint is over its rate limit; retry in {wait:.1f}s", wait, call.attempts)
            self.sleep(wait)
            budget -= wait
        attempts = call.attempts
        first = next((a for a in attempts if a.outcome not in _SKIPPED), attempts[0])
        listing = "; ".join(f"{a.model}@{a.endpoint}: {a.outcome}" + (f" ({a.detail})" if a.detail else "")
                            for a in attempts)
        raise AllAttemptsFailed(f"every attempt failed; first: {first.model}@{first.endpoint} {first.outcome}"
                                + (f" ({first.detail})" if first.detail else "")
                                + (f"; {first.hint}" if first.hint else "") + f". Attempts: {listing}",
                                f"{first.outcome}: {first.detail}", attempts)

    def _request_body(self, call: _Call, candidate: Candidate) -> dict:
        body = {**call.body, "model": candidate.model}
        if call.stream and "stream_options" not in body and candidate.endpoint.id not in self._no_stream_options:
            body["stream_options"] = {"include_usage": True}  # the token counts arrive in a last chunk
        return body

    def _run_plan(self, call: _Call):
        """One pass over the plan: (result, None), or (None, seconds to wait) if only rate limits stood in the
        way, or (None, None) when it is over."""
        retries = self.defaults.get("maxRetries", 2)
        waits: list[float] = []
        sent = False
        context_floor = None  # after a context-length error: only models with a larger window
        candidates, attempts = call.plan.attempts, call.attempts
        for index, candidate in enumerate(candidates):
            endpoint = candidate.endpoint
            window = (self.config.get("models", {}).get(candidate.model) or {}).get("maxContextTokens") or 0
            if context_floor is not None and window <= context_floor:
                continue
            if self._cooling_down(candidate) and any(not self._cooling_down(c) for c in candidates[index + 1 :]):
                attempts.append(Attempt(candidate.model, endpoint.id, Outcome.COOLDOWN))
                continue
            attempt_number = 0
            while attempt_number <= retries:
                wait = self._limit_wait(endpoint)
                if wait is not None:
                    attempts.append(Attempt(candidate.model, endpoint.id, Outcome.RATE_LIMITED,
                                            f"free in {wait:.1f}s"))
                    waits.append(wait)
                    break
                sent = True
                body = self._request_body(call, candidate)
                try:
                    answer = self.http.post_chat(endpoint, candidate.model, body, call.timeout, call.stream)
                    if call.stream:
                        response, at = answer
                        opened = open_stream(self, candidate, response, at, call.timeout, attempts,
                                             call.characters, on_close=self._forget_stream)
                        with self._lock:
                            self._streams.add(opened)
                        return opened, None
                    attempts.append(Attempt(candidate.model, endpoint.id, Outcome.OK, status=200))
                    return self._completion(call, candidate, answer), None
                except Failure as failure:
                    if failure.kind is Kind.NO_STREAM_OPTIONS and "stream_options" not in call.body:
                        self._no_stream_options.add(endpoint.id)  # this server does not take it: never again
                        attempts.append(Attempt(candidate.model, endpoint.id, Outcome.RETRY,
                                                f"{failure.detail} (sent again without stream_options)",
                                                failure.status))
                        continue
                    if failure.kind is Kind.RETRY and attempt_number < retries:
                        attempts.append(Attempt(candidate.model, endpoint.id, Outcome.RETRY, failure.detail,
                                                failure.status))
                        self.sleep(self._backoff(attempt_number, failure.retry_after))
                        attempt_number += 1
                        continue
                    outcome, hint = self._explain(candidate, failure, call.timeout)
                    attempts.append(Attempt(candidate.model, endpoint.id, outcome, failure.detail, failure.status,
                                            hint))
                    if failure.kind in (Kind.REJECTED, Kind.NO_STREAM_OPTIONS):
                        raise RequestRejected(f"{candidate.model}@{endpoint.id} rejected the request "
                                              f"({failure.status}): {failure.detail}", attempts) from None
                    if failure.kind is Kind.CONTEXT_LENGTH:
                        context_floor = window
                    self._cool(candidate, failure)
                    break
        if not sent and waits:
            return None, min(waits)
        return None, None

    def _completion(self, call: _Call, candidate: Candidate, reply: Reply) -> Completion:
        self.record_usage(candidate.endpoint, reply.usage, lambda: call.characters() + len(reply.content))
        return Completion(reply.content, candidate.model, candidate.endpoint.id, call.attempts, reply.usage,
                          self.cost(candidate, reply.usage), reply.finish_reason)


class _Call(NamedTuple):
    """One ``complete`` call: what it sends, and every attempt so far."""

    plan: Plan
    body: dict
    timeout: float
    stream: bool
    attempts: list

    def characters(self) -> int:
        """The prompt's length, for a token estimate when a server reports no usage (computed only then)."""
        return len(json.dumps(self.body.get("messages"), default=str))
