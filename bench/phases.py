"""Times the phases of ``tenants.services.tenant_provision`` by wrapping the service's own
functions in this process (no app code changes). Shared by the provision and migrate benches."""

from __future__ import annotations

import functools
import importlib
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

# (label, module, attribute); the hash is timed inside "populate" and subtracted from it.
PHASES = [
    ("validate", "tenants.services", "signup_problems"),
    ("ensure_template", "tenants.services", "ensure_template"),
    ("clone_schema", "tenants.schema_clone", "clone_schema"),
    ("verify_clone", "tenants.schema_clone", "verify_clone"),
    ("migrate_schema", "tenants.schema_clone", "migrate_schema"),
    ("populate", "tenants.services", "_populate_new_tenant"),
]
ORDER = [
    "validate",
    "ensure_template",
    "clone_schema",
    "verify_clone",
    "migrate_schema",
    "populate_excl_hash",
    "password_hash",
    "rest",
]

_timings: dict[str, float] = defaultdict(float)
_installed = False


def _timed(label: str, func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            _timings[label] += time.perf_counter() - started

    return wrapper


def instrument() -> None:
    """Wrap the phases (once per process). Call after ``django.setup()``."""
    global _installed
    if _installed:
        return
    from django.contrib.auth import hashers

    for label, module_name, attr in PHASES:
        module = importlib.import_module(module_name)
        setattr(module, attr, _timed(label, getattr(module, attr)))
    for hasher_class in (hashers.PBKDF2PasswordHasher, hashers.MD5PasswordHasher):
        hasher_class.encode = _timed("password_hash", hasher_class.encode)  # type: ignore[method-assign]
    _installed = True


def provision_timed(sub: str, password: str, strategy: str = "clone") -> dict[str, float]:
    """Provision ``sub`` through the real service; seconds per phase plus ``total``."""
    from tenants.services import SignupRequest, tenant_provision

    instrument()
    _timings.clear()
    cpu0 = time.process_time()
    started = time.perf_counter()
    tenant_provision(
        actor=None,
        request=SignupRequest(f"Bench {sub}", sub, "Bench Admin", f"admin@{sub}.test", password),
        strategy=strategy,
    )
    total = time.perf_counter() - started
    cpu = time.process_time() - cpu0
    phases = dict(_timings)
    phases["populate_excl_hash"] = phases.pop("populate", 0.0) - phases.get("password_hash", 0.0)
    phases["rest"] = total - sum(phases.values())
    phases["total"] = total
    phases["python_cpu"] = cpu  # this process only (Postgres excluded)
    return phases
