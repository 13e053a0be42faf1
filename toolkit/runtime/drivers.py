"""The runtime users hold: the engine's decisions, run by a sync driver or an async one, each sending to httpx
transports (:mod:`pbcfg.runtime.transport`). A driver only performs the effects the engine yields (send, sleep, take a slot, read
or set a cooldown, probe) and hands back what came; every rule lives once, in :mod:`pbcfg.runtime.engine`.

Cancelling an async call (``task.cancel()``) closes the response it was reading and drops its connection; a
request already sent keeps the rate-limit slot it took (the server saw it), and a call cancelled while it waited
for a slot has taken none (a slot is taken only when the request goes out).
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any, cast
from typing import Protocol as Interface

from pbcfg.runtime.engine import (
    RETRY_AFTER_CAP,
    Acquire,
    Cool,
    Cooling,
    Engine,
    Probe,
    Record,
    Send,
    Sleep,
    limit_wait,
)
from pbcfg.runtime.protocols.base import Protocol
from pbcfg.runtime.responses import Failure, Kind
from pbcfg.runtime.stream import aopen_stream, open_stream
from pbcfg.runtime.transport import AsyncHttp, Http, seconds, through_aiohttp

if TYPE_CHECKING:
    from pbcfg.ponybunny.effective import EffectiveEndpoint
    from pbcfg.runtime.protocols.base import HttpRequest
    from pbcfg.runtime.responses import Models

__all__ = ["Runtime"]


class _AsyncWindow(Interface):
    """A limiter's window with async methods too (:class:`~pbcfg.runtime.limiter.LimitsWindow`, ``Failover``)."""

    async def aacquire(self, key: str, limit: int, cost: int = 1) -> float | None: ...

    async def aused(self, key: str) -> int: ...


async def _maybe(method, *args):
    """``method(*args)``, awaited when it is a coroutine function's result: a store may be sync or async."""
    result = method(*args)
    return await result if hasattr(result, "__await__") else result


