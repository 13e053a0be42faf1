"""What a server said: its error shapes, classified into what the call does next, and the checks every
protocol's answer reader shares (token counts, model lists, excerpts).

OpenAI nests ``{"error": {"message", "type", "code"}}``; FastAPI servers
(vLLM, LocalAI) answer ``{"detail": ...}``; FastChat sends a flat
``{"object": "error", "code": 40303, ...}``; llama.cpp puts its kind in
``error.type``; ``code`` may be a string or an integer; LiteLLM may nest its
message one level deeper.

Whatever a server sends is shown only as an :func:`excerpt`: redacted first
(every known secret masked), then made printable on one line, then cut.
"""

from __future__ import annotations

import email.utils
import json
import math
import re
import time
from enum import StrEnum
from typing import NamedTuple

from pbcfg.secrets.boundary import redact
from pbcfg.util.suggest import did_you_mean

__all__ = [
    "EXCERPT",
    "HINTS",
    "Failure",
    "Kind",
    "Models",
    "Verdict",
    "absent",
    "bad_response",
    "classify",
    "excerpt",
    "parse_json",
    "printable",
    "read_usage",
    "retry_after_seconds",
]

CONTEXT_CODES = {"context_length_exceeded", "exceed_context_size_error", "40303"}
RETRYABLE = {408, 409, 429}
EXCERPT = 200  # characters of a server's answer shown in a message
_WINDOW = 4 * EXCERPT  # characters looked at to make an excerpt: a 16 MiB body is not scanned whole
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# "the model does not exist", as OpenAI, vLLM, Ollama, LiteLLM, LocalAI and FastChat say it
_MODEL_ABSENT = re.compile(
    r"(?i)\bmodel\b.{0,200}?\b(not found|does not exist|doesn't exist|not exist|is not "
    r"available|not loaded)|invalid model name|unknown model|no such model|model_not_found"
)
# LiteLLM with a master key and no database: any other key gets a 400 "No connected db."
_PROXY_NO_DB = re.compile(r"(?i)no connected db|no_db_connection|database not connected")
# LiteLLM relaying its own upstream's refusal, or a model it cannot route: the proxy's config, not pbcfg's
_PROXY_CONFIG = re.compile(r"(?i)\blitellm\.(authenticationerror|permissiondeniederror)|llm provider not provided")


class Kind(StrEnum):
    """What an answer means for the call: try again, move on, or stop."""

    RETRY = "retry"  # transient: the same endpoint again, after a backoff
    AUTH = "auth"  # the key was refused: the next endpoint
    NOT_FOUND = "not-found"  # the next endpoint
    CONTEXT_LENGTH = "context-length"  # the next model with a larger window
    REJECTED = "rejected"  # a bad request: another model will not fix it
    NO_STREAM_OPTIONS = "no-stream-options"  # a 400 refusing stream_options: the same request again without them
    MODEL_ABSENT = "model-absent"  # the server does not serve this model: the next endpoint
    PROXY_AUTH = "proxy-auth"  # a proxy cannot check this key (LiteLLM without a database): the next endpoint
    PROXY_CONFIG = "proxy-config"  # a proxy's own setup failed (its upstream key, its routing): the next endpoint
    BAD_RESPONSE = "bad-response"  # an answer that is not a completion: the next endpoint
    REDIRECT = "redirect"  # pbcfg never follows one (it would resend the key): the next endpoint


NO_KEY_HINT = (
    "a server without auth still needs some key string: not-needed, EMPTY, ollama, lm-studio, sk-no-key-required"
)
# what to do, the same words whether `chat` or `status` met it (model-absent's hint names what the server serves)
HINTS = {
    Kind.AUTH: f"check the key; {NO_KEY_HINT}",
    Kind.PROXY_AUTH: "a LiteLLM proxy without a database accepts only its master key: set apiKey to the proxy's "
    "master key (LITELLM_MASTER_KEY), or give the proxy a database for virtual keys",
    Kind.PROXY_CONFIG: "the proxy's own configuration failed (its key for the provider behind it, or its model "
    "list): fix the proxy, not pbcfg's key",
    Kind.REDIRECT: "pbcfg never follows a redirect: put the URL it points to in baseUrl",
    Kind.BAD_RESPONSE: "is the base URL an OpenAI-compatible API (usually ending in /v1)?",
}


class Verdict(NamedTuple):
    kind: Kind
    message: str


