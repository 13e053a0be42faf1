"""Streams: read up to the first event before handing over (so a dead stream still falls back), then deltas;
and the server-sent-events decoder the protocols' stream decoders build on.

Deadlines: the first event must arrive within the attempt's timeout
(``defaults.timeout``); after it, no gap between two events may be longer than
that timeout (the idle deadline: keep-alive comments are not events), and the
whole stream must end within ``Runtime.stream_deadline`` (600 s unless set, and
never less than the timeout). The streamed text is capped like a body
(:data:`pbcfg.runtime.transport.BODY_CAP`), a line or event at :data:`LINE_CAP`
(100 MB without a newline is refused after the first MiB, not buffered).

A :class:`Stream` (or :class:`AsyncStream`) is a context manager; leaving it,
closing the runtime, or cancelling the task that reads it closes the response
whether or not it was iterated.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, TypeVar

from pbcfg.runtime.responses import Failure, Kind, excerpt
from pbcfg.runtime.results import Attempt, Outcome, StreamInterrupted, ToolCall
from pbcfg.runtime.transport import BODY_CAP, deadline

if TYPE_CHECKING:
    from collections.abc import Callable

    from pbcfg.runtime.engine import Send
    from pbcfg.runtime.plan import Candidate
    from pbcfg.runtime.protocols.base import StreamDecoder

__all__ = ["LINE_CAP", "AsyncStream", "SSEDecoder", "Stream", "aopen_stream", "open_stream"]

LINE_CAP = 1024 * 1024
_END = object()
_SHOWN = 800  # the first bytes kept, to show when they were not an event stream


class SSEDecoder:
    """Feed bytes, get the ``data`` of each complete event (multi-line data joined by newlines)."""

    def __init__(self, line_cap: int = LINE_CAP) -> None:
        self.line_cap = line_cap
        self._buffer = bytearray()
        self._scanned = 0  # bytes of the buffer known to hold no line end
        self._data: list[str] = []
        self._size = 0  # characters of the pending event's data

    def feed(self, chunk: bytes) -> list[str]:
        self._buffer += chunk
        events: list[str] = []
        begin = 0
        while (newline := self._buffer.find(b"\n", max(begin, self._scanned))) != -1:
            self._line(bytes(self._buffer[begin:newline]).rstrip(b"\r").decode("utf-8", "replace"), events)
            begin = newline + 1
        del self._buffer[:begin]
        self._scanned = len(self._buffer)
        if self._scanned > self.line_cap:
            raise Failure(Kind.BAD_RESPONSE, f"an event-stream line is over the {self.line_cap:,}-byte cap", 200)
        return events

    def _line(self, line: str, events: list[str]) -> None:
        if line == "":
            if self._data:
                events.append("\n".join(self._data))
                self._data, self._size = [], 0
        elif line.startswith("data:"):
            value = line[5:]
            value = value[1:] if value.startswith(" ") else value
            self._size += len(value) + 1
            if self._size > self.line_cap:
                raise Failure(Kind.BAD_RESPONSE, f"an event-stream event is over the {self.line_cap:,}-byte cap", 200)
            self._data.append(value)

    def close(self) -> list[str]:
        """Whatever complete event is pending when the stream ends without a blank line."""
        events = self.feed(b"\n") if self._buffer.strip() else []
        if self._data:
            events.append("\n".join(self._data))
            self._data, self._size = [], 0
        return events


class _Events:
    """The events of one response as its protocol decodes them, each awaited under the deadline that applies."""

    def __init__(self, decoder: StreamDecoder, clock, first_at: float, idle: float, total: float) -> None:
        self._decoder, self._clock = decoder, clock
        self._first_at, self._idle = first_at, idle
        self._total, self._total_at = total, clock() + total
        self._last: float | None = None  # when the last event arrived
        self._pending: deque = deque()
        self.received = bytearray()

    def limit(self) -> tuple[float, str]:
        if self._last is None:
            return self._first_at, f"timeout: no event within {self._idle:g} s"
        idle_at = self._last + self._idle
        if idle_at <= self._total_at:
            return idle_at, f"timeout: no event for {self._idle:g} s (the idle deadline)"
        return self._total_at, f"timeout: the stream ran past its total deadline of {self._total:g} s"

    def ready(self) -> bool:
        return bool(self._pending)

    def feed(self, raw: bytes, at: float, late: str) -> None:
        if len(self.received) < _SHOWN:
            self.received += raw[:_SHOWN]
        if self._clock() > at:
            raise Failure(Kind.RETRY, late, network="timeout")
        self._pending.extend(self._decoder.feed(raw))

    def ended(self) -> bool:
        """At EOF: True when nothing more is pending."""
        self._pending.extend(self._decoder.close())
        return not self._pending

    def take(self):
        self._last = self._clock()
        return self._pending.popleft()


def _broke(error: Exception, late: str) -> Failure:
    import httpx

    if isinstance(error, (httpx.TimeoutException, TimeoutError)):
        return Failure(Kind.RETRY, late, network="timeout")
    return Failure(Kind.RETRY, f"stream broke: {type(error).__name__}", network="read")


class _SyncEvents(_Events):
    def __init__(self, response, *args) -> None:
        super().__init__(*args)
        self._raw = response.iter_bytes()

    def next(self):
        """A :class:`Delta`, None where the server said it is done, or ``_END`` when the response ended."""
        import httpx

        while not self.ready():
            at, late = self.limit()
            try:
                with deadline(at, self._clock):
                    raw = next(self._raw)
            except StopIteration:
                if self.ended():
                    return _END
                break
            except httpx.HTTPError as error:
                raise _broke(error, late) from None
            self.feed(raw, at, late)
        return self.take()


class _AsyncEvents(_Events):
    def __init__(self, response, *args) -> None:
        super().__init__(*args)
        self._raw = response.aiter_bytes()

    async def next(self):
        """:meth:`_SyncEvents.next`, awaited."""
        import asyncio

        import httpx

        while not self.ready():
            at, late = self.limit()
            try:
                async with asyncio.timeout(max(at - self._clock(), 0.001)):
                    raw = await anext(self._raw)
            except StopAsyncIteration:
                if self.ended():
                    return _END
                break
            except (httpx.HTTPError, TimeoutError) as error:
                raise _broke(error, late) from None
            self.feed(raw, at, late)
        return self.take()


class _Account:
    """What a stream delivered: ``content``, ``tool_calls``, ``usage`` (the server's last count; {} when it
    reported none), ``finish_reason``, and once it ended, ``cost`` (None without usage)."""

    def __init__(
        self,
        engine,
        candidate: Candidate,
        response,
        events: _Events,
        first,
        attempts: list[Attempt],
        characters,
        on_close,
    ) -> None:
        self._engine, self._candidate, self._response, self._events = engine, candidate, response, events
        self._first, self._characters, self._on_close = first, characters, on_close
        self.model, self.endpoint, self.attempts = candidate.model, candidate.endpoint.id, attempts
        self.content = ""
        self.usage: dict = {}  # the server's last count, as a Delta's usage
        self.cost: float | None = None
        self.finish_reason: str | None = None
        self.tool_calls: list[ToolCall] = []
        self._done = False  # the server sent its end marker

    def _started(self):
        """The first event (read when the stream was opened); the iteration starts here, once."""
        event, self._first = self._first, _END
        return event

    def _absorb(self, delta) -> list | None:
        """What to hand the caller from one event: its text, then each tool call it completed; None at the end
        (an end marker, or the response's end)."""
        if delta is None or delta is _END:
            self._done = delta is None
            return None
        if delta.usage is not None:
            self.usage = delta.usage
        if delta.finish_reason:
            self.finish_reason = delta.finish_reason
        if len(self.content) + len(delta.content) > BODY_CAP:
            raise Failure(Kind.BAD_RESPONSE, f"the streamed text is over the {BODY_CAP:,}-character cap", 200)
        self.content += delta.content
        self.tool_calls.extend(delta.tool_calls)
        return [delta.content, *delta.tool_calls] if delta.content else list(delta.tool_calls)

    def _interrupted(self, what: str) -> StreamInterrupted:
        """The error, and the attempt that opened the stream marked failed: it did not deliver."""
        self.attempts[-1] = self.attempts[-1]._replace(outcome=Outcome.FAILED, detail=f"the stream {what}")
        return StreamInterrupted(f"stream from {self.endpoint} {what}", self.attempts)

    def _broke(self, failure: Failure) -> StreamInterrupted:
        return self._interrupted(f"broke after its first chunk: {failure.detail}")

    def _ended(self) -> int | None:
        """The stream's end: an error without a finish reason or an end marker; else its cost, and the tokens to
        count against the endpoint's limit."""
        if not self._done and self.finish_reason is None:
            raise self._interrupted("ended without a finish reason or [DONE]")
        self.cost = self._engine.cost(self._candidate, self.usage)
        return self._engine.tokens_used(
            self._candidate.endpoint, self.usage, lambda: self._characters() + len(self.content)
        )

    def _released(self) -> None:
        if self._on_close is not None:
            self._on_close(self)
            self._on_close = None


class Stream(_Account):
    """Iterate for text deltas (``str``) and complete tool calls (:class:`ToolCall`)."""

    def __enter__(self) -> Stream:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        """Release the connection; safe to call twice, and after the stream ended."""
        self._response.close()
        self._released()

    def __iter__(self):
        event = self._started()
        try:
            while (items := self._absorb(event)) is not None:
                yield from items
                event = self._events.next()
        except Failure as failure:
            raise self._broke(failure) from None
        finally:
            self.close()
        if tokens := self._ended():
            self._engine.window.record(f"{self.endpoint}:tokens", tokens)


class AsyncStream(_Account):
    """``async for`` text deltas and complete tool calls; an async context manager."""

    async def __aenter__(self) -> AsyncStream:
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Release the connection; safe to call twice, and after the stream ended."""
        await self._response.aclose()
        self._released()

    async def __aiter__(self):
        event = self._started()
        try:
            while (items := self._absorb(event)) is not None:
                for item in items:
                    yield item
                event = await self._events.next()
        except Failure as failure:
            raise self._broke(failure) from None
        finally:
            await self.aclose()
        if tokens := self._ended():
            await self._engine.arecord(f"{self.endpoint}:tokens", tokens)


def _first_failure(events: _Events, response) -> Failure:
    if events.received.strip():
        return Failure(
            Kind.BAD_RESPONSE,
            "the answer is not an event stream: " + excerpt(bytes(events.received).decode("utf-8", "replace")),
            response.status_code,
        )
    return Failure(Kind.RETRY, "stream ended before any event")


_E = TypeVar("_E", bound=_Events)


def _events_for(kind: Callable[..., _E], engine, send: Send, response, at: float) -> _E:
    timeout = send.timeout
    decoder = send.protocol.stream_decoder()
    total = max(engine.stream_deadline, timeout) if send.total is None else send.total
    return kind(response, decoder, engine.clock, at, timeout, total)


def _opened(kind, engine, send: Send, response, events: _Events, first, on_close):
    """The attempt that opened the stream, recorded, and the stream handed over from its first event."""
    if first is _END:
        raise _first_failure(events, response)
    candidate = send.candidate
    send.attempts.append(Attempt(candidate.model, candidate.endpoint.id, Outcome.OK, status=response.status_code))
    return kind(engine, candidate, response, events, first, send.attempts, send.characters, on_close)


def open_stream(engine, send: Send, response, at: float, on_close=None) -> Stream:
    """Read up to the first event; a stream that dies before it raises :class:`Failure`, so the plan moves on."""
    events = _events_for(_SyncEvents, engine, send, response, at)
    try:
        return _opened(Stream, engine, send, response, events, events.next(), on_close)
    except BaseException:
        response.close()
        raise


async def aopen_stream(engine, send: Send, response, at: float, on_close=None) -> AsyncStream:
    """:func:`open_stream`, awaited; cancelled while it waits, it closes the response."""
    events = _events_for(_AsyncEvents, engine, send, response, at)
    try:
        return _opened(AsyncStream, engine, send, response, events, await events.next(), on_close)
    except BaseException:
        await response.aclose()
        raise
