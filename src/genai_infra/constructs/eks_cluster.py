"""The EKS cluster: private endpoint, control-plane logs, KMS envelope encryption, node groups, add-ons.

aws_eks_v2 (stable in aws-cdk-lib 2.275.0) creates the cluster as a native AWS::EKS::Cluster with
API access entries and the native IAM OIDC provider (feature flag in cdk.json). Its kubectl handler
is only created because Helm charts and service accounts need it; with a private endpoint the
library places it in the cluster's private subnets, with the cluster security group.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from aws_cdk import CfnCondition, CfnElement, CfnResource, CfnTag, Fn, RemovalPolicy, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk.lambda_layer_kubectl_v36 import KubectlV36Layer
from constructs import Construct, IConstruct

from genai_infra.config.compute import EksConfig
from genai_infra.constructs.container_insights import observability_addon_configuration
from genai_infra.constructs.log_retention import log_retention
from genai_infra.nag import AWS_SOLUTIONS, NIST, acknowledge, skip_checkov

# The five control-plane log types of the specification.
CONTROL_PLANE_LOGS: tuple[eks.ClusterLoggingTypes, ...] = (
    eks.ClusterLoggingTypes.API,
    eks.ClusterLoggingTypes.AUDIT,
    eks.ClusterLoggingTypes.AUTHENTICATOR,
    eks.ClusterLoggingTypes.CONTROLLER_MANAGER,
    eks.ClusterLoggingTypes.SCHEDULER,
)
# AL2023 EKS AMIs boot from /dev/xvda.
ROOT_DEVICE = "/dev/xvda"
# EKS Best Practices: an IMDSv2 token does not survive the extra hop into a pod's network
# namespace, so pods cannot borrow the node role's credentials; they use their own IRSA roles.
IMDS_HOP_LIMIT = 1
# Add-ons the nodes need before they can run pods: the VPC CNI (on its own IRSA role, since the
# node role no longer carries AmazonEKS_CNI_Policy) is installed before the node groups.
ADDONS_BEFORE_NODES = ("vpc-cni",)
# The kubectl layer package must match the cluster's minor version (requirements.txt pins v36).
KUBECTL_LAYERS = {"1.36": KubectlV36Layer}
# The handler role's conditional ECR Public policy, as cdk-nag names it.
# checkov on the CDK-generated kubectl handler and its provider framework function (both in the VPC).
KUBECTL_PROVIDER_CHECKOV_SKIPS = (
    (
        "CKV_AWS_115",
        "CloudFormation invokes the kubectl handler once per Kubernetes resource change during deployments "
        "only; a concurrency limit could only fail a deployment.",
    ),
    (
        "CKV_AWS_116",
        "The kubectl handler is invoked synchronously by the custom resource framework, which reports "
        "failures to CloudFormation; there is no asynchronous event to dead-letter.",
    ),
    (
        "CKV_AWS_173",
        "The functions' only environment variables are AWS_STS_REGIONAL_ENDPOINTS and the handler's ARN, "
        "no secret; Lambda encrypts them at rest with its service key.",
    ),
)
# Wildcard resources of the AWS Load Balancer Controller's published IAM policy (v3.x), as cdk-nag names them.
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
ECR_PUBLIC_FINDING = (
    'Policy::{{"Fn::If":["{condition}",{{"Fn::Join":["",["arn:",{{"Ref":"AWS::Partition"}},'
    '":iam::aws:policy/AmazonElasticContainerRegistryPublicReadOnly"]]}},{{"Ref":"AWS::NoValue"}}]}}'
)


def autoscaler_discovery_tags(cluster_name: str) -> dict[str, str]:
    """The tags cluster-autoscaler's --node-group-auto-discovery looks for."""
    return {"k8s.io/cluster-autoscaler/enabled": "true", f"k8s.io/cluster-autoscaler/{cluster_name}": "owned"}


def secrets_encryption_policy(
    scope: Construct, *, policy_name: str, cluster_role: iam.IRole, key: kms.IKey
) -> iam.ManagedPolicy:
    """The cluster role's use of the eks key ("ClusterSecretsEncryption" in `scope`).

    EKS envelope-encrypts Kubernetes secrets with the eks key through a grant it creates with the
    cluster role; AmazonEKSClusterPolicy has no KMS permissions. The role is the SecurityStack's,
    so the policy is attached from here; `GenaiCluster` waits for it.
    """
    return iam.ManagedPolicy(
        scope,
        "ClusterSecretsEncryption",
        managed_policy_name=policy_name,
        roles=[cluster_role],
        statements=[
            iam.PolicyStatement(actions=["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"], resources=[key.key_arn]),
            iam.PolicyStatement(
                actions=["kms:CreateGrant"],
                resources=[key.key_arn],
                conditions={"Bool": {"kms:GrantIsForAWSResource": "true"}},
            ),
        ],
    )


