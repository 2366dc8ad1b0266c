"""Start moto with the emulator's fixes, models and custom-resource answers, on 127.0.0.1 only."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from moto.moto_server.threaded_moto_server import ThreadedMotoServer

from genai_infra.emulator import custom_resources, fixes, local_servers, models

LOOPBACK = "127.0.0.1"
_INSTALLED: dict[str, list[str]] = {}


def install(
    port: int, record_directory: Path | None = None, servers: local_servers.LocalServers | None = None
) -> dict[str, list[str]]:
    """Patch moto in this process (once): the fixes, the models and the custom-resource answers;
    with `servers`, Aurora and ElastiCache backed by those real servers (local_servers.py)."""
    # "localhost": moto finds the bucket of a TemplateURL by that host name (path-style addressing).
    models.ENDPOINT["url"] = f"http://localhost:{port}"
    if record_directory is not None:
        custom_resources.RECORD_DIRECTORY["path"] = record_directory
    if not _INSTALLED:
        _INSTALLED["fixes"] = fixes.apply()
        from genai_infra.emulator import global_failover  # defines a model: imported before register()

        _INSTALLED["global failover"] = global_failover.apply()
        _INSTALLED["models"] = models.register()
        custom_resources.install()
        _INSTALLED["custom resources"] = ["in process"]
    if servers is not None:
        _INSTALLED["local servers"] = local_servers.install(servers)
    return _INSTALLED


@dataclass
class Emulator:
    """A running emulator: moto's threaded server with everything installed."""

    port: int
    server: ThreadedMotoServer

    @property
    def endpoint(self) -> str:
        return f"http://localhost:{self.port}"

    def stop(self) -> None:
        self.server.stop()


def start(
    port: int, record_directory: Path | None = None, servers: local_servers.LocalServers | None = None
) -> Emulator:
    install(port, record_directory, servers)
    server = ThreadedMotoServer(ip_address=LOOPBACK, port=port, verbose=False)
    server.start()
    return Emulator(port, server)
