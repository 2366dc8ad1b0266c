"""EKSStack: the cluster, node groups, add-ons, IRSA roles, platform charts, ECR and the ALB (phase 3).

Every value from the foundation stacks is read from SSM at deploy time: the VPC and subnets,
the security groups, the eks KMS key, the cluster and node roles and the certificate.

Each capability is a construct (genai_infra.constructs); this stack reads the foundation's values,
hands them to the constructs in the order they are built, and publishes what later stacks read.
That order is also the order of the template, so it stays as it is.
"""

from __future__ import annotations

from aws_cdk import Fn
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from genai_infra.constructs.app_workload import AppWorkload
from genai_infra.constructs.container_insights import ContainerInsightsLogs, ProviderLogs
from genai_infra.constructs.container_registry import AppRepository
from genai_infra.constructs.eks_cluster import GenaiCluster, secrets_encryption_policy
from genai_infra.constructs.generated_resources import drop_implied_role_dependencies, tag_untyped_resources
from genai_infra.constructs.hosted_zone import hosted_zone
from genai_infra.constructs.load_balancer import ApplicationEntry
from genai_infra.constructs.operator_access import OperatorAccess
from genai_infra.constructs.origin_records import DirectRecord, LoadBalancerAlias
from genai_infra.constructs.platform_charts import PlatformCharts
from genai_infra.constructs.service_account_roles import ServiceAccountRoles
from genai_infra.constructs.shared_values import PublishedValues, read_value
from genai_infra.kubernetes import WorkloadInputs
from genai_infra.nag import acknowledge
from genai_infra.naming import cluster_name as cluster_name_of
from genai_infra.naming import health_check_token_secret_name, origin_verify_secret_name
from genai_infra.stacks.base import GenaiStack, TargetContext

# The NetworkStack publishes two subnets per tier (the document's two AZs).
SUBNETS_PER_TIER = 2


def required_tags(target: TargetContext) -> dict[str, str]:
    """The cost section's required tags, for what the app-wide Tags aspect cannot reach."""
    tags = target.project.tags
    return {
        "Environment": target.environment.name,
        "Project": tags.project,
        "Owner": tags.owner,
        "CostCenter": tags.cost_center,
        "ManagedBy": tags.managed_by,
    }


