"""Server-sent events, reassembled from whatever byte boundaries the network chose.

Linear in the bytes fed: each byte is searched for a line end once. A line, or
one event's data, longer than :data:`LINE_CAP` is a bad response (100 MB
without a newline is refused after the first MiB, not buffered).
"""

from __future__ import annotations

from pbcfg.runtime.classify import Failure, Kind

__all__ = ["LINE_CAP", "SSEDecoder"]

LINE_CAP = 1024 * 1024


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
