"""`genai-infra check --env E`: preflight, cfn-lint and cdk-nag over every target, in one table.

Each target is synthesized twice into separate directories: the second synthesis is what the
determinism rule (PF060) compares against. cfn-lint runs in worker processes (one per CPU,
genai_infra.parallel) on the first round's templates while this process synthesizes the second
round. Exits 1 when any checker reports an error.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from genai_infra.cli import common, reports
from genai_infra.cli.options import ConfigOption, EnvOption, FromOption, SetOption
from genai_infra.preflight import support
from genai_infra.preflight.model import RULES, Finding, Severity

if TYPE_CHECKING:
    from genai_infra.checkov_scan import Scan, ScanResult
    from genai_infra.synth import Assembly


def styled(severity: str) -> str:
    return f"[red]{severity}[/]" if severity == Severity.ERROR else f"[yellow]{severity}[/]"


def preflight_findings(assemblies: Sequence[Assembly], today: date | None = None) -> list[Finding]:
    """Every preflight rule over the assemblies, plus a warning when the support tables are stale."""
    from genai_infra.preflight import check_assemblies

    day = today or date.today()
    findings = check_assemblies(assemblies, day)
    age = (day - support.AS_OF).days
    if age > support.STALE_AFTER_DAYS:
        findings.append(
            Finding(
                "PF000",
                Severity.WARNING,
                "support.py",
                "AS_OF",
                f"the support tables are {age} days old (as of {support.AS_OF.isoformat()}); check them against "
                "the AWS documentation and update AS_OF",
                assemblies[0].target.environment if assemblies else "",
            )
        )
    return findings


def report_preflight(assemblies: Sequence[Assembly], console: Console) -> int:
    """Run preflight, print its findings (on stderr in `plan`, so JSON stays clean); the error count."""
    findings = preflight_findings(assemblies)
    if findings:
        console.print(common.keep_whole(findings_table("preflight", findings)))
    failures = sum(finding.severity == Severity.ERROR for finding in findings)
    console.print(
        f"preflight: {failures} error(s), {len(findings) - failures} warning(s) in {len(assemblies)} targets."
    )
    return failures


def findings_table(title: str, findings: Sequence[Finding]) -> Table:
    table = Table("target", "rule", "severity", "resource", "message", title=title)
    for finding in findings:
        table.add_row(
            finding.target,
            finding.rule_id,
            styled(finding.severity),
            f"{finding.stack}/{finding.logical_id}",
            finding.message,
        )
    return table


@dataclass(frozen=True)
class Row:
    target: str
    checker: str
    rule: str
    severity: str
    resource: str
    message: str


CHECKERS = ("preflight", "cfn-lint", "cdk-nag", "checkov", "kubernetes")
SHOWN = 5  # findings per target and checker in the table without --details


def combined_table(
    env: str,
    targets: Sequence[tuple[str, int]],
    rows: Sequence[Row],
    acknowledged: dict[str, int],
    schemas: dict[str, str] | None = None,
    details: bool = True,
    checkov_acknowledged: dict[str, int] | None = None,
) -> Table:
    """One row per finding; a checker with no finding for a target gets one `ok` row; a target with no
    finding at all is one line."""
    table = Table("target", "checker", "id", "severity", "resource", "finding", title=f"genai-infra check {env}")
    labels = [label for label, _ in targets]
    for label, templates in targets:
        if not any(row.target == label for row in rows):
            summary = (
                f"preflight: {len(RULES)} rules pass; cfn-lint: no finding; "
                f"cdk-nag: {acknowledged.get(label, 0)} acknowledged with reasons; "
                f"checkov: {(checkov_acknowledged or {}).get(label, 0)} acknowledged with reasons; kubernetes: "
                + (f"valid ({(schemas or {})[label]})" if label in (schemas or {}) else "no cluster")
            )
            table.add_row(label, "all", "", "[green]ok[/]", f"{templates} templates", summary)
            continue
        for checker in CHECKERS:
            own = sorted(
                (row for row in rows if row.target == label and row.checker == checker),
                key=lambda row: (row.rule, row.resource),
            )
            # Errors first; without --details, a long list stops at SHOWN rows and says how many more.
            own = sorted(own, key=lambda row: row.severity != "error")
            shown = own if details or len(own) <= SHOWN else own[: SHOWN - 1]
            for row in shown:
                table.add_row(label, checker, row.rule, styled(row.severity), row.resource, row.message)
            if len(shown) < len(own):
                rest = own[len(shown) :]
                errors = sum(row.severity == "error" for row in rest)
                more = f"{len(rest)} more ({errors} error(s)); --details lists them"
                table.add_row(label, checker, "…", styled("error" if errors else "warning"), "", more)
            if not own:
                notes = {
                    "preflight": f"{len(RULES)} rules pass",
                    "cfn-lint": "no finding for the target's region",
                    "cdk-nag": f"no unacknowledged finding; {acknowledged.get(label, 0)} acknowledged with reasons",
                    "checkov": "no unacknowledged finding; "
                    f"{(checkov_acknowledged or {}).get(label, 0)} acknowledged with reasons",
                    "kubernetes": f"the manifests validate against the {(schemas or {}).get(label, 'schemas')}"
                    if label in (schemas or {})
                    else "no cluster in this region",
                }
                note = notes[checker]
                table.add_row(label, checker, "", "[green]ok[/]", f"{templates} templates", note)
    for row in rows:
        if row.target not in labels:
            table.add_row(row.target, row.checker, row.rule, styled(row.severity), row.resource, row.message)
    return table


def start_checkov(assemblies: Sequence[Assembly]) -> Scan | str:
    """checkov started on the assemblies' templates, or why it could not start."""
    from genai_infra.checkov_scan import CheckovError, start_scan, templates_of

    try:
        return start_scan(templates_of(assemblies))
    except CheckovError as error:
        return str(error)


