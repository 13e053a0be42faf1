"""What a call returns: each attempt with its outcome, and the completion.

Outcomes are a ``StrEnum``: code compares them by name, and JSON output and
messages show the same words as before (``"ok"``, ``"retry"``, …).
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

__all__ = ["Attempt", "Completion", "Outcome"]


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


class Completion(NamedTuple):
    content: str
    model: str
    endpoint: str
    attempts: list[Attempt]
    usage: dict  # as the server reported it; {} when it reported none
    cost: float | None  # None when the server reported no usage
    finish_reason: str | None
