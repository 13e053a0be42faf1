"""The seam between the engine and a wire protocol: what a protocol must say, and the shapes it says it in.

The engine (plan, retries, fallback, limits, cooldown, deadlines, redaction,
cost) knows no protocol. For each attempt it asks the endpoint's protocol to
build an :class:`HttpRequest` from one normalized :class:`ChatRequest`, lets it
add per-attempt auth headers (:meth:`Protocol.authorize`, called after the body
is final and again on every attempt, so a signature or a token is always
fresh), sends the bytes itself, and hands back what came: a 2xx body to
:meth:`Protocol.read_reply`, a stream's bytes to a :class:`StreamDecoder`, an
error answer to :meth:`Protocol.classify`. Everything a protocol returns is
already normalized (OpenAI's finish reasons, usage as ``prompt_tokens``,
``completion_tokens``, ``total_tokens``), and every text from a server in a
failure is an :func:`~pbcfg.runtime.responses.excerpt` (masked).

A protocol module exports one instance as ``PROTOCOL``; the registry
(:mod:`pbcfg.runtime.protocols`) imports it only when an endpoint needs it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Generic, NamedTuple, TypeVar
from typing import Protocol as Interface

from pbcfg.runtime.responses import HINTS, Failure, Kind, Models
from pbcfg.runtime.results import ToolCall

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from pbcfg.ponybunny.effective import EffectiveEndpoint

__all__ = [
    "FINISH_REASONS",
    "ChatRequest",
    "Delta",
    "Failure",
    "HttpRequest",
    "Kind",
    "Models",
    "PerEndpoint",
    "Protocol",
    "Reply",
    "StreamDecoder",
    "ToolCall",
    "bad_region",
    "path_segment",
]

FINISH_REASONS = ("stop", "length", "tool_calls", "content_filter")  # every protocol's reasons map onto these
PER_ENDPOINT_LIMIT = 256  # entries a PerEndpoint keeps: a runtime loaded anew brings endpoints of its own
_REGION = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_Made = TypeVar("_Made")


def bad_region(region: str) -> str | None:
    """Why ``region`` cannot go into a host name (``bedrock-runtime.{region}.…``, ``{region}-aiplatform.…``),
    where a dot, a slash or a ``#`` would send the request, and its credentials, to another host; None if it can."""
    if _REGION.fullmatch(region):
        return None
    return f"the region {region!r} is not a region name (lower-case letters, digits and hyphens): fix region"


def path_segment(value: str) -> str:
    """``value`` as one URL path segment: every reserved character encoded, and ``.`` or ``..`` (which a client or
    server would resolve to another path) written with encoded dots."""
    from urllib.parse import quote

    segment = quote(value, safe="")
    return segment.replace(".", "%2E") if segment in (".", "..") else segment


class PerEndpoint(Generic[_Made]):
    """What a protocol derives from an endpoint and a few plain arguments (a URL, constant headers, a signer), made
    once instead of on every call: a loaded endpoint never changes. Each entry holds its endpoint, so the id it is
    keyed by stays that endpoint's; past :data:`PER_ENDPOINT_LIMIT` entries all are dropped. Thread-safe (a race
    makes an entry twice, never a wrong one)."""

    def __init__(self, make: Callable[..., _Made]) -> None:
        self._make = make
        self._made: dict[tuple, tuple[EffectiveEndpoint, _Made]] = {}

    def __call__(self, endpoint: EffectiveEndpoint, *args: object) -> _Made:
        key = (id(endpoint), *args)
        made = self._made.get(key)
        if made is None:
            if len(self._made) >= PER_ENDPOINT_LIMIT:
                self._made.clear()
            made = self._made[key] = (endpoint, self._make(endpoint, *args))
        return made[1]


