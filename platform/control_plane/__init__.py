"""Portico's control plane: settings, URL confs, Celery app, operator console, sign-up."""

from control_plane.celery import app as celery_app

__all__ = ["celery_app"]
