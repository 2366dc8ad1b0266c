"""Multi-document YAML of the manifests, for people to read or `kubectl apply -f -`."""

from __future__ import annotations

from collections.abc import Iterable

from genai_infra.config.environment import EnvironmentConfig
from genai_infra.kubernetes.inputs import WorkloadInputs
from genai_infra.kubernetes.workload import Manifest
from genai_infra.naming import iam_role_name

# Outside a synthesis the deploy-time values are shown as the references CloudFormation fills in.
REPOSITORY_URI_REFERENCE = "${EKSStack.EcrRepositoryUri}"
TARGET_GROUP_ARN_REFERENCE = "${EKSStack.AppTargetGroupArn}"


def render_yaml(manifests: Iterable[Manifest]) -> str:
    """One YAML document per manifest, keys in the order the manifests are built (deterministic).

    Strings such as ${AWS::AccountId} are quoted by the dumper where YAML needs it.
    """
    import yaml

    return str(yaml.safe_dump_all(list(manifests), sort_keys=False, explicit_start=True, width=1000))


def deploy_time_values(manifests: Iterable[Manifest]) -> list[tuple[str, str]]:
    """(where, value) of every value CloudFormation fills in at deploy time: the ${...} references."""
    found: list[tuple[str, str]] = []

    def walk(value: object, where: str) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(inner, f"{where}.{key}")
        elif isinstance(value, list):
            for index, inner in enumerate(value):
                walk(inner, f"{where}[{index}]")
        elif isinstance(value, str) and "${" in value:
            found.append((where, value))

    for manifest in manifests:
        walk(manifest, f"{manifest.get('kind')}/{manifest.get('metadata', {}).get('name')}")
    return found


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
