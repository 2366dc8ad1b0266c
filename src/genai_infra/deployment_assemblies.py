"""What deploy and destroy read from synthesized cloud assemblies: pure Python, no jsii, no AWS.

The stacks' templates and dependencies as each assembly's manifest records them (to check a plan
of genai_infra.deployment before anything runs), which stacks carry termination protection, and
copies of the assemblies without it (the local emulator refuses it).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from genai_infra.deployment import Need, Templates, Wave, cross_region_needs, unsatisfied

if TYPE_CHECKING:
    from genai_infra.synth import Assembly


def _manifest(directory: Path) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    return manifest


def stack_artifacts(assembly: Assembly) -> dict[str, list[str]]:
    """Stack id -> the stacks it depends on, as the cloud assembly's manifest records them."""
    artifacts = _manifest(assembly.directory)["artifacts"]
    return {
        name: [d for d in artifact.get("dependencies", []) if artifacts.get(d, {}).get("type") == artifact["type"]]
        for name, artifact in artifacts.items()
        if artifact.get("type") == "aws:cloudformation:stack"
    }


def templates_of(assemblies: Sequence[Assembly]) -> Templates:
    return {
        assembly.target.region: {stack: assembly.template(stack) for stack in stack_artifacts(assembly)}
        for assembly in assemblies
    }


def ordering_problems(waves: Sequence[Wave], assemblies: Sequence[Assembly]) -> list[Need]:
    """Dependencies the plan would violate: the manifests' own, and reads across regions."""
    needs = [
        Need(assembly.target.region, stack, assembly.target.region, dependency, "declared dependency")
        for assembly in assemblies
        for stack, dependencies in stack_artifacts(assembly).items()
        for dependency in dependencies
    ]
    return unsatisfied(waves, needs + cross_region_needs(templates_of(assemblies)))


def terminated_protected(assemblies: Sequence[Assembly]) -> list[tuple[str, str]]:
    """(region, CloudFormation stack name) of stacks with termination protection on."""
    found = []
    for assembly in assemblies:
        for artifact in _manifest(assembly.directory)["artifacts"].values():
            properties = artifact.get("properties", {})
            if artifact.get("type") == "aws:cloudformation:stack" and properties.get("terminationProtection"):
                found.append((assembly.target.region, str(properties["stackName"])))
    return found


def unprotected_copies(assemblies: Sequence[Assembly], scratch: Path) -> list[Assembly]:
    """Copies of the assemblies whose stacks carry no termination protection; the originals stay as checked."""
    from genai_infra.synth import Assembly

    copies = []
    for assembly in assemblies:
        copy = scratch / assembly.directory.name
        shutil.copytree(assembly.directory, copy)
        manifest = _manifest(copy)
        for artifact in manifest["artifacts"].values():
            if artifact.get("type") == "aws:cloudformation:stack":
                artifact.get("properties", {}).pop("terminationProtection", None)
        (copy / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        copies.append(Assembly(assembly.target, copy))
    return copies
