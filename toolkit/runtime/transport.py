"""The transport: one pooled httpx transport per endpoint (sync and async), each request's exchange bounded, and
deadlines that hold on the socket.

Each exchange has a total deadline (connect, headers and the whole body): a
body over :data:`BODY_CAP` is refused; an error body is read up to
:data:`ERROR_BODY_CAP`. Redirects are never followed (that would resend the
key elsewhere). Every exchange ends in data or in a classified
:class:`~pbcfg.runtime.responses.Failure`: no httpx exception and no unmasked
server text leaves this module.

httpx's timeouts are per operation: a server that sends a byte every 0.5 s
never trips a 3 s read timeout, so dripped headers (slowloris) or a dripped
body could hold an attempt for hours. In the sync driver every connect, read
and write of an exchange gets at most the time left before the exchange's
deadline (:func:`deadline` around the exchange; once it has passed, the next
socket operation raises httpcore's timeout, which httpx reports as its own).
The async driver bounds each awaited step by the time left instead
(``asyncio.timeout``). Both also check the clock between chunks, which is what
makes a deadline exact when the transport is not a socket (tests).
"""

from __future__ import annotations

import ssl
import threading
import time
from typing import TYPE_CHECKING

from pbcfg.runtime.responses import Failure, Kind, excerpt

if TYPE_CHECKING:
    from pbcfg.ponybunny.effective import EffectiveEndpoint
    from pbcfg.runtime.protocols.base import HttpRequest, Protocol

__all__ = [
    "ASYNC_HTTP",
    "BODY_CAP",
    "ERROR_BODY_CAP",
    "MAX_SECONDS",
    "AsyncHttp",
    "Http",
    "deadline",
    "environment_proxy",
    "network_failure",
    "seconds",
    "through_aiohttp",
    "timed_out",
    "with_deadlines",
]

