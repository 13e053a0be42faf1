"""What PonyBunny's requests do with a base URL.

PonyBunny sends every request with Node's global ``fetch`` on ``{baseUrl}/…``
(no ``new URL``, no SDK), so a URL works exactly when WHATWG URL parsing
accepts it and the scheme is http or https. WHATWG parsing is lenient where a
checker is strict: ``HTTP://LOCALHOST:8000/v1`` is lowercased and an IDN host
such as ``bücher.example`` becomes punycode, and both work. What breaks a
request: no scheme (``localhost:8000/v1`` parses as scheme ``localhost:``),
another scheme (``ftp:``), whitespace, a bad host or port; a backslash is
read as ``/``, so the request goes to another host or path than written.
"""

from __future__ import annotations

import re

__all__ = ["fetch_problem", "split_url", "url_problem"]

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
# code points WHATWG forbids in a host (after the authority is cut at / ? # and \)
_FORBIDDEN_HOST = set("\x00\t\n\r #/:<>?@[\\]^|%\x7f")
_PARSE = "fetch fails ('Failed to parse URL')"


def url_problem(url: str) -> str | None:
    """Why ``url`` does not work as written as a base URL in PonyBunny; None when it does."""
    if any(c.isspace() for c in url):
        return "fetch fails on its whitespace ('Failed to parse URL')"
    if "\\" in url:
        return "URL parsing reads its backslash as '/', so requests go to another host or path than written"
    scheme = _SCHEME.match(url)
    if scheme is None:
        return f"without a scheme, {_PARSE}"
    rest = url[scheme.end() :]
    if scheme.group(1).lower() not in ("http", "https"):
        if rest.startswith("//"):
            return f"fetch speaks only http and https, so '{scheme.group(1)}:' fails ('fetch failed', unknown scheme)"
        return f"fetch reads '{scheme.group(1)}:' as its scheme and fails ('fetch failed', unknown scheme)"
    if not rest.startswith("//"):
        return "'//' must follow the scheme"
    return _authority_problem(rest)


def fetch_problem(url: str) -> str | None:
    """What ``fetch(url)`` throws before any request leaves, as PonyBunny logs it; None when it sends one."""
    cleaned = re.sub(r"[\t\n\r]", "", url.strip("".join(map(chr, range(33)))))
    scheme = _SCHEME.match(cleaned)
    if scheme is None:
        return f"Failed to parse URL from {url}"
    if scheme.group(1).lower() not in ("http", "https"):
        return "fetch failed (unknown scheme)"
    return f"Failed to parse URL from {url}" if _authority_problem(cleaned[scheme.end() :].replace("\\", "/")) else None


def _authority_problem(rest: str) -> str | None:
    """The host and port after ``scheme:`` (WHATWG skips any slashes there for http and https)."""
    authority = re.split(r"[/?#]", rest.lstrip("/"), maxsplit=1)[0]
    host_port = authority.rsplit("@", 1)[-1]
    if host_port.startswith("["):
        close = host_port.find("]")
        if (
            close < 0
            or not re.fullmatch(r"[0-9A-Fa-f:.]+", host_port[1:close])
            or host_port[close + 1 :][:1] not in ("", ":")
        ):
            return f"its IPv6 host is not valid: {_PARSE}"
        host, port = host_port[: close + 1], host_port[close + 2 :]
    else:
        host, _, port = host_port.partition(":")
        if set(host) & _FORBIDDEN_HOST:
            return f"its host has a character URLs do not allow there: {_PARSE}"
    if not host:
        return f"it has no host: {_PARSE}"
    if port and (not (port.isascii() and port.isdigit()) or int(port) > 65535):
        return f"its port {port!r} is not a number up to 65535: {_PARSE}"
    return None


def split_url(url: str):
    """``urllib.parse.urlsplit(url)``, or the parts of an empty URL (no scheme, no host, no port) when the URL
    cannot be split (a bracketed host that is no IPv6 address, such as ``http://[sk-…]/v1``): rules that read
    a URL's parts then find nothing to say of it, and ``url_problem`` says why it fails."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        parts.port  # raises ValueError on a port that is not a number up to 65535
    except ValueError:
        return urlsplit("")
    return parts
