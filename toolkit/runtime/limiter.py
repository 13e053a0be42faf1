"""What a fleet of workers shares: rate-limit windows (sliding, 60 s, exact) and cooldowns.

In memory by default, with an injectable clock so tests are exact and never sleep (the ``limits`` library's memory
storage reads the wall clock and runs an expiry thread, so it cannot be driven by a test clock). Shared across
processes and hosts through one Redis URI (``redis://host:6379``): the windows as ``limits``' moving windows (an
atomic Lua script takes a slot, so a fleet never overshoots), the cooldowns as keys that expire with the Retry-After
a server sent (their time left is Redis's ``PTTL``, not a local clock). When Redis does not answer, the runtime says
so once, keeps the state in its own process, and asks Redis again after :data:`RETRY_SHARED` seconds.

Windows: ``acquire(key, limit, cost)``, ``used(key)``, ``record(key, amount)``. Cooldowns:
``remaining(endpoint, model)`` (seconds, the larger of the endpoint's and the model's on it) and
``cool(endpoint, model, seconds)`` (``model`` None cools the whole endpoint). The shared stores also have each as a
coroutine for the async driver, named with an ``a`` in front (``aacquire``, ``aremaining``, …).
"""

from __future__ import annotations

import threading
import time
from collections import deque

__all__ = ["MemoryCooldowns", "MemoryWindow", "RETRY_SHARED", "REDIS_TIMEOUT", "shared_state"]

WINDOW = 60.0
REDIS_TIMEOUT = 5.0  # seconds one Redis command may take before the runtime falls back to its own state
ASYNC_CONNECTIONS = 64  # the async driver's connections to Redis, shared by all its calls
RETRY_SHARED = 5.0  # after Redis failed, seconds of local state before it is asked again
_UNLIMITED = 1_000_000_000  # a limit no window reaches: counts units without ever refusing them
_PREFIX = "pbcfg:cooldown:"
LONGEST_COOLDOWN = 60.0  # seconds: the runtime's default Retry-After cap, the longest cooldown it sets


class MemoryWindow:
    def __init__(self, clock=time.monotonic) -> None:
        self.clock = clock
        self._events: dict[str, deque] = {}
        self._totals: dict[str, int] = {}  # running sum of each window, so a check is O(expired)
        self._lock = threading.Lock()

    def _trim(self, key: str, now: float) -> deque:
        events = self._events.get(key)
        if events is None:
            events = self._events[key] = deque()
            self._totals[key] = 0
        while events and events[0][0] <= now - WINDOW:
            self._totals[key] -= events.popleft()[1]
        return events

    def acquire(self, key: str, limit: int, cost: int = 1) -> float | None:
        """Take ``cost`` units now: None if done, else the seconds until enough units are free."""
        with self._lock:
            now = self.clock()
            events = self._trim(key, now)
            used = self._totals[key]
            if used + cost <= limit:
                events.append((now, cost))
                self._totals[key] = used + cost
                return None
            freed = used + cost - limit
            for stamp, amount in events:
                freed -= amount
                if freed <= 0:
                    return max(stamp + WINDOW - now, 0.0)
            return WINDOW

    def used(self, key: str) -> int:
        with self._lock:
            self._trim(key, self.clock())
            return self._totals[key]

    def record(self, key: str, amount: int) -> None:
        """Count units spent without asking first (tokens, known only after the call)."""
        with self._lock:
            now = self.clock()
            self._trim(key, now).append((now, amount))
            self._totals[key] += amount


class MemoryCooldowns:
    """Cooldowns in this process: (endpoint, model or None for the whole endpoint) -> until, on ``clock``."""

    def __init__(self, clock=time.monotonic) -> None:
        self.clock = clock
        self._until: dict[tuple[str, str | None], float] = {}
        self._lock = threading.Lock()

    def remaining(self, endpoint: str, model: str | None) -> float:
        if not self._until:
            return 0.0
        now = self.clock()
        with self._lock:
            until = max(self._until.get((endpoint, None), now), self._until.get((endpoint, model), now))
        return max(until - now, 0.0)

    def cool(self, endpoint: str, model: str | None, seconds: float) -> None:
        with self._lock:
            self._until[(endpoint, model)] = self.clock() + seconds


def _cooldown_key(endpoint: str, model: str | None) -> str:
    """One key per endpoint and per model on it; the length prefix keeps ``a:b`` + ``c`` apart from ``a`` + ``b:c``."""
    key = f"{_PREFIX}{len(endpoint)}:{endpoint}"
    return key if model is None else f"{key}:{model}"


class Garbage(Exception):
    """Redis answered something that is not what the command returns: a broken server, counted as an outage."""


def _milliseconds(pttls) -> list[int]:
    """``PTTL`` answers as integers (negative: no key, or no expiry); anything else is :class:`Garbage`."""
    if not isinstance(pttls, list) or not all(type(pttl) is int for pttl in pttls):
        raise Garbage(f"PTTL answered {type(pttls).__name__}")
    return pttls


