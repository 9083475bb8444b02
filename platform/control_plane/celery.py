"""The Celery app: tenant-aware, so the schema travels with every task in a message header."""

from __future__ import annotations

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "control_plane.settings")

app = CeleryApp("portico")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
