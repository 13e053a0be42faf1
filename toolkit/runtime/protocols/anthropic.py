"""Anthropic's Messages API: the URL PonyBunny takes (the messages URL itself, default
``https://api.anthropic.com/v1/messages``), ``x-api-key`` and ``anthropic-version``, the body, the answer, the
stream and the error shapes.

The body hoists system prompts into ``system``, turns tool calls into ``tool_use`` blocks and tool results into
``tool_result`` blocks of one user turn, and always carries ``max_tokens`` (the API requires it): the caller's,
else the model's output limit. A stream is server-sent events: ``message_start`` (input tokens),
``content_block_start``/``_delta``/``_stop`` (text, or a tool call's arguments in ``input_json_delta`` pieces,
joined per block), ``message_delta`` (the stop reason and the cumulative output tokens), ``message_stop``.
:mod:`pbcfg.runtime.protocols.bedrock` sends the same body and reads the same events over AWS's transport.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from pbcfg.runtime.protocols.base import (
    ChatRequest,
    Delta,
    HttpRequest,
    PerEndpoint,
    Protocol,
    Reply,
    StreamDecoder,
    ToolCall,
)
from pbcfg.runtime.responses import (
    Failure,
    Kind,
    Models,
    bad_response,
    classify,
    excerpt,
    parse_json,
    retry_after_seconds,
)
from pbcfg.runtime.sealed import plain
from pbcfg.runtime.stream import SSEDecoder
from pbcfg.runtime.transport import BODY_CAP

if TYPE_CHECKING:
    from collections.abc import Mapping

    from pbcfg.ponybunny.effective import EffectiveEndpoint

__all__ = [
    "ANTHROPIC_VERSION",
    "ARGUMENTS_CAP",
    "PROTOCOL",
    "Anthropic",
    "AnthropicEvents",
    "default_max_tokens",
    "messages_body",
    "read_message",
]

ANTHROPIC_VERSION = "2023-06-01"
ARGUMENTS_CAP = BODY_CAP  # characters of one streamed tool call's arguments: a call is never larger than an answer
# the output limit of each model family, sent as max_tokens when the caller gives none; longest prefix wins
_MAX_OUTPUT = {
    "claude-3-haiku": 4096,
    "claude-3-opus": 4096,
    "claude-3-5": 8192,
    "claude-3-7": 64000,
    "claude-opus-4-0": 32000,
    "claude-opus-4-1": 32000,
    "claude-opus-4-2": 32000,
    "claude-opus-4": 32000,
    "claude-opus-4-5": 64000,
    "claude-sonnet-4": 64000,
    "claude-haiku-4": 64000,
}
_FALLBACK_MAX_OUTPUT = 4096
_FINISH = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "pause_turn": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
}
# parameters the Messages API takes as the caller names them; OpenAI's ``stop`` becomes ``stop_sequences``
_PASSED = ("thinking", "top_p", "top_k", "stop_sequences", "metadata", "service_tier")
_CONTEXT = ("prompt is too long", "context window", "context length", "too many tokens")


def default_max_tokens(model: str) -> int:
    """The model's output limit, for a request that sets none (Bedrock ids carry a vendor prefix)."""
    name = model.rsplit("anthropic.", 1)[-1]
    prefixes = [prefix for prefix in _MAX_OUTPUT if name.startswith(prefix)]
    return _MAX_OUTPUT[max(prefixes, key=len)] if prefixes else _FALLBACK_MAX_OUTPUT


def _text(content: object) -> str:
    """OpenAI content (a string, or a list of parts) as text."""
    if isinstance(content, list):
        return "".join(part.get("text") or "" for part in content if isinstance(part, dict))
    return content if isinstance(content, str) else ""


def _blocks(content: object) -> list[dict]:
    text = _text(content)
    return [{"type": "text", "text": text}] if text else []


def _input(arguments: object) -> object:
    """A tool call's arguments (JSON text, as OpenAI carries them) as the object Anthropic's ``input`` is."""
    if isinstance(arguments, str):
        parsed = parse_json(arguments) if arguments.strip() else {}
        return parsed if isinstance(parsed, dict) else {"value": arguments}
    return arguments if isinstance(arguments, dict) else {}