class RedisCooldowns:
    """Cooldowns as Redis keys that expire when the cooldown ends (``SET … PX``); a later failure sets it anew.
    None lasts longer than ``longest`` seconds: a key that would (written by hand, or by a worker with a longer
    cap) is cut to it where it is kept, so the whole fleet sees the cut. ``a``-methods are the same through
    ``redis.asyncio`` (``client_async``)."""

    def __init__(self, client, client_async, longest: float) -> None:
        self._client, self._client_async = client, client_async
        self._longest = max(int(longest * 1000), 1)

    def _keys(self, endpoint: str, model: str | None) -> tuple[str, str]:
        return _cooldown_key(endpoint, None), _cooldown_key(endpoint, model)

    def _px(self, seconds: float) -> int:
        return min(max(int(seconds * 1000), 1), self._longest)

    def _over(self, keys: tuple[str, str], pttls) -> list[str]:
        return [key for key, pttl in zip(keys, _milliseconds(pttls), strict=True) if pttl > self._longest]

    def _left(self, pttls) -> float:
        return min(max(*pttls, 0), self._longest) / 1000

    def remaining(self, endpoint: str, model: str | None) -> float:
        keys = self._keys(endpoint, model)
        pttls = self._client.pipeline(transaction=False).pttl(keys[0]).pttl(keys[1]).execute()
        for key in self._over(keys, pttls):
            self._client.pexpire(key, self._longest, lt=True)
        return self._left(pttls)

    def cool(self, endpoint: str, model: str | None, seconds: float) -> None:
        if seconds > 0:
            self._client.set(_cooldown_key(endpoint, model), b"1", px=self._px(seconds))

    async def aremaining(self, endpoint: str, model: str | None) -> float:
        keys = self._keys(endpoint, model)
        pipe = self._client_async.pipeline(transaction=False)
        pipe.pttl(keys[0])
        pipe.pttl(keys[1])
        pttls = await pipe.execute()
        for key in self._over(keys, pttls):
            await self._client_async.pexpire(key, self._longest, lt=True)
        return self._left(pttls)

    async def acool(self, endpoint: str, model: str | None, seconds: float) -> None:
        if seconds > 0:
            await self._client_async.set(_cooldown_key(endpoint, model), b"1", px=self._px(seconds))


class LimitsWindow:
    """The window contract on ``limits``' moving windows in Redis; ``a``-methods through ``limits.aio`` on the same
    keys, so sync and async workers share them."""

    def __init__(self, storage, storage_async) -> None:
        from limits import RateLimitItemPerMinute
        from limits.aio.strategies import MovingWindowRateLimiter as AsyncMovingWindowRateLimiter
        from limits.strategies import MovingWindowRateLimiter

        self._item = RateLimitItemPerMinute
        self._limiter = MovingWindowRateLimiter(storage)
        self._limiter_async = AsyncMovingWindowRateLimiter(storage_async)

    def acquire(self, key: str, limit: int, cost: int = 1) -> float | None:
        item = self._item(limit)
        if self._limiter.hit(item, "pbcfg", key, cost=cost):
            return None
        return max(self._limiter.get_window_stats(item, "pbcfg", key).reset_time - time.time(), 0.0)

    def used(self, key: str) -> int:
        return _UNLIMITED - self._limiter.get_window_stats(self._item(_UNLIMITED), "pbcfg", key).remaining

    def record(self, key: str, amount: int) -> None:
        self._limiter.hit(self._item(_UNLIMITED), "pbcfg", key, cost=amount)

    async def aacquire(self, key: str, limit: int, cost: int = 1) -> float | None:
        item = self._item(limit)
        if await self._limiter_async.hit(item, "pbcfg", key, cost=cost):
            return None
        stats = await self._limiter_async.get_window_stats(item, "pbcfg", key)
        return max(stats.reset_time - time.time(), 0.0)

    async def aused(self, key: str) -> int:
        stats = await self._limiter_async.get_window_stats(self._item(_UNLIMITED), "pbcfg", key)
        return _UNLIMITED - stats.remaining

    async def arecord(self, key: str, amount: int) -> None:
        await self._limiter_async.hit(self._item(_UNLIMITED), "pbcfg", key, cost=amount)


class _Outage:
    """Whether Redis is to be asked now; after a failure, says so once and answers no for :data:`RETRY_SHARED` s."""

    def __init__(self, where: str, errors: tuple, clock=time.monotonic) -> None:
        self.where, self.errors, self.clock = where, errors, clock
        self.down_until = 0.0  # on ``clock``; 0: up
        self.said = False

    def up(self) -> bool:
        return not self.down_until or self.clock() >= self.down_until

    def fail(self, error: BaseException) -> None:
        if not self.said:
            import logging

            logging.getLogger("pbcfg.runtime").warning(
                "pbcfg: Redis at %s did not answer (%s); rate limits and cooldowns are kept in this process "
                "until it does",
                self.where,
                type(error).__name__,
            )
            self.said = True
        self.down_until = self.clock() + RETRY_SHARED

    def back(self) -> None:
        if self.down_until:
            self.down_until, self.said = 0.0, False


