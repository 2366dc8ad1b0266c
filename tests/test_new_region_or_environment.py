"""What docs/new-region-or-environment.md promises: what configuration alone can add, and what it cannot."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from genai_infra.config import ConfigError, load_config
from genai_infra.synth import Assembly, synthesize
from genai_infra.targets import stacks_of, targets_of

DOC = Path(__file__).resolve().parents[1] / "docs" / "new-region-or-environment.md"


def doc_toml() -> str:
    """The TOML example of the document, so the test checks exactly what readers copy."""
    match = re.search(r"```toml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert match, "the document lost its TOML example"
    return match.group(1)


def test_a_known_region_joins_an_environment_by_configuration_alone(
    tmp_path: Path, assemblies: dict[tuple[str, str], Assembly]
) -> None:
    # `assemblies` first: jsii is then started in this worker, and one more target is cheap.
    del assemblies
    path = tmp_path / "staging-tokyo.toml"
    path.write_text(doc_toml(), encoding="utf-8")
    config = load_config(path)
    targets = targets_of(config.environments["staging"])
    assert [(t.region, t.role) for t in targets] == [
        ("ap-east-2", "primary"),
        ("ap-northeast-1", "secondary"),
        ("us-east-1", "global"),
    ]
    tokyo = targets[1]
    assembly = synthesize(config, tokyo, tmp_path / "out")
    assert sorted(assembly.templates) == sorted(stacks_of(tokyo))
    manifest = json.loads((assembly.directory / "manifest.json").read_text(encoding="utf-8"))
    names = {
        artifact["properties"]["stackName"]
        for artifact in manifest["artifacts"].values()
        if "stackName" in artifact.get("properties", {})
    }
    assert "genai-demo-staging-NetworkStack" in names
    network = assembly.template("NetworkStack")["Resources"]
    vpc = next(r["Properties"] for r in network.values() if r["Type"] == "AWS::EC2::VPC")
    assert vpc["CidrBlock"] == "10.1.0.0/16"


def test_the_new_region_is_checked_against_the_other_one(tmp_path: Path) -> None:
    path = tmp_path / "overlap.toml"
    path.write_text(doc_toml().replace("10.1.", "10.0."), encoding="utf-8")
    with pytest.raises(ConfigError, match="overlaps the VPC of ap-east-2"):
        load_config(path)


def test_an_unknown_region_needs_code(tmp_path: Path) -> None:
    # The document's example, complete and valid, moved to a region the catalog does not know.
    path = tmp_path / "staging-ireland.toml"
    path.write_text(doc_toml().replace("ap-northeast-1", "eu-west-1"), encoding="utf-8")
    with pytest.raises(ConfigError, match="region eu-west-1 has no configuration in this project"):
        load_config(path)


def test_a_new_environment_name_needs_code() -> None:
    production = load_config().environments["production"].model_dump(mode="json")
    production["name"] = "qa"
    production["domain"] = "qa.genai-demo.kimkao.io"
    overrides = [f"environments.qa.{key}={json.dumps(value)}" for key, value in production.items()]
    with pytest.raises(ConfigError, match=r"development.*staging.*production"):
        load_config(overrides=overrides)
