"""waitress, set up deliberately for a public-facing search UI.

What the defaults would leave open, and what is set instead:

- ``connection_limit`` 100 and select(): 150 idle connections locked everyone out. Here the
  limit comes from ``server.connection_limit`` (default 500) and poll() is used, so the limit
  is not capped by select()'s 1024 descriptors.
- ``channel_timeout`` 120 s: idle connections are now closed after ``server.channel_timeout``
  seconds (default 30), checked every 10 s.
- A client that asks for big responses and never reads them held a worker thread forever
  (waitress waits without a timeout when a connection's output buffer is full). Here a
  connection whose client has not taken any byte for ``STALL_SECONDS`` while its buffer is full
  is closed, which frees the thread; and CSV exports, the largest responses, are limited in
  number (see views_api), so stalled exports never hold every thread.
- Request bodies: only GET and HEAD are served, so a body over ``MAX_BODY_BYTES`` is refused by
  waitress from its Content-Length header (413) before any of it is read.
- Errors waitress produces itself (400 for a malformed request, 413, 500) carry the same
  security headers as the app's responses.
"""

from __future__ import annotations

import ipaddress
import time
from typing import Any

from waitress.channel import ClientDisconnected, HTTPChannel
from waitress.server import create_server
from waitress.task import ErrorTask

from indexer import Settings

MAX_BODY_BYTES = 64 * 1024
# Request line (the URL) and headers together. Over 16 KB of query string the app answers a 400
# that says what is too long; waitress's own 431 (plain text) only comes well beyond that.
MAX_HEADER_BYTES = 256 * 1024
STALL_SECONDS = 10.0
CLEANUP_INTERVAL = 10
# A response's first bytes are sent as soon as they are written (send_bytes is deprecated and
# 1 already; it is left alone); buffered output beyond 1 MB spills to a temporary file, and a
# writer waits (at most STALL_SECONDS without progress) once 4 MB are pending.
OUTBUF_OVERFLOW = 1024 * 1024
OUTBUF_HIGH_WATERMARK = 4 * 1024 * 1024


class SecureErrorTask(ErrorTask):
    """waitress's own error responses, with the app's security headers added."""

    def execute(self) -> None:
        # waitress's ErrorTask.execute, with the headers added before the first write sends
        # them.
        from .app import SECURITY_HEADERS

        status, headers, body = self.request.error.to_response(self.channel.server.adj.ident)
        self.status = status
        self.response_headers.extend(headers)
        self.response_headers.extend(SECURITY_HEADERS.items())
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class GuardedChannel(HTTPChannel):
    """An HTTP channel that gives up on a client that stopped reading (see the module doc)."""

    error_task_class = SecureErrorTask

    def _flush_outbufs_below_high_watermark(self) -> None:
        if self.total_outbufs_len <= self.adj.outbuf_high_watermark:
            return
        with self.outbuf_lock:
            _, exception = self._flush_exception(self._flush_some, do_close=False)
            if exception:
                self.server.pull_trigger()
                self.outbuf_lock.wait(STALL_SECONDS)
                return
            pending, since = self.total_outbufs_len, time.monotonic()
            while self.connected and self.total_outbufs_len > self.adj.outbuf_high_watermark:
                self.server.pull_trigger()
                self.outbuf_lock.wait(1.0)
                if self.total_outbufs_len < pending:
                    pending, since = self.total_outbufs_len, time.monotonic()
                elif time.monotonic() - since > STALL_SECONDS:
                    self.will_close = True
                    self.server.pull_trigger()
                    raise ClientDisconnected("the client stopped reading its responses")


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def server_options(settings: Settings) -> dict[str, Any]:
    """The waitress adjustments used by ``fazhi serve`` (and the tests' live servers)."""
    return dict(
        threads=settings.threads,
        connection_limit=settings.connection_limit,
        channel_timeout=settings.channel_timeout,
        cleanup_interval=CLEANUP_INTERVAL,
        asyncore_use_poll=True,
        max_request_body_size=MAX_BODY_BYTES,
        max_request_header_size=MAX_HEADER_BYTES,
        outbuf_overflow=OUTBUF_OVERFLOW,
        outbuf_high_watermark=OUTBUF_HIGH_WATERMARK,
    )


def make_server(app: Any, settings: Settings, host: str, port: int) -> Any:
    """A bound waitress server for ``app`` (call ``.run()``); OSError when the port is taken."""
    server = create_server(app, host=host, port=port, **server_options(settings))
    for each in _listeners(server):
        each.channel_class = GuardedChannel
    return server


def _listeners(server: Any) -> list[Any]:
    """The socket servers behind ``server`` (several when a host name resolves to several)."""
    inner = [s for s in getattr(server, "map", {}).values() if hasattr(s, "channel_class")]
    return inner if hasattr(server, "effective_listen") and inner else [server]
