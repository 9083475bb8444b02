"""Portico exactly as deployed (settings, MIDDLEWARE, DB backend), plus the bench URLs."""

from control_plane.settings import *  # noqa: F403

ROOT_URLCONF = "bench.routing.urls_tenant"
