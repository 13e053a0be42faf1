"""The shapes of a good answer: a completion, a stream chunk, usage, a model list.

A server can send anything with a 200: ``[]``, ``null``, a string where
``choices`` should be, ``"total_tokens": "abc"``, HTML, JSON nested past any
recursion limit. Each reader here returns the parts the runtime uses, or
raises a ``bad-response`` :class:`~pbcfg.runtime.classify.Failure` with the
status and a masked excerpt, so the plan moves on to the next candidate.
"""

from __future__ import annotations

from typing import NamedTuple

from pbcfg.runtime.classify import Failure, Kind, classify, excerpt, parse_json
from pbcfg.util.suggest import did_you_mean

__all__ = ["Delta", "Models", "Reply", "absent", "read_chunk", "read_completion", "read_models", "read_usage"]

_COUNTS = ("prompt_tokens", "completion_tokens", "total_tokens")
_LISTED = 12  # model ids named in a hint; the rest are counted


class Reply(NamedTuple):
    content: str
    usage: dict
    finish_reason: str | None


class Delta(NamedTuple):
    content: str
    usage: dict | None  # None: this chunk carries no usage
    finish_reason: str | None


def _bad(what: str, raw: bytes | str, status: int | None) -> Failure:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    return Failure(Kind.BAD_RESPONSE, f"{what}: {excerpt(text) or '(empty)'}", status)


def read_usage(usage: object, raw: bytes | str, status: int | None) -> dict | None:
    """The usage object, or None when the server sent none; counts must be non-negative integers."""
    if usage is None:
        return None
    if not isinstance(usage, dict) or any(
            name in usage and (type(usage[name]) is not int or usage[name] < 0) for name in _COUNTS):
        raise _bad("the answer's usage is not token counts", raw, status)
    return usage


def _choice(data: object, raw: bytes | str, status: int | None, part: str) -> dict | None:
    if not isinstance(data, dict):
        raise _bad("the answer is not a JSON object", raw, status)
    choices = data.get("choices")
    if choices is None or choices == []:
        return None
    if not isinstance(choices, list) or not isinstance(choices[0], dict):
        raise _bad("the answer's choices are not a list of objects", raw, status)
    choice = choices[0]
    if not isinstance(choice.get(part) or {}, dict):
        raise _bad(f"the answer's {part} is not an object", raw, status)
    content = (choice.get(part) or {}).get("content")
    finish = choice.get("finish_reason")
    if not isinstance(content, (str, type(None))) or not isinstance(finish, (str, type(None))):
        raise _bad("the answer's content or finish_reason is not text", raw, status)
    return choice


def read_completion(raw: bytes, status: int) -> Reply:
    """A chat completion: ``choices[0].message.content`` (text or null), its finish reason, its usage."""
    data = parse_json(raw)
    choice = _choice(data, raw, status, "message")
    if choice is None:
        raise _bad("the answer has no choices", raw, status)
    usage = read_usage(data.get("usage"), raw, status)
    return Reply((choice.get("message") or {}).get("content") or "", usage or {}, choice.get("finish_reason"))


def read_chunk(data: str) -> Delta | None:
    """One SSE event of a stream: None for ``[DONE]``. An ``error`` event is a failure the plan may retry."""
    if data.strip() == "[DONE]":
        return None
    chunk = parse_json(data)
    if isinstance(chunk, dict) and "error" in chunk and "choices" not in chunk:
        raise Failure(Kind.RETRY, f"the server sent an error in the stream: {classify(500, data).message}")
    choice = _choice(chunk, data, 200, "delta")
    usage = read_usage(chunk.get("usage"), data, 200)
    if choice is None:
        return Delta("", usage, None)
    return Delta((choice.get("delta") or {}).get("content") or "", usage, choice.get("finish_reason"))


class Models(NamedTuple):
    ids: list[str]  # as the server wrote them
    single: bool  # llama.cpp's server: it serves the one model it loaded, whatever id a request names


def read_models(raw: bytes, status: int) -> Models:
    """``GET /models`` (OpenAI's ``{"data": [{"id": …}, …]}``). llama.cpp's server marks its entries
    ``"owned_by": "llamacpp"``, llama-cpp-python's ``"owned_by": "me"`` with a ``permissions`` list; with one
    model loaded, each answers every request with it, whatever id the request names."""
    data = parse_json(raw)
    entries = data.get("data") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise _bad("the /models answer is not the OpenAI list shape", raw, status)
    entries = [entry for entry in entries if isinstance(entry, dict) and isinstance(entry.get("id"), str)]
    single = len(entries) == 1 and (entries[0].get("owned_by") == "llamacpp" or (
        entries[0].get("owned_by") == "me" and isinstance(entries[0].get("permissions"), list)))
    return Models([entry["id"] for entry in entries], single)


def absent(models: list[str], served: list[str]) -> tuple[str, str]:
    """(detail, hint) for configured ``models`` a server does not serve: what it serves instead, and the closest
    id. Ids are a server's text: shown as excerpts (masked, printable)."""
    shown = [excerpt(model_id) for model_id in served]
    guesses = [f"{m!r} (did you mean {g!r}?)" if (g := did_you_mean(m, shown)) else repr(m) for m in models]
    listing = ", ".join(shown[:_LISTED]) + (f", and {len(shown) - _LISTED} more" if len(shown) > _LISTED else "")
    guess = did_you_mean(models[0], shown) if len(models) == 1 else None
    return (f"the server does not serve {', '.join(guesses)}",
            f"it serves: {listing or 'nothing'}" + (f"; did you mean {guess!r}?" if guess else ""))
