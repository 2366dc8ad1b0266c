"""Multi-document YAML of the manifests, for people to read or `kubectl apply -f -`."""

from __future__ import annotations

import json
from collections.abc import Iterable

from genai_infra.config.model import EnvironmentConfig
from genai_infra.kubernetes.inputs import WorkloadInputs
from genai_infra.kubernetes.workload import Manifest
from genai_infra.naming import iam_role_name

# Outside a synthesis the deploy-time values are shown as the references CloudFormation fills in.
REPOSITORY_URI_REFERENCE = "${EKSStack.EcrRepositoryUri}"
TARGET_GROUP_ARN_REFERENCE = "${EKSStack.AppTargetGroupArn}"


def render_yaml(manifests: Iterable[Manifest]) -> str:
    """One YAML document per manifest.

    Each document is written as JSON, which YAML reads as it is: no YAML library is needed and
    token strings such as ${Token[...]} stay quoted.
    """
    return "".join(f"---\n{json.dumps(manifest, indent=2)}\n" for manifest in manifests)


def inspection_inputs(environment: EnvironmentConfig, region: str) -> WorkloadInputs:
    """Inputs for reading the manifests without a deployment.

    The app role's name is deterministic (naming.iam_role_name), so its ARN is shown with only the
    account left to CloudFormation; the repository URI and the target group ARN are shown as
    references to the EKS stack's resources.
    """
    role = iam_role_name(environment.name, "app", region, environment.primary_region)
    return WorkloadInputs.of(
        environment,
        region=region,
        image_repository_uri=REPOSITORY_URI_REFERENCE,
        app_role_arn=f"arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:role/{role}",
        target_group_arn=TARGET_GROUP_ARN_REFERENCE,
    )