def finish_checkov(scanning: Scan | str) -> ScanResult | str:
    """checkov's result, or why there is none."""
    from genai_infra.checkov_scan import CheckovError

    if isinstance(scanning, str):
        return scanning
    try:
        return scanning.result()
    except CheckovError as error:
        return str(error)


def checkov_rows(result: ScanResult) -> list[Row]:
    """An error per unacknowledged finding; a warning per acknowledgement next to a construct that covers nothing."""
    rows = [
        Row(finding.target, "checkov", finding.check, "error", finding.resource, finding.name)
        for finding in result.unacknowledged
    ]
    for ack in result.stale(baseline=False):
        message = f"acknowledged in {ack.where} but no longer failing; remove the skip"
        rows.append(Row(ack.targets[0], "checkov", ack.check, "warning", ack.resource, message))
    return rows


def check(
    env: EnvOption,
    out: Annotated[Path, typer.Option(help="directory for the cloud assemblies")] = Path("cdk.out"),
    source: FromOption = None,
    details: Annotated[
        bool, typer.Option("--details", metavar="", help=f"every finding (the table shows {SHOWN} per checker)")
    ] = False,
    output_format: Annotated[
        str, typer.Option("--format", help=reports.FormatHelp, metavar="[table|json|sarif|junit]")
    ] = "table",
    config_file: ConfigOption = None,
    overrides: SetOption = None,
) -> None:
    """Synthesize every target of an environment; run preflight, cfn-lint, cdk-nag and checkov; one table.

    With --from DIR the assemblies in DIR are checked as they are (the determinism rule compares
    them with a fresh synthesis in a scratch folder); nothing in DIR is rewritten.
    Example: genai-infra check --env production --out cdk.out/main
    """
    from genai_infra.checks import lint, nag_summary, warm_up
    from genai_infra.kubernetes.schemas import check_manifests
    from genai_infra.parallel import worker_count, worker_pool
    from genai_infra.preflight import compare_assemblies

    if output_format not in reports.FORMATS:
        raise common.fail(f"unknown format {output_format!r}; use {reports.FormatHelp}.")
    common.refuse_overrides_with_source(source, overrides)
    config = common.project_config(config_file, overrides)
    targets = common.chosen_targets(config, env, None)
    try:
        worker_count()
    except ValueError as error:  # a malformed GENAI_INFRA_WORKERS
        raise common.fail(f"{error}.") from None
    with worker_pool(len(targets)) as pool:
        if pool:
            # Workers start Python and import cfn-lint while this process synthesizes.
            for _ in range(len(targets)):
                pool.submit(warm_up)
        assemblies = common.target_assemblies(config, targets, out, source)
        linting = [pool.submit(lint, assembly) for assembly in assemblies] if pool else []
        # checkov runs in its own process (its own venv) while the second round synthesizes.
        scanning = start_checkov(assemblies)
        with tempfile.TemporaryDirectory(prefix="genai-check-") as scratch:
            try:
                # The second synthesis only feeds the determinism rule; --from leaves DIR as it is.
                again = common.synthesize_targets(
                    config, targets, out / "determinism" if source is None else Path(scratch)
                )
                with common.errors.status(f"cfn-lint of {len(assemblies)} targets"):
                    lint_findings = [future.result() for future in linting] if pool else [lint(a) for a in assemblies]
            except BaseException:
                if not isinstance(scanning, str):
                    scanning.cancel()
                raise
            with common.errors.status(f"checkov of {len(assemblies)} targets"):
                scanned = finish_checkov(scanning)
            preflight = preflight_findings(assemblies)
            for first, second in zip(assemblies, again, strict=True):
                preflight += compare_assemblies(first, second)

    rows = [
        Row(f.target, "preflight", f.rule_id, str(f.severity), f"{f.stack}/{f.logical_id}", f.message)
        for f in preflight
    ]
    acknowledged: dict[str, int] = {}
    for assembly, findings in zip(assemblies, lint_findings, strict=True):
        label = assembly.target.label
        for finding in findings:
            severity = "error" if finding.is_error else "warning"
            where = f"{finding.template}:{finding.line}"
            rows.append(Row(label, "cfn-lint", finding.rule, severity, where, finding.message))
        for pack in nag_summary(assembly):
            acknowledged[label] = acknowledged.get(label, 0) + pack.acknowledged
            if pack.violations:
                message = f"{pack.violations} unacknowledged finding(s); see validation-report.json"
                rows.append(Row(label, "cdk-nag", pack.pack, "error", str(assembly.directory), message))
    if isinstance(scanned, str):
        rows.append(Row(env, "checkov", "", "error", "", scanned))
        checkov_acknowledged: dict[str, int] = {}
    else:
        rows += checkov_rows(scanned)
        checkov_acknowledged = {a.target.label: scanned.acknowledged_in(a.target.label) for a in assemblies}
    schemas: dict[str, str] = {}
    environment = config.environments[env]
    for target in targets:
        if target.region in environment.regions:  # a serving region runs the cluster and its manifests
            result = check_manifests(environment, target.region)
            schemas[target.label] = result.note
            rows += [Row(target.label, "kubernetes", "schema", "error", what, why) for what, why in result.problems]
    if output_format == "table":
        table = combined_table(
            env,
            [(a.target.label, len(a.templates)) for a in assemblies],
            rows,
            acknowledged,
            schemas,
            details,
            checkov_acknowledged,
        )
        common.console.print(common.keep_whole(table))
    else:
        results = [reports.Result(r.target, r.checker, r.rule, r.severity, r.resource, r.message) for r in rows]
        failing = {(r.target, r.checker) for r in rows}
        results += [
            reports.Result(a.target.label, checker, "", "ok", "", f"{len(a.templates)} templates", passed=True)
            for a in assemblies
            for checker in CHECKERS
            if (a.target.label, checker) not in failing
        ]
        sys.stdout.write(
            reports.render(output_format, f"genai-infra check {env}", version("genai-demo-infra"), results)
        )
    errors = sum(row.severity == "error" for row in rows)
    if errors:
        raise common.fail(f"{errors} error(s) in {env}; see the table above.")
