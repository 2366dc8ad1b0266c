"""What every `genai-infra` command shares: the consoles, the one-sentence failure, and the steps
from options to configuration, targets and cloud assemblies.

Command modules import this module (never `main`, which only assembles the application), and call
its functions through the module (`common.synthesize_targets(...)`) so that tests can replace them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from genai_infra.config import ConfigError, ProjectConfig, load_config, select_environment, select_region
from genai_infra.targets import Target, targets_of

if TYPE_CHECKING:
    from genai_infra.synth import Assembly

console = Console()
# Progress and errors go to stderr so that --format json output stays parseable.
errors = Console(stderr=True)


def fail(message: str) -> typer.Exit:
    """Print one sentence on stderr; the caller raises the returned exit (code 1, nothing ran)."""
    errors.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code=1)


def project_config(config_file: Path | None, overrides: list[str] | None) -> ProjectConfig:
    try:
        return load_config(config_file, overrides or [])
    except ConfigError as error:
        raise fail(str(error)) from None


def chosen_targets(config: ProjectConfig, env: str, region: str | None) -> list[Target]:
    """The environment's targets in deployment order, or the one of `region`."""
    try:
        environment = select_environment(config, env)
        targets = targets_of(environment)
        if region is None:
            return targets
        chosen = select_region(environment, region)
        return [target for target in targets if target.region == chosen]
    except ConfigError as error:
        raise fail(str(error)) from None


def synthesize_targets(config: ProjectConfig, targets: list[Target], out: Path) -> list[Assembly]:
    from genai_infra.synth import synthesize

    assemblies: list[Assembly] = []
    for target in targets:
        with errors.status(f"synthesizing {target.label}"):
            try:
                assemblies.append(synthesize(config, target, out))
            except Exception as error:  # jsii reports validation failures as a generic error
                first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
                raise fail(
                    f"synthesis of {target.label} failed: {first_line} "
                    f"(details in {out}/{target.environment}-{target.region}/validation-report.json)"
                ) from None
        errors.print(f"[green]synthesized[/green] {target.label} -> {assemblies[-1].directory}")
    return assemblies


def target_assemblies(config: ProjectConfig, targets: list[Target], out: Path, source: Path | None) -> list[Assembly]:
    """The targets' cloud assemblies: synthesized into `out`, or read from `source` (`synth --out` layout)."""
    if source is None:
        return synthesize_targets(config, targets, out)
    from genai_infra.synth import Assembly, target_directory

    assemblies = [Assembly(target, target_directory(source, target)) for target in targets]
    for assembly in assemblies:
        if not (assembly.directory / "manifest.json").is_file():
            target = assembly.target
            raise fail(
                f"{source} holds no assembly of {target.label}; run `genai-infra synth --env {target.environment} "
                f"--out {source}` first, or leave out --from."
            )
    return assemblies
