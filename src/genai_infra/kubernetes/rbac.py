"""The document's "Application Role (pod management permissions)": a Role and its RoleBinding.

Namespaced, bound to the app's service account only, and read-mostly. What each rule is for:
- pods get/list/watch: the application discovers its peer replicas (the document's pod
  management) and reads its own pod's labels; it never creates or deletes pods, which the
  Deployment and KEDA own.
- configmaps get/list/watch: configuration the application reloads without a restart.
- leases create, and get/update of its own lease only: leader election, so that scheduled work
  runs on one replica. Kubernetes cannot limit `create` by name, so `create` has its own rule;
  reading and renewing are limited to the lease named after the app.
No secrets: the application's credentials come from IAM (IRSA, decision S8), not Kubernetes.
"""

from __future__ import annotations

from genai_infra.kubernetes import constants as k
from genai_infra.kubernetes.inputs import WorkloadInputs
from genai_infra.kubernetes.workload import Manifest, metadata

RBAC_API_VERSION = "rbac.authorization.k8s.io/v1"
LEADER_ELECTION_LEASE = k.APP_NAME

APP_RULES: tuple[dict[str, list[str]], ...] = (
    {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch"]},
    {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list", "watch"]},
    {"apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "verbs": ["create"]},
    {
        "apiGroups": ["coordination.k8s.io"],
        "resources": ["leases"],
        "resourceNames": [LEADER_ELECTION_LEASE],
        "verbs": ["get", "update"],
    },
)


def role(inputs: WorkloadInputs) -> Manifest:
    return {
        "apiVersion": RBAC_API_VERSION,
        "kind": "Role",
        "metadata": metadata(inputs),
        "rules": [dict(rule) for rule in APP_RULES],
    }


def role_binding(inputs: WorkloadInputs) -> Manifest:
    """Binds the Role to the app's service account in its own namespace, and to nothing else."""
    return {
        "apiVersion": RBAC_API_VERSION,
        "kind": "RoleBinding",
        "metadata": metadata(inputs),
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": k.APP_NAME},
        "subjects": [{"kind": "ServiceAccount", "name": k.SERVICE_ACCOUNT_NAME, "namespace": k.NAMESPACE}],
    }
