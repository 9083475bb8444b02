"""Rate limits on sign-in, password reset and OTP: per account and per IP, in Redis.

Fixed windows: a counter per (limit, who, window) that expires with its window. Keys go through
Django's cache, whose ``KEY_FUNCTION`` puts the schema in every key, so one portal's counters
never touch another's. Limits are ``settings.PORTICO_RATE_LIMITS`` = ``{name: (attempts,
seconds)}``. A refusal says when to try again (``RateLimited.retry_after`` seconds, and in words).
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from core.errors import DomainError

PREFIX = "ratelimit"


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

    def _window(self) -> tuple[int, int, int]:
        attempts, seconds = settings.PORTICO_RATE_LIMITS[self.limit]
        now = time.time()
        index = int(now // seconds)
        retry_after = math.ceil((index + 1) * seconds - now)
        return attempts, index, retry_after

    def _key(self, index: int) -> str:
        who = hashlib.sha256(self.who.lower().encode()).hexdigest()[:32]
        return f"{PREFIX}:{self.limit}:{who}:{index}"

    def used(self) -> int:
        _, index, _ = self._window()
        return int(cache.get(self._key(index)) or 0)

    def exhausted(self) -> int:
        """Seconds until this bucket accepts again, or 0 if it accepts now."""
        attempts, index, retry_after = self._window()
        return retry_after if int(cache.get(self._key(index)) or 0) >= attempts else 0

    def hit(self) -> int:
        """Count one attempt; returns the window's count with it."""
        _, index, retry_after = self._window()
        key = self._key(index)
        if cache.add(key, 1, timeout=retry_after + 1):
            return 1
        try:
            return int(cache.incr(key))
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=retry_after + 1)
            return 1

    def give_back(self) -> None:
        _, index, _ = self._window()
        with contextlib.suppress(ValueError):  # the window ended meanwhile: nothing to give
            cache.decr(self._key(index))


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
    counts = [(bucket, bucket.hit()) for bucket in found]
    waits = [
        bucket._window()[2]
        for bucket, count in counts
        if count > settings.PORTICO_RATE_LIMITS[bucket.limit][0]
    ]
    if waits:
        release(found)
        raise RateLimited(what, max(waits))


def release(found: list[Bucket]) -> None:
    """Give back the attempt ``reserve`` counted (it succeeded, and only failures count)."""
    for bucket in found:
        bucket.give_back()


def reset_all() -> int:
    """Remove every counter of every schema (tests and ``manage.py shell`` only)."""
    client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
    keys = list(client.scan_iter(match=f"*{PREFIX}:*", count=1000))
    if keys:
        client.delete(*keys)
    return len(keys)