BODY_CAP = 16 * 1024 * 1024  # a completion or a model list larger than this is a bad response
ERROR_BODY_CAP = 64 * 1024  # of an error answer, only this much is read: enough for any message
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

        error = {"connect": httpcore.ConnectTimeout, "write": httpcore.WriteTimeout}.get(
            operation, httpcore.ReadTimeout
        )
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

    def connect_tcp(
        self, host: str, port: int, timeout: float | None = None, local_address: str | None = None, socket_options=None
    ):
        return _Stream(self._inner.connect_tcp(host, port, _left(timeout, "connect"), local_address, socket_options))

    def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options=None):
        return _Stream(self._inner.connect_unix_socket(path, _left(timeout, "connect"), socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def with_deadlines(transport) -> None:
    """Put every socket of an httpx transport under :func:`deadline`.

    httpx has no public hook for httpcore's network backend, so this sets the pool's; a transport of another kind
    (a test's MockTransport) is left as it is.
    """
    pool = getattr(transport, "_pool", None)
    if pool is not None and not isinstance(pool._network_backend, _Backend):
        pool._network_backend = _Backend(pool._network_backend)


def timed_out(timeout: float) -> Failure:
    return Failure(Kind.RETRY, f"timeout: no complete answer within {timeout:g} s", network="timeout")


def network_failure(error: Exception, timeout: float) -> Failure:
    """A failure below HTTP: no connection, no answer in time, or a connection that broke."""
    import httpx

    if isinstance(error, httpx.ConnectTimeout):
        return Failure(Kind.RETRY, f"timeout: no connection within {timeout:g} s", network="connect")
    if isinstance(error, (httpx.TimeoutException, TimeoutError)):
        return timed_out(timeout)
    if isinstance(error, httpx.ConnectError):
        cause = error.__context__ or error.__cause__
        if isinstance(cause, ssl.SSLError) or "SSL" in str(error) or "CERTIFICATE" in str(error).upper():
            return Failure(Kind.RETRY, "TLS handshake failed", network="tls")
        return Failure(Kind.RETRY, f"connection error: {type(error).__name__}", network="connect")
    return Failure(Kind.RETRY, f"connection error: {type(error).__name__}", network="read")


_INVALID_URL = "the request URL is not valid: check the base URL and the model id"


def _checked(response, protocol: Protocol, retry_after_cap: float, error_body: bytes | None) -> Failure | None:
    """The failure a redirect or an error answer (whose first bytes are ``error_body``) stands for; None for 2xx."""
    status = response.status_code
    if 300 <= status < 400:
        where = excerpt(response.headers.get("location", "") or "(no Location)")
        return Failure(
            Kind.REDIRECT,
            f"HTTP {status} redirect to {where}; pbcfg does not follow redirects "
            "(that would resend the key): set the base URL to where it points",
            status,
        )
    if status >= 400:
        return protocol.classify(status, response.headers, error_body or b"", retry_after_cap)
    return None


def _over_cap(response, cap: int) -> Failure | None:
    """A body whose declared length is over ``cap`` is refused before a byte of it is read."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        return Failure(
            Kind.BAD_RESPONSE, f"the answer is {int(declared):,} bytes, over the {cap:,}-byte cap", response.status_code
        )
    return None


class _Body:
    """A body as it arrives, checked against its cap and its deadline after every chunk; no I/O."""

    def __init__(self, response, at: float, clock, timeout: float, cap: int, partial: bool) -> None:
        self.status, self.at, self.clock, self.timeout, self.cap, self.partial = (
            response.status_code,
            at,
            clock,
            timeout,
            cap,
            partial,
        )
        if not partial and (failure := _over_cap(response, cap)):
            raise failure  # the caller closes the response
        self.chunks: list[bytes] = []
        self.size = 0

    def full(self, chunk: bytes) -> bool:
        """Take ``chunk``; True when an error answer has all it will read. A body over its cap or its deadline
        raises."""
        self.chunks.append(chunk)
        self.size += len(chunk)
        if self.size > self.cap:
            if self.partial:
                return True
            raise Failure(Kind.BAD_RESPONSE, f"the answer is over the {self.cap:,}-byte cap", self.status)
        if self.clock() > self.at:
            if self.partial:
                return True
            raise timed_out(self.timeout)
        return False

    def broke(self, error: Exception) -> None:
        """The connection broke: a failure, unless this is an error answer (what arrived is enough)."""
        if not self.partial:
            raise network_failure(error, self.timeout) from None

    def bytes(self) -> bytes:
        body = b"".join(self.chunks)
        return body[: self.cap] if self.partial else body


class _Senders:
    """One httpx transport per endpoint, so each keeps its own connection pool, all sharing one TLS context (each
    one's own loads the certificates anew, close to a megabyte per endpoint); thread-safe.

    Requests go to the transport directly: an ``httpx.Client`` around it would only add what the runtime refuses
    or does itself (redirects, auth, a cookie jar that carries one answer's cookies into the next call), at a
    third of a call's CPU in the runtime's own overhead."""

    def __init__(self, transport, retry_after_cap: float, clock) -> None:
        self.transport, self.retry_after_cap, self.clock = transport, retry_after_cap, clock
        self._senders: dict[str, object] = {}
        self._tls: ssl.SSLContext | None = None  # made with the first transport that needs it
        self._lock = threading.Lock()
        self._headers: dict[str, str] | None = None

    def _made(self, endpoint_id: str, make):
        with self._lock:
            sender = self._senders.get(endpoint_id)
            if sender is None:
                import httpx

                if self.transport is None and self._tls is None:
                    self._tls = httpx.create_ssl_context()
                sender = self._senders[endpoint_id] = make(httpx, self._tls or True)
            return sender

    def _taken(self) -> list:
        """Every transport made, each once (a transport given serves every endpoint), forgotten."""
        with self._lock:
            transports = list({id(t): t for t in self._senders.values()}.values())
            self._senders.clear()
        return transports

    def _request(self, request: HttpRequest, timeout: float):
        """The ``httpx.Request`` for ``request``, with the headers httpx's client would add and ``timeout`` for
        every operation."""
        import httpx

        if self._headers is None:
            agent = f"python-httpx/{httpx.__version__}"
            self._headers = {"accept": "*/*", "accept-encoding": "gzip, deflate", "user-agent": agent}
        own = {name.lower() for name in request.headers}  # the request's own Accept wins, as in httpx's client
        return httpx.Request(
            request.method,
            request.url,
            content=request.body,
            headers={**{k: v for k, v in self._headers.items() if k not in own}, **request.headers},
            extensions={"timeout": dict.fromkeys(("connect", "read", "write", "pool"), timeout)},
        )


class Http(_Senders):
    """The sync senders: one httpx transport per endpoint, sent to directly as :class:`AsyncHttp` does, every
    socket operation under :func:`deadline`."""

    def sender(self, endpoint: EffectiveEndpoint, url: str):
        """The endpoint's transport, made for its first request's ``url`` (every request of an endpoint goes to
        one host) with the proxy the environment names for it (:func:`environment_proxy`)."""

        def make(httpx, verify):
            if self.transport is not None:
                return self.transport
            transport = httpx.HTTPTransport(verify=verify, proxy=environment_proxy(url))
            with_deadlines(transport)
            return transport

        return self._senders.get(endpoint.id) or self._made(endpoint.id, make)

    def close(self) -> None:
        for transport in self._taken():
            transport.close()

    def exchange(self, endpoint: EffectiveEndpoint, protocol: Protocol, request: HttpRequest, timeout: float):
        """Send; (the response once its headers are in, with a 2xx status; the deadline on :attr:`clock` for the
        rest of it). A redirect, an error answer or a network failure raises a classified :class:`Failure`."""
        import httpx

        sender = self.sender(endpoint, request.url)  # made before the clock starts: it loads TLS certificates
        at = self.clock() + timeout
        try:
            with deadline(at, self.clock):
                response = sender.handle_request(self._request(request, timeout))
        except httpx.HTTPError as error:
            raise network_failure(error, timeout) from None
        except httpx.InvalidURL:  # the plan refuses bad base URLs; a model id can still make one
            raise Failure(Kind.NOT_FOUND, _INVALID_URL) from None
        if self.clock() > at:
            response.close()
            raise timed_out(timeout)
        if response.status_code >= 300:
            error_body = (
                self.read(response, at, timeout, ERROR_BODY_CAP, partial=True) if response.status_code >= 400 else None
            )
            response.close()
            raise _checked(response, protocol, self.retry_after_cap, error_body)  # type: ignore[misc]
        return response, at

    def read(self, response, at: float, timeout: float, cap: int = BODY_CAP, *, partial: bool = False) -> bytes:
        """The whole body by ``at``, closing the response. Over ``cap`` bytes it is a bad response, or with
        ``partial`` (an error answer) its first ``cap`` bytes; a deadline missed while reading an error answer
        leaves what arrived."""
        import httpx

        try:
            body = _Body(response, at, self.clock, timeout, cap, partial)
            with deadline(at, self.clock):
                for chunk in response.iter_bytes():
                    if body.full(chunk):
                        break
        except httpx.HTTPError as error:
            body.broke(error)
        finally:
            response.close()
        return body.bytes()


ASYNC_HTTP = ("auto", "aiohttp", "httpx")


def environment_proxy(url: str) -> str | None:
    """The proxy the environment names for ``url`` (``$HTTPS_PROXY``, ``$HTTP_PROXY``, ``$ALL_PROXY``), unless
    ``$NO_PROXY`` covers its host: what httpx's client reads when it trusts the environment, as it does by default."""
    from urllib.parse import urlsplit
    from urllib.request import getproxies, proxy_bypass

    parts = urlsplit(url)
    if not parts.hostname or proxy_bypass(parts.hostname):
        return None
    proxies = getproxies()
    return proxies.get(parts.scheme) or proxies.get("all")


def through_aiohttp(choice: str) -> bool:
    """Whether the async driver sends through aiohttp: ``auto`` when ``pbcfg[aiohttp]`` is installed, ``aiohttp``
    (or a :class:`~pbcfg.errors.MissingDependency`), never with ``httpx``."""
    from importlib.util import find_spec

    from pbcfg.errors import MissingDependency, UsageError

    if choice not in ASYNC_HTTP:
        raise UsageError(f"async_http (or $PBCFG_ASYNC_HTTP) is {choice!r}: use one of {', '.join(ASYNC_HTTP)}")
    installed = choice != "httpx" and find_spec("aiohttp") is not None
    if choice == "aiohttp" and not installed:
        raise MissingDependency("aiohttp", "aiohttp")
    return installed


class AsyncHttp(_Senders):
    """The async senders: aiohttp's transport when :func:`through_aiohttp`, else httpx's own. Each awaited step is
    bounded by the time left before the exchange's deadline; a cancelled call closes its response (the connection
    is dropped, not pooled)."""

    def __init__(self, transport, retry_after_cap: float, clock, aiohttp: bool = False) -> None:
        super().__init__(transport, retry_after_cap, clock)
        self.aiohttp = aiohttp and transport is None  # a transport given (tests, a proxy of the caller's) wins

    def sender(self, endpoint: EffectiveEndpoint, url: str):
        """The endpoint's transport, made for its first request's ``url`` (every request of an endpoint goes to
        one host) with the proxy the environment names for it (:func:`environment_proxy`)."""

        def make(httpx, verify):
            if self.transport is not None:
                return self.transport
            proxy = environment_proxy(url)
            if self.aiohttp:
                from pbcfg.runtime.aiohttp_transport import AiohttpTransport

                return AiohttpTransport(verify, proxy)
            return httpx.AsyncHTTPTransport(verify=verify, proxy=proxy)

        return self._senders.get(endpoint.id) or self._made(endpoint.id, make)

    async def aclose(self) -> None:
        for transport in self._taken():
            await transport.aclose()

    def left(self, at: float) -> float:
        """Seconds before ``at``; at least a millisecond, so an expired deadline still times out, not hangs."""
        return max(at - self.clock(), 0.001)

    async def _opened(
        self, endpoint: EffectiveEndpoint, protocol: Protocol, request: HttpRequest, at: float, timeout: float
    ):
        """Send; the response once its headers are in, with a 2xx status, else a classified :class:`Failure`. The
        caller bounds it by ``at``."""
        import httpx

        sender = self.sender(endpoint, request.url)
        try:
            response = await sender.handle_async_request(self._request(request, timeout))
        except httpx.HTTPError as error:
            raise network_failure(error, timeout) from None
        except httpx.InvalidURL:
            raise Failure(Kind.NOT_FOUND, _INVALID_URL) from None
        if self.clock() > at:
            await response.aclose()
            raise timed_out(timeout)
        if response.status_code >= 300:
            error_body = (
                await self._read(response, at, timeout, ERROR_BODY_CAP, partial=True)
                if response.status_code >= 400
                else None
            )
            await response.aclose()
            raise _checked(response, protocol, self.retry_after_cap, error_body)  # type: ignore[misc]
        return response

    async def exchange(self, endpoint: EffectiveEndpoint, protocol: Protocol, request: HttpRequest, timeout: float):
        """:meth:`Http.exchange`, awaited: (the open response, its deadline) for a stream to read."""
        import asyncio

        at = self.clock() + timeout
        try:
            async with asyncio.timeout(self.left(at)):
                return await self._opened(endpoint, protocol, request, at, timeout), at
        except TimeoutError:
            raise timed_out(timeout) from None

    async def fetch(
        self, endpoint: EffectiveEndpoint, protocol: Protocol, request: HttpRequest, timeout: float
    ) -> tuple[int, bytes]:
        """Send and read the whole answer under one deadline (one timer for both): (status, body)."""
        import asyncio

        at = self.clock() + timeout
        try:
            async with asyncio.timeout(self.left(at)):
                response = await self._opened(endpoint, protocol, request, at, timeout)
                return response.status_code, await self._read(response, at, timeout)
        except TimeoutError:
            raise timed_out(timeout) from None

    async def _read(self, response, at: float, timeout: float, cap: int = BODY_CAP, *, partial: bool = False) -> bytes:
        """:meth:`Http.read`, awaited, bounded by the caller; the response is closed however it ends (cancellation
        included)."""
        import httpx

        try:
            body = _Body(response, at, self.clock, timeout, cap, partial)
            async for chunk in response.aiter_bytes():
                if body.full(chunk):
                    break
        except httpx.HTTPError as error:
            body.broke(error)
        finally:
            await response.aclose()
        return body.bytes()