def _turns(messages: list[dict]) -> tuple[str, list[dict]]:
    """(the system prompts joined, the conversation as Anthropic turns: consecutive turns of one role merged)."""
    system: list[str] = []
    turns: list[dict[str, Any]] = []
    for message in messages:
        role = message.get("role")
        if role == "system" or role == "developer":
            system.append(_text(message.get("content")))
            continue
        if role == "tool":
            blocks = [
                {
                    "type": "tool_result",
                    "tool_use_id": str(message.get("tool_call_id") or ""),
                    "content": _text(message.get("content")),
                }
            ]
            role = "user"
        elif role == "assistant":
            blocks = _blocks(message.get("content")) + [
                {
                    "type": "tool_use",
                    "id": str(call.get("id") or ""),
                    "name": str(function.get("name") or ""),
                    "input": _input(function.get("arguments")),
                }
                for call in message.get("tool_calls") or []
                if isinstance(call, dict)
                for function in [call.get("function") or {}]
            ]
        else:
            blocks, role = _blocks(message.get("content")), "user"
        if turns and turns[-1]["role"] == role:
            turns[-1]["content"].extend(blocks)
        else:
            turns.append({"role": role, "content": blocks})
    return "\n\n".join(part for part in system if part), turns


def _tool_choice(choice: object) -> dict | None:
    if choice == "auto":
        return {"type": "auto"}
    if choice == "required":
        return {"type": "any"}
    if choice == "none":
        return {"type": "none"}
    if isinstance(choice, dict) and isinstance(choice.get("function"), dict):
        return {"type": "tool", "name": choice["function"].get("name")}
    return None


def messages_body(model: str, chat: ChatRequest) -> dict:
    """The Messages API body for ``chat`` (OpenAI-style) on ``model``."""
    system, turns = _turns(chat.messages)
    body: dict = {
        "model": model,
        "messages": turns,
        "max_tokens": chat.max_tokens if chat.max_tokens is not None else default_max_tokens(model),
    }
    if system:
        body["system"] = system
    if chat.temperature is not None:
        body["temperature"] = min(chat.temperature, 1.0)  # Anthropic's range is 0-1, OpenAI's 0-2
    if chat.tools:
        body["tools"] = [
            {
                "name": function.get("name"),
                "description": function.get("description") or "",
                "input_schema": function.get("parameters") or {"type": "object", "properties": {}},
            }
            for tool in chat.tools
            if isinstance(tool, dict)
            for function in [tool.get("function") or tool]
        ]
    choice = _tool_choice(chat.tool_choice)
    if choice is not None:
        body["tool_choice"] = choice
    if chat.extra:
        extra = dict(chat.extra)
        if isinstance(extra.get("stop"), (str, list)):
            stop = extra.pop("stop")
            body["stop_sequences"] = [stop] if isinstance(stop, str) else stop
        body.update({name: extra[name] for name in _PASSED if name in extra})
    return body


def _usage(usage: object) -> dict | None:
    """Anthropic's counts as OpenAI's names; cached input counts as input."""
    if not isinstance(usage, dict):
        return None
    counts = (
        usage.get("input_tokens"),
        usage.get("cache_creation_input_tokens"),
        usage.get("cache_read_input_tokens"),
        usage.get("output_tokens"),
    )
    if any(value is not None and (type(value) is not int or value < 0) for value in counts):
        return None
    prompt = (counts[0] or 0) + (counts[1] or 0) + (counts[2] or 0)
    completion = counts[3] or 0
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def read_message(body: bytes, status: int) -> Reply:
    """A Messages API answer: its text blocks joined, its ``tool_use`` blocks as tool calls, the stop reason."""
    data = parse_json(body)
    if not isinstance(data, dict) or not isinstance(data.get("content"), list):
        raise bad_response("the answer is not an Anthropic message", body, status)
    text, calls = [], []
    for block in data["content"]:
        if not isinstance(block, dict):
            continue
        if block.get("type") == "text" and isinstance(block.get("text"), str):
            text.append(block["text"])
        elif block.get("type") == "tool_use":
            calls.append(ToolCall(str(block.get("id") or ""), str(block.get("name") or ""), block.get("input")))
    reason = data.get("stop_reason")
    return Reply(
        "".join(text),
        _usage(data.get("usage")) or {},
        _FINISH.get(reason, reason) if isinstance(reason, str) else None,
        tuple(calls),
    )


