"""Gemini's generateContent API (Google AI Studio): the URL, the key header, the body, the answer, the stream and
the error shapes. :mod:`pbcfg.runtime.protocols.vertex` sends the same body to Vertex AI's URL.

``{base}/models/{model}:generateContent`` and ``:streamGenerateContent?alt=sse`` for any base URL, the key in the
``x-goog-api-key`` header: a key in a URL ends up in proxy and server logs, so no URL pbcfg builds or prints holds
one. The body: ``contents`` with roles ``user``/``model`` (tool results as ``functionResponse`` parts of a user
turn), ``systemInstruction``, ``generationConfig``, ``tools[{functionDeclarations}]``, ``toolConfig``. A prompt
blocked by the safety filters (``promptFeedback.blockReason``) is a refusal: another model is asked the same
thing, so the chain stops.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from pbcfg.runtime.protocols.base import ChatRequest, Delta, HttpRequest, PerEndpoint, Protocol, Reply, ToolCall
from pbcfg.runtime.responses import Failure, Kind, Models, bad_response, classify, excerpt, parse_json
from pbcfg.runtime.responses import retry_after_seconds as header_retry_after
from pbcfg.runtime.sealed import plain
from pbcfg.runtime.stream import SSEDecoder

if TYPE_CHECKING:
    from collections.abc import Mapping

    from pbcfg.ponybunny.effective import EffectiveEndpoint

__all__ = ["PROTOCOL", "Gemini", "GeminiStream", "classify_error", "generate_body", "read_generated"]

_FINISH = {
    "STOP": "stop",
    "MAX_TOKENS": "length",
    "SAFETY": "content_filter",
    "RECITATION": "content_filter",
    "BLOCKLIST": "content_filter",
    "PROHIBITED_CONTENT": "content_filter",
    "SPII": "content_filter",
    "IMAGE_SAFETY": "content_filter",
    "MALFORMED_FUNCTION_CALL": "stop",
}
_MODES = {"auto": "AUTO", "required": "ANY", "none": "NONE"}
_CONFIG = {
    "top_p": "topP",
    "top_k": "topK",
    "seed": "seed",
    "presence_penalty": "presencePenalty",
    "frequency_penalty": "frequencyPenalty",
}
_AUTH_STATUSES = ("UNAUTHENTICATED", "PERMISSION_DENIED")
_DELAY = re.compile(r"^\s*(\d+(?:\.\d+)?)s\s*$")


def _text(content: object) -> str:
    if isinstance(content, list):
        return "".join(part.get("text") or "" for part in content if isinstance(part, dict))
    return content if isinstance(content, str) else ""


def _arguments(arguments: object) -> object:
    if isinstance(arguments, str):
        parsed = parse_json(arguments) if arguments.strip() else {}
        return parsed if isinstance(parsed, dict) else {"value": arguments}
    return arguments if isinstance(arguments, dict) else {}


def _contents(messages: list[dict]) -> tuple[str, list[dict]]:
    """(the system prompts joined, the turns): a tool result names its function, found from the call it answers."""
    system: list[str] = []
    contents: list[dict[str, Any]] = []
    names: dict[str, object] = {}  # a tool call's id → its function's name
    for message in messages:
        role = message.get("role")
        if role in ("system", "developer"):
            system.append(_text(message.get("content")))
            continue
        if role == "tool":
            call_id = str(message.get("tool_call_id") or "")
            parts: list[dict[str, Any]] = [
                {
                    "functionResponse": {
                        "name": names.get(call_id, call_id),
                        "response": {"result": _text(message.get("content"))},
                    }
                }
            ]
            role = "user"
        elif role == "assistant":
            text = _text(message.get("content"))
            parts = [{"text": text}] if text else []
            for call in message.get("tool_calls") or []:
                function = call.get("function") or {} if isinstance(call, dict) else {}
                names[str(call.get("id") or "")] = function.get("name")
                parts.append(
                    {"functionCall": {"name": function.get("name"), "args": _arguments(function.get("arguments"))}}
                )
            role = "model"
        else:
            parts, role = [{"text": _text(message.get("content"))}], "user"
        if contents and contents[-1]["role"] == role:
            contents[-1]["parts"].extend(parts)
        else:
            contents.append({"role": role, "parts": parts})
    return "\n\n".join(part for part in system if part), contents


def _tool_config(choice: object) -> dict | None:
    if isinstance(choice, str) and choice in _MODES:
        return {"functionCallingConfig": {"mode": _MODES[choice]}}
    if isinstance(choice, dict) and isinstance(choice.get("function"), dict):
        return {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": [choice["function"].get("name")]}}
    return None


def generate_body(chat: ChatRequest) -> dict:
    """The generateContent body for ``chat`` (OpenAI-style); the model is in the URL, not here."""
    system, contents = _contents(chat.messages)
    body: dict = {"contents": contents}
    if system:
        body["systemInstruction"] = {"parts": [{"text": system}]}
    config: dict = {}
    if chat.max_tokens is not None:
        config["maxOutputTokens"] = chat.max_tokens
    if chat.temperature is not None:
        config["temperature"] = chat.temperature
    if chat.extra:
        stop = chat.extra.get("stop")
        if isinstance(stop, (str, list)):
            config["stopSequences"] = [stop] if isinstance(stop, str) else stop
        config.update({name: chat.extra[key] for key, name in _CONFIG.items() if key in chat.extra})
    if config:
        body["generationConfig"] = config
    if chat.tools:
        body["tools"] = [
            {
                "functionDeclarations": [
                    {
                        "name": function.get("name"),
                        "description": function.get("description") or "",
                        **({"parameters": function["parameters"]} if function.get("parameters") else {}),
                    }
                    for tool in chat.tools
                    if isinstance(tool, dict)
                    for function in [tool.get("function") or tool]
                ]
            }
        ]
    tool_config = _tool_config(chat.tool_choice)
    if tool_config is not None:
        body["toolConfig"] = tool_config
    return body


def _usage(metadata: object) -> dict | None:
    if not isinstance(metadata, dict):
        return None
    counts = [metadata.get(name) or 0 for name in ("promptTokenCount", "candidatesTokenCount", "thoughtsTokenCount")]
    if any(type(count) is not int or count < 0 for count in counts):
        return None
    prompt, completion = counts[0], counts[1] + counts[2]
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _blocked(data: dict, raw: bytes | str, status: int) -> Failure | None:
    """A prompt the safety filters refused: ``promptFeedback.blockReason``, and no candidate."""
    feedback = data.get("promptFeedback")
    reason = feedback.get("blockReason") if isinstance(feedback, dict) else None
    if reason and not data.get("candidates"):
        return Failure(
            Kind.REJECTED,
            f"Gemini refused the prompt (promptFeedback.blockReason {excerpt(str(reason))}"
            "): another model would be asked the same, so the chain stops",
            status,
        )
    return None


class _Parts:
    """One answer's (or one stream event's) candidate: text, function calls, finish reason."""

    def __init__(self, data: object, raw: bytes | str, status: int, calls_so_far: int = 0) -> None:
        if not isinstance(data, dict):
            raise bad_response("the answer is not a Gemini response", raw, status)
        blocked = _blocked(data, raw, status)
        if blocked:
            raise blocked
        candidates = data.get("candidates") or []
        candidate = candidates[0] if isinstance(candidates, list) and candidates else {}
        if not isinstance(candidate, dict):
            raise bad_response("the answer's candidates are not objects", raw, status)
        content = candidate.get("content")
        if not isinstance(content, dict):
            content = {}
        parts = [part for part in content.get("parts") or [] if isinstance(part, dict)]
        self.text = "".join(
            part["text"] for part in parts if isinstance(part.get("text"), str) and not part.get("thought")
        )
        self.calls = tuple(
            ToolCall(
                str(call.get("id") or f"call_{calls_so_far + number}"),
                str(call.get("name") or ""),
                call.get("args") if call.get("args") is not None else {},
            )
            for number, call in enumerate(
                part["functionCall"] for part in parts if isinstance(part.get("functionCall"), dict)
            )
        )
        reason = candidate.get("finishReason")
        self.finish = _FINISH.get(reason, "stop") if isinstance(reason, str) and reason else None
        self.usage = _usage(data.get("usageMetadata"))


def _finish(finish: str | None, any_calls: bool) -> str | None:
    return "tool_calls" if finish == "stop" and any_calls else finish


def read_generated(body: bytes, status: int) -> Reply:
    parts = _Parts(parse_json(body), body, status)
    if parts.finish is None and not parts.text and not parts.calls:
        raise bad_response("the answer has no candidates", body, status)
    return Reply(parts.text, parts.usage or {}, _finish(parts.finish, bool(parts.calls)), parts.calls)


class GeminiStream:
    """``:streamGenerateContent?alt=sse``: each event a partial response; function calls arrive whole. The event
    with a finish reason is the last one (Gemini sends no end marker)."""

    def __init__(self) -> None:
        self._sse = SSEDecoder()
        self._calls = 0

    def feed(self, data: bytes) -> list[Delta | None]:
        return [self._event(event) for event in self._sse.feed(data)]

    def close(self) -> list[Delta | None]:
        return [self._event(event) for event in self._sse.close()]

    def _event(self, data: str) -> Delta:
        event = parse_json(data)
        if isinstance(event, dict) and isinstance(event.get("error"), dict):
            code = event["error"].get("code")
            raise classify_error(code if type(code) is int and 400 <= code < 600 else 500, {}, data.encode(), 0.0)
        parts = _Parts(event, data, 200, self._calls)
        self._calls += len(parts.calls)
        return Delta(parts.text, parts.usage, _finish(parts.finish, self._calls > 0), parts.calls)


def _retry_delay(error: dict) -> float | None:
    """``RetryInfo.retryDelay`` (``"30s"``) from the error's details, when the header says nothing."""
    details = error.get("details")
    for detail in details if isinstance(details, list) else ():
        if isinstance(detail, dict) and isinstance(detail.get("retryDelay"), str):
            match = _DELAY.match(detail["retryDelay"])
            if match:
                return float(match.group(1))
    return None


