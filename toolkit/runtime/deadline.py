"""Deadlines that hold on the socket.

httpx's timeouts are per operation: a server that sends a byte every 0.5 s
never trips a 3 s read timeout, so dripped headers (slowloris) or a dripped
body could hold an attempt for hours. Here every connect, read and write of an
exchange gets at most the time left before the exchange's deadline, which the
caller sets with :func:`deadline` around the exchange; once it has passed, the
next socket operation raises httpcore's timeout, which httpx reports as its
own. The caller also checks the clock between chunks, which is what makes a
deadline exact when the transport is not a socket (tests).
"""

from __future__ import annotations

import threading
import time

__all__ = ["MAX_SECONDS", "deadline", "seconds", "with_deadlines"]

MAX_SECONDS = 86400.0  # one day: a longer timeout (defaults.timeout: 1e31) is read as this


class _Current(threading.local):
    at: float | None = None
    clock = staticmethod(time.monotonic)


_CURRENT = _Current()


def seconds(value: object) -> float:
    """A timeout a socket accepts: at least 1 ms, at most :data:`MAX_SECONDS` (NaN counts as the most)."""
    number = float(value)  # type: ignore[arg-type]
    return min(max(number, 0.001), MAX_SECONDS) if number == number else MAX_SECONDS


class deadline:  # lower case: it reads as ``with deadline(at, clock):``
    """Every socket operation of this thread inside the block ends by ``at`` (on ``clock``). A class rather than a
    generator-based context manager: it runs on every exchange, and costs a third as much."""

    __slots__ = ("_at", "_clock", "_previous")

    def __init__(self, at: float, clock=time.monotonic) -> None:
        self._at, self._clock = at, clock

    def __enter__(self) -> None:
        self._previous = _CURRENT.at, _CURRENT.clock
        _CURRENT.at, _CURRENT.clock = self._at, self._clock

    def __exit__(self, *exc_info) -> None:
        _CURRENT.at, _CURRENT.clock = self._previous


def _left(timeout: float | None, operation: str) -> float | None:
    at = _CURRENT.at
    if at is None:
        return timeout
    left = at - _CURRENT.clock()
    if left <= 0:
        import httpcore

        error = {"connect": httpcore.ConnectTimeout, "write": httpcore.WriteTimeout}.get(operation,
                                                                                         httpcore.ReadTimeout)
        raise error("the exchange's deadline has passed")
    return seconds(left if timeout is None else min(timeout, left))


class _Stream:
    """httpcore's network stream, every operation under the current deadline."""

    def __init__(self, inner) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _left(timeout, "read"))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _left(timeout, "write"))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context, server_hostname: str | None = None, timeout: float | None = None):
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, _left(timeout, "connect")))

    def get_extra_info(self, info: str):
        return self._inner.get_extra_info(info)


class _Backend:
    """httpcore's network backend, handing out :class:`_Stream` s."""

    def __init__(self, inner) -> None:
        self._inner = inner

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options=None):
        return _Stream(self._inner.connect_tcp(host, port, _left(timeout, "connect"), local_address, socket_options))

    def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options=None):
        return _Stream(self._inner.connect_unix_socket(path, _left(timeout, "connect"), socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def with_deadlines(client) -> None:
    """Put every socket of an ``httpx.Client`` (its transport and any proxy mounts) under :func:`deadline`.

    httpx has no public hook for httpcore's network backend, so this sets the pool's; a client with a
    transport of its own (a test's MockTransport) is left as it is.
    """
    for transport in [client._transport, *client._mounts.values()]:
        pool = getattr(transport, "_pool", None)
        if pool is not None and not isinstance(pool._network_backend, _Backend):
            pool._network_backend = _Backend(pool._network_backend)
