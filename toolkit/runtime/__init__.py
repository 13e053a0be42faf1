"""pbcfg's runtime: a validated config, executed the way PonyBunny's docs promise.

    from pbcfg.runtime import load_runtime

    runtime = load_runtime()                          # the config directory; validated, merged, resolved
    runtime.plan(tier="simple")                       # ordered (model, endpoint) attempts and what was dropped
    answer = runtime.complete([{"role": "user", "content": "hi"}], tier="simple")
    answer.content, answer.model, answer.endpoint, answer.attempts, answer.cost
    runtime.status()                                  # each enabled endpoint's free probe (a model list)

    with load_runtime() as runtime, runtime.complete(messages, tier="simple", stream=True) as stream:
        for delta in stream: ...                      # leaving either closes what is still open

    async with load_runtime() as runtime:             # the same, awaited
        answer = await runtime.acomplete(messages, tier="simple")
        async with runtime.astream(messages, tier="simple") as stream:
            async for delta in stream: ...
        await runtime.astatus()

Modules: ``engine`` (the sans-IO core: plan → attempts, retries, fallback, limits, cooldown, deadlines,
cost, as effects), ``drivers`` (the Runtime: the sync and async drivers that perform them), ``plan`` (what
to try), ``protocols`` (one module per wire protocol, behind one seam), ``transport`` (clients, bounded
exchanges, deadlines held on the socket), ``stream`` (streams, their deadlines, the SSE decoder),
``responses`` (what a server said, classified), ``results`` (attempts, completions, exceptions),
``sealed`` (sealing and registering every secret), ``limiter`` (rate limits), ``status`` (probes).
"""

from __future__ import annotations

import os

from pbcfg.runtime.drivers import Runtime
from pbcfg.runtime.results import (
    AllAttemptsFailed,
    Attempt,
    Completion,
    NoRoute,
    Outcome,
    RateLimited,
    RequestRejected,
    RuntimeFailure,
    StreamInterrupted,
    ToolCall,
)
from pbcfg.runtime.status import EndpointStatus, State
from pbcfg.runtime.stream import AsyncStream, Stream
from pbcfg.secrets.values import Secret, SecretURL

__all__ = [
    "AllAttemptsFailed",
    "AsyncStream",
    "Attempt",
    "Completion",
    "EndpointStatus",
    "NoRoute",
    "Outcome",
    "RateLimited",
    "RequestRejected",
    "Runtime",
    "RuntimeFailure",
    "Secret",
    "SecretURL",
    "State",
    "Stream",
    "StreamInterrupted",
    "ToolCall",
    "load_runtime",
]


def load_runtime(
    config_dir: str | os.PathLike | None = None,
    *,
    files: list | None = None,
    env: dict | None = None,
    merge_defaults: bool = True,
    rate_limit_storage: str | None = None,
    async_http: str | None = None,
    **options,
) -> Runtime:
    """Validate the config (an invalid one raises :class:`pbcfg.errors.InvalidConfigError`), merge it over
    PonyBunny's defaults, resolve credentials against ``env`` (default: ``os.environ``), seal every secret (and
    register it with the redactor), and return a Runtime (``with`` or ``async with`` it to close it).

    ``rate_limit_storage`` (or ``$PBCFG_RATE_LIMIT_STORAGE``) shares rate limits and cooldowns across processes:
    ``redis://…``.
    ``async_http`` (or ``$PBCFG_ASYNC_HTTP``) says what sends the async calls: ``auto`` (the default: aiohttp when
    ``pbcfg[aiohttp]`` is installed, else httpx's own transport), ``aiohttp`` or ``httpx``.
    ``options`` go to :class:`Runtime` (``clock``, ``sleep``, ``asleep``, ``transport``, ``async_transport``,
    ``cooldown``, ``cooldowns``, ``max_wait``, …).
    """
    from pbcfg.check.pipeline import check_paths
    from pbcfg.errors import InvalidConfigError
    from pbcfg.ponybunny.deep_merge import merged_llm_config
    from pbcfg.ponybunny.effective import effective_endpoints
    from pbcfg.runtime.limiter import shared_state
    from pbcfg.runtime.sealed import register, seal
    from pbcfg.secrets.known import register as register_found
    from pbcfg.source.locations import config_dir as resolve_config_dir

    directory = resolve_config_dir(config_dir)
    result = check_paths([os.fspath(f) for f in files or []], config_dir=directory)
    register_found(result.secrets)  # before a message can quote them, the invalid config's too
    if result.failed:
        raise InvalidConfigError(result.diagnostics)
    documents = {document.kind: document for document in result.documents}
    user = documents["llm-config"].data if "llm-config" in documents else {}
    credentials = documents["credentials"].data if "credentials" in documents else {}
    merged = merged_llm_config(user) if merge_defaults else user
    assert isinstance(merged, dict)  # the config passed its schema: a JSON object
    environment = dict(os.environ if env is None else env)
    names = {kind: os.path.basename(document.name) for kind, document in documents.items()}
    register(credentials, environment)  # before anything can be said about them
    endpoints = seal(
        effective_endpoints(
            merged,
            user,
            credentials,
            environment,
            names.get("credentials", "credentials.json"),
            names.get("llm-config", "llm-config.json"),
        )
    )
    storage = rate_limit_storage or environment.get("PBCFG_RATE_LIMIT_STORAGE")
    if storage:
        from pbcfg.runtime.engine import COOLDOWN, RETRY_AFTER_CAP

        longest = max(options.get("cooldown", COOLDOWN), options.get("retry_after_cap", RETRY_AFTER_CAP))
        window, cooldowns = shared_state(storage, options.get("clock") or __import__("time").monotonic, longest)
        options.setdefault("window", window)
        options.setdefault("cooldowns", cooldowns)
    options["async_http"] = async_http or environment.get("PBCFG_ASYNC_HTTP") or "auto"
    return Runtime(merged, endpoints, documents=documents, directory=directory, **options)
