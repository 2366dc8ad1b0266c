"""The checkers over a synthesized target: cfn-lint for the template's region, and cdk-nag's report.

cdk-nag runs during synthesis (an unacknowledged finding stops it); its report in the cloud
assembly tells how many findings each pack acknowledged, which the CLI prints.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from genai_infra.synth import Assembly


@dataclass(frozen=True)
class LintFinding:
    rule: str
    template: str
    line: int
    message: str

    @property
    def is_error(self) -> bool:
        return self.rule.startswith("E")


@dataclass(frozen=True)
class NagSummary:
    pack: str
    violations: int
    acknowledged: int


def warm_up() -> None:
    """Import cfn-lint in a worker process ahead of the first template it lints."""
    import cfnlint.api  # noqa: F401


def lint(assembly: Assembly) -> list[LintFinding]:
    """cfn-lint every template of the target for the target's own region."""
    from cfnlint.api import ManualArgs, lint_by_config

    templates = [str(path) for path in assembly.templates.values()]
    matches = lint_by_config(ManualArgs(templates=templates, regions=[assembly.target.region]))
    return [
        LintFinding(match.rule.id, match.filename.rsplit("/", 1)[-1], match.linenumber, match.message)
        for match in matches
    ]


def nag_summary(assembly: Assembly) -> list[NagSummary]:
    report = json.loads((assembly.directory / "validation-report.json").read_text(encoding="utf-8"))
    return [
        NagSummary(plugin["pluginName"], len(plugin.get("violations", [])), len(plugin.get("suppressedViolations", [])))
        for plugin in report["pluginReports"]
    ]
