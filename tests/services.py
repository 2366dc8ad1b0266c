"""Real PostgreSQL 15 and Redis 7 servers on loopback, with TLS from a CA made for the test session.

The binaries come from Debian's postgresql-15 and redis-server packages (scripts/test-services.sh
installs them); without them the probe tests skip and say why. The servers are started by
genai_infra.emulator.loopback, which the emulator's `--local-servers` uses too.
"""

from __future__ import annotations

import socket
import threading

from genai_infra.emulator.loopback import (
    LOOPBACK,
    POSTGRES_BIN,
    Postgres,
    Redis,
    Tls,
    free_port,
    make_tls,
    start_postgres,
    start_redis,
    wait_for_port,
)

__all__ = [
    "LOOPBACK",
    "POSTGRES_BIN",
    "HangingServer",
    "Postgres",
    "Redis",
    "Tls",
    "free_port",
    "make_tls",
    "start_postgres",
    "start_redis",
    "wait_for_port",
]


class HangingServer:
    """Accepts TCP connections and never sends a byte: what a stuck server or a black-holed proxy looks like."""

    def __init__(self) -> None:
        self._socket = socket.socket()
        self._socket.bind((LOOPBACK, 0))
        self._socket.listen(16)
        self.port = int(self._socket.getsockname()[1])
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._socket.accept()
            except OSError:
                return
            self._held.append(connection)

    def close(self) -> None:
        self._socket.close()
        for connection in self._held:
            connection.close()
