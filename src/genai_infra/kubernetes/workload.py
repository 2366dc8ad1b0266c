"""ServiceAccount, Deployment, Service and PodDisruptionBudget of the application."""

from __future__ import annotations

from typing import Any

from genai_infra.config.workload import ProbeConfig
from genai_infra.kubernetes import constants as k
from genai_infra.kubernetes.inputs import WorkloadInputs
from genai_infra.kubernetes.tracing import trace_environment
from genai_infra.naming import metric_namespace

Manifest = dict[str, Any]


def metadata(inputs: WorkloadInputs, name: str = k.APP_NAME) -> dict[str, Any]:
    return {"name": name, "namespace": k.NAMESPACE, "labels": labels(inputs)}


def labels(inputs: WorkloadInputs) -> dict[str, str]:
    return {**selector(), k.PART_OF_LABEL: "genai-demo", k.ENVIRONMENT_LABEL: inputs.environment}


def selector() -> dict[str, str]:
    """The one label that selects the pods; it never changes, since a Deployment's selector is immutable."""
    return {k.NAME_LABEL: k.APP_NAME}


def service_account(inputs: WorkloadInputs) -> Manifest:
    """The spec's IRSA service account: pods using it receive the app role's credentials."""
    meta = metadata(inputs, k.SERVICE_ACCOUNT_NAME)
    meta["annotations"] = {k.IRSA_ROLE_ANNOTATION: inputs.app_role_arn}
    return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta}


def _probe(probe: ProbeConfig) -> dict[str, Any]:
    return {
        "httpGet": {"path": probe.path, "port": k.PORT_NAME, "scheme": "HTTP"},
        "initialDelaySeconds": probe.initial_delay_seconds,
        "periodSeconds": probe.period_seconds,
        "timeoutSeconds": probe.timeout_seconds,
        "failureThreshold": probe.failure_threshold,
    }


def _container(inputs: WorkloadInputs) -> dict[str, Any]:
    workload = inputs.workload
    return {
        "name": k.CONTAINER_NAME,
        "image": inputs.image_uri,
        "ports": [{"name": k.PORT_NAME, "containerPort": k.CONTAINER_PORT, "protocol": "TCP"}],
        "env": [
            {"name": "SPRING_PROFILES_ACTIVE", "value": inputs.spring_profile},
            {"name": "JAVA_OPTS", "value": workload.java_opts},
            {"name": "AWS_REGION", "value": inputs.region},
            *trace_environment(inputs),
            # Micrometer's CloudWatch registry (Spring Boot properties): the environment's own namespace,
            # the only one the app role may publish to, and the dimension KEDA's trigger selects.
            {"name": "MANAGEMENT_CLOUDWATCH_METRICS_EXPORT_NAMESPACE", "value": metric_namespace(inputs.environment)},
            {"name": "MANAGEMENT_METRICS_TAGS_ENVIRONMENT", "value": inputs.environment},
            # Decision S8: the app logs in as its own user with IAM authentication tokens (the
            # app role's rds-db:connect), never with the master secret, which it cannot read.
            {"name": "SPRING_DATASOURCE_USERNAME", "value": k.DATABASE_USER},
            {"name": "DATABASE_IAM_AUTHENTICATION", "value": "true"},
        ],
        "resources": {
            "requests": {"cpu": workload.requests.cpu, "memory": workload.requests.memory},
            "limits": {"cpu": workload.limits.cpu, "memory": workload.limits.memory},
        },
        "livenessProbe": _probe(workload.liveness),
        "readinessProbe": _probe(workload.readiness),
        "lifecycle": {"preStop": {"sleep": {"seconds": k.DEREGISTRATION_WAIT_SECONDS}}},
        "securityContext": {
            "runAsNonRoot": True,
            "readOnlyRootFilesystem": True,
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
    }


def deployment(inputs: WorkloadInputs) -> Manifest:
    """The application Deployment.

    It sets no `replicas`: the HPA that KEDA creates (decision C7) owns the count, and a replica
    count in the applied manifest would reset it to the minimum on every stack update.
    """
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": metadata(inputs),
        "spec": {
            "selector": {"matchLabels": selector()},
            # Surge one pod and keep every serving pod until its replacement is ready.
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}},
            "template": {
                "metadata": {"labels": labels(inputs)},
                "spec": {
                    "serviceAccountName": k.SERVICE_ACCOUNT_NAME,
                    "terminationGracePeriodSeconds": k.TERMINATION_GRACE_SECONDS,
                    "securityContext": {
                        "runAsNonRoot": True,
                        "runAsUser": k.RUN_AS_USER,
                        "runAsGroup": k.RUN_AS_GROUP,
                        "fsGroup": k.RUN_AS_GROUP,
                        "seccompProfile": {"type": "RuntimeDefault"},
                    },
                    "containers": [_container(inputs)],
                    "volumes": [{"name": "tmp", "emptyDir": {"sizeLimit": k.TMP_VOLUME_SIZE}}],
                    "topologySpreadConstraints": [
                        {
                            # ScheduleAnyway, not DoNotSchedule: when one AZ fails, new pods must
                            # still start in the surviving AZ instead of staying Pending.
                            "maxSkew": 1,
                            "topologyKey": k.ZONE_TOPOLOGY_KEY,
                            "whenUnsatisfiable": "ScheduleAnyway",
                            "labelSelector": {"matchLabels": selector()},
                            # Spread each ReplicaSet on its own, so a rollout does not count old pods.
                            "matchLabelKeys": ["pod-template-hash"],
                        }
                    ],
                },
            },
        },
    }


def service(inputs: WorkloadInputs) -> Manifest:
    """ClusterIP only: the ALB reaches the pods through the TargetGroupBinding, not a LoadBalancer Service."""
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": metadata(inputs),
        "spec": {
            "type": "ClusterIP",
            "selector": selector(),
            "ports": [{"name": k.PORT_NAME, "port": k.SERVICE_PORT, "targetPort": k.PORT_NAME, "protocol": "TCP"}],
        },
    }


def pod_disruption_budget(inputs: WorkloadInputs) -> Manifest:
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": metadata(inputs),
        "spec": {
            "maxUnavailable": inputs.workload.max_unavailable,
            "selector": {"matchLabels": selector()},
            # Pods that are not Ready serve nothing; letting drains evict them keeps node
            # replacement from blocking on a crash-looping pod.
            "unhealthyPodEvictionPolicy": "AlwaysAllow",
        },
    }
