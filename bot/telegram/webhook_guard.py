"""The webhook's HTTP server, guarded against connections that are opened and then left idle.

Tornado accepts connections as long as the kernel hands them over and keeps each open for an hour without a
request. 1,124 idle connections under a file limit of 1,024 made it fail every accept with "Too many open
files", log a traceback each time and spin. Here the number of open connections is capped below the file
limit; at the cap a new connection takes the place of the oldest one that is not serving a request (an idle
or slow client), so an update from Telegram is still taken. Headers must arrive within ``HEADER_TIMEOUT`` and
a body within ``BODY_TIMEOUT``. An accept that fails (file descriptors exhausted all the same) pauses
accepting for ``ACCEPT_BACKOFF`` and is logged once per ``LOG_INTERVAL`` with the number of failures.
"""

from __future__ import annotations

import errno
import logging
import resource
import socket
import time
from collections.abc import Callable
from typing import Any

from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop
from tornado.iostream import IOStream

log = logging.getLogger(__name__)

HEADER_TIMEOUT = 10.0  # seconds for a request's headers (and between requests on a kept-alive connection)
BODY_TIMEOUT = 10.0  # seconds for a body of at most a megabyte
ACCEPT_BACKOFF = 0.5  # seconds without accepting after an accept failed
LOG_INTERVAL = 60.0  # seconds between log lines about failing accepts
ACCEPT_BATCH = 128  # connections accepted per wake-up before others get the loop


def default_max_connections() -> int:
    """Half the file limit (the database, the Bot API pool and the logs need the rest), at most 1,000."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return 1000
    return max(16, min(1000, soft // 2))


class GuardedHTTPServer(HTTPServer):
    """An ``HTTPServer`` with a connection cap, eviction of idle connections and a backoff on accept errors."""

    def initialize(self, *args: Any, max_connections: int | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("idle_connection_timeout", HEADER_TIMEOUT)
        kwargs.setdefault("body_timeout", BODY_TIMEOUT)
        super().initialize(*args, **kwargs)
        self.max_connections = max_connections or default_max_connections()
        self.busy: set[IOStream] = set()  # streams serving a request now (marked by the request handler)
        self._opened: dict[IOStream, float] = {}  # open connections, oldest first
        self._resume: list[Callable[[], None]] = []  # listeners that stopped at the cap
        self._failures = 0
        self._logged_at = -LOG_INTERVAL
        self.evicted = 0

    def add_sockets(self, sockets: Any) -> None:
        for sock in sockets:
            self._sockets[sock.fileno()] = sock
            self._handlers[sock.fileno()] = self._accept_on(sock)

    def handle_stream(self, stream: IOStream, address: tuple[Any, ...]) -> None:
        self._opened[stream] = time.monotonic()
        super().handle_stream(stream, address)

    def on_close(self, server_conn: object) -> None:
        super().on_close(server_conn)
        stream = getattr(server_conn, "stream", None)
        if stream is not None:
            self._opened.pop(stream, None)
            self.busy.discard(stream)
        waiting, self._resume = self._resume, []
        for resume in waiting:
            resume()

    def _evict_idle(self) -> bool:
        """Close the oldest connection that serves no request; False when every one is busy."""
        for stream in self._opened:
            if stream not in self.busy:
                del self._opened[stream]
                stream.close()
                self.evicted += 1
                return True
        return False

    def _accept_on(self, sock: socket.socket) -> Callable[[], None]:
        loop = IOLoop.current()
        state = {"registered": False, "removed": False}

        def register() -> None:
            if not state["removed"] and not state["registered"]:
                loop.add_handler(sock, ready, IOLoop.READ)
                state["registered"] = True

        def unregister() -> None:
            if state["registered"]:
                loop.remove_handler(sock)
                state["registered"] = False

        def ready(fd: object, events: int) -> None:
            for _ in range(ACCEPT_BATCH):
                if state["removed"]:
                    return
                if len(self._opened) >= self.max_connections and not self._evict_idle():
                    unregister()  # the kernel's backlog holds new connections until one closes
                    self._resume.append(register)
                    return
                try:
                    connection, address = sock.accept()
                except BlockingIOError:
                    return
                except ConnectionAbortedError:
                    continue
                except OSError as error:
                    self._accept_failed(error)
                    unregister()
                    loop.call_later(ACCEPT_BACKOFF, register)
                    return
                self._handle_connection(connection, address)

        def remove() -> None:
            unregister()
            state["removed"] = True

        register()
        return remove

    def _accept_failed(self, error: OSError) -> None:
        self._failures += 1
        now = time.monotonic()
        if now - self._logged_at >= LOG_INTERVAL:
            name = errno.errorcode.get(error.errno or 0, type(error).__name__)
            log.error(
                "Webhook cannot accept connections (%s, %d open): %d failures since the last message; "
                "pausing accepts for %.1f s each time",
                name,
                len(self._opened),
                self._failures,
                ACCEPT_BACKOFF,
            )
            self._logged_at = now
            self._failures = 0
