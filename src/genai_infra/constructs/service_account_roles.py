"""The IRSA roles of the cluster's service accounts: the application, the cluster autoscaler, KEDA's
operator and the three AWS-maintained add-ons (VPC CNI, EBS CSI driver, CloudWatch agent).

Each role trusts exactly one service account of this cluster (`irsa.ServiceAccountRole`); the
application and autoscaler roles carry the specification's policies (`irsa.app_policy`,
`irsa.autoscaler_policy`), the add-ons' roles the policies AWS maintains with each add-on.
"""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from constructs import Construct

from genai_infra.constructs.eks_cluster import GenaiCluster
from genai_infra.constructs.irsa import (
    APP_LOG_GROUPS,
    APP_SERVICE_ACCOUNT,
    AUTOSCALER_SERVICE_ACCOUNT,
    ServiceAccountRole,
    app_policy,
    autoscaler_policy,
)
from genai_infra.kubernetes import KEDA_CLOUDWATCH_ACTIONS
from genai_infra.nag import AWS_SOLUTIONS, acknowledge
from genai_infra.naming import APP_DATABASE_USER, data_resource_id
from genai_infra.target_context import TargetContext

# Service accounts of the AWS-maintained add-ons (fixed by the add-ons themselves).
EBS_CSI_SERVICE_ACCOUNT = ("kube-system", "ebs-csi-controller-sa")
VPC_CNI_SERVICE_ACCOUNT = ("kube-system", "aws-node")
CLOUDWATCH_AGENT_SERVICE_ACCOUNT = ("amazon-cloudwatch", "cloudwatch-agent")
# The KEDA chart's operator service account (in the chart's namespace).
KEDA_OPERATOR_SERVICE_ACCOUNT = "keda-operator"
# The AWS managed policies of each add-on's role, which AWS updates together with the add-on.
VPC_CNI_POLICIES = ("AmazonEKS_CNI_Policy",)
EBS_CSI_POLICIES = ("service-role/AmazonEBSCSIDriverPolicy",)
CLOUDWATCH_AGENT_POLICIES = ("CloudWatchAgentServerPolicy", "AWSXrayWriteOnlyAccess")


def kafka_cluster_name(target: TargetContext) -> str:
    """The MSK cluster of this region, named as the MSKStack names it."""
    return data_resource_id(target.environment.name, target.region, target.environment.primary_region, "msk")


def app_policy_wildcards(target: TargetContext) -> tuple[str, ...]:
    """The wildcard resources of the specification's application policy, as cdk-nag names them."""
    prefix = f"arn:aws:{{service}}:{target.region}:<AWS::AccountId>:"
    environment = target.environment.name
    kafka = kafka_cluster_name(target)
    return (
        *(
            "Resource::" + prefix.format(service="kafka") + f"{kind}/{kafka}/*"
            for kind in ("cluster", "topic", "group")
            if target.environment.has("MSKStack")
        ),
        "Resource::*",
        *(
            "Resource::" + prefix.format(service="logs") + f"log-group:/aws/genai-demo/{environment}/{group}:*"
            for group in APP_LOG_GROUPS
        ),
        "Resource::" + prefix.format(service="ssm") + f"parameter/genai-demo/{environment}/*",
        "Resource::" + prefix.format(service="ssm") + "parameter/genai-demo/common/*",
        "Resource::" + prefix.format(service="kms") + "key/*",
    )


