"""JSON schemas of the custom resources the workload uses, for offline validation.

kubernetes-validate knows only the built-in kinds. These schemas copy the fields, types, enums and
required lists of the CRDs shipped by the pinned charts' 2.x lines:
- KEDA (kedacore/charts keda/templates/crds): ScaledObject and TriggerAuthentication, keda.sh/v1alpha1.
- AWS Load Balancer Controller (helm/aws-load-balancer-controller/crds/crds.yaml):
  TargetGroupBinding, elbv2.k8s.aws/v1beta1.
They are stricter than the CRDs in one way, on purpose: unknown fields are refused
(additionalProperties false), where the API server would silently prune them, so a misspelt
field fails here instead of being dropped at deploy time.
"""

from __future__ import annotations

from typing import Any

import jsonschema

_INT32 = {"type": "integer", "minimum": -(2**31), "maximum": 2**31 - 1}
_INT_OR_STRING = {"anyOf": [{"type": "integer"}, {"type": "string"}]}
_METADATA = {
    "type": "object",
    "required": ["name", "namespace"],
    "properties": {
        "name": {"type": "string", "pattern": r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "maxLength": 253},
        "namespace": {"type": "string"},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
    },
    "additionalProperties": False,
}


def _closed(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(required), "additionalProperties": False}


def _resource(api_version: str, kind: str, spec: dict[str, Any]) -> dict[str, Any]:
    return _closed(
        {"apiVersion": {"const": api_version}, "kind": {"const": kind}, "metadata": _METADATA, "spec": spec},
        ("apiVersion", "kind", "metadata", "spec"),
    )


_AUTHENTICATION_REF = _closed(
    {"name": {"type": "string"}, "kind": {"enum": ["TriggerAuthentication", "ClusterTriggerAuthentication"]}},
    ("name",),
)
_TRIGGER = _closed(
    {
        "type": {"type": "string"},
        "name": {"type": "string"},
        "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
        "authenticationRef": _AUTHENTICATION_REF,
        "metricType": {"enum": ["Value", "AverageValue", "Utilization"]},
        "useCachedMetrics": {"type": "boolean"},
    },
    ("metadata", "type"),
)

SCALED_OBJECT = _resource(
    "keda.sh/v1alpha1",
    "ScaledObject",
    _closed(
        {
            "scaleTargetRef": _closed(
                {
                    "apiVersion": {"type": "string"},
                    "kind": {"type": "string"},
                    "name": {"type": "string"},
                    "envSourceContainerName": {"type": "string"},
                },
                ("name",),
            ),
            "minReplicaCount": _INT32,
            "maxReplicaCount": _INT32,
            "idleReplicaCount": _INT32,
            "pollingInterval": _INT32,
            "cooldownPeriod": _INT32,
            "initialCooldownPeriod": _INT32,
            "fallback": _closed({"failureThreshold": _INT32, "replicas": _INT32}, ("failureThreshold", "replicas")),
            "advanced": {"type": "object"},
            "triggers": {"type": "array", "items": _TRIGGER},
        },
        ("scaleTargetRef", "triggers"),
    ),
)

TRIGGER_AUTHENTICATION = _resource(
    "keda.sh/v1alpha1",
    "TriggerAuthentication",
    _closed(
        {
            "podIdentity": _closed(
                {
                    "provider": {"enum": ["azure", "azure-workload", "gcp", "aws", "aws-eks", "aws-kiam", "none"]},
                    "identityId": {"type": "string"},
                    "identityOwner": {"enum": ["keda", "workload"]},
                    "roleArn": {"type": "string"},
                },
                ("provider",),
            ),
        }
    ),
)

TARGET_GROUP_BINDING = _resource(
    "elbv2.k8s.aws/v1beta1",
    "TargetGroupBinding",
    _closed(
        {
            "targetGroupARN": {"type": "string", "minLength": 1},
            "targetType": {"enum": ["instance", "ip"]},
            "ipAddressType": {"enum": ["ipv4", "ipv6"]},
            "serviceRef": _closed({"name": {"type": "string"}, "port": _INT_OR_STRING}, ("name", "port")),
            "networking": {"type": "object"},
            "nodeSelector": {"type": "object"},
        },
        ("serviceRef", "targetGroupARN"),
    ),
)

CRD_SCHEMAS: dict[tuple[str, str], dict[str, Any]] = {
    ("keda.sh/v1alpha1", "ScaledObject"): SCALED_OBJECT,
    ("keda.sh/v1alpha1", "TriggerAuthentication"): TRIGGER_AUTHENTICATION,
    ("elbv2.k8s.aws/v1beta1", "TargetGroupBinding"): TARGET_GROUP_BINDING,
}


def validate_custom_resource(manifest: dict[str, Any]) -> None:
    """Raise jsonschema.ValidationError unless the manifest fits its CRD; KeyError for an unknown kind."""
    schema = CRD_SCHEMAS[(manifest["apiVersion"], manifest["kind"])]
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(manifest)
