"""A real SMTP server for tests and benchmarks: aiosmtpd on 127.0.0.1, on a free port.

`replies` queues answers for the next DATA commands (e.g. "451 4.3.0 try later"); after they
are used up every message is accepted and kept in `messages`. `delay` holds each DATA for that
many seconds before answering (to stop a worker mid-delivery).
"""

import asyncio
import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


class Mailbox:
    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.replies: list[str] = []
        self.delay = 0.0
        self.data_commands = 0
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        with self._lock:
            self.data_commands += 1
            reply = self.replies.pop(0) if self.replies else None
        if self.delay:
            await asyncio.sleep(self.delay)
        if reply:
            return reply
        message = message_from_bytes(envelope.original_content or envelope.content,
                                     policy=policy.default)
        with self._lock:
            self.messages.append(message)
        return "250 2.0.0 Accepted"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        """Wait until at least `count` messages arrived; returns them all."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.02)
        raise AssertionError(f"expected {count} messages, got {len(self.messages)}")


class _FreePortController(Controller):
    """Binds port 0 and learns which port the system gave it before checking it answers."""

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class SmtpServer:
    def __init__(self):
        self.mailbox = Mailbox()
        self._controller = _FreePortController(self.mailbox, hostname="127.0.0.1", port=0)

    def start(self) -> "SmtpServer":
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    @property
    def port(self) -> int:
        return self._controller.port

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"
