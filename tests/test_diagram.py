"""The pictures of `genai-infra diagram`, drawn from the session's cloud assemblies."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from genai_infra.cli.diagram import architecture_path
from genai_infra.config import ProjectConfig
from genai_infra.diagrams import (
    Cluster,
    Diagram,
    Edge,
    Node,
    architecture_document,
    deployment_phases,
    regional_architecture,
    stack_dependencies,
    stack_organization,
    to_mermaid,
)
from genai_infra.diagrams.render import RenderError, find_browser, render_images
from genai_infra.synth import Assembly
from genai_infra.targets import targets_of

PROJECT_ROOT = Path(__file__).resolve().parents[1]
COMMAND = (sys.executable, "-m", "genai_infra.cli.main", "diagram")


def of_environment(assemblies: dict[tuple[str, str], Assembly], config: ProjectConfig, env: str) -> list[Assembly]:
    return [assemblies[(t.environment, t.region)] for t in targets_of(config.environments[env])]


def labels(diagram: Diagram) -> dict[str, str]:
    return {node.id: node.label for node in diagram.all_nodes()}


def cross_region(diagram: Diagram) -> set[tuple[str, str, str]]:
    names = labels(diagram)
    return {
        (names[e.source].split("\n")[0], names[e.target].split("\n")[0], e.label) for e in diagram.edges if e.dotted
    }


def test_committed_architecture_document_is_what_the_code_draws(
    assemblies: dict[tuple[str, str], Assembly], config: ProjectConfig
) -> None:
    drawn = architecture_document("production", of_environment(assemblies, config, "production"))
    committed = architecture_path().read_text(encoding="utf-8")
    assert committed == drawn, "docs/architecture.md is stale: run genai-infra diagram --env production --write-docs"


def test_drawing_is_deterministic(assemblies: dict[tuple[str, str], Assembly], config: ProjectConfig) -> None:
    production = of_environment(assemblies, config, "production")
    assert architecture_document("production", production) == architecture_document("production", production)


def test_stack_edges_are_the_manifest_dependencies(
    assemblies: dict[tuple[str, str], Assembly], config: ProjectConfig
) -> None:
    production = of_environment(assemblies, config, "production")
    diagram = stack_organization(production)
    names = labels(diagram)
    # Node ids are <environment>_<region>_<stack>: the prefix says which target an edge belongs to.
    edges = {(e.source.rsplit("_", 1)[0], names[e.source], names[e.target]) for e in diagram.edges}
    primary = assemblies[("production", "ap-east-2")]
    dependencies = stack_dependencies(primary)
    assert dependencies["EKSStack"] == ["CertificateStack", "NetworkStack", "SecurityStack"]
    assert "EKSStack.assets" not in dependencies
    expected = {("production_ap_east_2", need, stack) for stack, needs in dependencies.items() for need in needs}
    assert {edge for edge in edges if edge[0] == "production_ap_east_2"} == expected
    # The global region's edge stack waits for its certificate and its alarm topic.
    assert ("production_us_east_1", "CertificateStack", "EdgeStack") in edges
    assert len(diagram.edges) == sum(len(needs) for a in production for needs in stack_dependencies(a).values())


def test_stacks_sit_in_the_spec_layers(assemblies: dict[tuple[str, str], Assembly], config: ProjectConfig) -> None:
    diagram = stack_organization(of_environment(assemblies, config, "production"))
    primary = next(cluster for cluster in diagram.clusters if cluster.id == "production_ap_east_2")
    layers = {layer.title: [node.label for node in layer.nodes] for layer in primary.clusters}
    assert layers == {
        "Foundation layer": ["SecurityStack", "NetworkStack", "CertificateStack"],
        "Core Infrastructure layer": ["RdsStack", "ElastiCacheStack", "MSKStack", "EKSStack"],
        "Platform layer": ["ObservabilityStack", "AlertingStack", "Route53FailoverStack"],
        "Optional layer": ["AnalyticsStack", "DisasterRecoveryStack"],
    }


def test_production_regions_show_network_compute_and_data(
    assemblies: dict[tuple[str, str], Assembly], config: ProjectConfig
) -> None:
    diagram = regional_architecture(of_environment(assemblies, config, "production"))
    primary = next(cluster for cluster in diagram.clusters if cluster.id == "production_ap_east_2")
    vpc = primary.clusters[0]
    assert vpc.title == "VPC 10.0.0.0/16"
    zones = {zone.title: [node.label for node in zone.nodes] for zone in vpc.clusters}
    assert zones == {
        "ap-east-2a": ["public 10.0.0.0/24", "private 10.0.2.0/24", "database 10.0.4.0/28"],
        "ap-east-2b": ["public 10.0.1.0/24", "private 10.0.3.0/24", "database 10.0.5.0/28"],
        "ap-east-2c": ["msk 10.0.6.0/24"],
    }
    names = sorted(labels(diagram).values())
    assert "node group genai-demo-production-on-demand\nt3.large, t3.medium\nmin 2 / desired 3 / max 10" in names
    assert "node group genai-demo-production-on-demand\nt3.medium\nmin 2 / desired 2 / max 10" in names
    assert "ALB genai-demo-production-alb\ninternet-facing" in names
    assert "Redis genai-demo-production-redis\ncache.r6g.large: primary + 2 replicas" in names
    assert "MSK genai-demo-production-msk\n3 x kafka.m7g.large brokers" in names
    primary_data = [node.label for node in primary.clusters[2].nodes]
    assert primary_data[:2] == ["Aurora writer\ndb.r6g.large", "Aurora reader\ndb.r6g.large"]
    # The global secondary has no writer until it is promoted.
    secondary = next(cluster for cluster in diagram.clusters if cluster.id == "production_ap_northeast_1")
    assert [n.label for n in secondary.clusters[2].nodes if n.label.startswith("Aurora")] == [
        "Aurora reader\ndb.r6g.large"
    ] * 2


def test_production_cross_region_links(assemblies: dict[tuple[str, str], Assembly], config: ProjectConfig) -> None:
    diagram = regional_architecture(of_environment(assemblies, config, "production"))
    assert cross_region(diagram) == {
        ("Aurora writer", "Aurora reader", "Aurora global genai-demo-production-global"),
        ("Redis genai-demo-production-redis", "Redis genai-demo-production-apne1-redis", "Redis Global Datastore"),
        ("MSK genai-demo-production-msk", "MSK genai-demo-production-apne1-msk", "MSK Replicator"),
        ("Route 53 failover", "ALB genai-demo-production-alb", "PRIMARY"),
        ("Route 53 failover", "ALB genai-demo-production-alb", "SECONDARY"),
        ("CloudFront (us-east-1)", "Route 53 failover", "default behavior"),
        ("CloudFront (us-east-1)", "Route 53 failover", "origin group primary"),
        ("CloudFront (us-east-1)", "ALB genai-demo-production-alb", "origin group secondary"),
        (
            "AWS Backup vault genai-demo-production-backup-vault",
            "AWS Backup vault genai-demo-production-backup-vault",
            "backup copy",
        ),
    }
    failover = {e.label: e.target for e in diagram.edges if e.label in ("PRIMARY", "SECONDARY")}
    assert failover == {
        "PRIMARY": "production_ap_east_2_AlbLoadBalancer44085B14",
        "SECONDARY": "production_ap_northeast_1_AlbLoadBalancer44085B14",
    }


def test_development_has_one_region_and_no_replication(
    assemblies: dict[tuple[str, str], Assembly], config: ProjectConfig
) -> None:
    diagram = regional_architecture(of_environment(assemblies, config, "development"))
    assert [cluster.title for cluster in diagram.clusters] == ["ap-northeast-1 (primary)"]
    # No CloudFront in front of development (decision C12): nothing crosses regions.
    assert {label for _, _, label in cross_region(diagram)} == set()
    assert "Aurora writer\ndb.serverless 0-2 ACU" in labels(diagram).values()


def test_phases_follow_the_phase_table(config: ProjectConfig) -> None:
    diagram = deployment_phases(targets_of(config.environments["production"]))
    assert [cluster.title for cluster in diagram.clusters] == [f"Phase {n}" for n in range(1, 7)]
    phase5 = {node.label for node in diagram.clusters[4].nodes}
    # The data lake beside the primary region's MSK cluster only.
    assert phase5 == {
        "ap-east-2 (primary)\nRoute53FailoverStack\nAnalyticsStack",
        "ap-northeast-1 (secondary)\nRoute53FailoverStack",
        "us-east-1 (global)\nEdgeStack",
    }
    assert [(e.source, e.target) for e in diagram.edges] == [(f"phase{n}", f"phase{n + 1}") for n in range(1, 6)]


def test_phases_without_stacks_are_left_out(config: ProjectConfig) -> None:
    # Staging (decision C12) has nothing in phase 5: no failover, edge or analytics.
    diagram = deployment_phases(targets_of(config.environments["staging"]))
    assert [cluster.title for cluster in diagram.clusters] == [f"Phase {n}" for n in (1, 2, 3, 4, 6)]
    assert [(e.source, e.target) for e in diagram.edges][-1] == ("phase4", "phase6")


def test_mermaid_escapes_quotes_and_line_breaks() -> None:
    diagram = Diagram(
        "t",
        clusters=[Cluster("c", 'say "hi"', [Node("a", "one\ntwo #1")])],
        nodes=[Node("b", "b")],
        edges=[Edge("a", "b", "x"), Edge("b", "a", dotted=True)],
    )
    assert to_mermaid(diagram) == (
        "flowchart TB\n"
        '    subgraph c["say #quot;hi#quot;"]\n'
        '        a["one<br/>two #35;1"]\n'
        "    end\n"
        '    b["b"]\n'
        '    a -- "x" --> b\n'
        "    b -.-> a\n"
    )


def test_missing_browser_is_reported(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("PUPPETEER_EXECUTABLE_PATH", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RenderError, match="install one"):
        find_browser()


def _has_browser() -> bool:
    try:
        find_browser()
    except RenderError:
        return False
    return (PROJECT_ROOT / "node_modules" / ".bin" / "mmdc").exists()


@pytest.mark.skipif(not _has_browser(), reason="no Chromium on this machine for the mermaid CLI")
def test_mermaid_cli_draws_svg_and_png(tmp_path: Path) -> None:
    diagram = Diagram("t", nodes=[Node("a", "NetworkStack"), Node("b", "EKSStack")], edges=[Edge("a", "b")])
    text = to_mermaid(diagram)
    svg = render_images({"small": text, "other": text}, tmp_path, "svg")
    assert [path.name for path in svg] == ["small.svg", "other.svg"]
    assert "NetworkStack" in svg[0].read_text(encoding="utf-8")
    (png,) = render_images({"small": text}, tmp_path, "png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, COLUMNS="200")
    return subprocess.run(
        [*COMMAND, *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (("--env", "production", "--format", "gif"), "unknown format 'gif'"),
        (("--env", "production", "--format", "svg"), "pass --out DIR"),
        (("--env", "staging", "--write-docs"), "use --env production with --write-docs"),
        (("--env", "bogus"), "unknown environment 'bogus'"),
    ],
    ids=["format", "svg-without-out", "docs-of-staging", "unknown-env"],
)
def test_diagram_user_errors(args: tuple[str, ...], phrase: str) -> None:
    result = _run(*args)
    assert result.returncode == 1
    assert phrase in result.stderr
    assert "Traceback" not in result.stderr


def test_no_browser_fails_before_synthesis(tmp_path: Path) -> None:
    # Only the venv's programs on PATH: no Chromium can be found.
    env = dict(os.environ, PATH=str(Path(sys.executable).parent))
    env.pop("PUPPETEER_EXECUTABLE_PATH", None)
    result = subprocess.run(
        [*COMMAND, "--env", "production", "--format", "png", "--out", str(tmp_path)],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert "apt-get install chromium" in result.stderr
    assert "synthesized" not in result.stderr
