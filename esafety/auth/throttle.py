"""Counters for failed logins: lockouts that stop guessing without locking out a whole school.

A school signs in from few addresses (one behind its proxy, a handful of classroom
tablets), so an address must never be enough to lock anyone out:
- five wrong tries at one account from one address lock that account *from that address*;
- ten wrong tries at one account from anywhere lock the account itself for a while;
- thirty wrong tries from one address (at any accounts) make it "busy": from then on one
  wrong try locks that account from that address, but a right password still signs in;
- wrong class codes (the pupils' first step) are limited per address and logged.

Kept in Redis when ESAFETY_REDIS_URL is set, so several app servers share them; in this
process's memory otherwise. If Redis stops answering, the counters carry on in memory (and
the log says so) rather than turning every sign-in into an error.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Protocol

log = logging.getLogger(__name__)


class CounterStore(Protocol):
    def incr(self, key: str, window_seconds: int) -> int: ...
    def get(self, key: str) -> int: ...
    def set_flag(self, key: str, seconds: int) -> None: ...
    def flag_ttl(self, key: str) -> int: ...
    def delete(self, *keys: str) -> None: ...
    def delete_prefix(self, prefix: str) -> None: ...


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

    def delete_prefix(self, prefix: str) -> None:
        with self._lock:
            for key in [k for k in self._data if k.startswith(prefix)]:
                del self._data[key]


class RedisStore:
    """The same counters in Redis, shared by every app server. Short timeouts: a Redis that
    hangs must not hold up a sign-in."""

    def __init__(self, url: str, timeout: float = 0.5) -> None:
        import redis

        self._redis = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout
        )

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

    def delete_prefix(self, prefix: str) -> None:
        keys = list(self._redis.scan_iter(match=f"{prefix}*", count=500))
        if keys:
            self._redis.delete(*keys)

    def ping(self) -> bool:
        return bool(self._redis.ping())


class FallbackStore:
    """Redis while it answers; this process's memory while it does not.

    After a failure Redis is left alone for `retry_after` seconds, so a dead Redis costs one
    short timeout now and then, not one on every sign-in.
    """

    def __init__(self, primary: RedisStore, retry_after: float = 30.0) -> None:
        self.primary = primary
        self.fallback = MemoryStore()
        self.retry_after = retry_after
        self._down_until = 0.0
        self._lock = threading.Lock()

    @property
    def using_fallback(self) -> bool:
        return time.monotonic() < self._down_until

    def _call(self, name: str, *args):
        if not self.using_fallback:
            import redis

            try:
                return getattr(self.primary, name)(*args)
            except (redis.RedisError, OSError) as error:
                with self._lock:
                    self._down_until = time.monotonic() + self.retry_after
                log.warning(
                    "login counters: Redis is not answering (%s); counting in this server's "
                    "memory for the next %ss",
                    type(error).__name__,
                    int(self.retry_after),
                )
        return getattr(self.fallback, name)(*args)

    def incr(self, key: str, window_seconds: int) -> int:
        return self._call("incr", key, window_seconds)

    def get(self, key: str) -> int:
        return self._call("get", key)

    def set_flag(self, key: str, seconds: int) -> None:
        self._call("set_flag", key, seconds)

    def flag_ttl(self, key: str) -> int:
        return self._call("flag_ttl", key)

    def delete(self, *keys: str) -> None:
        self._call("delete", *keys)
        self.fallback.delete(*keys)

    def delete_prefix(self, prefix: str) -> None:
        self._call("delete_prefix", prefix)
        self.fallback.delete_prefix(prefix)

    def health(self) -> str:
        """'ok', or what is wrong, for /healthz (asks Redis now, even in a quiet spell)."""
        import redis

        try:
            self.primary.ping()
        except (redis.RedisError, OSError) as error:
            return f"unreachable ({type(error).__name__}); counting in memory"
        return "ok"


class LoginThrottle:
    """The rules (see the module's docstring)."""

    PAIR_FAILURES = 5
    PAIR_WINDOW = 15 * 60
    PAIR_LOCK_SECONDS = 5 * 60
    ACCOUNT_FAILURES = 10
    ACCOUNT_WINDOW = 15 * 60
    ACCOUNT_LOCK_SECONDS = 10 * 60
    ADDRESS_FAILURES = 30
    ADDRESS_WINDOW = 10 * 60
    CLASS_CODE_GUESSES = 30
    CLASS_CODE_WINDOW = 10 * 60

    def __init__(self, store: CounterStore, prefix: str = "esafety") -> None:
        self.store = store
        self.prefix = prefix

    def _k(self, *parts: object) -> str:
        return ":".join([self.prefix, *map(str, parts)])

    def locked_for(self, account: str, address: str) -> int:
        """Seconds left on a lock of this account, everywhere or from this address; or 0."""
        return max(
            self.store.flag_ttl(self._k("lock", account)),
            self.store.flag_ttl(self._k("pairlock", account, address)),
        )

    def address_busy(self, address: str) -> bool:
        """Many wrong tries from here lately: wrong tries now lock at once (right ones pass)."""
        return self.store.get(self._k("addr", address)) >= self.ADDRESS_FAILURES

    def record_failure(self, account: str, address: str) -> bool:
        """Count a wrong try; True when it has just locked the account (here or everywhere)."""
        busy = self.address_busy(address)
        self.store.incr(self._k("addr", address), self.ADDRESS_WINDOW)
        locked = False
        pair = self.store.incr(self._k("pairfail", account, address), self.PAIR_WINDOW)
        if busy or pair >= self.PAIR_FAILURES:
            self.store.set_flag(self._k("pairlock", account, address), self.PAIR_LOCK_SECONDS)
            self.store.delete(self._k("pairfail", account, address))
            locked = True
        failures = self.store.incr(self._k("fail", account), self.ACCOUNT_WINDOW)
        if failures >= self.ACCOUNT_FAILURES:
            self.store.set_flag(self._k("lock", account), self.ACCOUNT_LOCK_SECONDS)
            self.store.delete(self._k("fail", account))
            locked = True
        return locked

    def record_success(self, account: str, address: str) -> None:
        self.store.delete(self._k("fail", account), self._k("pairfail", account, address))

    def allow(self, action: str, limit: int, window_seconds: int) -> bool:
        """Count one use of a rate-limited action; False once it has been used `limit` times
        in the window (password resets, concerns sent)."""
        return self.store.incr(self._k("rate", action), window_seconds) <= limit

    def unlock(self, account: str) -> None:
        """Lift every lock on the account (a teacher gave new pictures, an admin reset it)."""
        self.store.delete(self._k("fail", account), self._k("lock", account))
        self.store.delete_prefix(self._k("pairfail", account, ""))
        self.store.delete_prefix(self._k("pairlock", account, ""))

    def class_code_blocked(self, address: str) -> bool:
        return self.store.get(self._k("code", address)) >= self.CLASS_CODE_GUESSES

    def record_wrong_class_code(self, address: str) -> bool:
        """Count a wrong class code from this address; True once the limit is reached."""
        return self.store.incr(self._k("code", address), self.CLASS_CODE_WINDOW) >= (
            self.CLASS_CODE_GUESSES
        )

    def health(self) -> str:
        """How the counters are kept, for /healthz."""
        if isinstance(self.store, FallbackStore):
            return self.store.health()
        return "not used (counting in memory)"


def make_throttle(redis_url: str, prefix: str = "esafety") -> LoginThrottle:
    store = FallbackStore(RedisStore(redis_url)) if redis_url else MemoryStore()
    return LoginThrottle(store, prefix)
