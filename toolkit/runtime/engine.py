"""The plan/execute loop: which candidate next, retries, fallback, cooldown, rate limits, cost.

Rules (the README's "Runtime" section states them for users):

- Endpoints of a model are tried in ascending priority, ties in list order;
  the chain's models in order, repeats dropped.
- On the same endpoint, connection errors, timeouts, 408, 409, 429 and 5xx are
  retried up to ``defaults.maxRetries`` times, with exponential backoff from
  ``defaults.retryDelayMs`` plus jitter, honouring ``Retry-After`` and
  ``retry-after-ms`` up to a cap. Then the next endpoint.
- 401/403, 404, a redirect and an answer that is not a completion move on at once. A context-length error moves to the next
  model whose ``maxContextTokens`` is larger. Any other 400/422 stops: another
  model will not fix a bad request.
- An endpoint over its rate limit is skipped for this call. When every one is,
  the call waits for the earliest free slot up to ``max_wait``, then raises
  :class:`RateLimited` with the time to wait.
- An endpoint that failed is skipped for ``cooldown`` seconds, unless it is
  the last option.
- A stream falls back only until its first chunk reaches the caller. A stream
  that ends without a finish reason or ``[DONE]`` is an error.
- Every attempt ends by its deadline: ``defaults.timeout`` for the whole
  exchange (streams: :mod:`pbcfg.runtime.stream` states theirs).

HTTP lives in :mod:`pbcfg.runtime.http`, streams in :mod:`pbcfg.runtime.stream`.
"""

from __future__ import annotations

import random
import threading
import time

from pbcfg.ponybunny.effective import EffectiveEndpoint
from pbcfg.runtime.answers import Reply
from pbcfg.runtime.classify import Failure, Kind
from pbcfg.runtime.deadline import seconds
from pbcfg.runtime.errors import AllAttemptsFailed, NoRoute, RateLimited, RequestRejected
from pbcfg.runtime.http import Http
from pbcfg.runtime.plan import Candidate, Plan, make_plan
from pbcfg.runtime.results import Attempt, Completion, Outcome
from pbcfg.runtime.stream import open_stream

__all__ = ["Runtime"]

_SKIPPED = (Outcome.RATE_LIMITED, Outcome.COOLDOWN)


