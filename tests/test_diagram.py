"""The pictures of `genai-infra diagram`, drawn from the session's cloud assemblies."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

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
from genai_infra.diagrams.dot import to_dot
from genai_infra.diagrams.render import RenderError, find_dot, render_images
from genai_infra.synth import Assembly
from genai_infra.targets import stacks_of, targets_of

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
    assert dependencies["EKSStack"] == ["CertificateStack", "NetworkStack", "RdsStack", "SecurityStack"]
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


# --- Graphviz: the DOT text of the same pictures, and the images `dot` draws from it ---

NEEDS_DOT = pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz's dot is not installed (apt-get install graphviz)"
)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SVG = "{http://www.w3.org/2000/svg}"


@dataclass
class Dot:
    """What a DOT text declares: nodes (id -> label), clusters (id -> title, parent, node ids) and edges."""

    nodes: dict[str, str] = field(default_factory=dict)
    clusters: dict[str, tuple[str, str, list[str]]] = field(default_factory=dict)
    edges: list[tuple[str, str, str]] = field(default_factory=list)  # (source, target, attributes)


def _unquoted(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), text)


def parse_dot(text: str) -> Dot:
    """Reads the DOT text line by line as to_dot writes it (one statement a line)."""
    dot = Dot()
    inside: list[str] = [""]
    quoted = r'"((?:[^"\\]|\\.)*)"'
    lines = text.splitlines()
    assert lines[0].startswith("digraph ")
    assert lines[-1] == "}"
    for line in lines[1:-1]:
        statement = line.strip()
        if match := re.fullmatch(rf"subgraph {quoted} {{", statement):
            cluster = match.group(1).removeprefix("cluster_")
            dot.clusters[cluster] = ("", inside[-1], [])
            inside.append(cluster)
        elif statement == "}":
            inside.pop()
        elif (match := re.fullmatch(rf"graph \[label={quoted}, .*\];", statement)) and len(inside) > 1:
            _, parent, members = dot.clusters[inside[-1]]
            dot.clusters[inside[-1]] = (_unquoted(match.group(1)), parent, members)
        elif match := re.fullmatch(rf"{quoted} -> {quoted}(?: \[(.*)\])?;", statement):
            dot.edges.append((match.group(1), match.group(2), match.group(3) or ""))
        elif match := re.fullmatch(rf"{quoted} \[label={quoted}\];", statement):
            dot.nodes[match.group(1)] = _unquoted(match.group(2))
            if len(inside) > 1:
                dot.clusters[inside[-1]][2].append(match.group(1))
    assert inside == [""], "unbalanced braces"
    return dot


def visible_edges(dot: Dot) -> list[tuple[str, str, str]]:
    return [edge for edge in dot.edges if "style=invis" not in edge[2]]


def test_dot_escapes_quotes_backslashes_and_line_breaks() -> None:
    diagram = Diagram(
        't"1',
        clusters=[Cluster("c", 'say "hi"', [Node("a", "one\ntwo \\N")])],
        nodes=[Node("b", "b")],
        edges=[Edge("a", "b", "x"), Edge("b", "a", dotted=True), Edge("b", "c")],
    )
    text = to_dot(diagram)
    assert text.startswith('digraph "t\\"1" {\n')
    assert '    subgraph "cluster_c" {\n        graph [label="say \\"hi\\"", ' in text
    # A line break is DOT's centred \n; a backslash of the label stays one (\N would be the node's name).
    assert '        "a" [label="one\\ntwo \\\\N"];\n' in text
    assert '    "a" -> "b" [label="x"];\n' in text
    assert '    "b" -> "a" [style=dashed, color="#c0392b", fontcolor="#c0392b"];\n' in text
    # An edge to a cluster ends at the cluster's border: drawn to its first node, clipped by lhead.
    assert '    "b" -> "a" [lhead="cluster_c"];\n' in text
    assert text.endswith("}\n")
    with pytest.raises(ValueError, match="unknown diagram direction"):
        to_dot(Diagram("t", direction="XY"))


def test_dot_of_production_has_the_nodes_clusters_and_edges_of_the_model(
    assemblies: dict[tuple[str, str], Assembly], config: ProjectConfig
) -> None:
    production = of_environment(assemblies, config, "production")
    for picture in (stack_organization(production), regional_architecture(production)):
        dot = parse_dot(to_dot(picture))
        assert dot.nodes == labels(picture)
        assert [(source, target) for source, target, _ in visible_edges(dot)] == [
            (edge.source, edge.target) for edge in picture.edges
        ]
    # The spec's layers, per target, with their stacks, as the Mermaid text shows them.
    dot = parse_dot(to_dot(stack_organization(production)))
    titles = {cluster: title for cluster, (title, _, _) in dot.clusters.items()}
    assert [titles[c] for c, (_, parent, _) in dot.clusters.items() if not parent] == [
        "production/ap-east-2 (primary)",
        "production/ap-northeast-1 (secondary)",
        "production/us-east-1 (global)",
    ]
    layers = {
        title: [dot.nodes[node] for node in members]
        for _, (title, parent, members) in dot.clusters.items()
        if parent == "production_ap_east_2"
    }
    assert layers == {
        "Foundation layer": ["SecurityStack", "NetworkStack", "CertificateStack"],
        "Core Infrastructure layer": ["RdsStack", "ElastiCacheStack", "MSKStack", "EKSStack"],
        "Platform layer": ["ObservabilityStack", "AlertingStack", "Route53FailoverStack"],
        "Optional layer": ["AnalyticsStack", "DisasterRecoveryStack"],
    }
    edges = {(dot.nodes[source], dot.nodes[target]) for source, target, _ in visible_edges(dot)}
    assert ("SecurityStack", "NetworkStack") in edges
    assert ("CertificateStack", "EdgeStack") in edges
    # The regions, their VPCs and AZs; links between regions dashed and free of the layout's ranks.
    dot = parse_dot(to_dot(regional_architecture(production)))
    zones = {
        title: [dot.nodes[node] for node in members]
        for _, (title, parent, members) in dot.clusters.items()
        if parent == "production_ap_east_2_vpc"
    }
    assert zones == {
        "ap-east-2a": ["public 10.0.0.0/24", "private 10.0.2.0/24", "database 10.0.4.0/28"],
        "ap-east-2b": ["public 10.0.1.0/24", "private 10.0.3.0/24", "database 10.0.5.0/28"],
        "ap-east-2c": ["msk 10.0.6.0/24"],
    }
    assert {title for title, parent, _ in dot.clusters.values() if not parent} == {
        "ap-east-2 (primary)",
        "ap-northeast-1 (secondary)",
    }
    crossing = {(dot.nodes[s].split("\n")[0], dot.nodes[t].split("\n")[0], a) for s, t, a in dot.edges}
    assert (
        "Redis genai-demo-production-redis",
        "Redis genai-demo-production-apne1-redis",
        'xlabel="Redis Global Datastore", style=dashed, color="#c0392b", fontcolor="#c0392b", constraint=false',
    ) in crossing
    # CloudFront -> Route 53 -> the ALBs keeps its ranks: traffic enters from the top.
    assert (
        "Route 53 failover",
        "ALB genai-demo-production-alb",
        'label="PRIMARY", style=dashed, color="#c0392b", fontcolor="#c0392b"',
    ) in crossing


def test_dot_phases_follow_one_another(config: ProjectConfig) -> None:
    diagram = deployment_phases(targets_of(config.environments["production"]))
    text = to_dot(diagram)
    assert "rankdir=LR" in text
    dot = parse_dot(text)
    # Each phase is one rank; the arrows run from phase to phase, clipped at the boxes.
    assert [(s.split("_")[0], t.split("_")[0], a) for s, t, a in dot.edges] == [
        (f"phase{n}", f"phase{n + 1}", f'ltail="cluster_phase{n}", lhead="cluster_phase{n + 1}"') for n in range(1, 6)
    ]
    assert text.count("{rank=same; ") == 6
    assert to_dot(diagram) == text


def test_missing_dot_is_reported(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RenderError, match=r"install it with `apt-get install graphviz`"):
        find_dot()
    with pytest.raises(RenderError, match="Graphviz's dot"):
        render_images({"small": Diagram("t")}, tmp_path / "out", "svg")
    assert not (tmp_path / "out").exists()


def test_dot_failure_is_reported(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    failing = tmp_path / "dot"
    failing.write_text("#!/bin/sh\necho 'Error: <stdin>: syntax error in line 1' >&2\nexit 1\n", encoding="utf-8")
    failing.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RenderError, match=r"Graphviz's dot failed on 't': Error: <stdin>: syntax error in line 1"):
        render_images({"small": Diagram("t")}, tmp_path / "out", "png")


@NEEDS_DOT
def test_dot_draws_svg_and_png_of_production(
    assemblies: dict[tuple[str, str], Assembly], config: ProjectConfig, tmp_path: Path
) -> None:
    production = of_environment(assemblies, config, "production")
    pictures = {
        "organization": stack_organization(production),
        "regions": regional_architecture(production),
        "phases": deployment_phases([assembly.target for assembly in production]),
    }
    svg = render_images(pictures, tmp_path / "svg", "svg")
    assert [path.name for path in svg] == ["organization.svg", "regions.svg", "phases.svg"]
    texts, widths = {}, {}
    for path in svg:
        root = ElementTree.fromstring(path.read_bytes())
        assert root.tag == f"{SVG}svg"
        texts[path.stem] = {"".join(element.itertext()) for element in root.iter(f"{SVG}text")}
        widths[path.stem] = float(root.attrib["width"].removesuffix("pt"))
    stacks = {stack for assembly in production for stack in stacks_of(assembly.target)}
    assert len(stacks) == 14
    assert stacks <= texts["organization"]
    regions = {"ap-east-2 (primary)", "ap-northeast-1 (secondary)", "VPC 10.0.0.0/16", "Redis Global Datastore"}
    assert regions <= texts["regions"]
    assert {f"Phase {n}" for n in range(1, 7)} <= texts["phases"]
    # Same pictures, same bytes.
    again = render_images(pictures, tmp_path / "again", "svg")
    assert [path.read_bytes() for path in again] == [path.read_bytes() for path in svg]

    png = render_images(pictures, tmp_path / "png", "png")
    for path in png:
        data = path.read_bytes()
        assert data[:8] == PNG_MAGIC
        # Drawn at 144 dpi, twice the SVG's 72 points an inch: the small labels of the wide regions
        # picture stay readable.
        width = int.from_bytes(data[16:20], "big")
        assert abs(width - 2 * widths[path.stem]) <= 2, (path.name, width, widths[path.stem])


@NEEDS_DOT
def test_diagram_command_draws_png_from_assemblies(assemblies: dict[tuple[str, str], Assembly], tmp_path: Path) -> None:
    folder = assemblies[("production", "ap-east-2")].directory.parent
    result = _run("--env", "production", "--from", str(folder), "--format", "png", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    drawn = sorted(path.name for path in tmp_path.iterdir())
    assert drawn == [
        "production-deployment-phases.png",
        "production-regional-architecture.png",
        "production-stack-organization.png",
    ]
    assert all((tmp_path / name).read_bytes()[:8] == PNG_MAGIC for name in drawn)


def test_no_dot_fails_before_synthesis(tmp_path: Path) -> None:
    # Only the venv's programs on PATH: no Graphviz.
    env = dict(os.environ, PATH=str(Path(sys.executable).parent), COLUMNS="200")
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
    assert "install it with `apt-get install graphviz`" in result.stderr
    assert "Traceback" not in result.stderr
    assert "synthesized" not in result.stderr
    assert list(tmp_path.iterdir()) == []
