"""What the manifests need from the cluster side, as one frozen value."""

from __future__ import annotations

import re
from dataclasses import dataclass

from genai_infra.config.environment import EnvironmentConfig
from genai_infra.config.workload import WorkloadConfig

# A concrete region name; the region is known per target at synthesis, never a token here.
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")


@dataclass(frozen=True, kw_only=True)
class WorkloadInputs:
    """Inputs of the workload manifests.

    `image_uri`, `app_role_arn` and `target_group_arn` may be CloudFormation tokens at synthesis
    (the ECR repository URI, the IRSA role and the ALB target group of the EKS stack); they are
    copied into the manifests as they are, so CloudFormation resolves them at deploy time.
    """

    environment: str
    spring_profile: str
    region: str
    image_uri: str
    app_role_arn: str
    target_group_arn: str
    workload: WorkloadConfig
    # The share of requests the application traces (observability.xray_sampling_rate).
    trace_sampling_rate: float

    def __post_init__(self) -> None:
        for field in ("environment", "spring_profile", "image_uri", "app_role_arn", "target_group_arn"):
            if not getattr(self, field):
                raise ValueError(f"WorkloadInputs.{field} is empty; pass the value the EKS stack built")
        if not _REGION.match(self.region):
            raise ValueError(f"WorkloadInputs.region {self.region!r} is not an AWS region name such as ap-east-2")
        if not 0 < self.trace_sampling_rate <= 1:
            raise ValueError(f"WorkloadInputs.trace_sampling_rate {self.trace_sampling_rate} is not in (0, 1]")

    @classmethod
    def of(
        cls,
        environment: EnvironmentConfig,
        *,
        region: str,
        image_repository_uri: str,
        app_role_arn: str,
        target_group_arn: str,
    ) -> WorkloadInputs:
        """The inputs of one environment's region; the image is the repository URI plus the configured tag."""
        return cls(
            environment=environment.name,
            spring_profile=environment.spring_profile,
            region=region,
            image_uri=f"{image_repository_uri}:{environment.workload.image_tag}",
            app_role_arn=app_role_arn,
            target_group_arn=target_group_arn,
            workload=environment.workload,
            trace_sampling_rate=environment.observability.xray_sampling_rate,
        )
