"""The sans-IO core: one call's plan, retries, fallback, limits, cooldown, deadlines and cost as a state machine
that yields effects (send, sleep, acquire a slot, …) and performs none. The sync and async drivers
(:mod:`pbcfg.runtime.drivers`) run it; both get the same decisions because there is one copy of them.

Rules (the README's "Runtime" section states them for users):

- Endpoints of a model are tried in ascending priority, ties in list order;
  the chain's models in order, repeats dropped.
- On the same endpoint, connection errors, timeouts, 408, 409, 429 and 5xx are
  retried up to ``defaults.maxRetries`` times, with exponential backoff from
  ``defaults.retryDelayMs`` plus jitter, honouring ``Retry-After`` and
  ``retry-after-ms`` up to a cap. Then the next endpoint.
- 401/403, 404, a missing model, a proxy's auth or config error, a redirect
  and an answer that is not a completion move on at once; a missing model's
  hint names what the server serves (the protocol's free probe). A context-length error moves to the next
  model whose ``maxContextTokens`` is larger. Any other 400/422 stops: another
  model will not fix a bad request.
- An endpoint over its rate limit is skipped for this call. When every one is,
  the call waits for the earliest free slot up to ``max_wait``, then raises
  :class:`RateLimited` with the time to wait. A slot is taken only when the request goes out.
- A failure cools down for as long as the server's Retry-After asked, else ``cooldown`` seconds, unless it is
  the last option: the whole endpoint after a connection failure, else only that model on it
  (a 429 from one model behind a proxy leaves its other models in play). Shared through Redis, every
  worker skips it for that long.
- A stream asks for its token counts where its protocol must ask; a
  server that refuses the option is asked again without it, and never again.
  Without counts, cost is unknown and the token limit counts an estimate.
- A stream falls back only until its first chunk reaches the caller. A stream
  that ends without a finish reason or an end marker is an error.
- Every attempt ends by its deadline: ``defaults.timeout`` for the whole
  exchange (streams: :mod:`pbcfg.runtime.stream` states theirs).
"""

from __future__ import annotations

import json
import random
import time
from typing import TYPE_CHECKING, Any, NamedTuple

from pbcfg.runtime.plan import Candidate, Plan, make_plan
from pbcfg.runtime.protocols.base import ChatRequest
from pbcfg.runtime.responses import Failure, Kind, absent
from pbcfg.runtime.results import AllAttemptsFailed, Attempt, Completion, NoRoute, Outcome, RateLimited, RequestRejected
from pbcfg.runtime.transport import seconds

if TYPE_CHECKING:
    from collections.abc import Generator

    from pbcfg.ponybunny.effective import EffectiveEndpoint
    from pbcfg.runtime.protocols.base import HttpRequest, Protocol

__all__ = [
    "CHARACTERS_PER_TOKEN",
    "COOLDOWN",
    "RETRY_AFTER_CAP",
    "Acquire",
    "Cool",
    "Engine",
    "Probe",
    "Record",
    "Cooling",
    "Send",
    "Sleep",
    "chat_request",
    "limit_wait",
]

_SKIPPED = (Outcome.RATE_LIMITED, Outcome.COOLDOWN)
CHARACTERS_PER_TOKEN = 4  # for a token estimate when a server reports no usage
LISTED_ATTEMPTS = 10  # attempts a failure's message names; the exception's attempts hold them all
COOLDOWN = 10.0  # seconds a failure cools when the server gave no Retry-After
RETRY_AFTER_CAP = 60.0  # the longest Retry-After honoured, as a backoff and as a cooldown
_CHAT_FIELDS = ("max_tokens", "temperature", "tools", "tool_choice")


# -- effects: what the core asks a driver to do, and what the driver sends back ------------------------------


class Acquire(NamedTuple):
    """Take a rate-limit slot on ``endpoint`` now → None when taken, else the seconds until one is free."""

    endpoint: EffectiveEndpoint


class Cooling(NamedTuple):
    """Which of these (endpoint id, model or None for the whole endpoint) still cool → a set of them."""

    keys: tuple[tuple[str, str | None], ...]


class Cool(NamedTuple):
    """Cool (endpoint id, model or None) for ``seconds`` → None."""

    endpoint: str
    model: str | None
    seconds: float