class EKSStack(GenaiStack):
    def __init__(self, scope: Construct, stack_id: str, *, target: TargetContext) -> None:
        super().__init__(scope, stack_id, target=target, description="EKS cluster, node groups, add-ons, ECR, ALB")
        environment = target.environment.name
        config = target.environment.regions[target.region].eks
        tags = required_tags(target)

        # The foundation: network, keys and the SecurityStack's cluster and node roles.
        self.vpc = self._imported_vpc()
        eks_key = kms.Key.from_key_arn(self, "EksKey", self._value("kms/eks-key-arn"))
        # Imported mutable so that the secrets encryption policy attaches to the SecurityStack's role.
        cluster_role = iam.Role.from_role_arn(self, "ClusterRole", self._value("iam/eks-cluster-role-arn"))
        node_role = iam.Role.from_role_arn(self, "NodeRole", self._value("iam/eks-node-role-arn"), mutable=False)
        secrets_encryption = secrets_encryption_policy(
            self,
            policy_name=f"{target.role_name('eks-cluster')}-secrets-encryption",
            cluster_role=cluster_role,
            key=eks_key,
        )

        # The cluster, its node groups and the load balancer controller.
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
            secrets_encryption=secrets_encryption,
            logs_key=kms.Key.from_key_arn(self, "LogsKey", self._value("kms/logs-key-arn")),
            log_retention_days=target.environment.audit_log_retention_days,
            node_security_groups=(self._security_group("AppSecurityGroup", "network/app-security-group-id"),),
            instance_tags=tags,
            removal_policy=target.stateful_removal_policy,
        )
        self.cluster = self.compute.cluster

        # The IRSA roles, then the add-ons and charts that run with them.
        self.service_account_roles = ServiceAccountRoles(
            self,
            target=target,
            compute=self.compute,
            database_resource_id=self._value("aurora/cluster-resource-id"),
        )
        self.app_role = self.service_account_roles.app.role
        self.addons = self.compute.add_managed_addons(service_account_roles=self.service_account_roles.addon_role_arns)
        # The add-on's log groups exist, with retention, before its agents write to them.
        logs_key = kms.Key.from_key_arn(self, "ContainerLogsKey", self._value("kms/logs-key-arn"))
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
            compute=self.compute,
            autoscaler_role_arn=self.service_account_roles.autoscaler.role.role_arn,
            keda_role_arn=self.service_account_roles.keda.role.role_arn,
        )

        # The application: its image repository, its load balancer and its Kubernetes objects.
        self.registry = AppRepository(
            self,
            "Registry",
            repository_name=f"{target.project.project}/{environment}/genai-demo-app",
            config=config.registry,
            key=eks_key,
            removal_policy=target.stateful_removal_policy,
        )
        self.repository = self.registry.repository
        # Only CloudFront sends the origin header; without the edge (C12) the ALB serves directly.
        behind_cloudfront = target.environment.stacks.edge
        self.entry = ApplicationEntry(
            self,
            "Alb",
            name_prefix=target.name_prefix,
            config=config.load_balancer,
            vpc=self.vpc,
            security_group=self._security_group("AlbSecurityGroup", "network/alb-security-group-id"),
            certificate_arn=self._value("certificate/arn"),
            origin_verify_secret_name=origin_verify_secret_name(environment) if behind_cloudfront else None,
            health_check_token_secret_name=health_check_token_secret_name(environment) if behind_cloudfront else None,
            deletion_protection=target.environment.retain_stateful_resources,
            removal_policy=target.stateful_removal_policy,
        )
        self.load_balancer = self.entry.load_balancer
        self.target_group = self.entry.target_group
        self.workload = AppWorkload(
            compute=self.compute,
            platform=self.platform,
            inputs=WorkloadInputs.of(
                target.environment,
                region=target.region,
                image_repository_uri=self.repository.repository_uri,
                app_role_arn=self.app_role.role_arn,
                target_group_arn=self.target_group.target_group_arn,
            ),
        )
        self.app_record: DirectRecord | None = None
        if not behind_cloudfront:
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

        # Decision S7: a Session Manager path to the private endpoint, where configured.
        operator_values: dict[str, str] = {}
        if target.environment.operator_access.session_manager:
            self.operator_access = OperatorAccess(
                self,
                "OperatorAccess",
                name_prefix=target.name_prefix,
                vpc=self.vpc,
                control_plane=self.compute.control_plane_security_group,
            )
            operator_values = {"eks/operator-access-instance-id": self.operator_access.instance.instance_id}

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
                **operator_values,
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
        drop_implied_role_dependencies(self)
        tag_untyped_resources(self, tags)

    def _value(self, key: str) -> str:
        """A value a foundation stack published, read from SSM when this stack deploys."""
        return read_value(self, environment=self.target.environment.name, key=key)

    def _imported_vpc(self) -> ec2.IVpc:
        region_config = self.target.environment.regions[self.target.region]
        vpc = ec2.Vpc.from_vpc_attributes(
            self,
            "Vpc",
            vpc_id=self._value("network/vpc-id"),
            availability_zones=list(region_config.network.availability_zones[:SUBNETS_PER_TIER]),
            public_subnet_ids=self._subnets("public"),
            private_subnet_ids=self._subnets("private"),
        )
        for subnet in (*vpc.public_subnets, *vpc.private_subnets):
            acknowledge(
                subnet,
                "Annotation::@aws-cdk/aws-ec2:noSubnetRouteTableId",
                "Subnets are imported by id from the NetworkStack; nothing in this stack reads their route tables.",
            )
        return vpc

    def _subnets(self, tier: str) -> list[str]:
        return Fn.split(",", self._value(f"network/{tier}-subnet-ids"), SUBNETS_PER_TIER)

    def _security_group(self, construct_id: str, key: str) -> ec2.ISecurityGroup:
        return ec2.SecurityGroup.from_security_group_id(
            self, construct_id, self._value(key), mutable=False, allow_all_outbound=False
        )
