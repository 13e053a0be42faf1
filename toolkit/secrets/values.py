"""Secret values in the Python API: a credential is a :class:`Secret`, a base URL that carries one a
:class:`SecretURL`; their ``str`` and ``repr`` are masked, and making one registers what it holds."""

from __future__ import annotations

import re

from pbcfg.secrets.known import REDACTOR
from pbcfg.secrets.masking import looks_secret, mask

__all__ = ["Secret", "SecretURL", "secret_url_parts"]

_QUERY_PAIR = r"(?<=[?&])([^=&#]*)=([^&#]*)"


class Secret:
    """A secret value: ``str`` and ``repr`` are masked; :meth:`reveal` is for the one place that sends it (the
    request's header). Creating one registers it with :data:`~pbcfg.secrets.known.REDACTOR`."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value
        REDACTOR.add(value)

    def reveal(self) -> str:
        return self._value

    def __str__(self) -> str:
        return mask(self._value)

    def __repr__(self) -> str:
        return f"Secret({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))


def secret_url_parts(url: str) -> list[str]:
    """The secret parts of a URL: its userinfo, the Basic credentials httpx makes of it (base64 of the
    unquoted ``user:password``, which a server may echo), and the values of secret-named query parameters."""
    from urllib.parse import parse_qsl, unquote, urlsplit

    try:
        parts = urlsplit(url)
        userinfo = parts.netloc.rpartition("@")[0]
        query = parse_qsl(parts.query, keep_blank_values=True)
    except ValueError:
        return []
    found = [piece for piece in (userinfo, *userinfo.split(":", 1)) if piece] if userinfo else []
    if userinfo:
        from base64 import b64encode

        user, _, password = userinfo.partition(":")
        found.append(b64encode(f"{unquote(user)}:{unquote(password)}".encode(errors="surrogatepass")).decode())
    return found + [value for name, value in query if value and looks_secret(name)]


class SecretURL(Secret):
    """A base URL with a secret in it; ``str`` shows it with the userinfo and secret query values starred. Only
    those parts are registered with the redactor: the host and path stay readable everywhere."""

    __slots__ = ()

    def __init__(self, value: str) -> None:  # not Secret's: that would register the whole URL
        self._value = value
        for secret in secret_url_parts(value):
            REDACTOR.add(secret)

    def __str__(self) -> str:
        from urllib.parse import unquote

        scheme, _, rest = self.reveal().partition("://")
        authority, slash, path = rest.partition("/")
        if "@" in authority:
            authority = "***@" + authority.rpartition("@")[2]
        path = re.sub(_QUERY_PAIR, lambda m: f"{m[1]}=***" if looks_secret(unquote(m[1])) and m[2] else m[0], path)
        return f"{scheme}://{authority}{slash}{path}"

    def __repr__(self) -> str:
        return f"SecretURL({str(self)!r})"
