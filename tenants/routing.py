"""Host → tenant resolution with a per-process cache, invalidated across processes.

Stock django-tenants queries the domain table on every request. Here each process keeps the
answers in memory; a generation counter in Redis is read at most once a second, and any change
to tenants or domains bumps it (``invalidate()``, called on commit by the services). A lookup
therefore costs a dict access on the hot path, and a change is seen everywhere within about a
second (at once in the process that made it). A TTL bounds staleness if Redis is unreachable.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

import redis
from django.conf import settings

from core.tenancy import db
from tenants.choices import SERVING_STATUSES, TenantStatus

logger = logging.getLogger(__name__)

GENERATION_KEY = "portico:routing:generation"
_GENERATION_CHECK_SECONDS = 1.0


@dataclass(frozen=True)
class TenantRef:
    """What a request needs to know about its tenant; safe to keep in a process cache."""

    id: int
    public_id: str
    schema_name: str
    name: str
    slug: str
    status: str
    primary_domain: str
    domain_url: str

    @property
    def is_public(self) -> bool:
        return self.schema_name == "public"

    @property
    def is_serving(self) -> bool:
        return self.is_public or self.status in SERVING_STATUSES

    def get_tenant_type(self) -> None:  # django-tenants asks this of tenant objects
        return None


class _RouteCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[TenantRef | None, float]] = {}
        self._generation: int | None = None
        self._checked_at = 0.0
        self._client: redis.Redis | None = None

    def _redis(self) -> redis.Redis:
        if self._client is None:
            self._client = redis.Redis.from_url(
                settings.CELERY_BROKER_URL, socket_timeout=0.5, socket_connect_timeout=0.5
            )
        return self._client

    def _check_generation(self, now: float) -> None:
        if now - self._checked_at < _GENERATION_CHECK_SECONDS:
            return
        self._checked_at = now
        try:
            raw = self._redis().get(GENERATION_KEY)
        except redis.RedisError:
            logger.warning("routing cache: Redis unreachable, relying on the TTL")
            return
        generation = int(raw) if raw is not None else 0
        if generation != self._generation:
            with self._lock:
                self._entries.clear()
            self._generation = generation

    def get(self, host: str) -> tuple[bool, TenantRef | None]:
        now = time.monotonic()
        self._check_generation(now)
        entry = self._entries.get(host)
        if entry is None or entry[1] < now:
            return False, None
        return True, entry[0]

    def put(self, host: str, ref: TenantRef | None) -> None:
        ttl = settings.PORTICO_ROUTING_CACHE_SECONDS
        with self._lock:
            if len(self._entries) > 50_000:  # unknown-host floods must not grow memory forever
                self._entries.clear()
            self._entries[host] = (ref, time.monotonic() + ttl)

    def clear_local(self) -> None:
        with self._lock:
            self._entries.clear()
        self._checked_at = 0.0

    def bump(self) -> None:
        self.clear_local()
        try:
            self._generation = int(self._redis().incr(GENERATION_KEY))
        except redis.RedisError:
            logger.warning("routing cache: could not bump the generation; peers rely on TTL")


_cache = _RouteCache()


def normalise_host(raw_host: str) -> str:
    host = raw_host.split(":", 1)[0].strip().lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def _lookup(host: str) -> TenantRef | None:
    from tenants.models import Domain

    db().set_schema_to_public()
    domain = (
        Domain.objects.select_related("tenant")
        .filter(domain=host)
        .exclude(tenant__status=TenantStatus.ARCHIVED)
        .exclude(tenant__is_template=True)
        .first()
    )
    if domain is None:
        return None
    tenant = domain.tenant
    primary = (
        domain.domain
        if domain.is_primary
        else Domain.objects.filter(tenant=tenant, is_primary=True)
        .values_list("domain", flat=True)
        .first()
        or domain.domain
    )
    return TenantRef(
        id=tenant.pk,
        public_id=str(tenant.public_id),
        schema_name=tenant.schema_name,
        name=tenant.name,
        slug=tenant.slug,
        status=tenant.status,
        primary_domain=primary,
        domain_url=host,
    )


def resolve(raw_host: str) -> TenantRef | None:
    """The tenant serving ``raw_host``, or None for an unknown or archived host."""
    host = normalise_host(raw_host)
    hit, ref = _cache.get(host)
    if hit:
        return ref
    ref = _lookup(host)
    _cache.put(host, ref)
    return ref


def invalidate() -> None:
    """Forget every cached route here and tell every other process to do the same."""
    _cache.bump()