class Failover:
    """A shared store (Redis) in front of a local one: Redis while it answers, the local store while it does not.
    What Redis took is written locally too, so the local store is current the moment Redis goes."""

    def __init__(self, shared, local, outage: _Outage) -> None:
        self.shared, self.local, self.outage = shared, local, outage

    def _answered(self, result, mirror):
        """Redis answered ``result``: it is up, and the local store learns what it took."""
        self.outage.back()
        if mirror is not None:
            mirror(result)
        return result

    def _call(self, name: str, *args, mirror=None):
        if self.outage.up():
            try:
                return self._answered(getattr(self.shared, name)(*args), mirror)
            except self.outage.errors as error:
                self.outage.fail(error)
        return getattr(self.local, name)(*args)

    async def _acall(self, name: str, *args, mirror=None):
        """``_call`` for the async driver: Redis through its async client; the local store never blocks."""
        if not self.outage.up():
            return getattr(self.local, name)(*args)
        try:
            return self._answered(await getattr(self.shared, "a" + name)(*args), mirror)
        except self.outage.errors as error:
            self.outage.fail(error)
        return getattr(self.local, name)(*args)

    def acquire(self, key: str, limit: int, cost: int = 1) -> float | None:
        return self._call(
            "acquire", key, limit, cost, mirror=lambda wait: wait is None and self.local.record(key, cost)
        )

    def used(self, key: str) -> int:
        return self._call("used", key)

    def record(self, key: str, amount: int) -> None:
        self._call("record", key, amount, mirror=lambda _: self.local.record(key, amount))

    def remaining(self, endpoint: str, model: str | None) -> float:
        return self._call("remaining", endpoint, model)

    def cool(self, endpoint: str, model: str | None, seconds: float) -> None:
        self._call("cool", endpoint, model, seconds, mirror=lambda _: self.local.cool(endpoint, model, seconds))

    async def aacquire(self, key: str, limit: int, cost: int = 1) -> float | None:
        return await self._acall(
            "acquire", key, limit, cost, mirror=lambda wait: wait is None and self.local.record(key, cost)
        )

    async def aused(self, key: str) -> int:
        return await self._acall("used", key)

    async def arecord(self, key: str, amount: int) -> None:
        await self._acall("record", key, amount, mirror=lambda _: self.local.record(key, amount))

    async def aremaining(self, endpoint: str, model: str | None) -> float:
        return await self._acall("remaining", endpoint, model)

    async def acool(self, endpoint: str, model: str | None, seconds: float) -> None:
        await self._acall("cool", endpoint, model, seconds, mirror=lambda _: self.local.cool(endpoint, model, seconds))


def _where(uri: str) -> str:
    """The URI without its password or query, to name the server in a message."""
    from urllib.parse import urlsplit

    parts = urlsplit(uri)
    return f"{parts.scheme}://{parts.hostname or ''}" + (f":{parts.port}" if parts.port else "") + parts.path


def shared_state(uri: str | None, clock=time.monotonic, longest: float = LONGEST_COOLDOWN):
    """(window, cooldowns) for a storage URI: in this process for None or ``memory://``, else shared through Redis
    with this process's memory as the fallback; the shared ones also have ``a``-methods for the async driver. No
    shared cooldown lasts longer than ``longest`` seconds."""
    window, cooldowns = MemoryWindow(clock), MemoryCooldowns(clock)
    if not uri or uri == "memory://":
        return window, cooldowns
    try:
        import redis
        import redis.asyncio
        from limits.errors import StorageError
        from limits.storage import storage_from_string
    except ImportError:
        from pbcfg.errors import MissingDependency

        raise MissingDependency("limits", "redis") from None
    options = {"socket_timeout": REDIS_TIMEOUT, "socket_connect_timeout": REDIS_TIMEOUT}
    uri = uri.removeprefix("async+")
    pool = redis.ConnectionPool.from_url(uri, **options)
    # one bounded pool for the async driver: a thousand calls at once queue for its connections (a wait that is load,
    # not an outage, so it has no time limit) rather than each opening its own; each command still has its timeout
    pool_async = redis.asyncio.BlockingConnectionPool.from_url(
        uri, max_connections=ASYNC_CONNECTIONS, timeout=None, **options
    )
    # limits types **options as float | str | bool, yet its redis storages take a connection_pool object
    storage = storage_from_string(uri, connection_pool=pool)  # type: ignore[arg-type]
    storage_async = storage_from_string(
        f"async+{uri}",
        implementation="redispy",
        connection_pool=pool_async,  # type: ignore[arg-type]
    )
    shared_cooldowns = RedisCooldowns(
        redis.Redis(connection_pool=pool), redis.asyncio.Redis(connection_pool=pool_async), longest
    )
    outage = _Outage(_where(uri), (redis.RedisError, StorageError, OSError, Garbage))
    return (
        Failover(LimitsWindow(storage, storage_async), window, outage),
        Failover(shared_cooldowns, cooldowns, outage),
    )
