"""IAM roles for Kubernetes service accounts (IRSA) and the document's permission policies.

`ServiceAccountRole` trusts one cluster's OIDC provider for one namespace/service account and
audience sts.amazonaws.com, never a wildcard. The two policy builders return exactly the
permissions of the document's "Detailed Permission Configuration".
"""

from __future__ import annotations

from collections.abc import Callable

from aws_cdk import ArnFormat, CfnJson, Stack, Token
from aws_cdk import aws_iam as iam
from constructs import Construct

from genai_infra.naming import log_group_name, metric_namespace, secret_name

STS_AUDIENCE = "sts.amazonaws.com"
# The log groups the application writes (ObservabilityStack's ApplicationLogs): /aws/genai-demo/<env>/<group>.
APP_LOG_GROUPS = ("application", "audit")
APP_SERVICE_ACCOUNT = ("default", "genai-demo-app")
AUTOSCALER_SERVICE_ACCOUNT = ("kube-system", "cluster-autoscaler")
# EKS tags a managed node group's Auto Scaling group k8s.io/cluster-autoscaler/<cluster>=owned.
AUTOSCALER_OWNED_TAG_PREFIX = "k8s.io/cluster-autoscaler/"


def _in_region(region: str) -> dict[str, dict[str, str]]:
    return {"StringEquals": {"aws:RequestedRegion": region}}