def error_failure(kind: str, message: str, status: int | None = None) -> Failure:
    """An error named by its type (an ``error`` event in a stream, or Bedrock's exception), as its HTTP form is
    classified: overloaded, rate limited and server errors are retried; a refused key moves on."""
    shown = excerpt(f"{kind}: {message}" if message else kind)
    lowered = kind.lower()
    if any(
        word in lowered
        for word in (
            "overloaded",
            "rate_limit",
            "throttl",
            "api_error",
            "internal",
            "unavailable",
            "timeout",
            "modelstreamerror",
        )
    ):
        return Failure(Kind.RETRY, f"the server sent an error in the stream: {shown}", status)
    if any(word in lowered for word in ("authentication", "permission", "accessdenied", "unrecognizedclient")):
        return Failure(Kind.AUTH, shown, status)
    return Failure(Kind.REJECTED, f"the server sent an error in the stream: {shown}", status)


class _Block:
    __slots__ = ("arguments", "id", "name")

    def __init__(self, block: dict) -> None:
        self.id, self.name, self.arguments = str(block.get("id") or ""), str(block.get("name") or ""), ""

    def add(self, piece: object) -> None:
        """One more piece of the arguments; past :data:`ARGUMENTS_CAP` characters the answer is refused."""
        self.arguments += str(piece or "")
        if len(self.arguments) > ARGUMENTS_CAP:
            raise Failure(
                Kind.BAD_RESPONSE, f"a tool call's arguments are over the {ARGUMENTS_CAP:,}-character cap", 200
            )

    def call(self) -> ToolCall:
        arguments = parse_json(self.arguments) if self.arguments.strip() else {}
        return ToolCall(self.id, self.name, self.arguments if arguments is None else arguments)


class AnthropicEvents:
    """The stream's events, decoded one JSON object at a time (Bedrock hands them over the same way): text deltas,
    each tool call once its block stops, the usage (input from ``message_start``, output from the last
    ``message_delta``), the stop reason; ``message_stop`` is the end (None)."""

    def __init__(self) -> None:
        self._tools: dict[object, _Block] = {}
        self._usage: dict = {}

    def event(self, data: str | bytes) -> Delta | None:
        event = parse_json(data)
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            raise bad_response("the stream's event is not an Anthropic event", data, 200)
        kind = event["type"]
        if kind.startswith("content_block_") and type(event.get("index")) is not int:
            raise bad_response("the stream's event names no block by its index", data, 200)
        if kind == "message_stop":
            return None
        if kind == "error":
            error = event.get("error")
            if not isinstance(error, dict):
                error = {}
            raise error_failure(str(error.get("type") or "error"), str(error.get("message") or ""), 200)
        if kind == "message_start":
            return self._counted(
                (event.get("message") or {}).get("usage") if isinstance(event.get("message"), dict) else None
            )
        if kind == "content_block_start" and isinstance(event.get("content_block"), dict):
            block = event["content_block"]
            if block.get("type") == "tool_use":
                self._tools[event.get("index")] = _Block(block)
            return Delta(block.get("text") or "" if block.get("type") == "text" else "")
        if kind == "content_block_delta" and isinstance(event.get("delta"), dict):
            delta = event["delta"]
            if delta.get("type") == "input_json_delta" and event.get("index") in self._tools:
                self._tools[event["index"]].add(delta.get("partial_json"))
                return Delta()
            return Delta(delta.get("text") or "" if delta.get("type") == "text_delta" else "")
        if kind == "content_block_stop":
            block = self._tools.pop(event.get("index"), None)
            return Delta(tool_calls=(block.call(),)) if block else Delta()
        if kind == "message_delta":
            delta = self._counted(event.get("usage"))
            reason = (event.get("delta") or {}).get("stop_reason") if isinstance(event.get("delta"), dict) else None
            return delta._replace(finish_reason=_FINISH.get(reason, reason) if isinstance(reason, str) else None)
        return Delta()  # ping, and event types added later

    def _counted(self, usage: object) -> Delta:
        """Counts are cumulative: each field keeps its last value; the merged usage rides on the delta."""
        if not isinstance(usage, dict):
            return Delta()
        self._usage.update({name: value for name, value in usage.items() if isinstance(value, int)})
        return Delta(usage=_usage(self._usage))

    def pending(self) -> list[Delta | None]:
        """Tool calls whose block never stopped, handed over at EOF."""
        calls = tuple(block.call() for block in self._tools.values())
        self._tools.clear()
        return [Delta(tool_calls=calls)] if calls else []


