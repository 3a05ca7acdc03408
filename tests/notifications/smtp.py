"""A local SMTP server for integration tests: the relay at the network boundary, faked.

It accepts what the worker sends and keeps each message parsed. ``stall_first_recipient``
holds the first client inside the SMTP dialogue (its RCPT TO gets no answer) until the test
calls ``release()``: the moment a worker is in the middle of a send and nothing is accepted yet.
``refusing`` answers every recipient with a temporary failure (451) while it is set.
"""

import asyncio
import email
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from email.policy import default

from aiosmtpd.controller import Controller

from tests.processes import free_port

STALL_LIMIT = 60  # seconds; a stalled client is let go with a temporary failure after this


class _Handler:
    """aiosmtpd calls handle_<COMMAND> hooks by name."""

    def __init__(self, *, stall_first_recipient: bool):
        self.messages: list[EmailMessage] = []
        self.stalled = threading.Event()
        self.released = threading.Event()
        self._stall = stall_first_recipient
        self._lock = threading.Lock()
        self.refusing = threading.Event()
        self.refused = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refusing.is_set():
            self.refused += 1
            return "451 Try again later"
        if self._stall and not self.stalled.is_set():
            self.stalled.set()
            deadline = time.monotonic() + STALL_LIMIT
            while not self.released.is_set():
                if time.monotonic() > deadline:
                    return "451 Stalled too long, try again later"
                await asyncio.sleep(0.05)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=default)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self, controller: Controller, handler: _Handler):
        self.port = controller.port
        self.url = f"smtp://127.0.0.1:{self.port}"
        self._handler = handler

    @property
    def messages(self) -> list[EmailMessage]:
        """The messages accepted so far, in order."""
        with self._handler._lock:
            return list(self._handler.messages)

    @property
    def stalled(self) -> threading.Event:
        """Set once the first client is held in its RCPT TO."""
        return self._handler.stalled

    def release(self) -> None:
        self._handler.released.set()

    @property
    def refusing(self) -> threading.Event:
        """While set, every recipient is refused for now (451)."""
        return self._handler.refusing

    @property
    def refused(self) -> int:
        """How many recipients were refused so far."""
        return self._handler.refused


@contextmanager
def smtp_server(*, stall_first_recipient: bool = False) -> Iterator[SmtpServer]:
    handler = _Handler(stall_first_recipient=stall_first_recipient)
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield SmtpServer(controller, handler)
    finally:
        handler.released.set()
        controller.stop()
