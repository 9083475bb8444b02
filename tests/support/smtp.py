"""An SMTP server that keeps what it receives (aiosmtpd), on a fixed port it can leave and retake.

Stopping it makes its port refuse connections, which is how tests make e-mail delivery fail.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    """A TCP port nothing listens on (right now) on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Received:
    """One message as the server got it: the envelope recipients and the parsed message."""

    rcpt_tos: list[str]
    message: EmailMessage

    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        assert part is not None, "the e-mail has no text/plain part"
        return str(part.get_content()).replace("\r\n", "\n")

    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        assert part is not None, "the e-mail has no text/html part"
        return str(part.get_content()).replace("\r\n", "\n")


class _Keep:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        with self.sink.lock:
            self.sink.received.append(Received(list(envelope.rcpt_tos), message))
        return "250 Message accepted"


class SmtpSink:
    """``start()``/``stop()`` on ``port``; ``received`` lists what arrived since ``clear()``."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.received: list[Received] = []
        self.lock = threading.Lock()
        self._controller: Controller | None = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> None:
        if self._controller is None:
            controller = Controller(_Keep(self), hostname="127.0.0.1", port=self.port)
            controller.start()
            self._controller = controller

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def clear(self) -> None:
        with self.lock:
            self.received.clear()

    def messages(self) -> list[Received]:
        with self.lock:
            return list(self.received)
