"""httpx's async requests sent by aiohttp: the same requests and responses, redirects refused and deadlines kept by
the runtime, at about a third of httpcore's CPU per call (aiohttp parses HTTP in C and pools without anyio).

``pip install 'pbcfg[aiohttp]'`` turns it on for every async client the runtime
makes (``async_http``, :func:`pbcfg.runtime.load_runtime`). Every aiohttp
failure leaves here as the httpx error that means the same thing, so the
transport classifies it as it classifies httpcore's: a refused connection is a
connect error, not a timeout; a connection that breaks mid-answer is a read
error; a TLS failure keeps its ``ssl.SSLError`` as the cause.
"""

from __future__ import annotations

import contextlib
import ssl

import aiohttp
import httpx

__all__ = ["AiohttpTransport"]

# a header line aiohttp takes: h11 (httpx's own transport) takes a head of up to 16 KiB, aiohttp's default is 8 KiB
# a line, and one answer must not pass or fail by which extra is installed
_HEAD_LIMIT = 16 * 1024


class AiohttpTransport(httpx.AsyncBaseTransport):
    """One aiohttp session (its own connection pool) for one endpoint; made on the first request, inside the
    running event loop, as aiohttp requires."""

    def __init__(self, tls: ssl.SSLContext | bool = True, proxy: str | None = None) -> None:
        self._tls, self._proxy = tls, proxy
        self.session: aiohttp.ClientSession | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.session is None:
            connector = aiohttp.TCPConnector(ssl=self._tls)
            # no cookie jar, no ~/.netrc credentials, no proxy looked up per request (``trust_env``): the runtime
            # sends each call afresh, and its proxy was looked up once for the endpoint
            self.session = aiohttp.ClientSession(
                connector=connector,
                cookie_jar=aiohttp.DummyCookieJar(),
                auto_decompress=False,
                max_line_size=_HEAD_LIMIT,
                max_field_size=_HEAD_LIMIT,
            )
        timeout = request.extensions.get("timeout", {})
        with _as_httpx_errors(request):
            response = await self.session.request(
                request.method,
                str(request.url),
                headers=list(request.headers.multi_items()),
                data=request.content or None,
                allow_redirects=False,
                proxy=self._proxy,
                timeout=aiohttp.ClientTimeout(sock_connect=timeout.get("connect"), sock_read=timeout.get("read")),
            )
        return httpx.Response(
            response.status,
            headers=list(response.raw_headers),
            stream=_Body(response, request),
            request=request,
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": (response.reason or "").encode()},
        )

    async def aclose(self) -> None:
        if self.session is not None:
            await self.session.close()


class _Body(httpx.AsyncByteStream):
    """The answer's bytes as they arrive; closing before the end drops the connection instead of pooling it."""

    def __init__(self, response: aiohttp.ClientResponse, request: httpx.Request) -> None:
        self._response, self._request = response, request

    async def __aiter__(self):
        with _as_httpx_errors(self._request):
            async for chunk in self._response.content.iter_any():
                yield chunk

    async def aclose(self) -> None:
        if self._response.content.at_eof():
            self._response.release()
        else:
            self._response.close()


@contextlib.contextmanager
def _as_httpx_errors(request: httpx.Request):
    """aiohttp's exceptions as httpx's, most specific first (aiohttp's classes inherit across these groups)."""
    try:
        yield
    except (aiohttp.ClientSSLError, aiohttp.ClientConnectorCertificateError) as error:
        raise httpx.ConnectError(f"SSL: {error}", request=request) from getattr(error, "os_error", error)
    except aiohttp.ConnectionTimeoutError as error:
        raise httpx.ConnectTimeout(str(error), request=request) from error
    except (aiohttp.ServerTimeoutError, TimeoutError) as error:
        raise httpx.ReadTimeout(str(error), request=request) from error
    except aiohttp.ClientConnectorError as error:
        raise httpx.ConnectError(str(error), request=request) from error
    except aiohttp.InvalidURL as error:
        raise httpx.InvalidURL(str(error)) from error
    except (aiohttp.ClientPayloadError, aiohttp.ClientResponseError) as error:
        raise httpx.RemoteProtocolError(str(error), request=request) from error
    except (aiohttp.ClientError, OSError) as error:
        raise httpx.ReadError(str(error), request=request) from error
