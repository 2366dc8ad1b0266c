"""Worker processes for synthesis and cfn-lint, shared by the steps of one command.

Synthesis and cfn-lint are CPU-bound and hold the GIL (jsii talks to Node over a pipe, cfn-lint
is pure Python), so only processes run them side by side. Starting jsii costs seconds in every
process, so a command that synthesizes twice (`check`) keeps one pool open for both rounds and
for cfn-lint, and the second round runs in warm workers. GENAI_INFRA_WORKERS=1 keeps everything
in the calling process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")
WORKERS_VARIABLE = "GENAI_INFRA_WORKERS"


@dataclass(frozen=True)
class Pool:
    executor: ProcessPoolExecutor
    workers: int


# The pool of the command being run, if it opened one (see `shared_pool`).
_ACTIVE: list[Pool] = []


def worker_count() -> int:
    """GENAI_INFRA_WORKERS when set, else the CPUs this process may run on."""
    configured = os.environ.get(WORKERS_VARIABLE, "").strip()
    if configured:
        if not configured.isdigit() or int(configured) < 1:
            raise ValueError(f"{WORKERS_VARIABLE} must be a positive whole number, not {configured!r}")
        return int(configured)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def new_pool(workers: int) -> ProcessPoolExecutor:
    # spawn, not fork: a forked child would share the parent's jsii kernel pipe if it had one.
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


def active_pool() -> Pool | None:
    return _ACTIVE[-1] if _ACTIVE else None


@contextmanager
def shared_pool(tasks: int) -> Iterator[Pool | None]:
    """A pool that `_synthesize` and cfn-lint reuse until the block ends; None when one process is enough."""
    workers = min(worker_count(), tasks)
    if workers < 2:
        yield None
        return
    pool = Pool(new_pool(workers), workers)
    _ACTIVE.append(pool)
    try:
        yield pool
    finally:
        _ACTIVE.remove(pool)
        pool.executor.shutdown(cancel_futures=True)


def split(items: Sequence[T], parts: int) -> list[list[T]]:
    """Round robin: targets come primary, secondary, global, so the largest ones land in different parts."""
    return [list(items[index::parts]) for index in range(min(parts, len(items)))]
