"""Counters for failed logins: lockouts per account and rate limits per address.

Kept in Redis when ESAFETY_REDIS_URL is set, so several app servers share them;
in this process's memory otherwise (one server, development, tests).
"""

from __future__ import annotations

import threading
import time
from typing import Protocol


class CounterStore(Protocol):
    def incr(self, key: str, window_seconds: int) -> int: ...
    def get(self, key: str) -> int: ...
    def set_flag(self, key: str, seconds: int) -> None: ...
    def flag_ttl(self, key: str) -> int: ...
    def delete(self, *keys: str) -> None: ...


class MemoryStore:
    """Expiring counters in a dict; right for one process."""

    def __init__(self) -> None:
        self._data: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def _live(self, key: str) -> tuple[int, float] | None:
        item = self._data.get(key)
        if item and item[1] <= time.monotonic():
            del self._data[key]
            return None
        return item

    def incr(self, key: str, window_seconds: int) -> int:
        with self._lock:
            item = self._live(key)
            count = (item[0] if item else 0) + 1
            expires = item[1] if item else time.monotonic() + window_seconds
            self._data[key] = (count, expires)
            return count

    def get(self, key: str) -> int:
        with self._lock:
            item = self._live(key)
            return item[0] if item else 0

    def set_flag(self, key: str, seconds: int) -> None:
        with self._lock:
            self._data[key] = (1, time.monotonic() + seconds)

    def flag_ttl(self, key: str) -> int:
        with self._lock:
            item = self._live(key)
            return max(1, int(item[1] - time.monotonic())) if item else 0

    def delete(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._data.pop(key, None)


class RedisStore:
    """The same counters in Redis, shared by every app server."""

    def __init__(self, url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url)

    def incr(self, key: str, window_seconds: int) -> int:
        pipe = self._redis.pipeline()
        pipe.incr(key)
        pipe.expire(key, window_seconds, nx=True)
        count, _ = pipe.execute()
        return int(count)

    def get(self, key: str) -> int:
        return int(self._redis.get(key) or 0)

    def set_flag(self, key: str, seconds: int) -> None:
        self._redis.set(key, 1, ex=seconds)

    def flag_ttl(self, key: str) -> int:
        return max(0, int(self._redis.ttl(key)))

    def delete(self, *keys: str) -> None:
        if keys:
            self._redis.delete(*keys)


class LoginThrottle:
    """The rules: a few wrong tries lock the account for a while; many from one address slow it."""

    ACCOUNT_FAILURES = 5
    ACCOUNT_WINDOW = 15 * 60
    LOCKOUT_SECONDS = 5 * 60
    ADDRESS_FAILURES = 30
    ADDRESS_WINDOW = 10 * 60

    def __init__(self, store: CounterStore, prefix: str = "esafety") -> None:
        self.store = store
        self.prefix = prefix

    def _k(self, *parts: object) -> str:
        return ":".join([self.prefix, *map(str, parts)])

    def account_locked_for(self, account: str) -> int:
        """Seconds left on this account's lockout, or 0."""
        return self.store.flag_ttl(self._k("lock", account))

    def address_blocked(self, address: str) -> bool:
        return self.store.get(self._k("addr", address)) >= self.ADDRESS_FAILURES

    def record_failure(self, account: str, address: str) -> bool:
        """Count a failed try; True when this try has just locked the account."""
        self.store.incr(self._k("addr", address), self.ADDRESS_WINDOW)
        failures = self.store.incr(self._k("fail", account), self.ACCOUNT_WINDOW)
        if failures >= self.ACCOUNT_FAILURES:
            self.store.set_flag(self._k("lock", account), self.LOCKOUT_SECONDS)
            self.store.delete(self._k("fail", account))
            return True
        return False

    def record_success(self, account: str) -> None:
        self.store.delete(self._k("fail", account))

    def allow(self, action: str, limit: int, window_seconds: int) -> bool:
        """Count one use of a rate-limited action; False once it has been used `limit` times
        in the window (password resets, concerns sent)."""
        return self.store.incr(self._k("rate", action), window_seconds) <= limit

    def unlock(self, account: str) -> None:
        self.store.delete(self._k("fail", account), self._k("lock", account))


def make_throttle(redis_url: str, prefix: str = "esafety") -> LoginThrottle:
    return LoginThrottle(RedisStore(redis_url) if redis_url else MemoryStore(), prefix)