class Runtime(Engine):
    """A loaded config, ready to plan and run requests, sync or async. Thread-safe; one pooled client per
    endpoint and per kind (sync, async).

    A context manager (``with`` or ``async with``): leaving it closes every client and every stream still open.
    """

    def __init__(
        self,
        merged: dict,
        endpoints: dict[str, EffectiveEndpoint],
        *,
        sleep=time.sleep,
        asleep=None,
        transport=None,
        async_transport=None,
        async_http: str = "auto",
        clock=time.monotonic,
        retry_after_cap: float = RETRY_AFTER_CAP,
        documents: dict | None = None,
        directory: str = ".",
        **options,
    ) -> None:
        super().__init__(merged, endpoints, clock=clock, retry_after_cap=retry_after_cap, **options)
        self.documents = documents or {}  # the parsed files by kind, to place a finding in them
        self.directory = directory  # the config directory they are (or would be) in
        self.sleep = sleep
        self.asleep = asleep or (_asleep_of(sleep) if sleep is not time.sleep else None)
        if async_transport is None and hasattr(transport, "handle_async_request"):
            async_transport = transport  # httpx.MockTransport serves both
        self.http = Http(transport, retry_after_cap, clock)
        self.ahttp = AsyncHttp(async_transport, retry_after_cap, clock, through_aiohttp(async_http))
        self._streams: set = set()  # open until read to the end or closed, even when dropped unread
        self._lock = threading.Lock()
        # the effects the async driver awaits; the rest touch only memory, so the sync driver's code serves
        self._awaited = {Send, Sleep, Probe}
        if hasattr(self.window, "aacquire"):
            self._awaited |= {Acquire, Record}
        if hasattr(self.cooldowns, "aremaining"):
            self._awaited |= {Cooling, Cool}

    def __enter__(self) -> Runtime:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    async def __aenter__(self) -> Runtime:
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.aclose()

    def close(self) -> None:
        """Close every sync stream still open, then every sync client."""
        for stream in self._open_streams():
            if hasattr(stream, "close"):
                stream.close()
        self.http.close()

    async def aclose(self) -> None:
        """Close every stream still open, then every client."""
        for stream in self._open_streams():
            await stream.aclose() if hasattr(stream, "aclose") else stream.close()
        self.http.close()
        await self.ahttp.aclose()

    def _open_streams(self) -> list:
        with self._lock:
            return list(self._streams)

    def _forget_stream(self, stream) -> None:
        with self._lock:
            self._streams.discard(stream)

    def _track(self, stream):
        with self._lock:
            self._streams.add(stream)
        return stream

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

    # -- sync ------------------------------------------------------------------------------------

    def complete(self, messages: list[dict], *, stream: bool = False, **options):
        """Run one chat completion through the plan: a :class:`~pbcfg.runtime.results.Completion`, or with
        ``stream`` an open :class:`~pbcfg.runtime.stream.Stream`. ``options``: one of ``tier``, ``agent`` or
        ``model``; ``max_wait``, ``timeout``, and the request's parameters (``tools``, ``tool_choice``,
        ``max_tokens``, ``temperature``, …). See :mod:`pbcfg.runtime.engine` for the rules."""
        machine = self.call(messages, stream=stream, **options)
        try:
            effect = next(machine)
            while True:
                try:
                    value = self._perform(effect)
                except Failure as failure:
                    effect = machine.throw(failure)
                else:
                    effect = machine.send(value)
        except StopIteration as stop:
            return stop.value
        finally:
            machine.close()

    def _perform(self, effect):
        kind = type(effect)
        if kind is Send:
            return self._send(effect)
        if kind is Acquire:
            return limit_wait(self.window, self.rate_limit(effect.endpoint.id), effect.endpoint.id)
        if kind is Cooling:
            remaining = self.cooldowns.remaining
            return {key for key in effect.keys if remaining(*key) > 0}
        if kind is Sleep:
            return self.sleep(effect.seconds)
        if kind is Cool:
            return self.cooldowns.cool(effect.endpoint, effect.model, effect.seconds)
        if kind is Record:
            return self.window.record(effect.key, effect.amount)
        if kind is Probe:
            return self.probe(effect.endpoint, effect.timeout)
        raise TypeError(f"unknown effect {effect!r}")

    def _send(self, send: Send):
        endpoint, protocol = send.candidate.endpoint, send.protocol
        try:
            response, at = self.http.exchange(
                endpoint, protocol, _authorized(send.request, protocol.authorize(endpoint, send.request)), send.timeout
            )
        except Failure as failure:
            if not _again(protocol, endpoint, failure):
                raise
            response, at = self.http.exchange(
                endpoint, protocol, _authorized(send.request, protocol.authorize(endpoint, send.request)), send.timeout
            )
        if send.stream:
            return self._track(open_stream(self, send, response, at, self._forget_stream))
        return protocol.read_reply(self.http.read(response, at, send.timeout), response.status_code)

    def probe(self, endpoint: EffectiveEndpoint, timeout: float = 5.0) -> Models | None:
        """The models ``endpoint`` serves, by its protocol's free probe (None: it has none); a failure raises
        :class:`~pbcfg.runtime.responses.Failure`."""
        from pbcfg.runtime.protocols import protocol_for

        protocol = protocol_for(endpoint)
        request = protocol.probe_request(endpoint)
        if isinstance(request, str):
            return None
        timeout = seconds(timeout)
        response, at = self.http.exchange(
            endpoint, protocol, _authorized(request, protocol.authorize(endpoint, request)), timeout
        )
        return protocol.read_probe(self.http.read(response, at, timeout), response.status_code)

    def status(self, timeout: float = 5.0) -> list:
        """Probe every enabled endpoint; see :mod:`pbcfg.runtime.status`."""
        from pbcfg.runtime.status import probe_all

        return probe_all(self, timeout)

    # -- async -----------------------------------------------------------------------------------

    async def acomplete(self, messages: list[dict], *, stream: bool = False, **options):
        """:meth:`complete`, awaited: the same plan, retries, fallback, limits, cooldowns and deadlines. With
        ``stream``, an open :class:`~pbcfg.runtime.stream.AsyncStream` (or use :meth:`astream`)."""
        machine = self.call(messages, stream=stream, **options)
        try:
            effect = next(machine)
            while True:
                kind = type(effect)
                try:
                    if type(effect) is Send:  # kind, spelt so that the type checker narrows effect
                        value = await self._asend(effect)
                    else:
                        value = await self._aperform(effect) if kind in self._awaited else self._perform(effect)
                except Failure as failure:
                    effect = machine.throw(failure)
                else:
                    effect = machine.send(value)
        except StopIteration as stop:
            return stop.value
        finally:
            machine.close()

    def astream(self, messages: list[dict], **options) -> _Opening:
        """``async with runtime.astream(messages, tier=…) as stream: async for delta in stream``."""
        return _Opening(self, messages, options)

    async def _aperform(self, effect):
        kind = type(effect)
        if kind is Send:
            return await self._asend(effect)
        if kind is Acquire:
            return await self._aacquire(effect.endpoint)
        if kind is Cooling:
            remaining = getattr(self.cooldowns, "aremaining", self.cooldowns.remaining)
            return {key for key in effect.keys if await _maybe(remaining, *key) > 0}
        if kind is Sleep:
            return await self._asleep(effect.seconds)
        if kind is Cool:
            return await _maybe(
                getattr(self.cooldowns, "acool", self.cooldowns.cool), effect.endpoint, effect.model, effect.seconds
            )
        if kind is Record:
            return await self.arecord(effect.key, effect.amount)
        if kind is Probe:
            return await self.aprobe(effect.endpoint, effect.timeout)
        raise TypeError(f"unknown effect {effect!r}")

    async def _asleep(self, delay: float) -> None:
        if self.asleep is not None:
            return await self.asleep(delay)
        import asyncio

        await asyncio.sleep(delay)

    async def _aacquire(self, endpoint: EffectiveEndpoint) -> float | None:
        """:func:`~pbcfg.runtime.engine.limit_wait` on the window's async methods when it has them."""
        if not hasattr(self.window, "aacquire"):
            return limit_wait(self.window, self.rate_limit(endpoint.id), endpoint.id)
        window = cast("_AsyncWindow", self.window)  # it has the async methods (hasattr above)
        limit = self.rate_limit(endpoint.id)
        tokens = limit.get("tokensPerMinute")
        if tokens and await window.aused(f"{endpoint.id}:tokens") >= tokens:
            return 60.0
        requests = limit.get("requestsPerMinute")
        return await window.aacquire(f"{endpoint.id}:requests", requests) if requests else None

    async def arecord(self, key: str, amount: int) -> None:
        """Count units in the limiter's window, on its async method when it has one."""
        await _maybe(getattr(self.window, "arecord", self.window.record), key, amount)

    async def _asend(self, send: Send):
        endpoint, protocol = send.candidate.endpoint, send.protocol
        method = self.ahttp.exchange if send.stream else self.ahttp.fetch
        try:
            # (the open response, its deadline) from exchange, (status, body) from fetch
            answer: tuple[Any, Any] = await method(
                endpoint, protocol, await _aauthorized(protocol, endpoint, send.request), send.timeout
            )
        except Failure as failure:
            if not _again(protocol, endpoint, failure):
                raise
            answer = await method(
                endpoint, protocol, await _aauthorized(protocol, endpoint, send.request), send.timeout
            )
        if send.stream:
            return self._track(await aopen_stream(self, send, *answer, self._forget_stream))
        return protocol.read_reply(answer[1], answer[0])

    async def aprobe(self, endpoint: EffectiveEndpoint, timeout: float = 5.0) -> Models | None:
        """:meth:`probe`, awaited."""
        from pbcfg.runtime.protocols import protocol_for

        protocol = protocol_for(endpoint)
        request = protocol.probe_request(endpoint)
        if isinstance(request, str):
            return None
        timeout = seconds(timeout)
        status, body = await self.ahttp.fetch(
            endpoint, protocol, await _aauthorized(protocol, endpoint, request), timeout
        )
        return protocol.read_probe(body, status)

    async def astatus(self, timeout: float = 5.0) -> list:
        """:meth:`status`, awaited: every endpoint probed concurrently."""
        from pbcfg.runtime.status import aprobe_all

        return await aprobe_all(self, timeout)


