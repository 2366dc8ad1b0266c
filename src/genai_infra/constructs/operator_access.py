"""Decision S7: the operators' way in to the private cluster endpoint, without SSH or public IPs.

The design's bastion host, as a Systems Manager managed instance: in a private subnet, no public
IP, no key pair, no inbound rule, IMDSv2 only, an encrypted root volume, and a role with only the
Session Manager core policy. Operators run `aws ssm start-session --target <instance> --document-name
AWS-StartPortForwardingSessionToRemoteHost --parameters host=<API endpoint>,portNumber=443,
localPortNumber=8443` and point kubectl at https://localhost:8443 (docs/operations.md); the
session is authorized by IAM (ssm:StartSession) and recorded in CloudTrail, and kubectl then
authenticates with the operator's own role through its EKS access entry.

The instance reaches Systems Manager through the NAT gateway, as the nodes reach the AWS APIs:
interface endpoints for ssm, ssmmessages and ec2messages would add about 60 USD a month per
region (three endpoints in two AZs) for a path the NAT gateway already gives, so none are created.
"""

from __future__ import annotations

from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from constructs import Construct

from genai_infra.nag import AWS_SOLUTIONS, acknowledge

# The smallest current instance: it only relays port-forwarding sessions (Graviton, the cheaper).
INSTANCE_TYPE = "t4g.nano"
SESSION_MANAGER_POLICY = "AmazonSSMManagedInstanceCore"
ROOT_VOLUME_GB = 8


class OperatorAccess(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        name_prefix: str,
        vpc: ec2.IVpc,
        control_plane: ec2.SecurityGroup,
    ) -> None:
        super().__init__(scope, construct_id)
        self.security_group = ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=vpc,
            security_group_name=f"{name_prefix}-operator-access-sg",
            description="Session Manager instance: HTTPS out only, nothing in",
            allow_all_outbound=False,
        )
        self.security_group.add_egress_rule(
            ec2.Peer.any_ipv4(), ec2.Port.tcp(443), "Systems Manager through the NAT gateway, and the API endpoint"
        )
        control_plane.add_ingress_rule(
            self.security_group, ec2.Port.tcp(443), "The Kubernetes API from the Session Manager instance"
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"),
            managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name(SESSION_MANAGER_POLICY)],
            description="Session Manager instance for operator access to the private EKS endpoint",
        )
        self.instance = ec2.Instance(
            self,
            "Instance",
            instance_name=f"{name_prefix}-operator-access",
            vpc=vpc,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
            instance_type=ec2.InstanceType(INSTANCE_TYPE),
            # Resolved from AWS's public SSM parameter at deploy time: no look-up at synthesis.
            machine_image=ec2.MachineImage.latest_amazon_linux2023(cpu_type=ec2.AmazonLinuxCpuType.ARM_64),
            security_group=self.security_group,
            role=self.role,
            require_imdsv2=True,
            detailed_monitoring=True,
            ebs_optimized=True,
            block_devices=[
                ec2.BlockDevice(
                    device_name="/dev/xvda",
                    volume=ec2.BlockDeviceVolume.ebs(
                        ROOT_VOLUME_GB, encrypted=True, volume_type=ec2.EbsDeviceVolumeType.GP3
                    ),
                )
            ],
        )
        # The subnet places the instance; the zone CDK also writes would only repeat it, hard-coded (W3010).
        cfn_instance = self.instance.node.default_child
        assert isinstance(cfn_instance, ec2.CfnInstance)
        cfn_instance.add_property_deletion_override("AvailabilityZone")
        acknowledge(
            self.role,
            f"{AWS_SOLUTIONS}-IAM4",
            "AmazonSSMManagedInstanceCore is the AWS-maintained policy the SSM agent needs to register and relay "
            "Session Manager sessions; it grants no access to other resources.",
            f"Policy::arn:<AWS::Partition>:iam::aws:policy/{SESSION_MANAGER_POLICY}",
        )
        acknowledge(
            self.instance,
            f"{AWS_SOLUTIONS}-EC29",
            "The instance holds no state: it only relays port-forwarding sessions and is replaced freely on the next "
            "deployment, so neither termination protection nor an Auto Scaling group adds anything.",
        )
