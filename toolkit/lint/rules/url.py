"""Base URLs: trailing slashes, a missing /v1, plain http with a key."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from pbcfg.lint.fixes import edit_value
from pbcfg.lint.registry import Finding, check
from pbcfg.lint.rules.secrets import NO_KEY_VALUES

KNOWN_PORTS = {11434: "Ollama", 1234: "LM Studio", 8080: "LocalAI or llama.cpp", 8000: "vLLM or FastChat",
               5000: "Text Generation WebUI"}
_VERSIONED = re.compile(r"/v\d+[a-z0-9]*(/openai)?$|/openai/v\d+$")


def _url_fields(ctx):
    """(document, tokens, url, endpoint id) for every baseUrl/endpoint string in both files."""
    for document in (ctx.credentials, ctx.llm_config):
        if document is None or not isinstance(document.data, dict):
            continue
        entries = document.data.get("endpoints")
        for endpoint_id, entry in (entries.items() if isinstance(entries, dict) else ()):
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


@check("url.trailing-slash")
def trailing_slash(ctx):
    return [Finding(document.diagnostic(tokens, "url.trailing-slash",
                                        f"{url!r} ends with '/', which makes request paths start with '//'",
                                        f"write {url.rstrip('/')!r}"),
                    edit_value(document, tokens, url.rstrip("/")))
            for document, tokens, url, _ in _url_fields(ctx) if url.endswith("/")]


def _openai_protocol(ctx, endpoint_id: str) -> bool:
    endpoint = ctx.endpoints.get(endpoint_id)
    return endpoint is not None and endpoint.protocol == "openai" and endpoint_id not in ("openai-direct", "azure-openai")


@check("url.missing-v1")
def missing_v1(ctx):
    found = []
    for document, tokens, url, endpoint_id in _url_fields(ctx):
        if tokens[-1] != "baseUrl" or not _openai_protocol(ctx, endpoint_id):
            continue
        parts = urlsplit(url)
        if _VERSIONED.search(parts.path.rstrip("/")):
            continue
        try:
            server = KNOWN_PORTS.get(parts.port)
        except ValueError:
            server = None
        suggestion = url.rstrip("/") + "/v1"
        message = f"{url!r} has no /v1-style suffix" + (f"; port {parts.port} is {server}'s, which serves /v1" if server else "")
        found.append(Finding(document.diagnostic(tokens, "url.missing-v1", message,
                                                 f"write {suggestion!r}")))
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
            finding_in = ctx.in_credentials if "credentials" in endpoint.base_url.source or \
                endpoint.base_url.source.startswith("env") else ctx.in_llm_config
            found.append(finding_in(["endpoints", endpoint.id, "baseUrl"], "url.plain-http-with-key",
                                    f"{endpoint.id} sends its API key over plain http to {parts.hostname}",
                                    "use https://, or a no-key value if the server needs none"))
    return found
