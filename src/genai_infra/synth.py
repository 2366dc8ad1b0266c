"""Synthesize targets in-process into one cloud assembly directory per target.

The CDK CLI gives the app the context of cdk.json; synthesizing without the CLI must give the
same templates, so the same context (feature flags) is passed in here.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from genai_infra.config import ProjectConfig
from genai_infra.targets import Target

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@cache
def cdk_json_context() -> dict[str, Any]:
    settings = json.loads((PROJECT_ROOT / "cdk.json").read_text(encoding="utf-8"))
    context: dict[str, Any] = settings.get("context", {})
    return context


@dataclass(frozen=True)
class Assembly:
    target: Target
    directory: Path

    def template(self, stack_id: str) -> dict[str, Any]:
        name = f"{stack_id}.template.json"
        data: dict[str, Any] = json.loads((self.directory / name).read_text(encoding="utf-8"))
        return data

    @property
    def templates(self) -> dict[str, Path]:
        return {
            path.name.removesuffix(".template.json"): path for path in sorted(self.directory.glob("*.template.json"))
        }


def target_directory(out: Path, target: Target) -> Path:
    return out / f"{target.environment}-{target.region}"


def use_project_node() -> None:
    """Run jsii on the project's pinned Node.js (22) when it is installed, not the machine's."""
    node = PROJECT_ROOT / "node_modules" / ".bin" / "node"
    if node.exists():
        os.environ.setdefault("JSII_NODE", str(node))
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")


def synthesize(config: ProjectConfig, target: Target, out: Path, *, validate: bool = True) -> Assembly:
    """Synthesize one target; cdk-nag findings that are not acknowledged raise here.

    validate=False leaves out cdk-nag and the CDK's built-in CloudFormation validation (the
    "CloudFormation Validate" report). The benchmark uses it, to measure what validation
    costs, and so does the cost advisor's re-pricing of candidate configurations (it deploys
    nothing); every other command synthesizes with validation.
    """
    use_project_node()
    import aws_cdk as cdk  # jsii starts here: keep it out of the pure-Python commands

    from genai_infra.app_builder import build_target

    directory = target_directory(out, target)
    app = cdk.App(
        outdir=str(directory),
        context=dict(cdk_json_context()),
        analytics_reporting=False,
        builtin_cloud_formation_validation=validate,
    )
    build_target(app, config, target, nag=validate)
    app.synth()
    return Assembly(target, directory)