def classify_error(status: int, headers: Mapping[str, str], body: bytes, retry_after_cap: float) -> Failure:
    """``{"error": {"code", "message", "status"}}``: ``RESOURCE_EXHAUSTED`` is rate limited (retried after the
    server's delay), ``UNAUTHENTICATED``/``PERMISSION_DENIED`` and a 400 ``API key not valid`` are a refused key."""
    text = body.decode("utf-8", "replace")
    verdict = classify(status, text)
    data = parse_json(body)
    error = data.get("error") if isinstance(data, dict) else None
    if not isinstance(error, dict):
        error = {}
    said = error.get("status") if isinstance(error.get("status"), str) else ""
    kind = verdict.kind
    if said == "RESOURCE_EXHAUSTED":
        kind = Kind.RETRY
    elif said in _AUTH_STATUSES or (status == 400 and "api key not valid" in text.lower()):
        kind = Kind.AUTH
    elif status == 400 and "exceeds the maximum number of tokens" in text.lower():
        kind = Kind.CONTEXT_LENGTH
    retry_after = header_retry_after(headers, retry_after_cap)
    if retry_after is None and kind == Kind.RETRY and (delay := _retry_delay(error)) is not None:
        retry_after = min(delay, retry_after_cap)
    message = f"{said}: {verdict.message}" if said and said not in verdict.message else verdict.message
    return Failure(kind, message, status, retry_after)


