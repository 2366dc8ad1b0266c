"""`python -m genai_infra.emulator --port N [--record DIR]`: the emulator on 127.0.0.1 until stopped.

`python -m genai_infra.emulator --summary ASSEMBLY_DIR... [--record DIR]` prints instead what the
emulator does with each resource type of those assemblies (moto, emulator model, id only, custom
resource answers, not modelled) and exits.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m genai_infra.emulator", description=__doc__)
    parser.add_argument("--port", type=int, help="port on 127.0.0.1 to listen on")
    parser.add_argument("--record", type=Path, help="directory for the recorded Kubernetes manifests and Helm charts")
    parser.add_argument("--summary", type=Path, nargs="+", help="cloud assembly directories to summarize, then exit")
    options = parser.parse_args(argv)
    if options.summary:
        from genai_infra.emulator.report import summary_table

        print(summary_table(options.summary, options.record))
        return 0
    if options.port is None or not 0 < options.port < 65536:
        parser.error("--port N (1-65535) is required to start the emulator")
    from genai_infra.emulator.server import start

    emulator = start(options.port, options.record)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    print(f"emulator ready on {emulator.endpoint} (127.0.0.1)", flush=True)
    stopped.wait()
    emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