class Failure(Exception):
    """One exchange that did not succeed, classified; the runtime turns it into an attempt's outcome."""

    def __init__(
        self,
        kind: Kind,
        detail: str,
        status: int | None = None,
        retry_after: float | None = None,
        *,
        network: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.kind, self.detail, self.status, self.retry_after = kind, detail, status, retry_after
        self.network = network  # below HTTP: "connect", "tls", "timeout" or "read"; None for an answer


def printable(text: str) -> str:
    """Text from outside (a server, the environment) as it may be printed: one line, control characters and
    code points no encoder takes (lone surrogates) written as escapes."""
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return _UNPRINTABLE.sub(
        lambda m: " " if m.group() in "\t\n\r" else m.group().encode("unicode_escape").decode(), text
    )


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """A short, safe excerpt of a server's text: redacted before it is cut, never after."""
    shown = " ".join(printable(redact(text[:_WINDOW])).split())
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def _text(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):  # LiteLLM: {"message": {"error": "..."}}
        inner = value.get("error") or value.get("message")
        if isinstance(inner, str):
            return inner
    return "" if value is None else json.dumps(value, ensure_ascii=False, default=str)[:_WINDOW]


def _fields(body: object) -> tuple[str, str]:
    """(code or type, message) from any of the known error shapes."""
    if not isinstance(body, dict):
        return "", ""
    error = body.get("error")
    if isinstance(error, dict):
        code = error.get("code") if error.get("code") not in (None, "") else error.get("type")
        kind = error.get("type") if isinstance(error.get("type"), str) else ""
        codes = f"{_text(code)} {kind}".strip()
        return codes, _text(error.get("message"))
    if isinstance(error, str):
        return _text(body.get("code")), error
    if "detail" in body:
        return "", _text(body["detail"])
    return _text(body.get("code")), _text(body.get("message"))


def parse_json(raw: bytes | str) -> object:
    """JSON, or None for anything that is not (HTML, nesting deeper than Python recurses, bad bytes)."""
    try:
        return json.loads(raw)
    except (ValueError, RecursionError, UnicodeDecodeError):
        return None


def classify(status: int, text: str) -> Verdict:
    """What an error answer means; its message is an :func:`excerpt`. The proxy classes are read first: LiteLLM
    sends them as 400, 401 or 500."""
    codes, message = _fields(parse_json(text))
    said = f"{codes} {message[:_WINDOW]}"
    message = excerpt(message or text or f"HTTP {status}")
    if _PROXY_NO_DB.search(said):
        return Verdict(Kind.PROXY_AUTH, message)
    if _PROXY_CONFIG.search(said):
        return Verdict(Kind.PROXY_CONFIG, message)
    if status in RETRYABLE or status >= 500:
        return Verdict(Kind.RETRY, message)
    if status in (401, 403):
        return Verdict(Kind.AUTH, message)
    tokens = set(codes.replace(",", " ").split())
    if status != 404 and (
        tokens & CONTEXT_CODES or "context length" in said.lower() or "context window" in said.lower()
    ):
        return Verdict(Kind.CONTEXT_LENGTH, message)
    if status in (400, 422) and "stream_options" in said:
        return Verdict(Kind.NO_STREAM_OPTIONS, message)
    if status in (400, 404, 422) and _MODEL_ABSENT.search(said):
        return Verdict(Kind.MODEL_ABSENT, message)
    if status == 404:
        return Verdict(Kind.NOT_FOUND, message)
    return Verdict(Kind.REJECTED, message)


def _seconds(value: str, scale: float) -> float | None:
    try:
        seconds = float(value) * scale
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) else None


def retry_after_seconds(headers, cap: float) -> float | None:
    """``retry-after-ms`` or ``Retry-After`` (seconds or an HTTP date), capped; None when absent or
    unreadable (``soon``), so the caller's own backoff applies."""
    seconds = None
    if headers.get("retry-after-ms"):
        seconds = _seconds(headers["retry-after-ms"], 1 / 1000)
    value = headers.get("retry-after")
    if seconds is None and value:
        seconds = _seconds(value, 1.0)
        if seconds is None:
            try:
                seconds = email.utils.parsedate_to_datetime(value).timestamp() - time.time()
            except (TypeError, ValueError, IndexError, OverflowError):
                return None
    return None if seconds is None else min(max(seconds, 0.0), cap)


_COUNTS = ("prompt_tokens", "completion_tokens", "total_tokens")
_LISTED = 12  # model ids named in a hint; the rest are counted


def bad_response(what: str, raw: bytes | str, status: int | None) -> Failure:
    """A ``bad-response`` failure: what is wrong, and a masked excerpt of what came."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    return Failure(Kind.BAD_RESPONSE, f"{what}: {excerpt(text) or '(empty)'}", status)


def read_usage(usage: object, raw: bytes | str, status: int | None) -> dict | None:
    """The usage object, or None when the server sent none; counts must be non-negative integers."""
    if usage is None:
        return None
    if not isinstance(usage, dict) or any(
        name in usage and (type(usage[name]) is not int or usage[name] < 0) for name in _COUNTS
    ):
        raise bad_response("the answer's usage is not token counts", raw, status)
    return usage


class Models(NamedTuple):
    ids: list[str]  # as the server wrote them
    single: bool  # llama.cpp's server: it serves the one model it loaded, whatever id a request names


def absent(models: list[str], served: list[str]) -> tuple[str, str]:
    """(detail, hint) for configured ``models`` a server does not serve: what it serves instead, and the closest
    id. Ids are a server's text: shown as excerpts (masked, printable)."""
    shown = [excerpt(model_id) for model_id in served]
    guesses = [f"{m!r} (did you mean {g!r}?)" if (g := did_you_mean(m, shown)) else repr(m) for m in models]
    listing = ", ".join(shown[:_LISTED]) + (f", and {len(shown) - _LISTED} more" if len(shown) > _LISTED else "")
    guess = did_you_mean(models[0], shown) if len(models) == 1 else None
    return (
        f"the server does not serve {', '.join(guesses)}",
        f"it serves: {listing or 'nothing'}" + (f"; did you mean {guess!r}?" if guess else ""),
    )
