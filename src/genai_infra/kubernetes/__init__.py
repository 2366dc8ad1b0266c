"""The application's Kubernetes manifests as plain dicts: pure Python, importable without aws_cdk.

The EKS stack applies them with `cluster.add_manifest(...)`; string inputs may be CloudFormation
tokens (the image URI, the IRSA role ARN, the target group ARN), which pass through untouched.
"""

from __future__ import annotations

from genai_infra.kubernetes.constants import (
    APP_NAME,
    CONTAINER_PORT,
    KEDA_CLOUDWATCH_ACTIONS,
    NAMESPACE,
    PORT_NAME,
    SERVICE_ACCOUNT_NAME,
    SERVICE_ACCOUNT_SUBJECT,
    SERVICE_PORT,
    TARGET_TYPE,
    TRIGGER_AUTHENTICATION_NAME,
)
from genai_infra.kubernetes.inputs import WorkloadInputs
from genai_infra.kubernetes.manifests import (
    deployment,
    pod_disruption_budget,
    scaled_object,
    service,
    service_account,
    target_group_binding,
    trigger_authentication,
    workload_manifests,
)
from genai_infra.kubernetes.render import inspection_inputs, render_yaml

__all__ = [
    "APP_NAME",
    "CONTAINER_PORT",
    "KEDA_CLOUDWATCH_ACTIONS",
    "NAMESPACE",
    "PORT_NAME",
    "SERVICE_ACCOUNT_NAME",
    "SERVICE_ACCOUNT_SUBJECT",
    "SERVICE_PORT",
    "TARGET_TYPE",
    "TRIGGER_AUTHENTICATION_NAME",
    "WorkloadInputs",
    "deployment",
    "inspection_inputs",
    "pod_disruption_budget",
    "render_yaml",
    "scaled_object",
    "service",
    "service_account",
    "target_group_binding",
    "trigger_authentication",
    "workload_manifests",
]
