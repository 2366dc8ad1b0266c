"""`genai-infra checkov [--env E]`: checkov's findings grouped by check and resource, for updating
acknowledgements quickly after templates changed.

Without --env it scans all seven targets and also reports baseline entries that cover nothing
(stale). Unacknowledged findings are printed with a checkov-acknowledged.toml stanza each; write
the reason (why the design is right), or fix the construct, or skip next to it with
`genai_infra.nag.skip_checkov`. Exits 1 on an unacknowledged finding or a stale acknowledgement.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from genai_infra.cli import common
from genai_infra.cli.options import ConfigOption, FromOption, SetOption

if TYPE_CHECKING:
    from genai_infra.checkov_scan import CheckovFinding, ScanResult


def summary_line(result: ScanResult) -> str:
    from genai_infra.checkov_scan import METADATA_SOURCE

    in_metadata = sum(ack.source == METADATA_SOURCE for ack in result.covered_by.values())
    return (
        f"checkov: {len(result.findings)} failure(s) in {len(result.labels)} target(s): "
        f"{len(result.covered_by)} acknowledged ({in_metadata} next to their constructs, "
        f"{len(result.covered_by) - in_metadata} in checkov-acknowledged.toml), "
        f"{len(result.unacknowledged)} unacknowledged; {result.passed} passed; {result.seconds:.1f} s."
    )


def grouped(findings: list[CheckovFinding]) -> dict[tuple[str, str, str], list[str]]:
    """(check, resource, check name) -> the targets where it fails."""
    groups: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for finding in findings:
        groups[(finding.check, finding.resource, finding.name)].append(finding.target)
    return dict(sorted(groups.items()))


def checkov(
    env: Annotated[
        str | None, typer.Option("--env", "-e", help="development, staging or production; all seven targets if omitted")
    ] = None,
    out: Annotated[Path, typer.Option(help="directory for the cloud assemblies")] = Path("cdk.out"),
    source: FromOption = None,
    show_all: Annotated[
        bool, typer.Option("--all", metavar="", help="list acknowledged findings and their reasons too")
    ] = False,
    config_file: ConfigOption = None,
    overrides: SetOption = None,
) -> None:
    """checkov on the synthesized templates: findings by check and resource, with their acknowledgements.

    Example: genai-infra checkov --env production --from cdk.out/main
    """
    from genai_infra.checkov_scan import CheckovError, baseline_stanza, scan
    from genai_infra.targets import all_targets

    config = common.project_config(config_file, overrides)
    targets = common.chosen_targets(config, env, None) if env is not None else all_targets(config)
    assemblies = common.target_assemblies(config, targets, out, source)
    try:
        with common.errors.status(f"checkov on {len(assemblies)} targets"):
            result = scan(assemblies)
    except CheckovError as error:
        raise common.fail(str(error)) from None

    unacknowledged = result.unacknowledged
    if show_all:
        acknowledged = sorted(result.covered_by.items())
        for (check, resource, _), labels in grouped([finding for finding, _ in acknowledged]).items():
            ack = next(a for f, a in acknowledged if (f.check, f.resource) == (check, resource))
            common.console.print(
                f"acknowledged {check} {resource} [{', '.join(labels)}] in {ack.where}: {ack.reason}",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )
    if unacknowledged:
        table = Table("check", "resource", "targets", "finding", title="unacknowledged")
        for (check, resource, name), labels in grouped(unacknowledged).items():
            table.add_row(check, resource, ", ".join(labels), name)
        common.console.print(table)
    stale = result.stale(baseline=env is None)
    for ack in stale:
        common.console.print(
            f"stale: {ack.check} on {ack.resource} ({ack.where}) covers no finding any more; remove it.",
            highlight=False,
            soft_wrap=True,
        )
    if unacknowledged:
        stanzas = {baseline_stanza(finding) for finding in unacknowledged}
        common.console.print(
            "\n# Stanzas for checkov-acknowledged.toml (or fix the construct):", highlight=False, soft_wrap=True
        )
        common.console.print("\n\n".join(sorted(stanzas)), highlight=False, markup=False, soft_wrap=True)
    common.console.print(summary_line(result), highlight=False, soft_wrap=True)
    if unacknowledged or stale:
        raise common.fail(
            f"{len(unacknowledged)} unacknowledged checkov finding(s), {len(stale)} stale acknowledgement(s)."
        )