class ServiceAccountRoles:
    """The six IRSA roles of one cluster, built directly in `scope`.

    Not a construct of its own on purpose: each role is a child of `scope` (the EKSStack) under the
    id it always had (AppRole, AutoscalerRole, ...), so the roles' logical ids stay those of the
    deployed stacks; under a new parent CloudFormation would replace every role, and replacing a
    role with a fixed name fails.
    """

    def __init__(
        self, scope: Construct, *, target: TargetContext, compute: GenaiCluster, database_resource_id: str
    ) -> None:
        self._scope = scope
        self._target = target
        self._compute = compute
        stack = Stack.of(scope)
        self.app = self._role(
            "AppRole",
            "app",
            APP_SERVICE_ACCOUNT,
            policy=app_policy(
                stack,
                environment=target.environment.name,
                # Kafka data-plane actions only where the environment runs MSK (decision C12).
                kafka_cluster=kafka_cluster_name(target) if target.environment.has("MSKStack") else None,
                database_user=(database_resource_id, APP_DATABASE_USER),
            ),
        )
        self.autoscaler = self._role(
            "AutoscalerRole",
            "autoscaler",
            AUTOSCALER_SERVICE_ACCOUNT,
            policy=autoscaler_policy(stack, cluster_name=compute.cluster_name),
        )
        self.ebs_csi = self._role("EbsCsiRole", "ebs-csi", EBS_CSI_SERVICE_ACCOUNT, aws_managed=EBS_CSI_POLICIES)
        # The VPC CNI assigns pod IPs with its own role, not the node role's (EKS Best Practices).
        self.vpc_cni = self._role("VpcCniRole", "vpc-cni", VPC_CNI_SERVICE_ACCOUNT, aws_managed=VPC_CNI_POLICIES)
        self.cloudwatch_agent = self._role(
            "CloudWatchAgentRole",
            "cloudwatch-agent",
            CLOUDWATCH_AGENT_SERVICE_ACCOUNT,
            aws_managed=CLOUDWATCH_AGENT_POLICIES,
        )
        # KEDA's operator reads the thread-pool metric with its own role (TriggerAuthentication
        # identityOwner keda); the application role does not grant metric reads.
        self.keda = self._role(
            "KedaOperatorRole",
            "keda",
            (compute.config.charts.keda.namespace, KEDA_OPERATOR_SERVICE_ACCOUNT),
            policy=iam.PolicyDocument(
                statements=[
                    iam.PolicyStatement(
                        sid="ReadScalingMetrics",
                        actions=list(KEDA_CLOUDWATCH_ACTIONS),
                        resources=["*"],
                        conditions={"StringEquals": {"aws:RequestedRegion": target.region}},
                    )
                ]
            ),
        )
        self._acknowledge_permissions()

    @property
    def addon_role_arns(self) -> dict[str, str]:
        """The role of each managed add-on that runs with its own service account role."""
        return {
            "vpc-cni": self.vpc_cni.role.role_arn,
            "aws-ebs-csi-driver": self.ebs_csi.role.role_arn,
            "amazon-cloudwatch-observability": self.cloudwatch_agent.role.role_arn,
        }

    def _role(
        self,
        construct_id: str,
        purpose: str,
        account: tuple[str, str],
        *,
        policy: iam.PolicyDocument | None = None,
        aws_managed: tuple[str, ...] = (),
    ) -> ServiceAccountRole:
        namespace, name = account
        return ServiceAccountRole(
            self._scope,
            construct_id,
            role_name=self._target.role_name(purpose),
            oidc_provider_arn=self._compute.oidc_provider_arn,
            oidc_issuer=self._compute.oidc_issuer,
            namespace=namespace,
            service_account=name,
            policy=policy,
            aws_managed_policies=aws_managed,
        )

    def _acknowledge_permissions(self) -> None:
        region, cluster_name = self._target.region, self._compute.cluster_name
        acknowledge(
            self.keda.policy or self.keda,
            f"{AWS_SOLUTIONS}-IAM5",
            "cloudwatch:GetMetricData has no resource-level permissions; the policy only reads metrics in this region.",
            "Resource::*",
        )
        acknowledge(
            self.app.policy or self.app,
            f"{AWS_SOLUTIONS}-IAM5",
            "Exactly the application role permissions of the specification: CloudWatch metrics and X-Ray "
            "(no resource-level permissions, limited to this region, PutMetricData to the environment's own "
            "namespace), the streams of the environment's own application and audit log groups, "
            "parameters under /genai-demo/<env>/ and /genai-demo/common/, "
            "and KMS keys only when called through Secrets Manager, SSM or CloudWatch Logs; plus Kafka data-plane "
            "actions on this region's MSK cluster, whose ARNs end in an id MSK assigns.",
            *app_policy_wildcards(self._target),
        )
        acknowledge(
            self.autoscaler.policy or self.autoscaler,
            f"{AWS_SOLUTIONS}-IAM5",
            "Exactly the cluster autoscaler permissions of the specification: the Auto Scaling and EC2 describe "
            "calls have no resource-level scoping for discovery; the scaling calls are limited to this region's "
            "Auto Scaling groups tagged as owned by this cluster (group ARNs hold an id AWS assigns), and "
            "eks:DescribeNodegroup to this cluster's node groups.",
            "Resource::*",
            f"Resource::arn:aws:autoscaling:{region}:<AWS::AccountId>:autoScalingGroup:*",
            f"Resource::arn:aws:eks:{region}:<AWS::AccountId>:nodegroup/{cluster_name}/*",
        )
        for addon_role, policies in (
            (self.vpc_cni, VPC_CNI_POLICIES),
            (self.ebs_csi, EBS_CSI_POLICIES),
            (self.cloudwatch_agent, CLOUDWATCH_AGENT_POLICIES),
        ):
            acknowledge(
                addon_role.role,
                f"{AWS_SOLUTIONS}-IAM4",
                "AWS maintains these policies together with its EKS add-on (VPC CNI, EBS CSI driver, CloudWatch "
                "agent); the role is assumable only by the add-on's own service account of this cluster.",
                *(f"Policy::arn:<AWS::Partition>:iam::aws:policy/{name}" for name in policies),
            )