def _authorized(request: HttpRequest, extra: dict[str, str]) -> HttpRequest:
    """``request`` with this attempt's auth headers."""
    return request._replace(headers={**request.headers, **extra}) if extra else request


async def _aauthorized(protocol: Protocol, endpoint: EffectiveEndpoint, request: HttpRequest) -> HttpRequest:
    """``request`` with this attempt's auth headers, from the protocol's async step when it has its own."""
    if type(protocol).aauthorize is Protocol.aauthorize:
        return _authorized(request, protocol.authorize(endpoint, request))
    return _authorized(request, await protocol.aauthorize(endpoint, request))


def _again(protocol: Protocol, endpoint: EffectiveEndpoint, failure: Failure) -> bool:
    """Whether to send once more: an auth failure the protocol blames on a cached token it has now dropped."""
    return failure.kind is Kind.AUTH and protocol.reauthorize(endpoint, failure)


def _asleep_of(sleep):
    """An injected sync sleep (a test's clock) as the async driver's: it moves the clock, nothing waits."""

    async def asleep(delay: float) -> None:
        sleep(delay)

    return asleep


class _Opening:
    """``runtime.astream(…)``: opens the stream on entry (falling back as a call does), closes it on exit."""

    def __init__(self, runtime: Runtime, messages: list[dict], options: dict) -> None:
        self._runtime, self._messages, self._options = runtime, messages, options
        self._stream = None

    async def __aenter__(self):
        self._stream = await self._runtime.acomplete(self._messages, stream=True, **self._options)
        return self._stream

    async def __aexit__(self, *exc_info) -> None:
        if self._stream is not None:
            await self._stream.aclose()
