"""The workload's built-in Kubernetes kinds against the Kubernetes JSON schemas, offline and strict.

kubernetes-validate bundles the schemas of each Kubernetes minor version; the cluster's own version
is used when it is bundled, else the newest bundled one (and the note says so). The custom
resources (KEDA, the Load Balancer Controller) are checked against their CRDs in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass

from genai_infra.config import EnvironmentConfig
from genai_infra.kubernetes import inspection_inputs, workload_manifests


@dataclass(frozen=True)
class SchemaCheck:
    version: str  # the schema version validated against
    note: str
    problems: list[tuple[str, str]]  # (kind/name, what is wrong)


def _minor(version: str) -> tuple[int, int]:
    major, minor = version.split(".")[:2]
    return int(major), int(minor)


def check_manifests(environment: EnvironmentConfig, region: str) -> SchemaCheck:
    import kubernetes_validate

    cluster = environment.regions[region].eks.kubernetes_version
    newest = str(kubernetes_validate.utils.major_minor(kubernetes_validate.latest_version()))
    version = cluster if _minor(cluster) <= _minor(newest) else newest
    note = f"Kubernetes {version} schemas" + ("" if version == cluster else f" (newest bundled; cluster {cluster})")
    problems = []
    for manifest in workload_manifests(inspection_inputs(environment, region)):
        if "." in manifest["apiVersion"].split("/")[0]:
            continue  # a custom resource: its CRD, not the Kubernetes schemas
        try:
            kubernetes_validate.validate(manifest, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            where = ".".join(str(part) for part in getattr(error, "path", ())) or "top level"
            problems.append((f"{manifest['kind']}/{manifest['metadata']['name']}", f"{where}: {error.message}"))
    return SchemaCheck(version, note, problems)
