"""The runtime: execute a validated config the way PonyBunny's docs promise.

Rules (the README's "Runtime" section states them for users):

- Endpoints of a model are tried in ascending priority, ties in list order;
  the chain's models in order, repeats dropped.
- On the same endpoint, connection errors, timeouts, 408, 409, 429 and 5xx are
  retried up to ``defaults.maxRetries`` times, with exponential backoff from
  ``defaults.retryDelayMs`` plus jitter, honouring ``Retry-After`` and
  ``retry-after-ms`` up to a cap. Then the next endpoint.
- 401/403 and 404 move on at once. A context-length error moves to the next
  model whose ``maxContextTokens`` is larger. Any other 400/422 stops: another
  model will not fix a bad request.
- An endpoint over its rate limit is skipped for this call. When every one is,
  the call waits for the earliest free slot up to ``max_wait``, then raises
  :class:`RateLimited` with the time to wait.
- An endpoint that failed is skipped for ``cooldown`` seconds, unless it is
  the last option.
- A stream falls back only until its first chunk reaches the caller. A stream
  that ends without a finish reason or ``[DONE]`` is an error.
"""

from __future__ import annotations

import json
import random
import threading
import time
from typing import NamedTuple

from pbcfg.ponybunny.effective import EffectiveEndpoint
from pbcfg.runtime.classify import classify, retry_after_seconds
from pbcfg.runtime.errors import AllAttemptsFailed, NoRoute, RateLimited, RequestRejected, StreamInterrupted
from pbcfg.runtime.plan import Candidate, Plan, make_plan
from pbcfg.runtime.sse import SSEDecoder
from pbcfg.util.masking import mask

__all__ = ["Attempt", "Completion", "Runtime", "Stream"]

AZURE_API_VERSION = "2024-10-21"


class Attempt(NamedTuple):
    model: str
    endpoint: str
    outcome: str  # ok | retry | failed | auth | not-found | context-length | rejected | rate-limited | cooldown
    detail: str = ""
    status: int | None = None


class Completion(NamedTuple):
    content: str
    model: str
    endpoint: str
    attempts: list[Attempt]
    usage: dict
    cost: float
    finish_reason: str | None


