"""Streams: read up to the first event before handing over (so a dead stream still falls back), then deltas.

Deadlines: the first event must arrive within the attempt's timeout
(``defaults.timeout``); after it, no gap between two events may be longer than
that timeout (the idle deadline: keep-alive comments are not events), and the
whole stream must end within ``Runtime.stream_deadline`` (600 s unless set, and
never less than the timeout). The streamed text is capped like a body
(:data:`pbcfg.runtime.http.BODY_CAP`), a line or event at
:data:`pbcfg.runtime.sse.LINE_CAP`.

A :class:`Stream` is a context manager; leaving it, or closing the runtime,
closes the response whether or not it was iterated.
"""

from __future__ import annotations

from collections import deque

from pbcfg.runtime.answers import Delta, read_chunk
from pbcfg.runtime.classify import Failure, Kind, excerpt
from pbcfg.runtime.deadline import deadline
from pbcfg.runtime.errors import StreamInterrupted
from pbcfg.runtime.http import BODY_CAP
from pbcfg.runtime.plan import Candidate
from pbcfg.runtime.results import Attempt, Outcome
from pbcfg.runtime.sse import SSEDecoder

__all__ = ["Stream", "open_stream"]

_END = object()


class _Events:
    """The response's events, each read under the deadline that applies to it."""

    def __init__(self, response, clock, first_at: float, idle: float, total: float) -> None:
        self._raw = response.iter_bytes()
        self._clock = clock
        self._first_at, self._idle = first_at, idle
        self._total, self._total_at = total, clock() + total
        self._last: float | None = None  # when the last event arrived
        self._decoder = SSEDecoder()
        self._pending: deque[str] = deque()
        self.received = bytearray()  # the first bytes, to show when they were not an event stream

    def _limit(self) -> tuple[float, str]:
        if self._last is None:
            return self._first_at, f"timeout: no event within {self._idle:g} s"
        idle_at = self._last + self._idle
        if idle_at <= self._total_at:
            return idle_at, f"timeout: no event for {self._idle:g} s (the idle deadline)"
        return self._total_at, f"timeout: the stream ran past its total deadline of {self._total:g} s"

    def next(self):
        """A :class:`Delta`, None for ``[DONE]``, or ``_END`` when the response ended."""
        import httpx

        while not self._pending:
            at, late = self._limit()
            try:
                with deadline(at, self._clock):
                    raw = next(self._raw)
            except StopIteration:
                self._pending.extend(self._decoder.close())
                if not self._pending:
                    return _END
                break
            except httpx.TimeoutException:
                raise Failure(Kind.RETRY, late, network="timeout") from None
            except httpx.HTTPError as error:
                raise Failure(Kind.RETRY, f"stream broke: {type(error).__name__}", network="read") from None
            if len(self.received) < 800:
                self.received += raw[:800]
            if self._clock() > at:
                raise Failure(Kind.RETRY, late, network="timeout")
            self._pending.extend(self._decoder.feed(raw))
        self._last = self._clock()
        return read_chunk(self._pending.popleft())


class Stream:
    """Iterate for text deltas; afterwards ``content``, ``usage`` (the server's, from its last chunk; {} when it
    reported none), ``cost`` (None without usage) and ``finish_reason`` are set."""

    def __init__(self, runtime, candidate: Candidate, response, events: _Events, first, attempts: list[Attempt],
                 characters=lambda: 0, on_close=None) -> None:
        self._runtime, self._candidate, self._response, self._events = runtime, candidate, response, events
        self._first, self._characters = first, characters
        self._on_close = on_close
        self.model, self.endpoint, self.attempts = candidate.model, candidate.endpoint.id, attempts
        self.content, self.usage, self.cost, self.finish_reason = "", {}, None, None

    def __enter__(self) -> Stream:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        """Release the connection; safe to call twice, and after the stream ended."""
        self._response.close()
        if self._on_close is not None:
            self._on_close(self)
            self._on_close = None

    def _events_after_open(self):
        """The first event (read by :func:`open_stream`), then the rest, up to ``[DONE]`` (None) or the end."""
        event, self._first = self._first, _END
        while event is not _END:
            yield event
            if event is None:
                return
            event = self._events.next()

    def __iter__(self):
        done = False
        try:
            for event in self._events_after_open():
                if event is None:
                    done = True
                    break
                delta = self._absorb(event)
                if delta:
                    yield delta
        except Failure as failure:
            raise self._interrupted(f"broke after its first chunk: {failure.detail}") from None
        finally:
            self.close()
        if not done and self.finish_reason is None:
            raise self._interrupted("ended without a finish reason or [DONE]")
        self.cost = self._runtime.cost(self._candidate, self.usage)
        self._runtime.record_usage(self._candidate.endpoint, self.usage,
                                   lambda: self._characters() + len(self.content))

    def _interrupted(self, what: str) -> StreamInterrupted:
        """The error, and the attempt that opened the stream marked failed: it did not deliver."""
        self.attempts[-1] = self.attempts[-1]._replace(outcome=Outcome.FAILED, detail=f"the stream {what}")
        return StreamInterrupted(f"stream from {self.endpoint} {what}", self.attempts)

    def _absorb(self, delta: Delta) -> str:
        if delta.usage is not None:
            self.usage = delta.usage
        if delta.finish_reason:
            self.finish_reason = delta.finish_reason
        if len(self.content) + len(delta.content) > BODY_CAP:
            raise Failure(Kind.BAD_RESPONSE, f"the streamed text is over the {BODY_CAP:,}-character cap", 200)
        self.content += delta.content
        return delta.content


def open_stream(runtime, candidate: Candidate, response, at: float, timeout: float, attempts: list[Attempt],
                characters=lambda: 0, on_close=None, total: float | None = None) -> Stream:
    """Read up to the first event; a stream that dies before it raises :class:`Failure`, so the plan moves on.
    ``total``, when given, is what is left of the call's deadline: the stream ends by it."""
    events = _Events(response, runtime.clock, at, timeout,
                     max(runtime.stream_deadline, timeout) if total is None else total)
    try:
        first = events.next()
    except Failure:
        response.close()
        raise
    if first is _END:
        response.close()
        if events.received.strip():
            raise Failure(Kind.BAD_RESPONSE, "the answer is not an event stream: "
                          + excerpt(bytes(events.received).decode("utf-8", "replace")), response.status_code)
        raise Failure(Kind.RETRY, "stream ended before any event")
    attempts.append(Attempt(candidate.model, candidate.endpoint.id, Outcome.OK, status=response.status_code))
    return Stream(runtime, candidate, response, events, first, attempts, characters, on_close)
