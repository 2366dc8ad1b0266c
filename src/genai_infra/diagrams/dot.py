"""The Graphviz DOT text of a diagram: the description `dot` draws SVG and PNG images from.

The second writer of the same graph model as the Mermaid text (graph.py), so an image shows
exactly what the Markdown docs show. Clusters become `subgraph cluster_<id>` (the prefix is what
makes Graphviz draw a box), nested as in the model. An edge that ends at a cluster (the deployment
phases follow one another) is drawn between one node of each and clipped at the cluster's border.
The text is deterministic: the same graph gives the same bytes, and the same Graphviz (with the
same fonts) draws the same image bytes from it; the SVG names the Graphviz version in a comment.
"""

from __future__ import annotations

from itertools import pairwise

from genai_infra.diagrams.graph import Cluster, Diagram, Edge, Node

# DejaVu Sans is installed with Graphviz by scripts/setup.sh: text is measured, and so laid out,
# the same wherever the images are drawn.
FONT = "DejaVu Sans"
# Fill colours by nesting depth (region or phase, then layer, VPC, availability zone), light to
# keep the black labels readable; nodes are white on top of them.
CLUSTER_FILLS = ("#eef3fb", "#fdf6e3", "#eaf6ec", "#f6eef8")
RANKDIR = {"TB": "TB", "TD": "TB", "BT": "BT", "LR": "LR", "RL": "RL"}


def _quoted(text: str) -> str:
    r"""A DOT string: `\` and `"` escaped (so `\N`, `\G`... stay literal), line breaks as centred `\n`."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _cluster_name(cluster_id: str) -> str:
    return _quoted(f"cluster_{cluster_id}")


def to_dot(diagram: Diagram) -> str:
    rankdir = RANKDIR.get(diagram.direction)
    if rankdir is None:
        raise ValueError(f"unknown diagram direction {diagram.direction!r}; use one of {', '.join(RANKDIR)}")
    lines = [
        f"digraph {_quoted(diagram.title)} {{",
        f"    graph [label={_quoted(diagram.title)}, labelloc=t, fontname={_quoted(FONT)}, fontsize=18,"
        f" rankdir={rankdir}, compound=true, newrank=true, nodesep=0.3, ranksep=0.5];",
        f'    node [shape=box, style="rounded,filled", fillcolor=white, color="#5b6b7f",'
        f" fontname={_quoted(FONT)}, fontsize=11];",
        f'    edge [color="#5b6b7f", fontname={_quoted(FONT)}, fontsize=9];',
    ]
    linked = {(edge.source, edge.target) for edge in diagram.edges}
    ends = {end for edge in diagram.edges for end in (edge.source, edge.target)}
    # A cluster an edge ends at is represented by its first node (an invisible point when it has none).
    anchor: dict[str, str] = {}
    # The top-level cluster (the region) of every node.
    region: dict[str, str] = {}

    def node(item: Node, pad: str) -> None:
        lines.append(f"{pad}{_quoted(item.id)} [label={_quoted(item.label)}];")

    def cluster(item: Cluster, depth: int) -> None:
        pad = "    " * depth
        fill = CLUSTER_FILLS[(depth - 1) % len(CLUSTER_FILLS)]
        lines.append(f"{pad}subgraph {_cluster_name(item.id)} {{")
        lines.append(
            f'{pad}    graph [label={_quoted(item.title)}, style="rounded,filled", fillcolor="{fill}",'
            f' color="#9aa7b8", fontsize={max(10, 15 - depth)}, margin=10];'
        )
        members = item.all_nodes()
        if members:
            anchor[item.id] = members[0].id
        else:
            anchor[item.id] = f"{item.id}__anchor"
            lines.append(f'{pad}    {_quoted(anchor[item.id])} [shape=point, style=invis, label=""];')
        for child in item.nodes:
            node(child, pad + "    ")
        ids = [child.id for child in item.nodes]
        if item.id in ends and len(ids) > 1:
            # A cluster that follows another (a phase) is one rank: its nodes side by side across the flow.
            lines.append(f"{pad}    {{rank=same; {'; '.join(map(_quoted, ids))}}}")
        elif rankdir in ("TB", "BT") and not any((a, b) in linked for a in ids for b in ids):
            # Graphviz puts nodes of one rank side by side, which makes a region with its subnets and
            # data stores far too wide: a box whose nodes have no edges among them is a column instead.
            lines.extend(f"{pad}    {_quoted(a)} -> {_quoted(b)} [style=invis];" for a, b in pairwise(ids))
        for inner in item.clusters:
            cluster(inner, depth + 1)
        lines.append(f"{pad}}}")

    for top in diagram.clusters:
        region.update((member.id, top.id) for member in top.all_nodes())
        cluster(top, 1)
    for alone in diagram.nodes:
        node(alone, "    ")
    for edge in diagram.edges:
        lines.append(f"    {_edge(edge, anchor, region)}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _edge(edge: Edge, anchor: dict[str, str], region: dict[str, str]) -> str:
    source = anchor.get(edge.source, edge.source)
    target = anchor.get(edge.target, edge.target)
    # Replication between two regions side by side: not a reason to put one region below the other,
    # and its label is placed beside the line, not given a rank of its own (an empty band otherwise).
    between_regions = edge.dotted and source in region and target in region and region[source] != region[target]
    attributes = []
    if edge.label:
        attributes.append(f"{'xlabel' if between_regions else 'label'}={_quoted(edge.label)}")
    if edge.dotted:
        # Dashed: dots are hard to see in a bitmap.
        attributes += ["style=dashed", 'color="#c0392b"', 'fontcolor="#c0392b"']
    if between_regions:
        attributes.append("constraint=false")
    if edge.source in anchor:
        attributes.append(f"ltail={_cluster_name(edge.source)}")
    if edge.target in anchor:
        attributes.append(f"lhead={_cluster_name(edge.target)}")
    listed = f" [{', '.join(attributes)}]" if attributes else ""
    return f"{_quoted(source)} -> {_quoted(target)}{listed};"
