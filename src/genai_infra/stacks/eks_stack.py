"""EKSStack: the cluster, node groups, add-ons, IRSA roles, platform charts, ECR and the ALB (phase 3).

Every value from the foundation stacks is read from SSM at deploy time: the VPC and subnets,
the security groups, the eks KMS key, the cluster and node roles and the certificate.
"""

from __future__ import annotations

from aws_cdk import CfnResource, Fn, TagManager
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from genai_infra.constructs.container_insights import ContainerInsightsLogs, ProviderLogs
from genai_infra.constructs.container_registry import AppRepository
from genai_infra.constructs.eks_cluster import GenaiCluster
from genai_infra.constructs.hosted_zone import hosted_zone
from genai_infra.constructs.irsa import (
    APP_SERVICE_ACCOUNT,
    AUTOSCALER_SERVICE_ACCOUNT,
    ServiceAccountRole,
    app_policy,
    autoscaler_policy,
)
from genai_infra.constructs.load_balancer import ApplicationEntry
from genai_infra.constructs.origin_records import DirectRecord, LoadBalancerAlias
from genai_infra.constructs.platform_charts import PlatformCharts
from genai_infra.constructs.shared_values import PublishedValues, read_value
from genai_infra.kubernetes import KEDA_CLOUDWATCH_ACTIONS, WorkloadInputs, workload_manifests
from genai_infra.kubernetes.manifests import Manifest
from genai_infra.nag import AWS_SOLUTIONS, NIST, acknowledge
from genai_infra.naming import cluster_name as cluster_name_of
from genai_infra.naming import data_resource_id, origin_verify_secret_name
from genai_infra.stacks.base import GenaiStack, TargetContext

# Objects of built-in kinds, applied before those of the KEDA and load balancer controller CRDs.
CORE_KINDS = ("ServiceAccount", "Deployment", "Service", "PodDisruptionBudget")
# The NetworkStack publishes two subnets per tier (the document's two AZs).
SUBNETS_PER_TIER = 2
# Service accounts of the AWS-maintained add-ons (fixed by the add-ons themselves).
EBS_CSI_SERVICE_ACCOUNT = ("kube-system", "ebs-csi-controller-sa")
CLOUDWATCH_AGENT_SERVICE_ACCOUNT = ("amazon-cloudwatch", "cloudwatch-agent")
# The KEDA chart's operator service account (in the chart's namespace).
KEDA_OPERATOR_SERVICE_ACCOUNT = "keda-operator"


# Wildcard resources of the AWS Load Balancer Controller's published IAM policy (v3.x).
ALB_CONTROLLER_WILDCARDS: tuple[str, ...] = (
    "*",
    "arn:<AWS::Partition>:ec2:*:*:security-group/*",
    *(
        f"arn:<AWS::Partition>:elasticloadbalancing:*:*:{kind}/{lb_type}/{path}"
        for kind, path in (("loadbalancer", "*/*"), ("listener", "*/*/*"), ("listener-rule", "*/*/*"))
        for lb_type in ("app", "net")
    ),
    "arn:<AWS::Partition>:elasticloadbalancing:*:*:targetgroup/*/*",
)


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
        "Resource::" + prefix.format(service="logs") + "log-group:/aws/genai-demo/*",
        "Resource::" + prefix.format(service="ssm") + f"parameter/genai-demo/{environment}/*",
        "Resource::" + prefix.format(service="ssm") + "parameter/genai-demo/common/*",
        "Resource::" + prefix.format(service="secretsmanager") + f"secret:genai-demo/{environment}/*",
        "Resource::" + prefix.format(service="kms") + "key/*",
    )