class HttpRequest(NamedTuple):
    """One request as it goes on the wire: the body is final bytes, so a signature can cover them."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None = None


class ChatRequest(NamedTuple):
    """The one input shape, OpenAI-style, whatever the protocol.

    ``messages``: ``{"role": "system" | "user" | "assistant" | "tool", "content": …}``; an assistant message may
    carry ``tool_calls`` (``[{"id", "type": "function", "function": {"name", "arguments": "<JSON text>"}}]``),
    a tool message answers one with ``tool_call_id``. ``tools`` are OpenAI function tools
    (``{"type": "function", "function": {"name", "description", "parameters"}}``); ``tool_choice`` is
    ``"auto"``, ``"none"``, ``"required"`` or ``{"type": "function", "function": {"name": …}}``.
    ``max_tokens`` may be None (a protocol that requires it uses the model's default). ``extra`` holds any other
    parameter the caller gave; a protocol passes on what its API takes and drops the rest.
    """

    messages: list[dict]
    max_tokens: int | None = None
    temperature: float | None = None
    tools: list[dict] | None = None
    tool_choice: object = None
    extra: dict = {}  # noqa: RUF012 (never mutated: a NamedTuple default)


class Reply(NamedTuple):
    """A decoded non-stream answer; the engine adds the model, endpoint, attempts and cost."""

    content: str
    usage: dict  # prompt_tokens, completion_tokens, total_tokens as the server counted; {} when it gave none
    finish_reason: str | None  # one of FINISH_REASONS, or None
    tool_calls: tuple[ToolCall, ...] = ()


class Delta(NamedTuple):
    """One event of a stream, any of its parts set: text, complete tool calls (a protocol that streams arguments
    in pieces joins them before it hands a call over), token counts (cumulative: the last one wins), the finish
    reason. A decoder yields ``None`` where the server said the stream is done (OpenAI's ``[DONE]``)."""

    content: str = ""
    usage: dict | None = None
    finish_reason: str | None = None
    tool_calls: tuple[ToolCall, ...] = ()


class StreamDecoder(Interface):
    """Bytes in, events out, in the order the network delivered them; no I/O. A server's error event raises a
    classified :class:`Failure`; so does a line or event over its cap (``bad-response``)."""

    def feed(self, data: bytes) -> list[Delta | None]:
        """The events completed by ``data``."""
        ...

    def close(self) -> list[Delta | None]:
        """At EOF: whatever complete event was pending, and any tool call not yet handed over."""
        ...


class Protocol:
    """One wire protocol. Subclasses set :attr:`name` and implement the request, reply, stream and classify
    methods; the probe is optional (without one, :meth:`probe_request` says why status cannot check the endpoint)."""

    name: str = ""
    # what to do about a failure of each kind, in this protocol's terms (OpenAI-compatible servers' by default)
    hints: dict = HINTS

    def hint(self, kind: Kind) -> str | None:
        return self.hints.get(kind)

    def wrong_path_hint(self, base_url: str) -> str:
        """What to do when the probe's URL under ``base_url`` answers 404."""
        return f"the base URL probably lacks /v1: try {base_url.rstrip('/')}/v1"

    def unavailable(self, endpoint: EffectiveEndpoint) -> str | None:
        """Why this endpoint cannot be called from this installation (an optional extra not installed: name the
        install line, such as ``pip install 'pbcfg[aws]'``); None when it can. The plan drops it with this reason."""
        return None

    def chat_request(
        self, endpoint: EffectiveEndpoint, model: str, chat: ChatRequest, *, stream: bool, stream_usage: bool = True
    ) -> HttpRequest:
        """The request for one attempt. ``stream_usage``: ask a stream for its token counts where the protocol has
        to ask (OpenAI's ``stream_options``); False after the server refused the option."""
        raise NotImplementedError

    def authorize(self, endpoint: EffectiveEndpoint, request: HttpRequest) -> dict[str, str]:
        """Headers to add to ``request`` for this attempt (a SigV4 signature over exactly its bytes, a Bearer
        token); called on every attempt, after the body is final. May raise :class:`Failure` (``auth``)."""
        return {}

    async def aauthorize(self, endpoint: EffectiveEndpoint, request: HttpRequest) -> dict[str, str]:
        """:meth:`authorize` for the async driver; override when getting a token does I/O."""
        return self.authorize(endpoint, request)

    def reauthorize(self, endpoint: EffectiveEndpoint, failure: Failure) -> bool:
        """Whether to send the same attempt once more after ``failure`` (an ``auth`` failure with a cached token
        that may have expired: drop it here and answer True). Called once per attempt at most."""
        return False

    def read_reply(self, body: bytes, status: int) -> Reply:
        """A 2xx answer, or a ``bad-response`` :class:`Failure` (a refusal inside a 200 is classified here too)."""
        raise NotImplementedError

    def stream_decoder(self) -> StreamDecoder:
        """A fresh decoder for one streamed answer."""
        raise NotImplementedError

    def classify(self, status: int, headers: Mapping[str, str], body: bytes, retry_after_cap: float) -> Failure:
        """An error answer (status >= 400) as the engine's failure kinds: ``retry`` the same endpoint (with
        ``retry_after`` seconds when the server said, capped at ``retry_after_cap``), the next endpoint (``auth``,
        ``not-found``, ``model-absent``, …), the next larger model (``context-length``) or stop (``rejected``)."""
        raise NotImplementedError

    def probe_request(self, endpoint: EffectiveEndpoint) -> HttpRequest | str:
        """A request that costs no tokens and proves the URL and the key (a model list; :meth:`authorize` is
        applied to it too), or why there is none ("untested": the sentence ``status`` shows)."""
        return f"pbcfg has no free probe for protocol {self.name!r}"

    def read_probe(self, body: bytes, status: int) -> Models:
        """The probe's 2xx answer as the models the endpoint serves."""
        raise NotImplementedError
