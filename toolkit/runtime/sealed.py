"""Every secret the runtime holds, sealed and known to the redactor from the moment the config loads.

In the Python API a credential value is a :class:`~pbcfg.secrets.values.Secret`
(masked ``str`` and ``repr``), and a base URL that carries a secret (a password
in its userinfo, a secret-named query parameter such as ``?api_key=``) is a
:class:`~pbcfg.secrets.values.SecretURL`, shown with those parts starred. :func:`plain` unwraps a
value, and only :mod:`pbcfg.runtime.protocols` (which build the request) and the
plan's check that a request could carry it call it. Every value, including the
ones a request never uses (a file key that an env var overrides), is
registered with :data:`~pbcfg.secrets.known.REDACTOR`, so a server that echoes
any of them, whole or in part, never gets it into a message.
"""

from __future__ import annotations

from pbcfg.ponybunny.builtins import builtin_endpoints
from pbcfg.ponybunny.effective import EffectiveEndpoint, Value
from pbcfg.secrets.known import REDACTOR
from pbcfg.secrets.masking import is_secret_field
from pbcfg.secrets.values import Secret, SecretURL, secret_url_parts

__all__ = ["plain", "register", "seal"]


def plain(value: object) -> str:
    """The value itself, for the request."""
    return value.reveal() if isinstance(value, Secret) else str(value)


def _register(field: str, value: object) -> None:
    if is_secret_field(field):
        REDACTOR.add(value)
    elif isinstance(value, str):
        for secret in secret_url_parts(value):
            REDACTOR.add(secret)


def _sealed(field: str, value: Value) -> Value:
    if is_secret_field(field):
        return Value(Secret(str(value.value)), value.source)
    text = str(value.value)
    return Value(SecretURL(text), value.source) if secret_url_parts(text) else value


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
    for entry in entries.values() if isinstance(entries, dict) else ():
        for field, value in entry.items() if isinstance(entry, dict) else ():
            _register(field, value)
    for builtin in builtin_endpoints().values():
        for field, name in builtin.env.items():
            if isinstance(env.get(name), str) and env[name].strip():
                _register(field, env[name])