class EKSStack(GenaiStack):
    def __init__(self, scope: Construct, stack_id: str, *, target: TargetContext) -> None:
        super().__init__(scope, stack_id, target=target, description="EKS cluster, node groups, add-ons, ECR, ALB")
        environment = target.environment.name
        region_config = target.environment.regions[target.region]
        config = region_config.eks
        tags = target.project.tags
        # The cost section's required tags, for what the app-wide Tags aspect cannot reach.
        required_tags = {
            "Environment": environment,
            "Project": tags.project,
            "Owner": tags.owner,
            "CostCenter": tags.cost_center,
            "ManagedBy": tags.managed_by,
        }

        def value(key: str) -> str:
            return read_value(self, environment=environment, key=key)

        def subnets(tier: str) -> list[str]:
            return Fn.split(",", value(f"network/{tier}-subnet-ids"), SUBNETS_PER_TIER)

        self.vpc = ec2.Vpc.from_vpc_attributes(
            self,
            "Vpc",
            vpc_id=value("network/vpc-id"),
            availability_zones=list(region_config.network.availability_zones[:SUBNETS_PER_TIER]),
            public_subnet_ids=subnets("public"),
            private_subnet_ids=subnets("private"),
        )

        def security_group(construct_id: str, key: str) -> ec2.ISecurityGroup:
            return ec2.SecurityGroup.from_security_group_id(
                self, construct_id, value(key), mutable=False, allow_all_outbound=False
            )

        eks_key = kms.Key.from_key_arn(self, "EksKey", value("kms/eks-key-arn"))
        # Imported mutable so that the KMS grant below attaches to the SecurityStack's role.
        cluster_role = iam.Role.from_role_arn(self, "ClusterRole", value("iam/eks-cluster-role-arn"))
        node_role = iam.Role.from_role_arn(self, "NodeRole", value("iam/eks-node-role-arn"), mutable=False)
        secrets_encryption = iam.ManagedPolicy(
            self,
            "ClusterSecretsEncryption",
            managed_policy_name=f"{target.role_name('eks-cluster')}-secrets-encryption",
            roles=[cluster_role],
            statements=[
                # EKS envelope-encrypts Kubernetes secrets with the eks key through a grant it
                # creates with the cluster role; AmazonEKSClusterPolicy has no KMS permissions.
                iam.PolicyStatement(
                    actions=["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"], resources=[eks_key.key_arn]
                ),
                iam.PolicyStatement(
                    actions=["kms:CreateGrant"],
                    resources=[eks_key.key_arn],
                    conditions={"Bool": {"kms:GrantIsForAWSResource": "true"}},
                ),
            ],
        )

        self.cluster_name = cluster_name_of(environment)
        self.compute = GenaiCluster(
            self,
            "Eks",
            cluster_name=self.cluster_name,
            config=config,
            vpc=self.vpc,
            cluster_role=cluster_role,
            node_role=node_role,
            secrets_key=eks_key,
            logs_key=kms.Key.from_key_arn(self, "LogsKey", value("kms/logs-key-arn")),
            log_retention_days=target.environment.audit_log_retention_days,
            node_security_groups=(security_group("AppSecurityGroup", "network/app-security-group-id"),),
            instance_tags=required_tags,
            removal_policy=target.stateful_removal_policy,
        )
        self.cluster = self.compute.cluster
        # The cluster is created with the role's KMS permissions in place, not concurrently with them.
        cfn_cluster, cfn_policy = self.cluster.node.default_child, secrets_encryption.node.default_child
        assert isinstance(cfn_cluster, CfnResource)
        assert isinstance(cfn_policy, CfnResource)
        cfn_cluster.add_resource_dependency(cfn_policy)
        for subnet in (*self.vpc.public_subnets, *self.vpc.private_subnets):
            acknowledge(
                subnet,
                "Annotation::@aws-cdk/aws-ec2:noSubnetRouteTableId",
                "Subnets are imported by id from the NetworkStack; nothing in this stack reads their route tables.",
            )

        def irsa(
            construct_id: str,
            purpose: str,
            account: tuple[str, str],
            *,
            policy: iam.PolicyDocument | None = None,
            aws_managed_policies: tuple[str, ...] = (),
        ) -> ServiceAccountRole:
            namespace, name = account
            return ServiceAccountRole(
                self,
                construct_id,
                role_name=target.role_name(purpose),
                oidc_provider_arn=self.compute.oidc_provider_arn,
                oidc_issuer=self.compute.oidc_issuer,
                namespace=namespace,
                service_account=name,
                policy=policy,
                aws_managed_policies=aws_managed_policies,
            )

        self.app_irsa = irsa(
            "AppRole",
            "app",
            APP_SERVICE_ACCOUNT,
            policy=app_policy(
                self,
                environment=environment,
                # Kafka data-plane actions only where the environment runs MSK (decision C12).
                kafka_cluster=kafka_cluster_name(target) if target.environment.has("MSKStack") else None,
            ),
        )
        self.app_role = self.app_irsa.role
        self.autoscaler_irsa = irsa(
            "AutoscalerRole",
            "autoscaler",
            AUTOSCALER_SERVICE_ACCOUNT,
            policy=autoscaler_policy(self, cluster_name=self.cluster_name),
        )
        self.ebs_csi_irsa = irsa(
            "EbsCsiRole",
            "ebs-csi",
            EBS_CSI_SERVICE_ACCOUNT,
            aws_managed_policies=("service-role/AmazonEBSCSIDriverPolicy",),
        )
        self.cloudwatch_irsa = irsa(
            "CloudWatchAgentRole",
            "cloudwatch-agent",
            CLOUDWATCH_AGENT_SERVICE_ACCOUNT,
            aws_managed_policies=("CloudWatchAgentServerPolicy", "AWSXrayWriteOnlyAccess"),
        )
        # KEDA's operator reads the thread-pool metric with its own role (TriggerAuthentication
        # identityOwner keda); the application role does not grant metric reads.
        self.keda_irsa = irsa(
            "KedaOperatorRole",
            "keda",
            (config.charts.keda.namespace, KEDA_OPERATOR_SERVICE_ACCOUNT),
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
        acknowledge(
            self.keda_irsa.policy or self.keda_irsa,
            f"{AWS_SOLUTIONS}-IAM5",
            "cloudwatch:GetMetricData has no resource-level permissions; the policy only reads metrics in this region.",
            "Resource::*",
        )
        self._acknowledge_irsa_permissions(target)
        self.addons = self.compute.add_managed_addons(
            service_account_roles={
                "aws-ebs-csi-driver": self.ebs_csi_irsa.role.role_arn,
                "amazon-cloudwatch-observability": self.cloudwatch_irsa.role.role_arn,
            }
        )
        # The add-on's log groups exist, with retention, before its agents write to them.
        logs_key = kms.Key.from_key_arn(self, "ContainerLogsKey", value("kms/logs-key-arn"))
        self.container_insights = ContainerInsightsLogs(
            self,
            "ContainerInsightsLogs",
            cluster_name=self.cluster_name,
            key=logs_key,
            retention_days=target.environment.log_retention_days,
            removal_policy=target.stateful_removal_policy,
        )
        self.addons["amazon-cloudwatch-observability"].node.add_dependency(self.container_insights)
        self.platform = PlatformCharts(
            self,
            "Platform",
            cluster=self.cluster,
            charts=config.charts,
            autoscaler=config.autoscaler,
            autoscaler_role_arn=self.autoscaler_irsa.role.role_arn,
            keda_role_arn=self.keda_irsa.role.role_arn,
        )
        self._order_installation()

        self.registry = AppRepository(
            self,
            "Registry",
            repository_name=f"{target.project.project}/{environment}/genai-demo-app",
            config=config.registry,
            key=eks_key,
            removal_policy=target.stateful_removal_policy,
        )
        self.repository = self.registry.repository

        self.entry = ApplicationEntry(
            self,
            "Alb",
            name_prefix=target.name_prefix,
            config=config.load_balancer,
            vpc=self.vpc,
            security_group=security_group("AlbSecurityGroup", "network/alb-security-group-id"),
            certificate_arn=value("certificate/arn"),
            origin_verify_secret_name=origin_verify_secret_name(environment)
            if target.environment.stacks.edge
            else None,
            deletion_protection=target.environment.retain_stateful_resources,
            removal_policy=target.stateful_removal_policy,
        )
        self.load_balancer = self.entry.load_balancer
        self.target_group = self.entry.target_group

        self.workload = self._deploy_workload(target)
        self.app_record: DirectRecord | None = None
        if not target.environment.stacks.edge:
            # Without CloudFront the environment answers at its own name, straight from the ALB (C12).
            self.app_record = DirectRecord(
                self,
                "AppRecord",
                zone=hosted_zone(self, "Zone", dns=target.project.dns),
                domain=target.environment.domain,
                alb=LoadBalancerAlias(
                    dns_name=self.load_balancer.load_balancer_dns_name,
                    hosted_zone_id=self.load_balancer.load_balancer_canonical_hosted_zone_id,
                ),
            )

        PublishedValues(
            self,
            "Published",
            environment=environment,
            values={
                "eks/cluster-name": self.cluster.cluster_name,
                "iam/app-role-arn": self.app_role.role_arn,
                "ecr/app-repository-uri": self.repository.repository_uri,
                "alb/arn": self.load_balancer.load_balancer_arn,
                "alb/dns-name": self.load_balancer.load_balancer_dns_name,
                "alb/canonical-hosted-zone-id": self.load_balancer.load_balancer_canonical_hosted_zone_id,
                "alb/target-group-arn": self.target_group.target_group_arn,
                # The LoadBalancer and TargetGroup dimensions of the ALB alarms (app/..., targetgroup/...).
                "alb/full-name": self.load_balancer.load_balancer_full_name,
                "alb/target-group-full-name": self.target_group.target_group_full_name,
            },
        )
        # Last, so that it finds every CfnJson resource of the stack.
        self.provider_logs = ProviderLogs(
            self,
            "ProviderLogs",
            cluster=self.cluster,
            key=logs_key,
            retention_days=target.environment.log_retention_days,
            removal_policy=target.stateful_removal_policy,
        )
        self._drop_implied_role_dependencies()
        self._tag_untyped_resources(required_tags)
        if not target.environment.retain_stateful_resources:
            acknowledge(
                self.load_balancer,
                f"{NIST}-ELBDeletionProtectionEnabled",
                "Deletion protection is on in production; non-production environments are destroyed freely "
                "(decision S5).",
            )
        acknowledge(
            self.entry.http,
            f"{NIST}-ELBv2ACMCertificateRequired",
            "The HTTP listener only answers with a permanent redirect to HTTPS; the HTTPS listener uses the "
            "CertificateStack's ACM certificate.",
        )

    def _deploy_workload(self, target: TargetContext) -> list[Manifest]:
        """The application's manifests (genai_infra.kubernetes), bound to this stack's role, image and ALB.

        The ServiceAccount, Deployment, Service and PodDisruptionBudget go first; the KEDA and
        TargetGroupBinding objects wait for the charts that install their CRDs.
        """
        manifests = workload_manifests(
            WorkloadInputs.of(
                target.environment,
                region=target.region,
                image_repository_uri=self.repository.repository_uri,
                app_role_arn=self.app_role.role_arn,
                target_group_arn=self.target_group.target_group_arn,
            )
        )
        split = len(CORE_KINDS)
        assert [m["kind"] for m in manifests[:split]] == list(CORE_KINDS), "manifest order changed"
        core = self.cluster.add_manifest("AppWorkload", *manifests[:split])
        extensions = self.cluster.add_manifest("AppScalingAndTraffic", *manifests[split:])
        extensions.node.add_dependency(core)
        controller = self.cluster.alb_controller
        assert controller is not None
        extensions.node.add_dependency(controller)
        extensions.node.add_dependency(self.platform.charts["keda"])
        return manifests

    def _order_installation(self) -> None:
        """Node groups, then the managed add-ons, then the load balancer controller, then the charts.

        Helm waits for each release's pods, which need nodes with a working CNI; and the controller's
        webhook intercepts every Service created after it, so charts that create Services wait for
        the controller to be ready instead of racing its webhook.
        """
        controller = self.cluster.alb_controller
        assert controller is not None, "the cluster installs the AWS Load Balancer Controller"
        for addon in self.addons.values():
            controller.node.add_dependency(addon)
        for chart in self.platform.charts.values():
            chart.node.add_dependency(controller)

    def _tag_untyped_resources(self, tags: dict[str, str]) -> None:
        """Tag the resources aws-cdk-lib writes as untyped CfnResource, which `Tags.of` cannot reach.

        These are the kubectl-ready barrier parameter of aws_eks_v2 and the role and function of the
        CDK provider behind CfnJson; the cost section requires the five tags on every resource.
        """
        for construct in self.node.find_all():
            if not isinstance(construct, CfnResource) or TagManager.is_taggable(construct):
                continue
            kind = construct.cfn_resource_type
            if kind == "AWS::SSM::Parameter":
                construct.add_property_override("Tags", dict(sorted(tags.items())))
            elif kind in ("AWS::IAM::Role", "AWS::Lambda::Function"):
                construct.add_property_override("Tags", [{"Key": k, "Value": v} for k, v in sorted(tags.items())])

    def _drop_implied_role_dependencies(self) -> None:
        """Remove the explicit DependsOn of CDK-generated functions on their own execution role.

        The function's Role property (GetAtt) already orders them, and cfn-lint flags the duplicate
        (W3005); the dependencies on the roles' policies stay.
        """
        for construct in self.node.find_all():
            if isinstance(construct, CfnResource) and construct.cfn_resource_type == "AWS::Lambda::Function":
                for dependency in construct.obtain_dependencies():
                    if isinstance(dependency, CfnResource) and dependency.cfn_resource_type == "AWS::IAM::Role":
                        construct.remove_resource_dependency(dependency)

    def _acknowledge_irsa_permissions(self, target: TargetContext) -> None:
        acknowledge(
            self.app_irsa.policy or self.app_irsa,
            f"{AWS_SOLUTIONS}-IAM5",
            "Exactly the application role permissions of the specification: CloudWatch metrics and X-Ray "
            "(no resource-level permissions, limited to this region), log groups under /aws/genai-demo/, "
            "parameters under /genai-demo/<env>/ and /genai-demo/common/, secrets under genai-demo/<env>/, "
            "and KMS keys only when called through Secrets Manager, SSM or CloudWatch Logs; plus Kafka data-plane "
            "actions on this region's MSK cluster, whose ARNs end in an id MSK assigns.",
            *app_policy_wildcards(target),
        )
        acknowledge(
            self.autoscaler_irsa.policy or self.autoscaler_irsa,
            f"{AWS_SOLUTIONS}-IAM5",
            "Exactly the cluster autoscaler permissions of the specification: the Auto Scaling and EC2 describe "
            "and scaling calls have no resource-level scoping for discovery, and eks:DescribeNodegroup is "
            "limited to this cluster's node groups.",
            "Resource::*",
            f"Resource::arn:aws:eks:{target.region}:<AWS::AccountId>:nodegroup/{self.cluster_name}/*",
        )
        for irsa, policies in (
            (self.ebs_csi_irsa, ("service-role/AmazonEBSCSIDriverPolicy",)),
            (self.cloudwatch_irsa, ("CloudWatchAgentServerPolicy", "AWSXrayWriteOnlyAccess")),
        ):
            acknowledge(
                irsa.role,
                f"{AWS_SOLUTIONS}-IAM4",
                "AWS maintains these policies together with its EKS add-on (EBS CSI driver, CloudWatch agent); "
                "the role is assumable only by the add-on's own service account of this cluster.",
                *(f"Policy::arn:<AWS::Partition>:iam::aws:policy/{name}" for name in policies),
            )
        controller = self.cluster.alb_controller
        if controller is not None:
            acknowledge(
                controller,
                f"{AWS_SOLUTIONS}-IAM5",
                "The AWS Load Balancer Controller's IAM policy as AWS publishes it for this controller version "
                "(shipped with aws-cdk-lib); it creates and tags load balancer resources whose names it cannot "
                "know in advance, and its mutating calls are conditioned on the elbv2.k8s.aws/cluster tag.",
                *(f"Resource::{resource}" for resource in ALB_CONTROLLER_WILDCARDS),
            )
            acknowledge(
                controller,
                f"{NIST}-IAMNoInlinePolicy",
                "aws-cdk-lib attaches the controller's published policy inline to the controller's own IRSA role, "
                "which nothing else uses.",
            )
