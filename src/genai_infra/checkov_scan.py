"""checkov over the synthesized templates, and the project's acknowledgements of its findings.

checkov runs as a program from its own virtual environment (`.venv-checkov`, installed by
scripts/setup.sh from requirements-checkov.txt): it pins boto3 and packaging versions that the
main environment cannot share. A finding is acknowledged in one of two places, always with a
reason that says why the design is right:

- next to the construct: `Metadata.checkov.skip: [{id, comment}]` on the resource, written by
  `genai_infra.nag.skip_checkov` (a plain checkov run honours it too);
- checkov-acknowledged.toml, one baseline for findings on resources no construct of the project
  owns (CDK's stack-wide provider functions) or that another change is about to rework.

checkov scans copies of the templates with their checkov Metadata removed, so every failure is
seen and each acknowledgement is matched to the findings it covers: an acknowledgement that
covers none is stale. This module starts no jsii and imports nothing of checkov.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import TYPE_CHECKING, Any

from genai_infra.synth import PROJECT_ROOT

if TYPE_CHECKING:
    from genai_infra.synth import Assembly

CHECKOV = PROJECT_ROOT / ".venv-checkov" / "bin" / "checkov"
BASELINE = PROJECT_ROOT / "checkov-acknowledged.toml"
MIN_REASON = 20
CHECK_ID = re.compile(r"^CKV2?_[A-Z0-9]+_\d+$")
METADATA_SOURCE = "Metadata"


class CheckovError(Exception):
    """checkov could not run, or an acknowledgement is malformed: one sentence for the CLI."""


def checkov_available() -> bool:
    return os.access(CHECKOV, os.X_OK)


@dataclass(frozen=True, order=True)
class CheckovFinding:
    """One failed check on one resource of one target's template."""

    target: str
    stack: str
    logical_id: str
    check: str
    resource_type: str
    name: str

    @property
    def resource(self) -> str:
        return f"{self.stack}/{self.logical_id}"


@dataclass(frozen=True)
class Acknowledgement:
    """A check acknowledged on resources ("<StackId>/<LogicalId>" glob) of targets ("<env>/<region>" globs)."""

    check: str
    resource: str
    reason: str
    source: str
    targets: tuple[str, ...] = ("*",)

    def covers(self, finding: CheckovFinding) -> bool:
        return (
            finding.check == self.check
            and fnmatchcase(finding.resource, self.resource)
            and any(fnmatchcase(finding.target, pattern) for pattern in self.targets)
        )

    @property
    def where(self) -> str:
        return self.source if self.source != METADATA_SOURCE else f"Metadata of {self.resource}"


def load_baseline(path: Path = BASELINE) -> list[Acknowledgement]:
    """The entries of checkov-acknowledged.toml; a malformed entry raises CheckovError."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except tomllib.TOMLDecodeError as error:
        raise CheckovError(f"{path.name} is not valid TOML ({error}); fix the file.") from None
    entries = data.get("acknowledged", [])
    unknown = set(data) - {"acknowledged"}
    if unknown or not isinstance(entries, list):
        raise CheckovError(f"{path.name} may only hold [[acknowledged]] entries, not {sorted(unknown)}.")
    result: list[Acknowledgement] = []
    for number, entry in enumerate(entries, 1):
        where = f"{path.name} entry {number}"
        if not isinstance(entry, dict) or set(entry) - {"check", "resource", "targets", "reason"}:
            raise CheckovError(f"{where} may only have check, resource, targets and reason.")
        check, resource, reason = entry.get("check"), entry.get("resource"), entry.get("reason")
        targets = entry.get("targets", ["*"])
        if not isinstance(check, str) or not CHECK_ID.match(check):
            raise CheckovError(f"{where} needs a checkov check id such as CKV_AWS_18, not {check!r}.")
        if not isinstance(resource, str) or "/" not in resource:
            raise CheckovError(f'{where} needs resource = "<StackId>/<LogicalId glob>", not {resource!r}.')
        if not isinstance(reason, str) or len(reason.strip()) < MIN_REASON:
            raise CheckovError(f"{where} ({check} on {resource}) needs a reason that says why the design is right.")
        if not isinstance(targets, list) or not targets or not all(isinstance(t, str) for t in targets):
            raise CheckovError(f'{where} has targets that are not a list of "<env>/<region>" globs.')
        result.append(Acknowledgement(check, resource, reason.strip(), path.name, tuple(targets)))
    return result


def metadata_acknowledgements(label: str, stack: str, template: Mapping[str, Any]) -> list[Acknowledgement]:
    """The `Metadata.checkov.skip` entries of a template's resources, each bound to its resource."""
    found: list[Acknowledgement] = []
    for logical_id, resource in template.get("Resources", {}).items():
        skips = resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
        for skip in skips:
            check, comment = skip.get("id"), skip.get("comment")
            if not isinstance(check, str) or not isinstance(comment, str) or len(comment.strip()) < MIN_REASON:
                raise CheckovError(
                    f"the checkov skip {check!r} on {stack}/{logical_id} ({label}) needs an id and a comment "
                    "that says why the design is right."
                )
            found.append(Acknowledgement(check, f"{stack}/{logical_id}", comment, METADATA_SOURCE, (label,)))
    return found


