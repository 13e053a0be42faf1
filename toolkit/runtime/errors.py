"""The runtime's exceptions, all :class:`pbcfg.errors.PbcfgError` (one line, no traceback):

    RuntimeFailure               base; ``.attempts`` lists every attempt with its outcome
    ├── NoRoute                  the plan is empty: every candidate was dropped (``.dropped`` says why)
    ├── RequestRejected          a 400/422 that another model will not fix; the chain stopped
    ├── RateLimited              every endpoint is over its limit past the wait bound; ``.retry_after``
    ├── StreamInterrupted        a stream broke after its first chunk reached the caller (no fallback)
    └── AllAttemptsFailed        nothing served the request; ``.first`` is the first attempt's error
"""

from __future__ import annotations

from pbcfg.errors import PbcfgError

__all__ = ["AllAttemptsFailed", "NoRoute", "RateLimited", "RequestRejected", "RuntimeFailure", "StreamInterrupted"]


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
