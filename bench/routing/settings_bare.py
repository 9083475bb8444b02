"""The floor: plain Django with no middleware and no apps (context for the ratios)."""

from bench.routing.settings_plain import *  # noqa: F403

INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "bench.routing.settings_plain"
