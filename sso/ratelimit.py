"""Rate limits on sign-in, password reset and OTP: per account and per IP, in Redis.

A window opens at the first attempt and lasts the limit's length: a counter per (limit, who) that
Redis expires when its window ends. Anchoring the window at the first attempt (not at the clock's
quarter hours) means a limit reached always holds for the rest of *its* window, and the wait a
refusal names is that window's remaining time. Keys go through Django's cache ``make_key``, whose
``KEY_FUNCTION`` puts the schema in every key, so one portal's counters never touch another's.
Limits are ``settings.PORTICO_RATE_LIMITS`` = ``{name: (attempts, seconds)}``. A refusal says when
to try again (``RateLimited.retry_after`` seconds, and in words).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache

from core.errors import DomainError

PREFIX = "ratelimit"

# Give one attempt back, but only to a window that still exists: DECR on an expired key would
# create a counter of -1 that never expires.
_GIVE_BACK = """
if redis.call('exists', KEYS[1]) == 1 then return redis.call('decr', KEYS[1]) end
return 0
"""


def _redis() -> Any:
    return cache._cache.get_client(write=True)  # type: ignore[attr-defined]


def _in_words(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


class RateLimited(DomainError):
    """Too many attempts: ``retry_after`` seconds until the window ends."""

    def __init__(self, what: str, retry_after: int) -> None:
        self.retry_after = max(1, retry_after)
        super().__init__(
            "rate_limited",
            f"Too many {what}. Try again in {_in_words(self.retry_after)}.",
        )


@dataclass(frozen=True)
class Bucket:
    """One counter: a named limit for one account or IP address."""

    limit: str
    who: str

    @property
    def attempts(self) -> int:
        return int(settings.PORTICO_RATE_LIMITS[self.limit][0])

    @property
    def seconds(self) -> int:
        return int(settings.PORTICO_RATE_LIMITS[self.limit][1])

    def _key(self) -> str:
        who = hashlib.sha256(self.who.lower().encode()).hexdigest()[:32]
        return cache.make_key(f"{PREFIX}:{self.limit}:{who}")

    def _state(self) -> tuple[int, int]:
        """(attempts counted, seconds left in the window); (0, 0) when no window is open."""
        pipe = _redis().pipeline(transaction=True)
        pipe.get(self._key())
        pipe.ttl(self._key())
        count, ttl = pipe.execute()
        return int(count or 0), max(int(ttl), 0)

    def used(self) -> int:
        return self._state()[0]

    def exhausted(self) -> int:
        """Seconds until this bucket accepts again, or 0 if it accepts now."""
        count, left = self._state()
        return max(left, 1) if count >= self.attempts else 0

    def hit(self) -> tuple[int, int]:
        """Count one attempt, opening a window if none is open; returns (count, seconds left)."""
        key = self._key()
        pipe = _redis().pipeline(transaction=True)
        pipe.set(key, 0, ex=self.seconds, nx=True)
        pipe.incr(key)  # keeps the window's expiry
        pipe.ttl(key)
        _, count, ttl = pipe.execute()
        return int(count), max(int(ttl), 1)

    def give_back(self) -> None:
        _redis().eval(_GIVE_BACK, 1, self._key())


def buckets(kind: str, *, account: str, ip: str | None) -> list[Bucket]:
    """The account and IP buckets of ``kind`` (``login``, ``otp`` or ``reset``)."""
    found = [Bucket(f"{kind}:account", account)]
    if ip:
        found.append(Bucket(f"{kind}:ip", ip))
    return found


def check(found: list[Bucket], what: str) -> None:
    """Refuse (``RateLimited``) when any bucket is used up; says when the longest wait ends."""
    waits = [bucket.exhausted() for bucket in found]
    if any(waits):
        raise RateLimited(what, max(waits))


def hit(found: list[Bucket]) -> None:
    for bucket in found:
        bucket.hit()


def reserve(found: list[Bucket], what: str) -> None:
    """Count one attempt in every bucket *before* the check it guards, and refuse
    (``RateLimited``, the attempt given back) when that goes past a limit. Requests sent at
    once each take their own place, so they cannot all pass a check made before any of them
    was counted. Call ``release`` when the guarded check succeeded if only failures count."""
    counts = [(bucket, *bucket.hit()) for bucket in found]
    waits = [left for bucket, count, left in counts if count > bucket.attempts]
    if waits:
        release(found)
        raise RateLimited(what, max(waits))


def release(found: list[Bucket]) -> None:
    """Give back the attempt ``reserve`` counted (it succeeded, and only failures count)."""
    for bucket in found:
        bucket.give_back()


def reset_all() -> int:
    """Remove every counter of every schema (tests and ``manage.py shell`` only)."""
    client = _redis()
    keys = list(client.scan_iter(match=f"*{PREFIX}:*", count=1000))
    if keys:
        client.delete(*keys)
    return len(keys)
