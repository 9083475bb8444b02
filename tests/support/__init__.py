"""Helpers shared by test modules: an SMTP sink, a real Celery worker, factories, waiting."""
