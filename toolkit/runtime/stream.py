"""Streams: read up to the first chunk before handing over (so a dead stream still falls back), then deltas.

A :class:`Stream` is a context manager; leaving it, or closing the runtime,
closes the response whether or not it was iterated.
"""

from __future__ import annotations

import json

from pbcfg.runtime.classify import Failure, Kind
from pbcfg.runtime.errors import StreamInterrupted
from pbcfg.runtime.plan import Candidate
from pbcfg.runtime.results import Attempt, Outcome
from pbcfg.runtime.sse import SSEDecoder

__all__ = ["Stream", "open_stream"]


class Stream:
    """Iterate for text deltas; afterwards ``content``, ``usage``, ``cost`` and ``finish_reason`` are set."""

    def __init__(self, runtime, candidate: Candidate, response, events, first: list, attempts: list[Attempt],
                 on_close=None) -> None:
        self._runtime, self._candidate, self._response, self._events = runtime, candidate, response, events
        self._on_close = on_close
        self._pending = first
        self.model, self.endpoint, self.attempts = candidate.model, candidate.endpoint.id, attempts
        self.content, self.usage, self.cost, self.finish_reason = "", {}, 0.0, None

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
        except Failure as failure:
            raise StreamInterrupted(f"stream from {self.endpoint} broke after its first chunk: {failure.detail}",
                                    self.attempts) from None
        finally:
            self.close()
        if not done and self.finish_reason is None:
            raise StreamInterrupted(f"stream from {self.endpoint} ended without a finish reason or [DONE]",
                                    self.attempts)
        self.cost = self._runtime.cost(self._candidate, self.usage)
        self._runtime.record_usage(self._candidate.endpoint, self.usage)

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


def open_stream(runtime, candidate: Candidate, response, attempts: list[Attempt], on_close=None) -> Stream:
    """Read up to the first chunk; a stream that dies before it raises :class:`Failure`, so the plan moves on."""
    import httpx

    decoder = SSEDecoder()

    def batches():
        try:
            for raw in response.iter_bytes():
                yield [_event(e) for e in decoder.feed(raw)]
            yield [_event(e) for e in decoder.close()]
        except httpx.HTTPError as error:
            raise Failure(Kind.RETRY, f"stream broke: {type(error).__name__}", network="read") from None

    events = batches()
    first: list = []
    try:
        while not any(c is None or (c.get("choices") or c.get("usage")) for c in first):
            first.extend(next(events))
    except StopIteration:
        response.close()
        raise Failure(Kind.RETRY, "stream ended before any chunk") from None
    except Failure:
        response.close()
        raise
    attempts.append(Attempt(candidate.model, candidate.endpoint.id, Outcome.OK, status=200))
    return Stream(runtime, candidate, response, events, first, attempts, on_close)


def _event(data: str):
    """A decoded SSE chunk; None stands for ``[DONE]``."""
    if data.strip() == "[DONE]":
        return None
    try:
        chunk = json.loads(data)
    except ValueError:
        raise Failure(Kind.RETRY, "malformed stream chunk") from None
    return chunk if isinstance(chunk, dict) else {}
