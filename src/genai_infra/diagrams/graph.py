"""A small graph model (clusters, nodes, edges) and its Mermaid text.

The pictures are built as data first, so tests can ask what a picture shows (which edges, which
labels) without parsing Mermaid. The text is deterministic: the same graph gives the same bytes,
which is what lets a test compare the committed docs with what the code draws now.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Node:
    id: str
    label: str  # lines separated by "\n"


@dataclass
class Cluster:
    id: str
    title: str
    nodes: list[Node] = field(default_factory=list)
    clusters: list[Cluster] = field(default_factory=list)

    def all_nodes(self) -> list[Node]:
        return [*self.nodes, *(node for child in self.clusters for node in child.all_nodes())]


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    label: str = ""
    # Dotted edges are links between regions (replication, failover), solid ones are within.
    dotted: bool = False


@dataclass
class Diagram:
    title: str
    direction: str = "TB"
    clusters: list[Cluster] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)

    def all_nodes(self) -> list[Node]:
        return [*self.nodes, *(node for cluster in self.clusters for node in cluster.all_nodes())]


def node_id(*parts: str) -> str:
    """A Mermaid-safe identifier: letters, digits and underscores only."""
    return re.sub(r"[^A-Za-z0-9_]", "_", "_".join(parts))


def _text(label: str) -> str:
    # Mermaid reads `"` as the end of a label and `#...;` as an entity; <br/> breaks a line.
    return label.replace("#", "#35;").replace('"', "#quot;").replace("\n", "<br/>")


def to_mermaid(diagram: Diagram) -> str:
    lines = [f"flowchart {diagram.direction}"]

    def cluster(item: Cluster, depth: int) -> None:
        pad = "    " * depth
        lines.append(f'{pad}subgraph {item.id}["{_text(item.title)}"]')
        for node in item.nodes:
            lines.append(f'{pad}    {node.id}["{_text(node.label)}"]')
        for child in item.clusters:
            cluster(child, depth + 1)
        lines.append(f"{pad}end")

    for item in diagram.clusters:
        cluster(item, 1)
    for node in diagram.nodes:
        lines.append(f'    {node.id}["{_text(node.label)}"]')
    for edge in diagram.edges:
        if edge.dotted:
            arrow = f'-. "{_text(edge.label)}" .->' if edge.label else "-.->"
        else:
            arrow = f'-- "{_text(edge.label)}" -->' if edge.label else "-->"
        lines.append(f"    {edge.source} {arrow} {edge.target}")
    return "\n".join(lines) + "\n"
