"""Reading the Celery queue in Redis, to see which tasks were sent with which schema header."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

import redis
from django.conf import settings

QUEUE = "celery"


def client() -> redis.Redis:
    return redis.Redis.from_url(settings.CELERY_BROKER_URL)


@dataclass(frozen=True)
class Queued:
    """A task message waiting in the queue."""

    task: str
    schema: Any
    args: list[Any]
    raw: bytes


def queued() -> list[Queued]:
    """Messages in the default queue, oldest first."""
    found = []
    for raw in reversed(client().lrange(QUEUE, 0, -1)):  # LPUSHed: newest first
        envelope = json.loads(raw)
        headers = envelope["headers"]
        args, _kwargs, _embed = json.loads(base64.b64decode(envelope["body"]))
        found.append(Queued(headers["task"], headers.get("_schema_name"), args, raw))
    return found


def remove(messages: list[Queued]) -> None:
    for message in messages:
        client().lrem(QUEUE, 1, message.raw)
