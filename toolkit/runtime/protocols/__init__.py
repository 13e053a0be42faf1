"""Which protocol serves an endpoint: by its id where the id implies a transport of its own, else by its
``protocol`` field.

    aws-bedrock       -> bedrock    (Anthropic's body over InvokeModel, SigV4)
    google-vertex-ai  -> vertex     (Gemini's body, a Bearer token from Application Default Credentials)
    protocol anthropic -> anthropic, gemini -> gemini, openai -> openai (Azure's dialect included)
    protocol codex    -> none: it needs PonyBunny's own login

A protocol's module is imported the first time an endpoint needs it, so a plan without Bedrock or Vertex
endpoints never imports botocore or google-auth.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pbcfg.ponybunny.effective import EffectiveEndpoint
    from pbcfg.runtime.protocols.base import Protocol

__all__ = ["protocol_for", "protocol_name", "unsupported"]

_BY_ID = {"aws-bedrock": "bedrock", "google-vertex-ai": "vertex"}
_BY_FIELD = {"anthropic": "anthropic", "gemini": "gemini", "openai": "openai"}
_NOT_CALLABLE = {"codex": "needs PonyBunny's login; pbcfg cannot call it"}
_LOADED: dict[str, Protocol] = {}


def protocol_name(endpoint: EffectiveEndpoint) -> str | None:
    """The module that speaks for ``endpoint``, or None when none does."""
    return _BY_ID.get(endpoint.id) or _BY_FIELD.get(endpoint.protocol or "")


def unsupported(endpoint: EffectiveEndpoint) -> str | None:
    """Why pbcfg's runtime sends nothing to ``endpoint`` whatever its config says; None when it can."""
    if endpoint.protocol in _NOT_CALLABLE:
        return _NOT_CALLABLE[endpoint.protocol]
    name = protocol_name(endpoint)
    if name is None:
        return f"protocol {endpoint.protocol!r} is not one PonyBunny configures"
    try:
        protocol_for(endpoint)
    except ImportError:
        spoken = ", ".join(sorted(n for n in {*_BY_ID.values(), *_BY_FIELD.values()} if _present(n)))
        return f"protocol {endpoint.protocol!r} is not implemented by pbcfg's runtime (it speaks {spoken})"
    return None


def _present(name: str) -> bool:
    return importlib.util.find_spec(f"pbcfg.runtime.protocols.{name}") is not None


def protocol_for(endpoint: EffectiveEndpoint) -> Protocol:
    """The protocol object for ``endpoint`` (check :func:`unsupported` first); imported once, then cached."""
    name = protocol_name(endpoint)
    protocol = _LOADED.get(name)  # type: ignore[arg-type]
    if protocol is None:
        if name is None:
            raise ImportError(f"no protocol for {endpoint.protocol!r}")
        protocol = _LOADED[name] = importlib.import_module(f"pbcfg.runtime.protocols.{name}").PROTOCOL
    return protocol
