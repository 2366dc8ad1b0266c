"""Architecture pictures drawn from synthesized cloud assemblies: Mermaid text, and SVG/PNG through Graphviz's dot."""

from genai_infra.diagrams.dot import to_dot
from genai_infra.diagrams.graph import Cluster, Diagram, Edge, Node, to_mermaid
from genai_infra.diagrams.pictures import (
    architecture_document,
    deployment_phases,
    diagrams_of,
    regional_architecture,
    stack_dependencies,
    stack_organization,
)

__all__ = [
    "Cluster",
    "Diagram",
    "Edge",
    "Node",
    "architecture_document",
    "deployment_phases",
    "diagrams_of",
    "regional_architecture",
    "stack_dependencies",
    "stack_organization",
    "to_dot",
    "to_mermaid",
]
