"""Worker processes for cfn-lint, so that `check` lints while it synthesizes its second round.

cfn-lint is pure Python and holds the GIL, so only processes run it beside synthesis. Synthesis
itself stays in the command's own process: starting jsii costs each process several CPU-seconds
(measured with scripts/benchmark.py), more than spreading targets over processes saves on two
cores. GENAI_INFRA_WORKERS sets the number of lint processes; 1 lints in the command's process.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

WORKERS_VARIABLE = "GENAI_INFRA_WORKERS"


def worker_count() -> int:
    """GENAI_INFRA_WORKERS when set, else the CPUs this process may run on."""
    configured = os.environ.get(WORKERS_VARIABLE, "").strip()
    if configured:
        if not configured.isdigit() or int(configured) < 1:
            raise ValueError(f"{WORKERS_VARIABLE} must be a positive whole number, not {configured!r}")
        return int(configured)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def ignore_interrupts() -> None:
    """Ctrl-C is the command's to handle: a worker that also caught it would print its own traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextmanager
def worker_pool(tasks: int) -> Iterator[ProcessPoolExecutor | None]:
    """A pool of up to one worker per CPU for `tasks` tasks; None when one process is enough."""
    workers = min(worker_count(), tasks)
    if workers < 2:
        yield None
        return
    # spawn, not fork: a forked child would share the parent's jsii kernel pipe.
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context("spawn"), initializer=ignore_interrupts
    )
    try:
        yield pool
    finally:
        pool.shutdown(cancel_futures=True)
