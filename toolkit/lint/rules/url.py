"""Base URLs: trailing slashes, a missing /v1, plain http with a key, a port and a key from two servers."""

from __future__ import annotations

import ipaddress
import re

from pbcfg.lint.fixes import edit_value
from pbcfg.lint.registry import Finding, check
from pbcfg.ponybunny.urls import split_url as urlsplit
from pbcfg.secrets.masking import NO_KEY_VALUES

# the default ports of the local presets, each an OpenAI-compatible server under /v1
KNOWN_PORTS = {
    11434: "Ollama",
    1234: "LM Studio",
    8080: "LocalAI or llama.cpp",
    8000: "vLLM or FastChat",
    5000: "Text Generation WebUI",
}
# each local preset's no-key value and the default ports of the presets that use it: the data of
# templates/*/preset.toml, written out here because reading it costs start-up (a test holds them equal)
NO_KEY_PORTS = {
    "ollama": {11434},
    "lm-studio": {1234},
    "EMPTY": {8000},
    "not-needed": {5000, 8080},
    "sk-no-key-required": {8080},
}
_VERSIONED = re.compile(r"/v\d+[a-z0-9]*(/openai)?$|/openai/v\d+$")


def _url_fields(ctx):
    """(document, tokens, url, endpoint id) for every baseUrl/endpoint string in the files that validate."""
    for document in (ctx.credentials, ctx.llm_config):
        if document is None or document.kind in ctx.invalid or not isinstance(document.data, dict):
            continue
        entries = document.data.get("endpoints")
        for endpoint_id, entry in entries.items() if isinstance(entries, dict) else ():
            for field in ("baseUrl", "endpoint"):
                value = entry.get(field) if isinstance(entry, dict) else None
                if isinstance(value, str) and value:
                    yield document, ["endpoints", endpoint_id, field], value, endpoint_id


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@check("url.trailing-slash", reads=())
def trailing_slash(ctx):
    """Its hint is the one fix of the value: with url.missing-v1 on it too, the URL with /v1 and no slash."""
    found = []
    for document, tokens, url, endpoint_id in _url_fields(ctx):
        if not url.endswith("/"):
            continue
        also_v1 = _lacks_v1(ctx, tokens, url, endpoint_id)
        found.append(
            Finding(
                document.diagnostic(
                    tokens,
                    "url.trailing-slash",
                    f"{url!r} ends with '/', which makes request paths start with '//'"
                    + ("; it lacks /v1 too (url.missing-v1)" if also_v1 else ""),
                    f"write {_with_v1(url) if also_v1 else url.rstrip('/')!r}",
                ),
                edit_value(document, tokens, url.rstrip("/")),
            )
        )
    return found


def _openai_protocol(ctx, endpoint_id: str) -> bool:
    """Every OpenAI-protocol endpoint, openai-direct included; not azure-openai, whose requests go to
    ``{endpoint}/openai/deployments/…``, where /v1 has no place."""
    endpoint = ctx.endpoints.get(endpoint_id)
    return endpoint is not None and endpoint.protocol == "openai" and endpoint_id != "azure-openai"


def _lacks_v1(ctx, tokens: list, url: str, endpoint_id: str) -> bool:
    if tokens[-1] != "baseUrl" or not _openai_protocol(ctx, endpoint_id):
        return False
    try:
        path = urlsplit(url).path
    except ValueError:  # a malformed host (url.* rules of its own say so): no suffix to judge
        return False
    return not _VERSIONED.search(path.rstrip("/"))


def _with_v1(url: str) -> str:
    return url.rstrip("/") + "/v1"


def _port(url: str) -> int | None:
    try:
        return urlsplit(url).port
    except ValueError:
        return None


@check("url.missing-v1")
def missing_v1(ctx):
    found = []
    for document, tokens, url, endpoint_id in _url_fields(ctx):
        if not _lacks_v1(ctx, tokens, url, endpoint_id):
            continue
        parts = urlsplit(url)
        port = _port(url)
        server = KNOWN_PORTS.get(port)
        suggestion = _with_v1(url)
        message = f"{url!r} has no /v1-style suffix" + (
            f"; port {port} is {server}'s, which serves /v1" if server else ""
        )
        # adding /v1 is a guess that the port tells the server: ruff's "unsafe" fix, applied only when asked
        guess = server is not None and parts.path.strip("/") == "" and not parts.query and not parts.fragment
        found.append(
            Finding(
                document.diagnostic(tokens, "url.missing-v1", message, f"write {suggestion!r}"),
                edit_value(document, tokens, suggestion) if guess else None,
                unsafe=guess,
            )
        )
    return found


@check("url.port-key-mismatch")
def port_key_mismatch(ctx):
    """A no-key value that belongs to another server than the one the port names: a copy from another setup."""
    found = []
    values = NO_KEY_PORTS
    for endpoint in ctx.file_endpoints.values():
        key, base_url = endpoint.fields.get("apiKey"), endpoint.base_url
        if key is None or base_url is None or key.value not in values:
            continue
        port = _port(str(base_url.value))
        if port not in KNOWN_PORTS or port in values[key.value]:
            continue
        owner = " or ".join(sorted({KNOWN_PORTS[p] for p in values[key.value] if p in KNOWN_PORTS}))
        expected = sorted(value for value, ports in values.items() if port in ports)
        found.append(
            ctx.in_credentials(
                ["endpoints", endpoint.id, "apiKey"],
                "url.port-key-mismatch",
                f"apiKey {key.value!r} is {owner}'s no-key value, but port {port} in {base_url.value!r} is "
                f"{KNOWN_PORTS[port]}'s: a value copied from another setup?",
                f"for {KNOWN_PORTS[port]} write {' or '.join(repr(v) for v in expected)}; if the server is {owner}, "
                f"the port is likely wrong ({owner} listens on {', '.join(str(p) for p in sorted(values[key.value]))})",
            )
        )
    return found


@check("url.plain-http-with-key")
def plain_http_with_key(ctx):
    found = []
    for endpoint in ctx.endpoints.values():
        key = endpoint.fields.get("apiKey")
        if endpoint.base_url is None or key is None:
            continue
        parts = urlsplit(str(endpoint.base_url.value))
        if parts.scheme == "http" and not is_loopback(parts.hostname) and key.value not in NO_KEY_VALUES:
            finding_in = (
                ctx.in_credentials
                if "credentials" in endpoint.base_url.source or endpoint.base_url.source.startswith("env")
                else ctx.in_llm_config
            )
            found.append(
                finding_in(
                    ["endpoints", endpoint.id, "baseUrl"],
                    "url.plain-http-with-key",
                    f"{endpoint.id} sends its API key over plain http to {parts.hostname}",
                    "use https://, or a no-key value if the server needs none",
                )
            )
    return found
