"""What a call returns: each attempt with its outcome, the completion and its tool calls, or one of the
runtime's exceptions, all :class:`pbcfg.errors.PbcfgError` (one line, no traceback):

    RuntimeFailure               base; ``.attempts`` lists every attempt with its outcome
    ├── NoRoute                  the plan is empty: every candidate was dropped (``.dropped`` says why)
    ├── RequestRejected          a 400/422 that another model will not fix; the chain stopped
    ├── RateLimited              every endpoint is over its limit past the wait bound; ``.retry_after``
    ├── StreamInterrupted        a stream broke after its first chunk reached the caller (no fallback)
    └── AllAttemptsFailed        nothing served the request; ``.first`` is the first attempt's error

Outcomes are a ``StrEnum``: code compares them by name, and JSON output and
messages show the same words (``"ok"``, ``"retry"``, …).
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

from pbcfg.errors import PbcfgError

__all__ = [
    "AllAttemptsFailed",
    "Attempt",
    "Completion",
    "NoRoute",
    "Outcome",
    "RateLimited",
    "RequestRejected",
    "RuntimeFailure",
    "StreamInterrupted",
    "ToolCall",
]


class Outcome(StrEnum):
    OK = "ok"
    RETRY = "retry"  # a transient failure, tried again on the same endpoint
    FAILED = "failed"  # a transient failure, retries used up
    AUTH = "auth"
    PROXY_AUTH = "proxy-auth"  # a proxy cannot check this key (LiteLLM without a database)
    PROXY_CONFIG = "proxy-config"  # a proxy's own setup failed
    NOT_FOUND = "not-found"
    MODEL_ABSENT = "model-absent"  # the server does not serve this model
    CONTEXT_LENGTH = "context-length"
    REJECTED = "rejected"
    BAD_RESPONSE = "bad-response"  # an answer that is not a completion (wrong shape, HTML, over a cap)
    REDIRECT = "redirect"  # a 3xx: never followed
    RATE_LIMITED = "rate-limited"  # skipped: over its own limit, nothing sent
    COOLDOWN = "cooldown"  # skipped: it failed a moment ago, nothing sent


class Attempt(NamedTuple):
    model: str
    endpoint: str
    outcome: Outcome
    detail: str = ""
    status: int | None = None
    hint: str | None = None  # what to do, as `status` would say it


class ToolCall(NamedTuple):
    """A tool the model asks to run: its name, its arguments parsed from JSON (the text as sent when it is not
    JSON), and the id a tool result must answer with."""

    id: str
    name: str
    arguments: object


class Completion(NamedTuple):
    content: str
    model: str
    endpoint: str
    attempts: list[Attempt]
    usage: dict  # as the server reported it; {} when it reported none
    cost: float | None  # None when the server reported no usage
    finish_reason: str | None  # stop, length, tool_calls or content_filter; None when the server gave none
    tool_calls: tuple[ToolCall, ...] = ()


class RuntimeFailure(PbcfgError):
    exit_code = 1

    def __init__(self, message: str, attempts: list | None = None) -> None:
        super().__init__(message)
        self.attempts = attempts or []


class NoRoute(RuntimeFailure):
    def __init__(self, message: str, dropped: list) -> None:
        super().__init__(message)
        self.dropped = dropped


class RequestRejected(RuntimeFailure):
    pass


class RateLimited(RuntimeFailure):
    def __init__(self, message: str, retry_after: float, attempts: list | None = None) -> None:
        super().__init__(message, attempts)
        self.retry_after = retry_after


class StreamInterrupted(RuntimeFailure):
    pass


class AllAttemptsFailed(RuntimeFailure):
    def __init__(self, message: str, first: str, attempts: list) -> None:
        super().__init__(message, attempts)
        self.first = first
