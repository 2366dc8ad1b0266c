"""Multi-document YAML of the manifests, for people to read or `kubectl apply -f -`."""

from __future__ import annotations

import json
from collections.abc import Iterable

from genai_infra.kubernetes.workload import Manifest


def render_yaml(manifests: Iterable[Manifest]) -> str:
    """One YAML document per manifest.

    Each document is written as JSON, which YAML 1.2 reads as it is: no YAML library is needed and
    token strings such as ${Token[...]} are quoted safely.
    """
    return "".join(f"---\n{json.dumps(manifest, indent=2)}\n" for manifest in manifests)