class AnthropicStream:
    """Server-sent events of the Messages API, through :class:`AnthropicEvents`."""

    def __init__(self) -> None:
        self._sse, self._events = SSEDecoder(), AnthropicEvents()

    def feed(self, data: bytes) -> list[Delta | None]:
        return [self._events.event(event) for event in self._sse.feed(data)]

    def close(self) -> list[Delta | None]:
        return [self._events.event(event) for event in self._sse.close()] + self._events.pending()


def classify_error(status: int, headers: Mapping[str, str], body: bytes, retry_after_cap: float) -> Failure:
    """``{"type": "error", "error": {"type", "message"}}``: 429 ``rate_limit_error`` (with ``retry-after``),
    529 ``overloaded_error`` and 5xx retried; 401 ``authentication_error`` and 403 ``permission_error`` move on
    with their message; a prompt over the context window moves to a larger model."""
    text = body.decode("utf-8", "replace")
    verdict = classify(status, text)
    kind = verdict.kind
    if status == 400 and any(phrase in text.lower() for phrase in _CONTEXT):
        kind = Kind.CONTEXT_LENGTH
    data = parse_json(body)
    error = data.get("error") if isinstance(data, dict) else None
    said = error.get("type") if isinstance(error, dict) and isinstance(error.get("type"), str) else None
    message = f"{said}: {verdict.message}" if said and said not in verdict.message else verdict.message
    return Failure(kind, message, status, retry_after_seconds(headers, retry_after_cap))


def messages_url(endpoint: EffectiveEndpoint) -> str:
    """The base URL as PonyBunny takes it: the messages URL itself."""
    return plain(endpoint.base_url.value)  # type: ignore[union-attr]


def models_url(endpoint: EffectiveEndpoint) -> str:
    """``…/v1/models`` beside ``…/v1/messages``."""
    url = messages_url(endpoint).rstrip("/")
    return (url[: -len("/messages")] if url.endswith("/messages") else url) + "/models"


class Anthropic(Protocol):
    name = "anthropic"
    hints = {  # noqa: RUF012 (read only)
        Kind.AUTH: "check apiKey: Anthropic refused it (it goes in the x-api-key header)",
        Kind.BAD_RESPONSE: "is the base URL Anthropic's Messages API (https://api.anthropic.com/v1/messages)?",
    }

    def wrong_path_hint(self, base_url: str) -> str:
        return "the base URL is the Messages URL itself, ending in /v1/messages (https://api.anthropic.com/v1/messages)"

    def __init__(self) -> None:
        self._sent_to = PerEndpoint(self._destination)

    def headers(self, endpoint: EffectiveEndpoint) -> dict[str, str]:
        key = endpoint.fields.get("apiKey")
        return {"anthropic-version": ANTHROPIC_VERSION, **({"x-api-key": plain(key.value)} if key else {})}

    def _destination(self, endpoint: EffectiveEndpoint) -> tuple[str, dict[str, str]]:
        """(the URL, the headers) of every chat request to ``endpoint``."""
        return messages_url(endpoint), {**self.headers(endpoint), "Content-Type": "application/json"}

    def chat_request(
        self, endpoint: EffectiveEndpoint, model: str, chat: ChatRequest, *, stream: bool, stream_usage: bool = True
    ) -> HttpRequest:
        body = messages_body(model, chat)
        if stream:
            body["stream"] = True
        url, headers = self._sent_to(endpoint)
        return HttpRequest("POST", url, dict(headers), json.dumps(body).encode())

    def read_reply(self, body: bytes, status: int) -> Reply:
        return read_message(body, status)

    def stream_decoder(self) -> StreamDecoder:  # Bedrock's, a subclass, decodes another framing
        return AnthropicStream()

    def classify(self, status: int, headers: Mapping[str, str], body: bytes, retry_after_cap: float) -> Failure:
        return classify_error(status, headers, body, retry_after_cap)

    def probe_request(self, endpoint: EffectiveEndpoint) -> HttpRequest | str:
        return HttpRequest("GET", models_url(endpoint), self.headers(endpoint))

    def read_probe(self, body: bytes, status: int) -> Models:
        """``GET /v1/models``: ``{"data": [{"id": …}, …]}``."""
        data = parse_json(body)
        entries = data.get("data") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            raise bad_response("the /models answer is not Anthropic's list shape", body, status)
        return Models(
            [entry["id"] for entry in entries if isinstance(entry, dict) and isinstance(entry.get("id"), str)], False
        )


PROTOCOL = Anthropic()
