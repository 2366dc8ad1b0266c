"""Every manifest of the workload, in the order they can be applied."""

from __future__ import annotations

from genai_infra.kubernetes.inputs import WorkloadInputs
from genai_infra.kubernetes.rbac import role, role_binding
from genai_infra.kubernetes.scaling import scaled_object, trigger_authentication
from genai_infra.kubernetes.traffic import target_group_binding
from genai_infra.kubernetes.workload import Manifest, deployment, pod_disruption_budget, service, service_account

__all__ = [
    "Manifest",
    "deployment",
    "pod_disruption_budget",
    "role",
    "role_binding",
    "scaled_object",
    "service",
    "service_account",
    "target_group_binding",
    "trigger_authentication",
    "workload_manifests",
]


def workload_manifests(inputs: WorkloadInputs) -> list[Manifest]:
    """The service account and its RBAC before the pods that use them; the CRD objects after the objects they name.

    The ScaledObject and the TargetGroupBinding need the KEDA and AWS Load Balancer Controller
    CRDs, so the cluster side applies them after those Helm charts.
    """
    return [
        service_account(inputs),
        role(inputs),
        role_binding(inputs),
        deployment(inputs),
        service(inputs),
        pod_disruption_budget(inputs),
        trigger_authentication(inputs),
        scaled_object(inputs),
        target_group_binding(inputs),
    ]
