"""How long the tool takes: medians over several runs, printed as a table and written as JSON.

    python scripts/benchmark.py [--runs 3] [--json FILE] [--only NAME ...]

Every measurement runs in a fresh process, as a user would run it, so the times include
starting Python and jsii. Synthesis is also timed inside its process (`in-process` column):
the difference to the wall time is what starting the process and jsii costs. Not a test: the
numbers depend on the machine, so nothing here passes or fails on a time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ONE = ["production/ap-east-2"]
PRODUCTION = ["production/ap-east-2", "production/ap-northeast-1", "production/us-east-1"]


def synthesis_worker(labels: list[str], validate: bool, out: str) -> None:
    """Run in a child process: synthesize the targets in order, print the in-process seconds as JSON."""
    from genai_infra.config import load_config
    from genai_infra.synth import synthesize
    from genai_infra.targets import all_targets

    config = load_config()
    targets = [target for target in all_targets(config) if not labels or target.label in labels]
    start = time.perf_counter()
    for target in targets:
        synthesize(config, target, Path(out), validate=validate)
    print(json.dumps({"targets": len(targets), "seconds": time.perf_counter() - start}))


def synthesis(labels: list[str], validate: bool = True) -> list[str]:
    return [sys.executable, __file__, "--worker", json.dumps({"labels": labels, "validate": validate})]


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "genai_infra.cli.main", *args]


# name -> (command, what it measures). {out} is replaced by a fresh directory for each run.
CASES: dict[str, tuple[list[str], str]] = {
    "synth 1 target": (synthesis(ONE), "production/ap-east-2 with cdk-nag and CloudFormation validation"),
    "synth 1 target, no validation": (synthesis(ONE, validate=False), "the same without cdk-nag and validation"),
    "synth 3 targets": (synthesis(PRODUCTION), "scaling: the three production targets"),
    "synth 7 targets": (synthesis([]), "scaling: all seven targets, one process"),
    "synth --env production": (cli("synth", "--env", "production", "--no-lint", "--out", "{out}"), "the CLI"),
    "check --env production": (cli("check", "--env", "production", "--out", "{out}"), "preflight, cfn-lint, cdk-nag"),
    "cost --env production": (cli("cost", "--env", "production"), "synthesis and pricing of the three targets"),
    "test suite": ([sys.executable, "-m", "pytest", "-q", "-n", "auto", "-p", "no:cacheprovider"], "pytest -n auto"),
}


def run_once(command: list[str]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="genai-bench-") as out:
        resolved = [part.replace("{out}", out) for part in command]
        env = dict(os.environ, COLUMNS="200", WORKER_OUT=out)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        result = subprocess.run(resolved, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU seconds of the command and every process it waited for (workers, Node.js for jsii): on a
    # shared machine this moves less with other load than the wall time does.
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    measured: dict[str, Any] = {"wall": wall, "cpu": cpu, "returncode": result.returncode}
    if "--worker" in command and result.returncode == 0:
        measured["in_process"] = json.loads(result.stdout.strip().splitlines()[-1])["seconds"]
    if result.returncode != 0:
        measured["error"] = (result.stderr.strip() or result.stdout.strip()).splitlines()[-1:]
    return measured


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (the median is reported)")
    parser.add_argument("--json", type=Path, help="write the results to this file")
    parser.add_argument("--only", nargs="*", default=[], help="measure only these names (see the table)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        spec = json.loads(args.worker)
        synthesis_worker(spec["labels"], spec["validate"], os.environ["WORKER_OUT"])
        return 0
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    unknown = [name for name in args.only if name not in CASES]
    if unknown:
        parser.error(f"unknown measurement {unknown[0]!r}; choose from: {', '.join(CASES)}")

    from rich.console import Console
    from rich.table import Table

    console = Console(stderr=True)
    results: dict[str, Any] = {}
    for name, (command, what) in CASES.items():
        if args.only and name not in args.only:
            continue
        runs = []
        for index in range(args.runs):
            console.print(f"{name}: run {index + 1}/{args.runs}", highlight=False)
            runs.append(run_once(command))
        walls = [run["wall"] for run in runs]
        inside = [run["in_process"] for run in runs if "in_process" in run]
        results[name] = {
            "what": what,
            "median_s": round(statistics.median(walls), 2),
            "cpu_median_s": round(statistics.median(run["cpu"] for run in runs), 2),
            "runs_s": [round(wall, 2) for wall in walls],
            "in_process_median_s": round(statistics.median(inside), 2) if inside else None,
            "failed_runs": [run for run in runs if run["returncode"] != 0],
        }

    columns = ("measurement", "median (s)", "runs (s)", "CPU (s)", "in-process synthesis (s)", "what")
    table = Table(*columns, title="genai-infra benchmark")
    for name, result in results.items():
        inside = result["in_process_median_s"]
        table.add_row(
            name + (" [red](failed)[/]" if result["failed_runs"] else ""),
            f"{result['median_s']:.2f}",
            " ".join(f"{wall:.1f}" for wall in result["runs_s"]),
            f"{result['cpu_median_s']:.1f}",
            "" if inside is None else f"{inside:.2f}",
            result["what"],
        )
    Console().print(table)
    if args.json:
        payload = {
            "runs": args.runs,
            "machine": {
                "cpus": os.cpu_count(),
                "load_average": os.getloadavg(),
                "python": platform.python_version(),
                "platform": platform.platform(),
            },
            "results": results,
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 1 if any(result["failed_runs"] for result in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
