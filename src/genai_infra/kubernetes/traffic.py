"""Decision S1: the CloudFormation ALB's target group receives the Service's pods."""

from __future__ import annotations

from genai_infra.kubernetes import constants as k
from genai_infra.kubernetes.inputs import WorkloadInputs
from genai_infra.kubernetes.workload import Manifest, metadata


def target_group_binding(inputs: WorkloadInputs) -> Manifest:
    """The AWS Load Balancer Controller registers the Service's pod IPs in the given target group.

    No `networking` block: the ALB-to-app rule on port 8080 is a CloudFormation security group
    rule, so the controller is not given security groups to edit.
    """
    return {
        "apiVersion": "elbv2.k8s.aws/v1beta1",
        "kind": "TargetGroupBinding",
        "metadata": metadata(inputs),
        "spec": {
            "targetGroupARN": inputs.target_group_arn,
            "targetType": k.TARGET_TYPE,
            "serviceRef": {"name": k.APP_NAME, "port": k.SERVICE_PORT},
        },
    }