def without_checkov_metadata(template: dict[str, Any]) -> dict[str, Any]:
    """A copy of the template whose resources carry no checkov skips (every failure shows)."""
    copy: dict[str, Any] = json.loads(json.dumps(template))
    for resource in copy.get("Resources", {}).values():
        metadata = resource.get("Metadata")
        if isinstance(metadata, dict) and metadata.pop("checkov", None) is not None and not metadata:
            del resource["Metadata"]
    return copy


@dataclass
class ScanResult:
    """checkov's failures over some targets, and which acknowledgement covers each."""

    labels: tuple[str, ...]
    findings: list[CheckovFinding]
    acknowledgements: list[Acknowledgement]
    passed: int
    seconds: float
    covered_by: dict[CheckovFinding, Acknowledgement] = field(init=False)

    def __post_init__(self) -> None:
        self.covered_by = {}
        for finding in self.findings:
            # Metadata next to the construct first: it is the more specific acknowledgement.
            ordered = sorted(self.acknowledgements, key=lambda ack: ack.source != METADATA_SOURCE)
            match = next((ack for ack in ordered if ack.covers(finding)), None)
            if match is not None:
                self.covered_by[finding] = match

    @property
    def unacknowledged(self) -> list[CheckovFinding]:
        return sorted(finding for finding in self.findings if finding not in self.covered_by)

    def acknowledged_in(self, label: str) -> int:
        return sum(finding.target == label for finding in self.covered_by)

    def unacknowledged_in(self, label: str) -> list[CheckovFinding]:
        return [finding for finding in self.unacknowledged if finding.target == label]

    def stale(self, *, baseline: bool) -> list[Acknowledgement]:
        """Acknowledgements that cover no finding of the scanned targets.

        A Metadata skip is judged in its own target. A baseline entry can only be judged when every
        target it names was scanned (baseline=True: a scan of all seven targets), since a scan of
        one environment cannot call a production-only entry stale.
        """
        return [
            ack
            for ack in self.acknowledgements
            if (baseline or ack.source == METADATA_SOURCE) and not any(ack.covers(f) for f in self.findings)
        ]


