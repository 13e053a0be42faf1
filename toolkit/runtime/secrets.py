"""Every secret the runtime holds, sealed and known to the redactor from the moment the config loads.

In the Python API a credential value is a :class:`~pbcfg.util.redaction.Secret`
(masked ``str`` and ``repr``), and a base URL that carries a secret (a password
in its userinfo, a secret-named query parameter such as ``?api_key=``) is a
:class:`SecretURL`, shown with those parts starred. :func:`plain` unwraps a
value, and only :mod:`pbcfg.runtime.protocols` (which build the request) and the
plan's check that a request could carry it call it. Every value, including the
ones a request never uses (a file key that an env var overrides), is
registered with :data:`~pbcfg.util.redaction.REDACTOR`, so a server that echoes
any of them, whole or in part, never gets it into a message.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote, urlsplit

from pbcfg.ponybunny.builtins import builtin_endpoints
from pbcfg.ponybunny.effective import EffectiveEndpoint, Value
from pbcfg.util.masking import is_secret_field, looks_secret
from pbcfg.util.redaction import REDACTOR, Secret

__all__ = ["SecretURL", "plain", "register", "seal"]


def _url_secrets(url: str) -> list[str]:
    """The secret parts of a URL: its userinfo, the Basic credentials httpx makes of it (base64 of the
    unquoted ``user:password``, which a server may echo), and the values of secret-named query parameters."""
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


_QUERY_PAIR = re.compile(r"(?<=[?&])([^=&#]*)=([^&#]*)")


class SecretURL(Secret):
    """A base URL with a secret in it; ``str`` shows it with the userinfo and secret query values starred. Only
    those parts are registered with the redactor: the host and path stay readable everywhere."""

    __slots__ = ()

    def __init__(self, value: str) -> None:  # not Secret's: that would register the whole URL
        self._value = value
        for secret in _url_secrets(value):
            REDACTOR.add(secret)

    def __str__(self) -> str:
        scheme, _, rest = self.reveal().partition("://")
        authority, slash, path = rest.partition("/")
        if "@" in authority:
            authority = "***@" + authority.rpartition("@")[2]
        path = _QUERY_PAIR.sub(lambda m: f"{m[1]}=***" if looks_secret(unquote(m[1])) and m[2] else m[0], path)
        return f"{scheme}://{authority}{slash}{path}"

    def __repr__(self) -> str:
        return f"SecretURL({str(self)!r})"


def plain(value: object) -> str:
    """The value itself, for the request."""
    return value.reveal() if isinstance(value, Secret) else str(value)


def _register(field: str, value: object) -> None:
    if is_secret_field(field):
        REDACTOR.add(value)
    elif isinstance(value, str):
        for secret in _url_secrets(value):
            REDACTOR.add(secret)


def _sealed(field: str, value: Value) -> Value:
    if is_secret_field(field):
        return Value(Secret(str(value.value)), value.source)
    text = str(value.value)
    return Value(SecretURL(text), value.source) if _url_secrets(text) else value


def seal(endpoints: dict[str, EffectiveEndpoint]) -> dict[str, EffectiveEndpoint]:
    """The same endpoints, every secret value a :class:`Secret` (registered with the redactor as it is made)."""
    sealed = {}
    for endpoint_id, endpoint in endpoints.items():
        fields = {field: _sealed(field, value) for field, value in endpoint.fields.items()}
        base_url = endpoint.base_url and _sealed("baseUrl", endpoint.base_url)
        for field, value in endpoint.fields.items():
            if value is endpoint.base_url:  # from credentials (or Azure's endpoint): one value, one seal
                base_url = fields[field]
        sealed[endpoint_id] = endpoint._replace(fields=fields, base_url=base_url)
    return sealed


def register(credentials: object, env: dict) -> None:
    """Every credential value in play, used or not: the file's secret fields (any JSON type, as an old file may
    hold ``"apiKey": 123456789``), and every built-in endpoint's environment variables."""
    entries = credentials.get("endpoints") if isinstance(credentials, dict) else None
    for entry in (entries.values() if isinstance(entries, dict) else ()):
        for field, value in (entry.items() if isinstance(entry, dict) else ()):
            _register(field, value)
    for builtin in builtin_endpoints().values():
        for field, name in builtin.env.items():
            if isinstance(env.get(name), str) and env[name].strip():
                _register(field, env[name])