class Record(NamedTuple):
    """Count ``amount`` units (tokens, known only after the call) in the limiter's window ``key`` → None."""

    key: str
    amount: int


class Sleep(NamedTuple):
    """Wait ``seconds`` → None."""

    seconds: float


class Send(NamedTuple):
    """Authorize ``request`` for this attempt, send it within ``timeout`` → the protocol's
    :class:`~pbcfg.runtime.protocols.base.Reply`, or with ``stream`` the opened stream (its first event read). A
    failure is thrown back into the core as a :class:`Failure`."""

    candidate: Candidate
    protocol: Protocol
    request: HttpRequest
    timeout: float
    stream: bool
    attempts: list[Attempt]
    characters: object  # () -> int: the prompt's length, for a token estimate
    total: float | None = None  # what is left of the call's deadline: an opened stream ends by it


class Probe(NamedTuple):
    """The protocol's free probe on ``endpoint`` within ``timeout`` → its :class:`Models`, or a Failure thrown."""

    endpoint: EffectiveEndpoint
    timeout: float


if TYPE_CHECKING:
    # what the core yields; a driver sends back any value (each effect's docstring says which)
    _Effect = Acquire | Cooling | Cool | Record | Sleep | Send | Probe


def limit_wait(window, limit: dict, endpoint_id: str) -> float | None:
    """None when a request may go now (a slot is taken), else the seconds until one is free; ``limit`` is the
    endpoint's ``rateLimit``."""
    tokens = limit.get("tokensPerMinute")
    if tokens and window.used(f"{endpoint_id}:tokens") >= tokens:
        return 60.0
    requests = limit.get("requestsPerMinute")
    return window.acquire(f"{endpoint_id}:requests", requests) if requests else None


# -- the call ---------------------------------------------------------------------------------------------


def chat_request(messages: list[dict], defaults: dict, params: dict) -> ChatRequest:
    """The normalized request: ``max_tokens`` and ``temperature`` default to the config's ``defaults``; every
    other parameter goes along as ``extra``."""
    if not params:
        return ChatRequest(messages, defaults.get("maxTokens", 4096), defaults.get("temperature", 0.7))
    named = {name: params.pop(name) for name in _CHAT_FIELDS if name in params}
    return ChatRequest(
        messages,
        named.get("max_tokens", defaults.get("maxTokens", 4096)),
        named.get("temperature", defaults.get("temperature", 0.7)),
        named.get("tools"),
        named.get("tool_choice"),
        params,
    )


class _Call(NamedTuple):
    """One call: what it sends, and every attempt so far."""

    plan: Plan
    chat: ChatRequest
    timeout: float
    stream: bool
    attempts: list
    ends_at: float | None = None  # when the whole call must be over (``deadline``), on the engine's clock

    def left(self, clock) -> float | None:
        """Seconds before the call's deadline, None without one."""
        return None if self.ends_at is None else self.ends_at - clock()

    def characters(self) -> int:
        """The prompt's length, for a token estimate when a server reports no usage (computed only then)."""
        return len(json.dumps(self.chat.messages, default=str))


