"""`python -m genai_infra.emulator --port N [--record DIR]`: the emulator on 127.0.0.1 until stopped.

With `--local-servers DIR` it first starts PostgreSQL 15 and Redis 7 on loopback, with TLS from a
CA written to DIR/ca.pem, and backs every Aurora cluster and replication group with them
(genai_infra.emulator.local_servers); DIR/local-servers.json then says where they listen.

`python -m genai_infra.emulator --summary ASSEMBLY_DIR... [--record DIR]` prints instead what the
emulator does with each resource type of those assemblies (moto, emulator model, id only, custom
resource answers, not modelled) and exits.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import subprocess
import sys
import threading
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m genai_infra.emulator", description=__doc__)
    parser.add_argument("--port", type=int, help="port on 127.0.0.1 to listen on")
    parser.add_argument("--record", type=Path, help="directory for the recorded Kubernetes manifests and Helm charts")
    parser.add_argument(
        "--local-servers",
        type=Path,
        metavar="DIR",
        help="start PostgreSQL 15 and Redis 7 on loopback (TLS, CA in DIR) behind Aurora and ElastiCache",
    )
    parser.add_argument("--summary", type=Path, nargs="+", help="cloud assembly directories to summarize, then exit")
    options = parser.parse_args(argv)
    if options.summary:
        from genai_infra.emulator.report import summary_table

        print(summary_table(options.summary, options.record))
        return 0
    if options.port is None or not 0 < options.port < 65536:
        parser.error("--port N (1-65535) is required to start the emulator")
    from genai_infra.emulator.local_servers import LocalServersError, started
    from genai_infra.emulator.server import start

    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    with contextlib.ExitStack() as stack:
        servers = None
        if options.local_servers is not None:
            try:
                servers = stack.enter_context(started(options.local_servers))
            except (LocalServersError, OSError, subprocess.SubprocessError) as error:
                print(f"error: cannot start the local servers: {error}", file=sys.stderr)
                return 1
            print(
                f"local servers: PostgreSQL 15 on {servers.host}:{servers.postgres.port}, Redis 7 on "
                f"{servers.host}:{servers.redis.port}, TLS from the CA {servers.ca_file}",
                flush=True,
            )
        emulator = start(options.port, options.record, servers)
        print(f"emulator ready on {emulator.endpoint} (127.0.0.1)", flush=True)
        stopped.wait()
        emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
