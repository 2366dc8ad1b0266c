"""SecurityStack: KMS keys for data at rest and the EKS service roles (phase 1)."""

from __future__ import annotations

from constructs import Construct

from genai_infra.constructs.eks_roles import EksServiceRoles
from genai_infra.constructs.kms_keys import KEY_PURPOSES, DataKeys
from genai_infra.constructs.origin_verify import OriginVerifySecret
from genai_infra.constructs.shared_values import PublishedValues
from genai_infra.stacks.base import GenaiStack, TargetContext


class SecurityStack(GenaiStack):
    def __init__(self, scope: Construct, stack_id: str, *, target: TargetContext) -> None:
        super().__init__(scope, stack_id, target=target, description="KMS keys and IAM roles")
        environment = target.environment.name
        services = {"elasticache": "ElastiCacheStack", "msk": "MSKStack"}
        self.keys = DataKeys(
            self,
            "Keys",
            environment=environment,
            removal_policy=target.stateful_removal_policy,
            # Keys only for the data services the environment runs (decision C12).
            purposes=tuple(p for p in KEY_PURPOSES if p not in services or target.environment.has(services[p])),
        )
        self.roles = EksServiceRoles(
            self,
            "EksRoles",
            cluster_role_name=target.role_name("eks-cluster"),
            node_role_name=target.role_name("eks-node"),
        )
        self.origin_verify: OriginVerifySecret | None = None
        # One secret per environment, created in the primary region and replicated to the others.
        # Only CloudFront sends it: without the edge (decision C12) there is no secret to keep.
        if target.region == target.environment.primary_region and target.environment.stacks.edge:
            self.origin_verify = OriginVerifySecret(
                self,
                "OriginVerify",
                environment=environment,
                encryption_key=self.keys.keys["secrets"],
                replica_regions=tuple(r for r in target.environment.target_regions if r != target.region),
                removal_policy=target.stateful_removal_policy,
            )
        PublishedValues(
            self,
            "Published",
            environment=environment,
            values={
                **{f"kms/{purpose}-key-arn": key.key_arn for purpose, key in self.keys.keys.items()},
                "iam/eks-cluster-role-arn": self.roles.cluster_role.role_arn,
                "iam/eks-node-role-arn": self.roles.node_role.role_arn,
            },
        )