class Engine:
    """The decisions of every call, and the state they share across calls (plans, cooldowns, the limiter's
    window, what each server refused); no I/O. Thread-safe."""

    def __init__(
        self,
        merged: dict,
        endpoints: dict[str, EffectiveEndpoint],
        *,
        window=None,
        cooldowns=None,
        clock=time.monotonic,
        rng: random.Random | None = None,
        cooldown: float = COOLDOWN,
        retry_after_cap: float = RETRY_AFTER_CAP,
        max_wait: float = 30.0,
        stream_deadline: float = 600.0,
    ) -> None:
        from pbcfg.runtime.limiter import MemoryCooldowns, MemoryWindow

        self.config = merged
        self.endpoints = endpoints
        self.defaults = merged.get("defaults") or {}
        self.window = window or MemoryWindow(clock)
        self.cooldowns = cooldowns or MemoryCooldowns(clock)
        self.clock = clock
        self.rng = rng or random.Random()
        self.cooldown, self.retry_after_cap, self.max_wait = cooldown, retry_after_cap, max_wait
        self.stream_deadline = stream_deadline  # a stream's total deadline, in seconds
        self._no_stream_options: set[str] = set()  # endpoints that refused stream_options
        self._plans: dict[tuple, Plan] = {}  # the config never changes, so neither does a plan
        self._keys: dict[int, tuple] = {}  # each cached plan's cooldown keys, by the plan's id
        self._rate_limits: dict[str, dict] = {}
        self._price_cache: dict[tuple[str, str], tuple[float, float, float]] = {}
        self._timeout = seconds(self.defaults.get("timeout", 120000) / 1000)
        self._retries = self.defaults.get("maxRetries", 2)

    def plan(self, *, tier: str | None = None, agent: str | None = None, model: str | None = None) -> Plan:
        key = (tier, agent, model)
        plan = self._plans.get(key)
        if plan is None:
            if (tier is not None) + (agent is not None) + (model is not None) != 1:
                from pbcfg.errors import UsageError

                raise UsageError("give exactly one of tier, agent or model")
            plan = self._plans[key] = make_plan(self.config, self.endpoints, tier=tier, agent=agent, model=model)
        return plan

    # -- bookkeeping ---------------------------------------------------------------------------

    def rate_limit(self, endpoint_id: str) -> dict:
        """The endpoint's ``rateLimit`` ({} without one); read from the config once."""
        limit = self._rate_limits.get(endpoint_id)
        if limit is None:
            limit = self._rate_limits[endpoint_id] = (self.config.get("endpoints", {}).get(endpoint_id) or {}).get(
                "rateLimit"
            ) or {}
        return limit

    def _model(self, model: str) -> dict:
        return self.config.get("models", {}).get(model) or {}

    def _prices(self, candidate: Candidate) -> tuple[float, float, float]:
        """(input, output) per 1,000 tokens on this model, and the endpoint's multiplier."""
        key = (candidate.model, candidate.endpoint.id)
        prices = self._price_cache.get(key)
        if prices is None:
            listed = self._model(candidate.model).get("costPer1kTokens") or {}
            multiplier = (self.config.get("endpoints", {}).get(key[1]) or {}).get("costMultiplier", 1)
            prices = self._price_cache[key] = (listed.get("input", 0), listed.get("output", 0), multiplier)
        return prices

    def tokens_used(self, endpoint: EffectiveEndpoint, usage: dict, characters=lambda: 0) -> int | None:
        """The tokens a call spent, to count against the endpoint's ``tokensPerMinute`` (None without one): the
        server's usage, or when it reported none, one token per :data:`CHARACTERS_PER_TOKEN` of ``characters()``
        (prompt and answer)."""
        if not self.rate_limit(endpoint.id).get("tokensPerMinute"):
            return None
        total = usage.get("total_tokens") or (usage.get("prompt_tokens", 0) + usage.get("completion_tokens", 0))
        return int(total or -(-characters() // CHARACTERS_PER_TOKEN)) or None

    def cost(self, candidate: Candidate, usage: dict) -> float | None:
        """What ``usage`` costs on this model and endpoint (``costPer1kTokens`` × ``costMultiplier``); None when
        the server reported no token counts."""
        if "prompt_tokens" not in usage and "completion_tokens" not in usage:
            return None
        input_price, output_price, multiplier = self._prices(candidate)
        spent = usage.get("prompt_tokens", 0) * input_price + usage.get("completion_tokens", 0) * output_price
        return (spent / 1000) * multiplier

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        base = self.defaults.get("retryDelayMs", 1000) / 1000 * (2**attempt)
        delay = base * (1 + self.rng.uniform(0, 0.25))
        return min(max(delay, retry_after or 0.0), self.retry_after_cap)

    # -- the state machine -----------------------------------------------------------------------

    def call(
        self,
        messages: list[dict],
        *,
        stream: bool = False,
        tier: str | None = None,
        agent: str | None = None,
        model: str | None = None,
        max_wait: float | None = None,
        deadline: float | None = None,
        **params,
    ) -> Generator[_Effect, Any, Completion | Any]:  # Any: the opened stream, which only the drivers know
        """One completion through the plan, as effects; returns a :class:`Completion` or the opened stream. With
        ``deadline`` (seconds), the whole call ends by it: no attempt starts after it, and each attempt's timeout,
        each backoff, the rate-limit wait and an opened stream are cut to what is left."""
        plan = self.plan(tier=tier, agent=agent, model=model)
        if not plan.attempts:
            reasons = "; ".join(f"{d.model}@{d.endpoint or '-'}: {d.reason}" for d in plan.dropped)
            reasons = reasons or "its chain names no model"
            raise NoRoute(f"no usable endpoint for {tier or agent or model!r}: {reasons}", plan.dropped)
        timeout = seconds(params.pop("timeout")) if "timeout" in params else self._timeout
        ends_at = None if deadline is None else self.clock() + seconds(deadline)
        call = _Call(plan, chat_request(messages, self.defaults, params), timeout, stream, [], ends_at)
        budget = self.max_wait if max_wait is None else max_wait
        if ends_at is not None:
            budget = min(budget, ends_at - self.clock())
        while True:
            result, wait = yield from self._pass(call)
            if result is not None:
                return result
            if wait is None:
                break
            if wait > budget:
                raise RateLimited(f"every endpoint is over its rate limit; retry in {wait:.1f}s", wait, call.attempts)
            yield Sleep(wait)
            budget -= wait
        attempts = call.attempts
        first = next((a for a in attempts if a.outcome not in _SKIPPED), attempts[0])
        raise AllAttemptsFailed(
            f"every attempt failed; first: {first.model}@{first.endpoint} {first.outcome}"
            + (f" ({first.detail})" if first.detail else "")
            + (f"; {first.hint}" if first.hint else "")
            + ("" if first.hint and first.hint.endswith("?") else ".")
            + f" Attempts: {_listing(attempts)}",
            f"{first.outcome}: {first.detail}",
            attempts,
        )

    def _cooldown_keys(self, plan: Plan) -> tuple[tuple[str, str | None], ...]:
        """Every (endpoint, None) and (endpoint, model) a plan's cooldowns are kept under; computed once a plan."""
        keys = self._keys.get(id(plan))
        if keys is None:
            keys = self._keys[id(plan)] = tuple(
                dict.fromkeys(k for c in plan.attempts for k in ((c.endpoint.id, None), (c.endpoint.id, c.model)))
            )
        return keys

    def _pass(
        self, call: _Call
    ) -> Generator[_Effect, Any, tuple[Completion | Any | None, float | None]]:  # Any: an opened stream
        """One pass over the plan: (result, None), or (None, seconds to wait) if only rate limits stood in the
        way, or (None, None) when it is over."""
        retries = self._retries
        waits: list[float] = []
        sent = False
        context_floor = None  # after a context-length error: only models with a larger window
        candidates, attempts = call.plan.attempts, call.attempts
        cooling = yield Cooling(self._cooldown_keys(call.plan))

        def cooling_down(c: Candidate) -> bool:
            return bool(cooling) and ((c.endpoint.id, None) in cooling or (c.endpoint.id, c.model) in cooling)

        for index, candidate in enumerate(candidates):
            endpoint, protocol = candidate.endpoint, candidate.protocol
            if (
                context_floor is not None
                and (self._model(candidate.model).get("maxContextTokens") or 0) <= context_floor
            ):
                continue
            if cooling_down(candidate) and any(not cooling_down(c) for c in candidates[index + 1 :]):
                attempts.append(Attempt(candidate.model, endpoint.id, Outcome.COOLDOWN))
                continue
            attempt_number = 0
            while attempt_number <= retries:
                wait = yield Acquire(endpoint)
                if wait is not None:
                    attempts.append(Attempt(candidate.model, endpoint.id, Outcome.RATE_LIMITED, f"free in {wait:.1f}s"))
                    waits.append(wait)
                    break
                left = call.left(self.clock)
                if left is not None and left <= 0:
                    raise AllAttemptsFailed(
                        f"the call ran past its deadline; attempts: {_listing(attempts) or 'none'}",
                        "the call's deadline passed",
                        attempts,
                    )
                timeout = call.timeout if left is None else min(call.timeout, left)
                sent = True
                request = protocol.chat_request(
                    endpoint,
                    candidate.model,
                    call.chat,
                    stream=call.stream,
                    stream_usage=endpoint.id not in self._no_stream_options,
                )
                try:
                    answer = yield Send(
                        candidate, protocol, request, timeout, call.stream, attempts, call.characters, left
                    )
                except Failure as failure:
                    if failure.kind is Kind.NO_STREAM_OPTIONS and "stream_options" not in call.chat.extra:
                        self._no_stream_options.add(endpoint.id)  # this server does not take it: never again
                        attempts.append(
                            Attempt(
                                candidate.model,
                                endpoint.id,
                                Outcome.RETRY,
                                f"{failure.detail} (sent again without stream_options)",
                                failure.status,
                            )
                        )
                        continue
                    if failure.kind is Kind.RETRY and attempt_number < retries:
                        attempts.append(
                            Attempt(candidate.model, endpoint.id, Outcome.RETRY, failure.detail, failure.status)
                        )
                        pause = self._backoff(attempt_number, failure.retry_after)
                        left = call.left(self.clock)
                        yield Sleep(pause if left is None else max(min(pause, left), 0.0))
                        attempt_number += 1
                        continue
                    outcome, hint = yield from self._explain(candidate, failure, call.timeout)
                    attempts.append(
                        Attempt(candidate.model, endpoint.id, outcome, failure.detail, failure.status, hint)
                    )
                    if failure.kind in (Kind.REJECTED, Kind.NO_STREAM_OPTIONS):
                        raise RequestRejected(
                            f"{candidate.model}@{endpoint.id} rejected the request "
                            f"({failure.status}): {failure.detail}",
                            attempts,
                        ) from None
                    if failure.kind is Kind.CONTEXT_LENGTH:
                        context_floor = self._model(candidate.model).get("maxContextTokens") or 0
                    else:  # a context-length error is the request's fault, not the endpoint's
                        # a connection that could not be made cools the whole endpoint; anything else only this
                        # model on it: a proxy's other models stay in play
                        model = None if failure.network in ("connect", "tls") else candidate.model
                        yield Cool(endpoint.id, model, failure.retry_after or self.cooldown)  # as the server asked
                        cooling.add((endpoint.id, model))
                    break
                if call.stream:
                    return answer, None
                attempts.append(Attempt(candidate.model, endpoint.id, Outcome.OK, status=200))
                tokens = self.tokens_used(endpoint, answer.usage, lambda: call.characters() + len(answer.content))
                if tokens:
                    yield Record(f"{endpoint.id}:tokens", tokens)
                return Completion(
                    answer.content,
                    candidate.model,
                    endpoint.id,
                    attempts,
                    answer.usage,
                    self.cost(candidate, answer.usage),
                    answer.finish_reason,
                    answer.tool_calls,
                ), None
        if not sent and waits:
            return None, min(waits)
        return None, None

    def _explain(
        self, candidate: Candidate, failure: Failure, timeout: float
    ) -> Generator[_Effect, Any, tuple[Outcome, str | None]]:
        """The outcome and hint of a failure, as ``status`` would put them. A missing model (or a 404) asks the
        server what it serves (the protocol's free probe), to name it and the closest id."""
        outcome = {Kind.RETRY: Outcome.FAILED, Kind.NO_STREAM_OPTIONS: Outcome.REJECTED}.get(failure.kind) or Outcome(
            failure.kind.value
        )
        if failure.kind not in (Kind.MODEL_ABSENT, Kind.NOT_FOUND):
            return outcome, candidate.protocol.hint(failure.kind)
        try:
            models = yield Probe(candidate.endpoint, min(timeout, 5.0))
        except Failure as probe:
            if probe.status == 404:
                base = str(candidate.endpoint.base_url.value)  # type: ignore[union-attr]
                return outcome, f"GET /models answers 404 too: {candidate.protocol.wrong_path_hint(base)}"
            return outcome, None
        if models is None or candidate.model in models.ids:
            return outcome, None
        return Outcome.MODEL_ABSENT, absent([candidate.model], models.ids)[1]


def _listing(attempts: list[Attempt]) -> str:
    """The attempts for a one-line message: the first :data:`LISTED_ATTEMPTS`, then how many more (the exception's
    ``attempts`` hold them all)."""
    shown = "; ".join(
        f"{a.model}@{a.endpoint}: {a.outcome}" + (f" ({a.detail})" if a.detail else "")
        for a in attempts[:LISTED_ATTEMPTS]
    )
    more = len(attempts) - LISTED_ATTEMPTS
    return shown + (f"; and {more} more" if more > 0 else "")