class Runtime:
    """A loaded config, ready to plan and run requests. Thread-safe; one pooled client per endpoint.

    A context manager: leaving it closes every client and every stream still open.
    """

    def __init__(self, merged: dict, endpoints: dict[str, EffectiveEndpoint], *, window=None, clock=time.monotonic,
                 sleep=time.sleep, rng: random.Random | None = None, transport=None, cooldown: float = 10.0,
                 retry_after_cap: float = 60.0, max_wait: float = 30.0, stream_deadline: float = 600.0) -> None:
        from pbcfg.runtime.limiter import MemoryWindow

        self.config = merged
        self.endpoints = endpoints
        self.defaults = merged.get("defaults") or {}
        self.window = window or MemoryWindow(clock)
        self.clock, self.sleep = clock, sleep
        self.rng = rng or random.Random()
        self.http = Http(transport, retry_after_cap, clock)
        self.cooldown, self.retry_after_cap, self.max_wait = cooldown, retry_after_cap, max_wait
        self.stream_deadline = stream_deadline  # a stream's total deadline, in seconds
        self._cooling: dict[str, float] = {}
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

    def record_usage(self, endpoint: EffectiveEndpoint, usage: dict) -> None:
        """Count a call's tokens against the endpoint's ``tokensPerMinute``."""
        total = usage.get("total_tokens") or (usage.get("prompt_tokens", 0) + usage.get("completion_tokens", 0))
        if self._rate_limit(endpoint.id).get("tokensPerMinute") and total:
            self.window.record(f"{endpoint.id}:tokens", int(total))

    def cost(self, candidate: Candidate, usage: dict) -> float:
        """What ``usage`` costs on this model and endpoint (``costPer1kTokens`` × ``costMultiplier``)."""
        prices = (self.config.get("models", {}).get(candidate.model) or {}).get("costPer1kTokens") or {}
        multiplier = (self.config.get("endpoints", {}).get(candidate.endpoint.id) or {}).get("costMultiplier", 1)
        return ((usage.get("prompt_tokens", 0) * prices.get("input", 0)
                 + usage.get("completion_tokens", 0) * prices.get("output", 0)) / 1000) * multiplier

    def _cooling_down(self, endpoint_id: str) -> bool:
        with self._lock:
            return self._cooling.get(endpoint_id, float("-inf")) > self.clock()

    def _cool(self, endpoint_id: str) -> None:
        with self._lock:
            self._cooling[endpoint_id] = self.clock() + self.cooldown

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        base = self.defaults.get("retryDelayMs", 1000) / 1000 * (2 ** attempt)
        delay = base * (1 + self.rng.uniform(0, 0.25))
        return min(max(delay, retry_after or 0.0), self.retry_after_cap)

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
        budget = self.max_wait if max_wait is None else max_wait
        attempts: list[Attempt] = []
        while True:
            result, wait = self._run_plan(plan, body, timeout, stream, attempts)
            if result is not None:
                return result
            if wait is None:
                break
            if wait > budget:
                raise RateLimited(f"every endpoint is over its rate limit; retry in {wait:.1f}s", wait, attempts)
            self.sleep(wait)
            budget -= wait
        first = next((a for a in attempts if a.outcome not in _SKIPPED), attempts[0])
        listing = "; ".join(f"{a.model}@{a.endpoint}: {a.outcome}" + (f" ({a.detail})" if a.detail else "")
                            for a in attempts)
        raise AllAttemptsFailed(f"every attempt failed; first: {first.model}@{first.endpoint} {first.outcome}"
                                + (f" ({first.detail})" if first.detail else "") + f". Attempts: {listing}",
                                f"{first.outcome}: {first.detail}", attempts)

    def _run_plan(self, plan: Plan, body: dict, timeout: float, stream: bool, attempts: list[Attempt]):
        """One pass over the plan: (result, None), or (None, seconds to wait) if only rate limits stood in the
        way, or (None, None) when it is over."""
        retries = self.defaults.get("maxRetries", 2)
        waits: list[float] = []
        sent = False
        context_floor = None  # after a context-length error: only models with a larger window
        candidates = plan.attempts
        for index, candidate in enumerate(candidates):
            endpoint = candidate.endpoint
            window = (self.config.get("models", {}).get(candidate.model) or {}).get("maxContextTokens") or 0
            if context_floor is not None and window <= context_floor:
                continue
            later = [c for c in candidates[index + 1 :] if not self._cooling_down(c.endpoint.id)]
            if self._cooling_down(endpoint.id) and later:
                attempts.append(Attempt(candidate.model, endpoint.id, Outcome.COOLDOWN))
                continue
            for attempt_number in range(retries + 1):
                wait = self._limit_wait(endpoint)
                if wait is not None:
                    attempts.append(Attempt(candidate.model, endpoint.id, Outcome.RATE_LIMITED,
                                            f"free in {wait:.1f}s"))
                    waits.append(wait)
                    break
                sent = True
                try:
                    answer = self.http.post_chat(endpoint, candidate.model, {**body, "model": candidate.model},
                                                 timeout, stream)
                    if stream:
                        response, at = answer
                        opened = open_stream(self, candidate, response, at, timeout, attempts,
                                             on_close=self._forget_stream)
                        with self._lock:
                            self._streams.add(opened)
                        return opened, None
                    attempts.append(Attempt(candidate.model, endpoint.id, Outcome.OK, status=200))
                    return self._completion(candidate, answer, attempts), None
                except Failure as failure:
                    if failure.kind is Kind.RETRY and attempt_number < retries:
                        attempts.append(Attempt(candidate.model, endpoint.id, Outcome.RETRY, failure.detail,
                                                failure.status))
                        self.sleep(self._backoff(attempt_number, failure.retry_after))
                        continue
                    outcome = Outcome.FAILED if failure.kind is Kind.RETRY else Outcome(failure.kind.value)
                    attempts.append(Attempt(candidate.model, endpoint.id, outcome, failure.detail, failure.status))
                    if failure.kind is Kind.REJECTED:
                        raise RequestRejected(f"{candidate.model}@{endpoint.id} rejected the request "
                                              f"({failure.status}): {failure.detail}", attempts) from None
                    if failure.kind is Kind.CONTEXT_LENGTH:
                        context_floor = window
                    elif failure.kind in (Kind.RETRY, Kind.AUTH):
                        self._cool(endpoint.id)
                    break
        if not sent and waits:
            return None, min(waits)
        return None, None

    def _completion(self, candidate: Candidate, reply: Reply, attempts: list[Attempt]) -> Completion:
        self.record_usage(candidate.endpoint, reply.usage)
        return Completion(reply.content, candidate.model, candidate.endpoint.id, attempts, reply.usage,
                          self.cost(candidate, reply.usage), reply.finish_reason)