@dataclass
class Scan:
    """A checkov process at work on copies of the templates; `result()` waits for it."""

    process: subprocess.Popen[str]
    workdir: Path
    directories: dict[str, str]
    acknowledgements: list[Acknowledgement]
    started: float

    def result(self) -> ScanResult:
        try:
            stdout, stderr = self.process.communicate()
        finally:
            shutil.rmtree(self.workdir, ignore_errors=True)
        seconds = time.monotonic() - self.started
        reports = parse_report(stdout, stderr, self.process.returncode)
        findings: list[CheckovFinding] = []
        passed = 0
        for report in reports:
            summary = report.get("summary", report)
            if summary.get("parsing_errors"):
                raise CheckovError(f"checkov could not parse {summary['parsing_errors']} template(s): {tail(stderr)}")
            passed += int(summary.get("passed", 0))
            for failed in report.get("results", {}).get("failed_checks", []):
                findings.append(self._finding(failed))
        return ScanResult(
            tuple(self.directories.values()), sorted(set(findings)), self.acknowledgements, passed, seconds
        )

    def cancel(self) -> None:
        """Stop checkov (the command failed before it needed the result) and remove the copies."""
        self.process.kill()
        self.process.communicate()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def _finding(self, failed: Mapping[str, Any]) -> CheckovFinding:
        # file_path is relative to the scanned directory: /<target directory>/<StackId>.template.json
        directory, _, file_name = str(failed["file_path"]).strip("/").partition("/")
        resource_type, _, logical_id = str(failed["resource"]).partition(".")
        return CheckovFinding(
            target=self.directories[directory],
            stack=file_name.removesuffix(".template.json"),
            logical_id=logical_id,
            check=str(failed["check_id"]),
            resource_type=resource_type,
            name=str(failed.get("check_name", "")),
        )


def tail(stderr: str) -> str:
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no message"


def parse_report(stdout: str, stderr: str, returncode: int | None) -> list[dict[str, Any]]:
    """checkov's JSON: one report per framework (a list), or one report, or only a summary."""
    if returncode not in (0, 1):
        raise CheckovError(f"checkov failed (exit {returncode}): {tail(stderr)}")
    try:
        data = json.loads(stdout)
    except json.JSONDecodeError:
        raise CheckovError(f"checkov printed no JSON report (exit {returncode}): {tail(stderr)}") from None
    reports = data if isinstance(data, list) else [data]
    return [report for report in reports if isinstance(report, dict)]


def start_scan(templates: Mapping[str, Mapping[str, Path]], baseline: Sequence[Acknowledgement] | None = None) -> Scan:
    """Start checkov on every template of the given targets (label -> stack id -> template path)."""
    if not checkov_available():
        raise CheckovError(f"checkov is not installed at {CHECKOV}; run `bash scripts/setup.sh`.")
    acknowledgements = list(load_baseline() if baseline is None else baseline)
    workdir = Path(tempfile.mkdtemp(prefix="genai-infra-checkov-"))
    directories: dict[str, str] = {}
    try:
        for label, stacks in templates.items():
            directory = re.sub(r"[^A-Za-z0-9._-]", "-", label)
            directories[directory] = label
            (workdir / directory).mkdir()
            for stack, path in stacks.items():
                template = json.loads(path.read_text(encoding="utf-8"))
                acknowledgements += metadata_acknowledgements(label, stack, template)
                copy = workdir / directory / f"{stack}.template.json"
                copy.write_text(json.dumps(without_checkov_metadata(template), indent=1), encoding="utf-8")
    except Exception:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    command = [
        str(CHECKOV),
        "--directory",
        str(workdir),
        "--framework",
        "cloudformation",
        "--output",
        "json",
        "--quiet",
        "--compact",
        # Offline: no policy download, no platform, no version check.
        "--skip-download",
    ]
    environment = dict(os.environ, BC_SKIP_MAPPING="TRUE", CKV_SKIP_PACKAGE_UPDATE_CHECK="TRUE", LOG_LEVEL="ERROR")
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=workdir, env=environment
    )
    return Scan(process, workdir, directories, acknowledgements, time.monotonic())


def templates_of(assemblies: Iterable[Assembly]) -> dict[str, dict[str, Path]]:
    return {assembly.target.label: assembly.templates for assembly in assemblies}


def scan(assemblies: Iterable[Assembly], baseline: Sequence[Acknowledgement] | None = None) -> ScanResult:
    """checkov over the assemblies' templates, waiting for it."""
    return start_scan(templates_of(assemblies), baseline).result()


def baseline_stanza(finding: CheckovFinding) -> str:
    """A checkov-acknowledged.toml entry for a finding, its reason left for a person to write."""
    logical = re.sub(r"[0-9A-F]{8}$", "*", finding.logical_id)
    return "\n".join(
        (
            "[[acknowledged]]",
            f'check = "{finding.check}"  # {finding.name}',
            f'resource = "{finding.stack}/{logical}"',
            'reason = ""  # why the design is right',
        )
    )
