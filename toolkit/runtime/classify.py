"""One place that reads what a server said: error shapes differ across servers.

OpenAI nests ``{"error": {"message", "type", "code"}}``; FastAPI servers
(vLLM, LocalAI) answer ``{"detail": ...}``; FastChat sends a flat
``{"object": "error", "code": 40303, ...}``; llama.cpp puts its kind in
``error.type``; ``code`` may be a string or an integer.
"""

from __future__ import annotations

import email.utils
import json
import time
from enum import StrEnum
from typing import NamedTuple

__all__ = ["Failure", "Kind", "Verdict", "classify", "retry_after_seconds"]

CONTEXT_CODES = {"context_length_exceeded", "exceed_context_size_error", "40303"}
RETRYABLE = {408, 409, 429}


class Kind(StrEnum):
    """What an answer means for the call: try again, move on, or stop."""

    RETRY = "retry"  # transient: the same endpoint again, after a backoff
    AUTH = "auth"  # the key was refused: the next endpoint
    NOT_FOUND = "not-found"  # the next endpoint
    CONTEXT_LENGTH = "context-length"  # the next model with a larger window
    REJECTED = "rejected"  # a bad request: another model will not fix it


class Verdict(NamedTuple):
    kind: Kind
    message: str


class Failure(Exception):
    """One exchange that did not succeed, classified; the runtime turns it into an attempt's outcome."""

    def __init__(self, kind: Kind, detail: str, status: int | None = None, retry_after: float | None = None, *,
                 network: str | None = None) -> None:
        super().__init__(detail)
        self.kind, self.detail, self.status, self.retry_after = kind, detail, status, retry_after
        self.network = network  # below HTTP: "connect", "tls", "timeout" or "read"; None for an answer


def _fields(body: object) -> tuple[str, str]:
    """(code or type, message) from any of the known error shapes."""
    if not isinstance(body, dict):
        return "", ""
    error = body.get("error")
    if isinstance(error, dict):
        code = error.get("code") if error.get("code") not in (None, "") else error.get("type")
        kind = error.get("type") if isinstance(error.get("type"), str) else ""
        codes = f"{code} {kind}".strip()
        return codes, str(error.get("message") or "")
    if isinstance(error, str):
        return str(body.get("code") or ""), error
    if "detail" in body:
        detail = body["detail"]
        return "", detail if isinstance(detail, str) else json.dumps(detail)[:300]
    return str(body.get("code") or ""), str(body.get("message") or "")


def classify(status: int, text: str) -> Verdict:
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    codes, message = _fields(body)
    message = (message or text or f"HTTP {status}").strip().replace("\n", " ")[:300]
    if status in RETRYABLE or status >= 500:
        return Verdict(Kind.RETRY, message)
    if status in (401, 403):
        return Verdict(Kind.AUTH, message)
    if status == 404:
        return Verdict(Kind.NOT_FOUND, message)
    tokens = set(codes.replace(",", " ").split())
    if tokens & CONTEXT_CODES or "context length" in message.lower() or "context window" in message.lower():
        return Verdict(Kind.CONTEXT_LENGTH, message)
    return Verdict(Kind.REJECTED, message)


def retry_after_seconds(headers, cap: float) -> float | None:
    """``retry-after-ms`` or ``Retry-After`` (seconds or an HTTP date), capped."""
    value = headers.get("retry-after-ms")
    if value:
        try:
            return min(max(float(value) / 1000, 0.0), cap)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return min(max(float(value), 0.0), cap)
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        if parsed is None:
            return None
        return min(max(parsed.timestamp() - time.time(), 0.0), cap)
