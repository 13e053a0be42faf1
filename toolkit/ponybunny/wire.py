"""What PonyBunny's protocol adapters send to Bedrock, Vertex AI and Gemini endpoints where no call can succeed,
and what pbcfg's runtime sends instead.

Both of PonyBunny's paths (work items and planning, and the conversation agent) build each request with the same
adapter of the endpoint's protocol: the URL from ``buildUrl(baseUrl, model, credentials)``, the headers from
``buildHeaders(credentials)``. Read in its source:

- protocol ``anthropic`` (``aws-bedrock``): the URL is the base URL as it is (the work-item path falls back to the
  literal ``https://bedrock-runtime.{region}.amazonaws.com``, the conversation agent to no URL at all), the only
  credential header is ``x-api-key``; nothing signs the request with SigV4 or adds an ``/model/…/invoke`` path.
- protocol ``gemini``: ``{base}/models/{model}:generateContent?key=…`` only when the base URL holds
  ``generativelanguage.googleapis.com``; the Vertex AI URL only when it holds ``aiplatform.googleapis.com``; any
  other base URL is posted to as it is. The headers are only ``Content-Type``: no key header, and no
  ``Authorization`` for Vertex AI. The body names no model.
"""

from __future__ import annotations

from typing import NamedTuple
from urllib.parse import urlsplit

__all__ = ["Divergence", "divergence"]


class Divergence(NamedTuple):
    rule: str
    message: str
    hint: str


def _host(base_url: str | None) -> str:
    try:
        return (urlsplit(base_url).hostname or "") if base_url else ""
    except ValueError:
        return ""


def _bedrock(endpoint_id: str, base_url: str | None) -> Divergence | None:
    host = _host(base_url)
    on_aws = base_url is None or "{region}" in base_url or host.endswith(".amazonaws.com")
    if not on_aws:
        return None  # a gateway that speaks Anthropic's API: PonyBunny's request can work there
    where = (
        "no base URL is set: its work-item path posts to the literal https://bedrock-runtime.{region}"
        ".amazonaws.com and its conversation agent has no URL at all"
        if base_url is None
        else "it posts to the base URL as it is"
    )
    return Divergence(
        "ponybunny.bedrock-unsigned",
        f"PonyBunny cannot call {endpoint_id}: {where}, with Anthropic's Messages body, no /model/…/invoke path "
        "and no SigV4 signature, so every call fails; pbcfg's runtime calls Bedrock's InvokeModel signed with SigV4",
        "for PonyBunny, route these models to anthropic-direct as well (it tries the next endpoint); pbcfg's "
        "runtime needs botocore: pip install 'pbcfg[aws]'",
    )


_VERTEX_HINT = (
    "for PonyBunny, route these models to google-ai-studio as well; pbcfg's runtime needs google-auth "
    "(pip install 'pbcfg[gcp]') and `gcloud auth application-default login` or GOOGLE_APPLICATION_CREDENTIALS"
)


def _vertex(endpoint_id: str, base_url: str | None) -> str:
    """What PonyBunny sends to a Vertex AI endpoint: never a token; the URL depends on the base URL and the path."""
    if base_url is None:
        where = (
            "its work-item path builds the Vertex AI URL from the built-in base URL and Google answers 401; its "
            "conversation agent has no URL at all"
        )
    elif "aiplatform.googleapis.com" in base_url:
        where = "it builds the Vertex AI URL and Google answers 401"
    else:
        where = "it posts to the base URL as it is, naming no model"
    return (
        f"PonyBunny calls {endpoint_id} with no Authorization header (its Gemini adapter adds no token), so no "
        f"call succeeds: {where}; pbcfg's runtime sends a Bearer token from Application Default Credentials"
    )


def divergence(endpoint_id: str, protocol: str | None, base_url: str | None) -> Divergence | None:
    """Where PonyBunny's request to this endpoint cannot succeed and pbcfg's can; None where they agree.
    ``base_url`` is the effective one (None when none is set); it is never repeated in a message."""
    host = _host(base_url)
    if protocol == "anthropic" and (endpoint_id == "aws-bedrock" or host.startswith("bedrock-runtime.")):
        return _bedrock(endpoint_id, base_url)
    if protocol != "gemini":
        return None
    if endpoint_id == "google-vertex-ai" or host.endswith("aiplatform.googleapis.com"):
        return Divergence("ponybunny.vertex-no-auth", _vertex(endpoint_id, base_url), _VERTEX_HINT)
    if base_url is not None and "generativelanguage.googleapis.com" not in base_url:
        return Divergence(
            "ponybunny.gemini-bare-url",
            f"PonyBunny posts to {endpoint_id}'s base URL as it is, naming no model and sending no key: it builds "
            "{base}/models/{model}:generateContent?key=… only for a base URL on generativelanguage.googleapis.com; "
            "pbcfg's runtime calls {base}/models/{model}:generateContent with the key in the x-goog-api-key header",
            "for PonyBunny, use Google's base URL https://generativelanguage.googleapis.com/v1beta (a proxy must "
            "then be reached another way)",
        )
    return None
