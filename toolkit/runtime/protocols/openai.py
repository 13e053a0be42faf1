"""OpenAI's chat-completions protocol, Azure's dialect included: the URL, the auth header, the body, the answer,
the stream and the error shapes of every OpenAI-compatible server (vLLM, Ollama, LiteLLM, llama.cpp, …).

A server can send anything with a 200: ``[]``, ``null``, a string where
``choices`` should be, ``"total_tokens": "abc"``, HTML, JSON nested past any
recursion limit. Each reader returns the parts the runtime uses, or raises a
``bad-response`` :class:`Failure` with the status and a masked excerpt, so the
plan moves on to the next candidate.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from pbcfg.runtime.protocols.base import ChatRequest, Delta, HttpRequest, Protocol, Reply, ToolCall
from pbcfg.runtime.responses import (
    Failure,
    Kind,
    Models,
    bad_response,
    classify,
    parse_json,
    read_usage,
    retry_after_seconds,
)
from pbcfg.runtime.sealed import plain
from pbcfg.runtime.stream import SSEDecoder

if TYPE_CHECKING:
    from collections.abc import Mapping

    from pbcfg.ponybunny.effective import EffectiveEndpoint

__all__ = ["AZURE_API_VERSION", "PROTOCOL", "OpenAI", "auth_headers", "chat_url"]

AZURE_API_VERSION = "2024-10-21"
_JSON = {"Content-Type": "application/json"}
_FINISH = {"function_call": "tool_calls"}  # the pre-tools name of the same reason


def auth_headers(endpoint: EffectiveEndpoint) -> dict[str, str]:
    """The request's auth header: ``Authorization: Bearer <apiKey>``, or Azure's ``api-key``; none without a key.
    The one place an OpenAI key leaves its :class:`~pbcfg.secrets.values.Secret`."""
    key = endpoint.fields.get("apiKey")
    if endpoint.id == "azure-openai":
        return {"api-key": plain(key.value) if key else ""}
    return {"Authorization": f"Bearer {plain(key.value)}"} if key else {}


def _url(endpoint: EffectiveEndpoint, path: str) -> str:
    """``{baseUrl}{path}`` (no ``//``); a base URL with a secret in it is unwrapped here, for the request only."""
    return plain(endpoint.base_url.value).rstrip("/") + path  # type: ignore[union-attr]


def chat_url(endpoint: EffectiveEndpoint, model: str) -> str:
    if endpoint.id == "azure-openai":
        base = plain(endpoint.fields["endpoint"].value).rstrip("/")
        return f"{base}/openai/deployments/{model}/chat/completions?api-version={AZURE_API_VERSION}"
    return _url(endpoint, "/chat/completions")


def _finish(reason: object) -> str | None:
    return _FINISH.get(reason, reason) if isinstance(reason, str) else None


def _arguments(text: object) -> object:
    """Tool arguments as sent (JSON text), parsed; the text itself when it is not JSON."""
    if not isinstance(text, str):
        return text
    parsed = parse_json(text) if text.strip() else {}
    return text if parsed is None and text.strip() != "null" else parsed


def _tool_calls(calls: object, raw: bytes | str, status: int) -> tuple[ToolCall, ...]:
    if calls is None:
        return ()
    if not isinstance(calls, list) or not all(
        isinstance(c, dict) and isinstance(c.get("function"), dict) for c in calls
    ):
        raise bad_response("the answer's tool_calls are not a list of function calls", raw, status)
    return tuple(
        ToolCall(
            str(c.get("id") or ""), str(c["function"].get("name") or ""), _arguments(c["function"].get("arguments"))
        )
        for c in calls
    )


def _choice(data: object, raw: bytes | str, status: int, part: str) -> dict | None:
    if not isinstance(data, dict):
        raise bad_response("the answer is not a JSON object", raw, status)
    choices = data.get("choices")
    if choices is None or choices == []:
        return None
    if not isinstance(choices, list) or not isinstance(choices[0], dict):
        raise bad_response("the answer's choices are not a list of objects", raw, status)
    choice = choices[0]
    if not isinstance(choice.get(part) or {}, dict):
        raise bad_response(f"the answer's {part} is not an object", raw, status)
    content = (choice.get(part) or {}).get("content")
    finish = choice.get("finish_reason")
    if not isinstance(content, (str, type(None))) or not isinstance(finish, (str, type(None))):
        raise bad_response("the answer's content or finish_reason is not text", raw, status)
    return choice


class _Pending:
    """A tool call whose pieces are still arriving: OpenAI streams the id and name first, then the arguments'
    text in pieces, all under one ``index``."""

    __slots__ = ("arguments", "id", "name")

    def __init__(self) -> None:
        self.id, self.name, self.arguments = "", "", ""

    def call(self) -> ToolCall:
        return ToolCall(self.id, self.name, _arguments(self.arguments))


class OpenAIStream:
    """Server-sent events of chat-completion chunks; ``[DONE]`` is None. Tool calls are handed over whole, with
    the chunk that carries the finish reason (or at ``[DONE]`` or EOF when none did)."""

    def __init__(self) -> None:
        self._sse = SSEDecoder()
        self._calls: dict[int, _Pending] = {}

    def feed(self, data: bytes) -> list[Delta | None]:
        return [self._event(event) for event in self._sse.feed(data)]

    def close(self) -> list[Delta | None]:
        events = [self._event(event) for event in self._sse.close()]
        if self._calls:
            events.append(Delta(tool_calls=self._flush()))
        return events

    def _flush(self) -> tuple[ToolCall, ...]:
        calls = tuple(self._calls[index].call() for index in sorted(self._calls))
        self._calls.clear()
        return calls

    def _event(self, data: str) -> Delta | None:
        if data.strip() == "[DONE]":
            return Delta(tool_calls=self._flush()) if self._calls else None
        chunk = parse_json(data)
        if isinstance(chunk, dict) and "error" in chunk and "choices" not in chunk:
            raise Failure(Kind.RETRY, f"the server sent an error in the stream: {classify(500, data).message}")
        choice = _choice(chunk, data, 200, "delta")
        assert isinstance(chunk, dict)  # _choice raised on anything else
        usage = read_usage(chunk.get("usage"), data, 200)
        if choice is None:
            return Delta("", usage)
        delta = choice.get("delta") or {}
        if delta.get("tool_calls"):
            self._absorb(delta["tool_calls"], data)
        finish = _finish(choice.get("finish_reason"))
        calls = self._flush() if finish and self._calls else ()
        return Delta(delta.get("content") or "", usage, finish, calls)

    def _absorb(self, pieces: object, data: str) -> None:
        if not isinstance(pieces, list):
            raise bad_response("the stream's tool_calls are not a list", data, 200)
        for piece in pieces:
            function = piece.get("function") if isinstance(piece, dict) else None
            if not isinstance(function, dict):
                raise bad_response("the stream's tool call is not a function call", data, 200)
            index = piece.get("index", 0)
            pending = self._calls.get(index) or self._calls.setdefault(index, _Pending())
            pending.id = piece.get("id") or pending.id
            pending.name = function.get("name") or pending.name
            pending.arguments += function.get("arguments") or ""


class OpenAI(Protocol):
    name = "openai"

    def chat_request(
        self, endpoint: EffectiveEndpoint, model: str, chat: ChatRequest, *, stream: bool, stream_usage: bool = True
    ) -> HttpRequest:
        body: dict = {"messages": chat.messages}
        if chat.max_tokens is not None:
            body["max_tokens"] = chat.max_tokens
        if chat.temperature is not None:
            body["temperature"] = chat.temperature
        if chat.tools is not None:
            body["tools"] = chat.tools
        if chat.tool_choice is not None:
            body["tool_choice"] = chat.tool_choice
        if chat.extra:
            body.update(chat.extra)
        if stream:
            body["stream"] = True
        body["model"] = model
        if stream and stream_usage and "stream_options" not in body:
            body["stream_options"] = {"include_usage": True}  # the token counts arrive in a last chunk
        content = json.dumps(body).encode()  # ASCII: a stray surrogate cannot break it
        return HttpRequest("POST", chat_url(endpoint, model), {**auth_headers(endpoint), **_JSON}, content)

    def read_reply(self, body: bytes, status: int) -> Reply:
        """``choices[0].message``: its content (text or null), tool calls, finish reason; and the usage."""
        data = parse_json(body)
        choice = _choice(data, body, status, "message")
        if choice is None:
            raise bad_response("the answer has no choices", body, status)
        assert isinstance(data, dict)  # _choice raised on anything else
        usage = read_usage(data.get("usage"), body, status)
        message = choice.get("message") or {}
        return Reply(
            message.get("content") or "",
            usage or {},
            _finish(choice.get("finish_reason")),
            _tool_calls(message.get("tool_calls"), body, status),
        )

    def stream_decoder(self) -> OpenAIStream:
        return OpenAIStream()

    def classify(self, status: int, headers: Mapping[str, str], body: bytes, retry_after_cap: float) -> Failure:
        verdict = classify(status, body.decode("utf-8", "replace"))
        return Failure(verdict.kind, verdict.message, status, retry_after_seconds(headers, retry_after_cap))

    def probe_request(self, endpoint: EffectiveEndpoint) -> HttpRequest | str:
        if endpoint.id == "azure-openai":
            return "Azure deployments have no /models probe"
        return HttpRequest("GET", _url(endpoint, "/models"), auth_headers(endpoint))

    def read_probe(self, body: bytes, status: int) -> Models:
        """``GET /models`` (``{"data": [{"id": …}, …]}``). llama.cpp's server marks its entries
        ``"owned_by": "llamacpp"``, llama-cpp-python's ``"owned_by": "me"`` with a ``permissions`` list; with one
        model loaded, each answers every request with it, whatever id the request names."""
        data = parse_json(body)
        entries = data.get("data") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            raise bad_response("the /models answer is not the OpenAI list shape", body, status)
        entries = [entry for entry in entries if isinstance(entry, dict) and isinstance(entry.get("id"), str)]
        single = len(entries) == 1 and (
            entries[0].get("owned_by") == "llamacpp"
            or (entries[0].get("owned_by") == "me" and isinstance(entries[0].get("permissions"), list))
        )
        return Models([entry["id"] for entry in entries], single)


PROTOCOL = OpenAI()
