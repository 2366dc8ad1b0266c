"""Decision C7: one KEDA ScaledObject owns the Deployment's replicas (KEDA creates the HPA)."""

from __future__ import annotations

from typing import Any

from genai_infra.kubernetes import constants as k
from genai_infra.kubernetes.inputs import WorkloadInputs
from genai_infra.kubernetes.workload import Manifest, metadata
from genai_infra.naming import metric_namespace

KEDA_API_VERSION = "keda.sh/v1alpha1"


def thread_pool_dimensions(inputs: WorkloadInputs) -> dict[str, str]:
    """The CloudWatch dimensions the application publishes its thread-pool gauge with."""
    return {"environment": inputs.environment}


def trigger_authentication(inputs: WorkloadInputs) -> Manifest:
    """KEDA reads CloudWatch with the operator's own IRSA role (identityOwner keda).

    The application role is not reused: it trusts only the app's service account, and KEDA
    needs cloudwatch:GetMetricData, which the spec does not grant the application.
    """
    return {
        "apiVersion": KEDA_API_VERSION,
        "kind": "TriggerAuthentication",
        "metadata": metadata(inputs, k.TRIGGER_AUTHENTICATION_NAME),
        "spec": {"podIdentity": {"provider": "aws", "identityOwner": "keda"}},
    }


def _thread_pool_trigger(inputs: WorkloadInputs) -> dict[str, Any]:
    pool = inputs.workload.thread_pool
    dimensions = thread_pool_dimensions(inputs)
    return {
        "type": "aws-cloudwatch",
        "name": "thread-pool",
        # Value, not AverageValue: the Average statistic already is per pod, so the HPA compares
        # it with the per-pod target directly (replicas x current / target).
        "metricType": "Value",
        "authenticationRef": {"name": k.TRIGGER_AUTHENTICATION_NAME},
        # KEDA trigger metadata values are strings (the CRD types them so).
        "metadata": {
            "awsRegion": inputs.region,
            "namespace": metric_namespace(inputs.environment),
            "metricName": pool.metric_name,
            "dimensionName": ";".join(dimensions),
            "dimensionValue": ";".join(dimensions.values()),
            "metricStat": "Average",
            "metricStatPeriod": str(pool.period_seconds),
            "metricCollectionTime": str(pool.collection_seconds),
            "targetMetricValue": str(pool.target_busy_threads_per_pod),
            "minMetricValue": "0",
        },
    }


def scaled_object(inputs: WorkloadInputs) -> Manifest:
    workload = inputs.workload
    return {
        "apiVersion": KEDA_API_VERSION,
        "kind": "ScaledObject",
        "metadata": metadata(inputs),
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": k.APP_NAME},
            "minReplicaCount": workload.min_replicas,
            "maxReplicaCount": workload.max_replicas,
            "triggers": [
                {
                    "type": "cpu",
                    "name": "cpu",
                    "metricType": "Utilization",
                    "metadata": {"value": str(workload.cpu_target_percent)},
                },
                {
                    "type": "memory",
                    "name": "memory",
                    "metricType": "Utilization",
                    "metadata": {"value": str(workload.memory_target_percent)},
                },
                _thread_pool_trigger(inputs),
            ],
        },
    }