class _Failure(Exception):
    """One HTTP exchange that did not succeed, classified."""

    def __init__(self, kind: str, detail: str, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(detail)
        self.kind, self.detail, self.status, self.retry_after = kind, detail, status, retry_after


class Stream:
    """Iterate for text deltas; afterwards ``content``, ``usage``, ``cost`` and ``finish_reason`` are set."""

    def __init__(self, runtime: Runtime, candidate: Candidate, response, events, first: list[dict],
                 attempts: list[Attempt]) -> None:
        self._runtime, self._candidate, self._response, self._events = runtime, candidate, response, events
        self._pending = first
        self.model, self.endpoint, self.attempts = candidate.model, candidate.endpoint.id, attempts
        self.content, self.usage, self.cost, self.finish_reason = "", {}, 0.0, None

    def __iter__(self):
        done = False
        try:
            while not done:
                if not self._pending:
                    try:
                        self._pending.extend(next(self._events))
                    except StopIteration:
                        break
                    continue
                chunk = self._pending.pop(0)
                if chunk is None:  # [DONE]
                    done = True
                    break
                delta = self._absorb(chunk)
                if delta:
                    yield delta
        except _Failure as failure:
            raise StreamInterrupted(f"stream from {self.endpoint} broke after its first chunk: {failure.detail}",
                                    self.attempts) from None
        finally:
            self._response.close()
        if not done and self.finish_reason is None:
            raise StreamInterrupted(f"stream from {self.endpoint} ended without a finish reason or [DONE]",
                                    self.attempts)
        self.cost = self._runtime._cost(self._candidate, self.usage)
        self._runtime._record_tokens(self._candidate.endpoint, self.usage)

    def _absorb(self, chunk: dict) -> str:
        if isinstance(chunk.get("usage"), dict):
            self.usage = chunk["usage"]
        choices = chunk.get("choices") or []
        if not choices:
            return ""
        choice = choices[0]
        if choice.get("finish_reason"):
            self.finish_reason = choice["finish_reason"]
        delta = (choice.get("delta") or {}).get("content") or ""
        self.content += delta
        return delta


class Runtime:
    """A loaded config, ready to plan and run requests. Thread-safe; one pooled client per endpoint."""

    def __init__(self, merged: dict, endpoints: dict[str, EffectiveEndpoint], *, window=None, clock=time.monotonic,
                 sleep=time.sleep, rng: random.Random | None = None, transport=None, cooldown: float = 10.0,
                 retry_after_cap: float = 60.0, max_wait: float = 30.0) -> None:
        from pbcfg.runtime.limiter import MemoryWindow

        self.config = merged
        self.endpoints = endpoints
        self.defaults = merged.get("defaults") or {}
        self.window = window or MemoryWindow(clock)
        self.clock, self.sleep = clock, sleep
        self.rng = rng or random.Random()
        self.transport = transport
        self.cooldown, self.retry_after_cap, self.max_wait = cooldown, retry_after_cap, max_wait
        self._cooling: dict[str, float] = {}
        self._clients: dict[str, object] = {}
        self._plans: dict[tuple, Plan] = {}  # the config never changes, so neither does a plan
        self._lock = threading.Lock()

    @property
    def llm_config(self):
        """The merged config as the typed, generated model (pydantic is imported only here)."""
        from pbcfg.generated import LlmConfig

        return LlmConfig.model_validate(self.config)

    def status(self, timeout: float = 5.0) -> list:
        """Probe every enabled endpoint; see :mod:`pbcfg.runtime.status`."""
        from pbcfg.runtime.status import probe_all

        return probe_all(self, timeout)

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

    # -- HTTP ----------------------------------------------------------------------------------

    def _client(self, endpoint: EffectiveEndpoint):
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

    def _request(self, candidate: Candidate, body: dict) -> tuple[str, dict]:
        endpoint = candidate.endpoint
        key = endpoint.fields.get("apiKey")
        if endpoint.id == "azure-openai":
            base = str(endpoint.fields["endpoint"].value).rstrip("/")
            url = f"{base}/openai/deployments/{candidate.model}/chat/completions?api-version={AZURE_API_VERSION}"
            return url, {"api-key": str(key.value) if key else ""}
        url = str(endpoint.base_url.value).rstrip("/") + "/chat/completions"
        return url, ({"Authorization": f"Bearer {key.value}"} if key else {})

    def _redact(self, text: str, endpoint: EffectiveEndpoint) -> str:
        """A server may echo the request: never let a key through in a message."""
        for field in ("apiKey", "secretAccessKey", "accessKeyId"):
            value = endpoint.fields.get(field)
            if value and isinstance(value.value, str) and len(value.value) >= 4:
                text = text.replace(value.value, mask(value.value))
        return text

    def _send(self, candidate: Candidate, body: dict, timeout: float, stream: bool):
        import httpx

        url, headers = self._request(candidate, body)
        client = self._client(candidate.endpoint)
        try:
            request = client.build_request("POST", url, json=body, headers=headers, timeout=timeout)
            response = client.send(request, stream=True)
        except httpx.TimeoutException:
            raise _Failure("retry", "timeout") from None
        except httpx.TransportError as error:
            raise _Failure("retry", f"connection error: {type(error).__name__}") from None
        if response.status_code >= 400:
            try:
                text = response.read().decode("utf-8", "replace")
            except httpx.HTTPError:
                text = ""
            finally:
                response.close()
            verdict = classify(response.status_code, text)
            retry_after = retry_after_seconds(response.headers, self.retry_after_cap)
            raise _Failure(verdict.kind, self._redact(verdict.message, candidate.endpoint), response.status_code,
                           retry_after)
        if stream:
            return response
        try:
            data = json.loads(response.read())
        except (ValueError, httpx.HTTPError) as error:
            raise _Failure("retry", f"unreadable response: {type(error).__name__}") from None
        finally:
            response.close()
        return data

    # -- bookkeeping ---------------------------------------------------------------------------

    def _limit_wait(self, endpoint: EffectiveEndpoint) -> float | None:
        """None when a request may go now (a slot is taken), else the seconds until one is free."""
        limit = (self.config.get("endpoints", {}).get(endpoint.id) or {}).get("rateLimit") or {}
        tokens = limit.get("tokensPerMinute")
        if tokens and self.window.used(f"{endpoint.id}:tokens") >= tokens:
            return 60.0
        requests = limit.get("requestsPerMinute")
        return self.window.acquire(f"{endpoint.id}:requests", requests) if requests else None

    def _record_tokens(self, endpoint: EffectiveEndpoint, usage: dict) -> None:
        limit = (self.config.get("endpoints", {}).get(endpoint.id) or {}).get("rateLimit") or {}
        total = usage.get("total_tokens") or (usage.get("prompt_tokens", 0) + usage.get("completion_tokens", 0))
        if limit.get("tokensPerMinute") and total:
            self.window.record(f"{endpoint.id}:tokens", int(total))

    def _cost(self, candidate: Candidate, usage: dict) -> float:
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
        timeout = params.pop("timeout", self.defaults.get("timeout", 120000) / 1000)
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
        first = next((a for a in attempts if a.outcome not in ("rate-limited", "cooldown")), attempts[0])
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
                attempts.append(Attempt(candidate.model, endpoint.id, "cooldown"))
                continue
            for attempt_number in range(retries + 1):
                wait = self._limit_wait(endpoint)
                if wait is not None:
                    attempts.append(Attempt(candidate.model, endpoint.id, "rate-limited", f"free in {wait:.1f}s"))
                    waits.append(wait)
                    break
                sent = True
                try:
                    answer = self._send(candidate, {**body, "model": candidate.model}, timeout, stream)
                    if stream:
                        return self._open_stream(candidate, answer, attempts), None
                    attempts.append(Attempt(candidate.model, endpoint.id, "ok", status=200))
                    return self._completion(candidate, answer, attempts), None
                except _Failure as failure:
                    if failure.kind == "retry" and attempt_number < retries:
                        attempts.append(Attempt(candidate.model, endpoint.id, "retry", failure.detail, failure.status))
                        self.sleep(self._backoff(attempt_number, failure.retry_after))
                        continue
                    outcome = "failed" if failure.kind == "retry" else failure.kind
                    attempts.append(Attempt(candidate.model, endpoint.id, outcome, failure.detail, failure.status))
                    if failure.kind == "rejected":
                        raise RequestRejected(f"{candidate.model}@{endpoint.id} rejected the request "
                                              f"({failure.status}): {failure.detail}", attempts) from None
                    if failure.kind == "context-length":
                        context_floor = window
                    elif failure.kind in ("retry", "auth"):
                        self._cool(endpoint.id)
                    break
        if not sent and waits:
            return None, min(waits)
        return None, None

    def _completion(self, candidate: Candidate, data: dict, attempts: list[Attempt]) -> Completion:
        choice = (data.get("choices") or [{}])[0]
        usage = data.get("usage") or {}
        self._record_tokens(candidate.endpoint, usage)
        return Completion((choice.get("message") or {}).get("content") or "", candidate.model, candidate.endpoint.id,
                          attempts, usage, self._cost(candidate, usage), choice.get("finish_reason"))

    def _open_stream(self, candidate: Candidate, response, attempts: list[Attempt]) -> Stream:
        """Read up to the first chunk before handing the stream over, so a dead stream still falls back."""
        import httpx

        decoder = SSEDecoder()

        def batches():
            try:
                for raw in response.iter_bytes():
                    yield [_event(e) for e in decoder.feed(raw)]
                yield [_event(e) for e in decoder.close()]
            except httpx.HTTPError as error:
                raise _Failure("retry", f"stream broke: {type(error).__name__}") from None

        events = batches()
        first: list = []
        try:
            while not any(c is None or (c.get("choices") or c.get("usage")) for c in first):
                first.extend(next(events))
        except StopIteration:
            response.close()
            raise _Failure("retry", "stream ended before any chunk") from None
        except _Failure:
            response.close()
            raise
        attempts.append(Attempt(candidate.model, candidate.endpoint.id, "ok", status=200))
        return Stream(self, candidate, response, events, first, attempts)


def _event(data: str):
    """A decoded SSE chunk; None stands for ``[DONE]``."""
    if data.strip() == "[DONE]":
        return None
    try:
        chunk = json.loads(data)
    except ValueError:
        raise _Failure("retry", "malformed stream chunk") from None
    return chunk if isinstance(chunk, dict) else {}