def app_policy(
    stack: Stack,
    *,
    environment: str,
    kafka_cluster: str | None = None,
    database_user: tuple[str, str] | None = None,
) -> iam.PolicyDocument:
    """CloudWatch, Logs, X-Ray, Parameter Store, the Redis AUTH token and KMS (via those services only).

    With `kafka_cluster`, also the Kafka data-plane actions on that one MSK cluster: its brokers
    accept IAM-authenticated clients only, and decision C6 has the pods publish domain events.
    With `database_user` (cluster resource id, user name), `rds-db:connect` as exactly that user
    (decision S8); the master secret is never readable by the application.
    """
    region = stack.region

    def arn(service: str, resource: str, name: str) -> str:
        return stack.format_arn(
            service=service, resource=resource, resource_name=name, arn_format=ArnFormat.COLON_RESOURCE_NAME
        )

    def slash_arn(service: str, resource: str, name: str) -> str:
        return stack.format_arn(
            service=service, resource=resource, resource_name=name, arn_format=ArnFormat.SLASH_RESOURCE_NAME
        )

    statements = [
        # Decision S6: metrics only into the environment's own namespace (PutMetricData has no
        # resource-level permissions; cloudwatch:namespace is its condition key), so a pod of one
        # environment cannot publish the metric that scales another.
        iam.PolicyStatement(
            sid="CloudWatchMetricsOwnNamespace",
            actions=["cloudwatch:PutMetricData"],
            resources=["*"],
            conditions={
                "StringEquals": {"aws:RequestedRegion": region, "cloudwatch:namespace": metric_namespace(environment)}
            },
        ),
        # The reads of the document's list take neither resource ARNs nor a namespace condition.
        iam.PolicyStatement(
            sid="CloudWatchMetricReads",
            actions=["cloudwatch:GetMetricStatistics", "cloudwatch:ListMetrics"],
            resources=["*"],
            conditions=_in_region(region),
        ),
        # Decision S6: only the environment's own application and audit log groups (and their
        # streams), not the other groups of the environment, nor any other environment's.
        iam.PolicyStatement(
            sid="CloudWatchLogsOwnGroups",
            actions=["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            resources=[
                arn("logs", "log-group", name)
                for group in APP_LOG_GROUPS
                for name in (log_group_name(environment, group), f"{log_group_name(environment, group)}:*")
            ],
        ),
        iam.PolicyStatement(
            sid="XRayTracing",
            actions=[
                "xray:PutTraceSegments",
                "xray:PutTelemetryRecords",
                "xray:GetSamplingRules",
                "xray:GetSamplingTargets",
            ],
            resources=["*"],
            conditions=_in_region(region),
        ),
        iam.PolicyStatement(
            sid="ParameterStore",
            actions=["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"],
            resources=[
                slash_arn("ssm", "parameter", f"genai-demo/{environment}/*"),
                slash_arn("ssm", "parameter", "genai-demo/common/*"),
            ],
        ),
        iam.PolicyStatement(
            sid="SecretsManager",
            actions=["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
            # Only the Redis AUTH token (decision S8): Secrets Manager appends six random characters
            # to a secret's ARN. The Aurora master secret stays out of the application's reach.
            resources=[arn("secretsmanager", "secret", f"{secret_name(environment, 'redis', 'auth-token')}-??????")],
        ),
        iam.PolicyStatement(
            sid="KmsDecryptThroughServices",
            actions=["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
            resources=[slash_arn("kms", "key", "*")],
            conditions={
                "StringEquals": {
                    "kms:ViaService": [
                        f"{service}.{region}.amazonaws.com" for service in ("secretsmanager", "ssm", "logs")
                    ]
                }
            },
        ),
    ]
    if kafka_cluster is not None:
        statements.append(_kafka_statement(slash_arn, kafka_cluster))
    if database_user is not None:
        resource_id, user = database_user
        statements.append(
            iam.PolicyStatement(
                sid="DatabaseIamLogin",
                actions=["rds-db:connect"],
                resources=[arn("rds-db", "dbuser", f"{resource_id}/{user}")],
            )
        )
    return iam.PolicyDocument(statements=statements)


def _kafka_statement(slash_arn: Callable[[str, str, str], str], cluster: str) -> iam.PolicyStatement:
    # MSK ARNs end in a UUID MSK assigns (cluster/<name>/<uuid>, topic/<name>/<uuid>/<topic>).
    return iam.PolicyStatement(
        sid="KafkaOfThisCluster",
        actions=[
            "kafka-cluster:Connect",
            "kafka-cluster:DescribeCluster",
            "kafka-cluster:DescribeTopic",
            "kafka-cluster:CreateTopic",
            "kafka-cluster:WriteData",
            "kafka-cluster:ReadData",
            "kafka-cluster:DescribeGroup",
            "kafka-cluster:AlterGroup",
        ],
        resources=[
            slash_arn("kafka", "cluster", f"{cluster}/*"),
            slash_arn("kafka", "topic", f"{cluster}/*"),
            slash_arn("kafka", "group", f"{cluster}/*"),
        ],
    )


def autoscaler_policy(stack: Stack, *, cluster_name: str) -> iam.PolicyDocument:
    """Auto Scaling and EC2 reads and scaling; EKS reads of this cluster and its node groups.

    The document scopes eks:DescribeNodegroup to the cluster ARN, but that action authorizes
    against node group ARNs, so the node groups of this cluster are added or the call is denied.
    """

    def eks_arn(resource: str, name: str) -> str:
        return stack.format_arn(
            service="eks", resource=resource, resource_name=name, arn_format=ArnFormat.SLASH_RESOURCE_NAME
        )

    return iam.PolicyDocument(
        statements=[
            iam.PolicyStatement(
                sid="AutoScaling",
                actions=[
                    "autoscaling:DescribeAutoScalingGroups",
                    "autoscaling:DescribeAutoScalingInstances",
                    "autoscaling:DescribeLaunchConfigurations",
                    "autoscaling:DescribeTags",
                ],
                resources=["*"],
            ),
            # Decision S6: scaling only the Auto Scaling groups of this cluster in this region, which
            # EKS tags k8s.io/cluster-autoscaler/<cluster>=owned (every environment's cluster has its own name).
            iam.PolicyStatement(
                sid="ScaleOnlyThisClustersGroups",
                actions=["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
                resources=[
                    stack.format_arn(
                        service="autoscaling",
                        resource="autoScalingGroup",
                        resource_name="*",
                        arn_format=ArnFormat.COLON_RESOURCE_NAME,
                    )
                ],
                conditions={"StringEquals": {f"aws:ResourceTag/{AUTOSCALER_OWNED_TAG_PREFIX}{cluster_name}": "owned"}},
            ),
            iam.PolicyStatement(
                sid="Ec2",
                actions=["ec2:DescribeLaunchTemplateVersions", "ec2:DescribeInstanceTypes", "ec2:DescribeInstances"],
                resources=["*"],
            ),
            iam.PolicyStatement(
                sid="Eks",
                actions=["eks:DescribeCluster", "eks:DescribeNodegroup"],
                resources=[eks_arn("cluster", cluster_name), eks_arn("nodegroup", f"{cluster_name}/*")],
            ),
        ]
    )


class ServiceAccountRole(Construct):
    """An IAM role that exactly one Kubernetes service account of one cluster can assume."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        role_name: str,
        oidc_provider_arn: str,
        oidc_issuer: str,
        namespace: str,
        service_account: str,
        policy: iam.PolicyDocument | None = None,
        aws_managed_policies: tuple[str, ...] = (),
    ) -> None:
        super().__init__(scope, construct_id)
        issuer = oidc_issuer.removeprefix("https://")
        self.subject = f"system:serviceaccount:{namespace}:{service_account}"
        claims: dict[str, str] = {f"{issuer}:sub": self.subject, f"{issuer}:aud": STS_AUDIENCE}
        if Token.is_unresolved(issuer):
            # The issuer of a cluster made in this deployment is only known at deploy time, and a
            # condition key cannot be an intrinsic function: CfnJson resolves the keys then.
            conditions: object = CfnJson(self, "TrustConditions", value=claims)
        else:
            conditions = claims
        self.role = iam.Role(
            self,
            "Role",
            role_name=role_name,
            assumed_by=iam.FederatedPrincipal(
                oidc_provider_arn, {"StringEquals": conditions}, "sts:AssumeRoleWithWebIdentity"
            ),
            description=f"IRSA role of service account {namespace}/{service_account}",
        )
        # A controller whose permissions AWS maintains (the EBS CSI driver) gets the AWS managed policy.
        for name in aws_managed_policies:
            self.role.add_managed_policy(iam.ManagedPolicy.from_aws_managed_policy_name(name))
        self.policy = (
            iam.ManagedPolicy(
                self, "Permissions", managed_policy_name=f"{role_name}-policy", document=policy, roles=[self.role]
            )
            if policy is not None
            else None
        )
