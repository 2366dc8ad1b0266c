"""The EKS cluster service role and node group role, with exactly the document's managed policies."""

from __future__ import annotations

from aws_cdk import aws_iam as iam
from constructs import Construct

from genai_infra.nag import AWS_SOLUTIONS, acknowledge

CLUSTER_POLICIES: tuple[str, ...] = ("AmazonEKSClusterPolicy",)
# Without AmazonEKS_CNI_Policy (EKS Best Practices): the VPC CNI gets it on its own IRSA role
# (EKSStack), so nothing on a node can change the VPC's network interfaces with the node's role.
NODE_POLICIES: tuple[str, ...] = (
    "AmazonEKSWorkerNodePolicy",
    "AmazonEC2ContainerRegistryReadOnly",
)


class EksServiceRoles(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, cluster_role_name: str, node_role_name: str) -> None:
        super().__init__(scope, construct_id)
        self.cluster_role = iam.Role(
            self,
            "ClusterRole",
            role_name=cluster_role_name,
            assumed_by=iam.ServicePrincipal("eks.amazonaws.com"),
            managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name(name) for name in CLUSTER_POLICIES],
            description="EKS cluster service role",
        )
        self.node_role = iam.Role(
            self,
            "NodeRole",
            role_name=node_role_name,
            assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"),
            managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name(name) for name in NODE_POLICIES],
            description="EKS managed node group role",
        )
        for role, policies in ((self.cluster_role, CLUSTER_POLICIES), (self.node_role, NODE_POLICIES)):
            acknowledge(
                role,
                f"{AWS_SOLUTIONS}-IAM4",
                "EKS requires these AWS managed policies on its cluster and node roles; the specification names them "
                "(the node role's AmazonEKS_CNI_Policy moved to the VPC CNI's own IRSA role).",
                *(f"Policy::arn:<AWS::Partition>:iam::aws:policy/{name}" for name in policies),
            )