class GenaiCluster(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        cluster_name: str,
        config: EksConfig,
        vpc: ec2.IVpc,
        cluster_role: iam.IRole,
        node_role: iam.IRole,
        secrets_key: kms.IKey,
        secrets_encryption: iam.ManagedPolicy,
        logs_key: kms.IKey,
        log_retention_days: int,
        node_security_groups: tuple[ec2.ISecurityGroup, ...],
        instance_tags: Mapping[str, str],
        removal_policy: RemovalPolicy,
    ) -> None:
        super().__init__(scope, construct_id)
        self.cluster_name = cluster_name
        self.config = config
        private = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)
        # EKS writes the control-plane logs to this group when it exists; created here, it gets the
        # audit retention of the environment and the logs key instead of "never expire", unencrypted.
        self.control_plane_logs = logs.LogGroup(
            self,
            "ControlPlaneLogs",
            log_group_name=f"/aws/eks/{cluster_name}/cluster",
            encryption_key=logs_key,
            retention=log_retention(log_retention_days),
            removal_policy=removal_policy,
        )
        self.cluster = eks.Cluster(
            self,
            "Cluster",
            cluster_name=cluster_name,
            version=eks.KubernetesVersion.of(config.kubernetes_version),
            vpc=vpc,
            vpc_subnets=[private],
            endpoint_access=eks.EndpointAccess.PRIVATE,
            cluster_logging=list(CONTROL_PLANE_LOGS),
            secrets_encryption_key=secrets_key,
            role=cluster_role,
            # Managed node groups of decision C2 instead of EKS Auto Mode; they are added below.
            default_capacity_type=eks.DefaultCapacityType.NODEGROUP,
            default_capacity=0,
            kubectl_provider_options=eks.KubectlProviderOptions(
                kubectl_layer=KUBECTL_LAYERS[config.kubernetes_version](self, "KubectlLayer"),
            ),
            alb_controller=eks.AlbControllerOptions(
                version=getattr(
                    eks.AlbControllerVersion,
                    "V" + config.charts.alb_controller_version.removeprefix("v").replace(".", "_"),
                ),
            ),
        )
        # The control plane holds the cluster's state (etcd); the kubectl handler, roles and node
        # groups around it are rebuilt on a new deployment, so only the cluster itself is retained.
        cfn_cluster = self.cluster.node.default_child
        assert isinstance(cfn_cluster, CfnResource)
        cfn_cluster.apply_removal_policy(removal_policy)
        cfn_cluster.node.add_dependency(self.control_plane_logs)
        # The cluster is created with the role's KMS permissions in place, not concurrently with them.
        cfn_policy = secrets_encryption.node.default_child
        assert isinstance(cfn_policy, CfnResource)
        cfn_cluster.add_resource_dependency(cfn_policy)
        self._encrypt_handler_logs(logs_key)
        for index, role_arn in enumerate(config.admin_role_arns):
            self.cluster.grant_access(
                f"Admin{index}",
                role_arn,
                [
                    eks.AccessPolicy.from_access_policy_name(
                        "AmazonEKSClusterAdminPolicy", access_scope_type=eks.AccessScopeType.CLUSTER
                    )
                ],
            )
        # Decision S7: operators who may read every object of the cluster, and change none.
        for index, role_arn in enumerate(config.read_only_role_arns):
            self.cluster.grant_access(
                f"ReadOnly{index}",
                role_arn,
                [
                    eks.AccessPolicy.from_access_policy_name(
                        "AmazonEKSViewPolicy", access_scope_type=eks.AccessScopeType.CLUSTER
                    )
                ],
            )
        self._acknowledge_kubectl_provider()
        self._acknowledge_alb_controller()
        acknowledge(
            self.cluster,
            "Annotation::@aws-cdk/aws-eks:clusterMustManuallyTagSubnet",
            "CDK cannot tag subnets imported by id; the NetworkStack already tags them kubernetes.io/role/elb "
            "(public) and kubernetes.io/role/internal-elb (private).",
        )
        self.node_security_group = self._node_security_group()
        self.launch_template = self._launch_template(node_security_groups, instance_tags)
        on_demand, spot = config.split_capacity()
        # The configured capacity type's group ("on-demand" by default), then the Spot share's group.
        primary = config.capacity_type.lower().replace("_", "-")
        capacity_type = eks.CapacityType.SPOT if config.capacity_type == "SPOT" else eks.CapacityType.ON_DEMAND
        self.node_groups: dict[str, eks.Nodegroup] = {
            primary: self._node_group(primary, capacity_type, config.node_group.instance_types, on_demand, node_role)
        }
        if spot[2] > 0:
            self.node_groups["spot"] = self._node_group(
                "spot",
                eks.CapacityType.SPOT,
                config.spot_instance_types or config.node_group.instance_types,
                spot,
                node_role,
            )

    def _encrypt_handler_logs(self, logs_key: kms.IKey) -> None:
        """Encrypt the kubectl handler's log groups with the project's logs key (CloudWatch Logs may use it)."""
        provider = self.cluster.node.find_child("KubectlProvider")
        for child in provider.node.find_all():
            if isinstance(child, logs.CfnLogGroup):
                child.kms_key_id = logs_key.key_arn

    def _acknowledge_kubectl_provider(self) -> None:
        provider = self.cluster.node.find_child("KubectlProvider")
        managed = ("service-role/AWSLambdaBasicExecutionRole", "service-role/AWSLambdaVPCAccessExecutionRole")
        acknowledge(
            provider,
            f"{AWS_SOLUTIONS}-IAM4",
            "The CDK-generated kubectl handler and its provider framework run as Lambda functions in the VPC: "
            "the AWS managed Lambda execution policies grant exactly logging and ENI management, and the ECR "
            "read-only policies let the handler pull Helm charts from OCI registries.",
            *(f"Policy::arn:<AWS::Partition>:iam::aws:policy/{name}" for name in managed),
            "Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
            ECR_PUBLIC_FINDING.format(condition=self._ecr_public_condition(provider)),
        )
        acknowledge(
            provider,
            f"{AWS_SOLUTIONS}-IAM5",
            "The provider framework may invoke any version of the kubectl handler function (<arn>:*), "
            "which the CDK custom resource framework requires; the resource is that one function.",
            f"Resource::<{self._handler_logical_id(provider)}.Arn>:*",
        )
        acknowledge(
            provider,
            f"{AWS_SOLUTIONS}-L1",
            "The kubectl handler's runtime is chosen by aws-cdk-lib to match the bundled kubectl/helm layer; "
            "it is updated with the pinned library.",
        )
        acknowledge(
            provider,
            f"{NIST}-IAMNoInlinePolicy",
            "The CDK-generated kubectl handler roles carry the library's inline policies (eks:DescribeCluster "
            "of this cluster, invoke of the handler); they are not reused by anything else.",
        )
        for function in provider.node.find_all():
            if isinstance(function, lambda_.CfnFunction):
                # The L2 Function depends on its role at construct level, which CloudFormation also
                # infers from the Role GetAtt; the duplicate is generated by aws-cdk-lib.
                function.add_metadata("cfn-lint", {"config": {"ignore_checks": ["W3005"]}})
                for check, reason in KUBECTL_PROVIDER_CHECKOV_SKIPS:
                    skip_checkov(function, check, reason)
        acknowledge(
            provider,
            f"{NIST}-LambdaConcurrency",
            "CloudFormation invokes the kubectl handler once per Kubernetes resource change during deployments "
            "only; a concurrency limit could only fail a deployment.",
        )
        acknowledge(
            provider,
            f"{NIST}-LambdaDLQ",
            "The kubectl handler is invoked synchronously by the custom resource framework, which reports "
            "failures to CloudFormation; there is no asynchronous event to dead-letter.",
        )

    def _acknowledge_alb_controller(self) -> None:
        acknowledge(
            self.alb_controller,
            f"{AWS_SOLUTIONS}-IAM5",
            "The AWS Load Balancer Controller's IAM policy as AWS publishes it for this controller version "
            "(shipped with aws-cdk-lib); it creates and tags load balancer resources whose names it cannot "
            "know in advance, and its mutating calls are conditioned on the elbv2.k8s.aws/cluster tag.",
            *(f"Resource::{resource}" for resource in ALB_CONTROLLER_WILDCARDS),
        )
        acknowledge(
            self.alb_controller,
            f"{NIST}-IAMNoInlinePolicy",
            "aws-cdk-lib attaches the controller's published policy inline to the controller's own IRSA role, "
            "which nothing else uses.",
        )

    @staticmethod
    def _handler_logical_id(provider: IConstruct) -> str:
        handler = provider.node.find_child("Handler").node.default_child
        assert isinstance(handler, CfnElement)
        return str(Stack.of(handler).resolve(handler.logical_id))

    @staticmethod
    def _ecr_public_condition(provider: IConstruct) -> str:
        for child in provider.node.find_all():
            if isinstance(child, CfnCondition) and child.node.id == "HasEcrPublic":
                return str(Stack.of(child).resolve(child.logical_id))
        raise LookupError("the kubectl provider has no HasEcrPublic condition")

    @property
    def alb_controller(self) -> eks.AlbController:
        """The AWS Load Balancer Controller aws_eks_v2 installs with the cluster (its Helm release and IRSA role)."""
        controller = self.cluster.alb_controller
        assert controller is not None, "the cluster installs the AWS Load Balancer Controller"
        return controller

    @property
    def oidc_provider_arn(self) -> str:
        return self.cluster.open_id_connect_provider.open_id_connect_provider_arn

    @property
    def oidc_issuer(self) -> str:
        """The issuer without https://, as IAM condition keys need it."""
        return self.cluster.open_id_connect_provider.open_id_connect_provider_issuer

    @property
    def control_plane_security_group(self) -> ec2.SecurityGroup:
        """The additional group aws_eks_v2 gives the control plane's network interfaces (and the endpoint)."""
        group = self.cluster.node.find_child("ControlPlaneSecurityGroup")
        assert isinstance(group, ec2.SecurityGroup)
        return group

    def _node_security_group(self) -> ec2.SecurityGroup:
        """The nodes' own group, in place of the EKS cluster security group and its allow-all egress.

        Pods share their node's groups (security groups for pods need trunk ENIs, which no t-family
        instance type of the configured node groups supports), so every egress rule of a node group
        is also a pod's. This group sends only HTTPS (AWS APIs, ECR, the private API endpoint) and
        traffic to its own members (pod to pod and node to node: DNS to CoreDNS, metrics, webhooks),
        so the App group's egress (PostgreSQL and Redis to the database group, Kafka to the MSK group)
        is the only other way out. The control plane reaches the kubelet (10250) and the webhooks and
        aggregated APIs the charts run on nodes (1025-65535, as EKS recommends) through its own group,
        which admits the nodes on 443. DNS to the VPC resolver, instance metadata and the time
        service are never filtered by security groups.
        """
        group = ec2.SecurityGroup(
            self,
            "NodeSecurityGroup",
            vpc=self.cluster.vpc,
            security_group_name=f"{self.cluster_name}-node-sg",
            description="EKS nodes and their pods: HTTPS out, each other, and the control plane in",
            allow_all_outbound=False,
        )
        control_plane = self.control_plane_security_group
        group.add_egress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(443), "HTTPS to AWS APIs, ECR and the API server")
        group.add_egress_rule(group, ec2.Port.all_traffic(), "To the other nodes and pods of the cluster")
        group.add_ingress_rule(group, ec2.Port.all_traffic(), "From the other nodes and pods of the cluster")
        group.add_ingress_rule(control_plane, ec2.Port.tcp(443), "Webhooks served on 443 from the control plane")
        group.add_ingress_rule(
            control_plane, ec2.Port.tcp_range(1025, 65535), "Kubelet, webhooks, aggregated APIs from the control plane"
        )
        control_plane.add_ingress_rule(group, ec2.Port.tcp(443), "The Kubernetes API from the nodes and pods")
        acknowledge(
            group,
            f"{NIST}-EC2RestrictedCommonPorts",
            "The only all-port rule admits the group's own members (this cluster's nodes and pods, which talk on "
            "ports the charts choose); no CIDR and nothing outside the cluster is admitted.",
        )
        return group

    def _launch_template(
        self, security_groups: tuple[ec2.ISecurityGroup, ...], instance_tags: Mapping[str, str]
    ) -> ec2.CfnLaunchTemplate:
        tags = [CfnTag(key=k, value=v) for k, v in sorted(instance_tags.items())]
        return ec2.CfnLaunchTemplate(
            self,
            "NodeLaunchTemplate",
            launch_template_name=f"{self.cluster_name}-nodes",
            launch_template_data=ec2.CfnLaunchTemplate.LaunchTemplateDataProperty(
                block_device_mappings=[
                    ec2.CfnLaunchTemplate.BlockDeviceMappingProperty(
                        device_name=ROOT_DEVICE,
                        ebs=ec2.CfnLaunchTemplate.EbsProperty(
                            volume_size=self.config.node_group.disk_size_gb,
                            volume_type="gp3",
                            encrypted=True,
                            delete_on_termination=True,
                        ),
                    )
                ],
                metadata_options=ec2.CfnLaunchTemplate.MetadataOptionsProperty(
                    http_endpoint="enabled",
                    http_tokens="required",
                    http_put_response_hop_limit=IMDS_HOP_LIMIT,
                ),
                # A launch template that names security groups replaces the cluster security group
                # EKS would attach (whose egress allows everything): the nodes' own group and the app
                # group. Pods share their node's groups, and the ALB, Aurora, Redis and MSK groups
                # admit the app group only.
                security_group_ids=[self.node_security_group.security_group_id]
                + [group.security_group_id for group in security_groups],
                tag_specifications=[
                    ec2.CfnLaunchTemplate.TagSpecificationProperty(resource_type=kind, tags=tags)
                    for kind in ("instance", "volume", "network-interface")
                ],
                # AL2023's nodeadm merges this NodeConfig with the one EKS generates for the node group.
                user_data=Fn.base64(node_user_data(self.config.max_pods)),
            ),
        )

    def _node_group(
        self,
        name: str,
        capacity_type: eks.CapacityType,
        instance_types: tuple[str, ...],
        sizes: tuple[int, int, int],
        node_role: iam.IRole,
    ) -> eks.Nodegroup:
        minimum, desired, maximum = sizes
        return self.cluster.add_nodegroup_capacity(
            name.title().replace("-", ""),
            nodegroup_name=f"{self.cluster_name}-{name}",
            ami_type=eks.NodegroupAmiType.AL2023_X86_64_STANDARD,
            capacity_type=capacity_type,
            instance_types=[ec2.InstanceType(t) for t in instance_types],
            min_size=minimum,
            desired_size=desired,
            max_size=maximum,
            node_role=node_role,
            subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
            launch_template_spec=eks.LaunchTemplateSpec(
                id=self.launch_template.ref, version=self.launch_template.attr_latest_version_number
            ),
            labels={"genai-demo/capacity-type": name},
            # EKS tags the node group's Auto Scaling group with these itself; naming them here
            # documents what the autoscaler discovers and keeps them on the node group resource.
            tags=autoscaler_discovery_tags(self.cluster_name),
        )

    def add_managed_addons(self, *, service_account_roles: Mapping[str, str]) -> dict[str, eks.CfnAddon]:
        """The managed add-ons: the VPC CNI before the node groups, the others after them (CoreDNS and the
        CSI controller need nodes), and the load balancer controller after all of them.

        Helm waits for the controller's pods, which need nodes with a working CNI.
        """
        addons: dict[str, eks.CfnAddon] = {}
        for name, version in self.config.addon_versions.items():
            configuration = addon_configuration(name, self.cluster_name)
            addon = eks.CfnAddon(
                self,
                "Addon" + name.title().replace("-", ""),
                cluster_name=self.cluster.cluster_name,
                addon_name=name,
                addon_version=version,
                resolve_conflicts="OVERWRITE",
                service_account_role_arn=service_account_roles.get(name),
                configuration_values=json.dumps(configuration, sort_keys=True) if configuration else None,
            )
            for group in self.node_groups.values():
                if name in ADDONS_BEFORE_NODES:
                    group.node.add_dependency(addon)
                else:
                    addon.node.add_dependency(group)
            self.alb_controller.node.add_dependency(addon)
            addons[name] = addon
        return addons


def node_user_data(max_pods: int) -> str:
    """MIME user data with the AL2023 NodeConfig that sets the kubelet's pod limit (prefix delegation)."""
    return (
        'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="//"\n\n--//\n'
        "Content-Type: application/node.eks.aws\n\n"
        "apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n"
        f"  kubelet:\n    config:\n      maxPods: {max_pods}\n"
        "--//--\n"
    )


# Prefix delegation: the VPC CNI assigns /28 prefixes instead of single IPs, so a node's pod limit
# is the kubelet's max_pods, not its ENI slots (t3 instances are Nitro-based, as it requires).
VPC_CNI_CONFIGURATION: dict[str, object] = {"env": {"ENABLE_PREFIX_DELEGATION": "true", "WARM_PREFIX_TARGET": "1"}}


def addon_configuration(name: str, cluster_name: str) -> dict[str, object] | None:
    """Configuration values of a managed add-on, or None for the add-on's defaults."""
    if name == "amazon-cloudwatch-observability":
        return observability_addon_configuration(cluster_name)
    if name == "vpc-cni":
        return VPC_CNI_CONFIGURATION
    return None