def model_path(model: str) -> str:
    """``models/{model}``; an id written as ``models/…`` is not doubled; the id is URL-encoded."""
    return "models/" + quote(model.removeprefix("models/"), safe="-._~")


class Gemini(Protocol):
    name = "gemini"
    hints = {  # noqa: RUF012 (read only)
        Kind.AUTH: "check apiKey: Google refused it (it goes in the x-goog-api-key header)",
        Kind.BAD_RESPONSE: "is the base URL a Gemini API root (https://generativelanguage.googleapis.com/v1beta)?",
    }

    def wrong_path_hint(self, base_url: str) -> str:
        return f"the base URL is the API root, ending in /v1beta: try {base_url.rstrip('/')}/v1beta"

    def __init__(self) -> None:
        self._sent_to = PerEndpoint(self._destination)

    def base(self, endpoint: EffectiveEndpoint) -> str:
        return plain(endpoint.base_url.value).rstrip("/")  # type: ignore[union-attr]

    def model_url(self, endpoint: EffectiveEndpoint, model: str, stream: bool) -> str:
        method = ":streamGenerateContent?alt=sse" if stream else ":generateContent"
        return f"{self.base(endpoint)}/{model_path(model)}{method}"

    def headers(self, endpoint: EffectiveEndpoint) -> dict[str, str]:
        key = endpoint.fields.get("apiKey")
        return {"x-goog-api-key": plain(key.value)} if key else {}

    def _destination(self, endpoint: EffectiveEndpoint, model: str, stream: bool) -> tuple[str, dict[str, str]]:
        """(the URL, the headers) of every chat request for ``model`` to ``endpoint``."""
        return self.model_url(endpoint, model, stream), {**self.headers(endpoint), "Content-Type": "application/json"}

    def chat_request(
        self, endpoint: EffectiveEndpoint, model: str, chat: ChatRequest, *, stream: bool, stream_usage: bool = True
    ) -> HttpRequest:
        url, headers = self._sent_to(endpoint, model, stream)
        return HttpRequest("POST", url, dict(headers), json.dumps(generate_body(chat)).encode())

    def read_reply(self, body: bytes, status: int) -> Reply:
        return read_generated(body, status)

    def stream_decoder(self) -> GeminiStream:
        return GeminiStream()

    def classify(self, status: int, headers: Mapping[str, str], body: bytes, retry_after_cap: float) -> Failure:
        return classify_error(status, headers, body, retry_after_cap)

    def probe_request(self, endpoint: EffectiveEndpoint) -> HttpRequest | str:
        return HttpRequest("GET", f"{self.base(endpoint)}/models", self.headers(endpoint))

    def read_probe(self, body: bytes, status: int) -> Models:
        """``GET {base}/models``: ``{"models": [{"name": "models/gemini-2.0-flash"}, …]}``."""
        data = parse_json(body)
        entries = data.get("models") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            raise bad_response("the /models answer is not Gemini's list shape", body, status)
        return Models(
            [
                entry["name"].removeprefix("models/")
                for entry in entries
                if isinstance(entry, dict) and isinstance(entry.get("name"), str)
            ],
            False,
        )


PROTOCOL = Gemini()
