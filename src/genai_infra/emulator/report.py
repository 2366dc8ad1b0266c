"""What the emulator does with each resource type of a set of cloud assemblies (the main job's table)."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

CUSTOM_HOW = {
    "Custom::AWSCDKCfnJson": "evaluated in process",
    "Custom::AWS": "SDK call against the emulator",
    "Custom::AWSCDK-EKS-KubernetesResource": "recorded only",
    "Custom::AWSCDK-EKS-HelmChart": "recorded only",
    "Custom::AppDatabaseUser": "SQL run in the local PostgreSQL (--local-servers), else recorded",
}


def classify(resource_type: str) -> str:
    """emulated (moto), emulated (emulator model), id only, custom resource answer, or not modelled."""
    from moto.cloudformation import parsing

    from genai_infra.emulator import models

    if resource_type.startswith("Custom::"):
        return f"custom: {CUSTOM_HOW.get(resource_type, 'not answered (the stack fails)')}"
    if resource_type in models.ID_ONLY:
        return "id only (no moto API)"
    if any(m.cloudformation_type() == resource_type for m in models.MODELS):
        return "emulated: emulator model over moto's API"
    if resource_type in parsing.get_model_map():
        return "emulated: moto's own model"
    return "not modelled (the verification fails)"


def summary_table(assemblies: list[Path], record: Path | None = None) -> str:
    from genai_infra.emulator import global_failover, models  # noqa: F401 (global_failover defines a model)

    models.register()
    counts: Counter[str] = Counter()
    types: dict[str, set[str]] = defaultdict(set)
    for directory in assemblies:
        for template in sorted(directory.glob("*.template.json")):
            for resource in json.loads(template.read_text(encoding="utf-8")).get("Resources", {}).values():
                category = classify(resource["Type"])
                counts[category] += 1
                types[category].add(resource["Type"].removeprefix("AWS::"))
    width = max(len(c) for c in counts) if counts else 10
    lines = [f"{'what the emulator does':<{width}}  resources  types", f"{'-' * width}  ---------  -----"]
    for category in sorted(counts):
        names = sorted(types[category])
        shown = ", ".join(names[:6]) + (f", +{len(names) - 6} more" if len(names) > 6 else "")
        lines.append(f"{category:<{width}}  {counts[category]:>9}  {shown}")
    if record is not None and (record / "answered.jsonl").is_file():
        answered = (record / "answered.jsonl").read_text(encoding="utf-8").splitlines()
        lines.append(
            f"custom resources answered during the deployment: {len(answered)} (log: {record / 'answered.jsonl'})"
        )
    return "\n".join(lines)
