"""Running the pinned CDK CLI as a subprocess: which executable, its environment, and reading its output.

GENAI_INFRA_CDK names another CDK executable (the tests use a fake). The caller's environment
(credentials, profile) goes to cdk unchanged, with the project's Node first on PATH.
"""

from __future__ import annotations

import os
import re
import select
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from genai_infra.cli import common
from genai_infra.synth import PROJECT_ROOT

CDK_ENV = "GENAI_INFRA_CDK"
NO_CREDENTIALS = "Unable to resolve AWS account"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def cdk_executable() -> str:
    chosen = os.environ.get(CDK_ENV) or str(PROJECT_ROOT / "node_modules" / ".bin" / "cdk")
    if not Path(chosen).is_file():
        raise common.fail(f"the CDK CLI {chosen} does not exist; run `bash scripts/setup.sh` (npm ci) first.")
    return chosen


def cdk_environment() -> dict[str, str]:
    """The caller's environment (credentials, profile) with the project's Node first on PATH."""
    env = dict(os.environ)
    env["PATH"] = f"{PROJECT_ROOT / 'node_modules' / '.bin'}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("CDK_DISABLE_CLI_TELEMETRY", "true")
    env.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    return env


def with_profile(command: list[str], profile: str | None) -> list[str]:
    return [*command, "--profile", profile] if profile else command


def run_cdk(
    command: Sequence[str],
    on_line: Callable[[str], None],
    on_prompt: Callable[[str], None],
    on_tick: Callable[[], None],
    tick_seconds: float,
    stdin: int | None = None,
) -> int:
    """Run one cdk call and hand over its output line by line (colours removed) as it comes.

    The terminal stays its stdin, for approval prompts; cdk asks "Do you wish to deploy these
    changes (y/n)?" without a newline and waits, so the question is handed over at once. on_tick
    runs every tick_seconds while cdk runs, between its lines.
    """
    process = subprocess.Popen(
        list(command),
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=cdk_environment(),
        cwd=PROJECT_ROOT,
    )
    assert process.stdout is not None
    descriptor = process.stdout.fileno()
    pending = ""
    next_tick = time.monotonic() + tick_seconds
    while True:
        readable, _, _ = select.select([descriptor], [], [], max(0.0, next_tick - time.monotonic()))
        if readable:
            chunk = os.read(descriptor, 65536)
            if not chunk:
                break
            pending += chunk.decode("utf-8", errors="replace")
            *complete, pending = pending.split("\n")
            for raw in complete:
                line = ANSI.sub("", raw).rstrip()
                if line:
                    on_line(line)
            if "(y/n)" in pending:
                on_prompt(ANSI.sub("", pending))
                pending = ""
        if time.monotonic() >= next_tick:
            on_tick()
            next_tick = time.monotonic() + tick_seconds
    return process.wait()
