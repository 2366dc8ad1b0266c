"""The internet-facing ALB of decision S1, its listeners and the application's IP target group.

The AWS Load Balancer Controller does not create this ALB: a TargetGroupBinding registers the
pods of the app's Service in `target_group`, so Route 53 and CloudFront point at an ALB that
CloudFormation owns and knows the DNS name of.
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, SecretValue
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_s3 as s3
from constructs import Construct

from genai_infra.config.compute import LoadBalancerConfig
from genai_infra.nag import AWS_SOLUTIONS, NIST, acknowledge, skip_checkov
from genai_infra.naming import HEALTH_CHECK_TOKEN_KEY, ORIGIN_VERIFY_HEADER

HTTP, HTTPS = 80, 443


class ApplicationEntry(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        name_prefix: str,
        config: LoadBalancerConfig,
        vpc: ec2.IVpc,
        security_group: ec2.ISecurityGroup,
        certificate_arn: str,
        origin_verify_secret_name: str | None,
        health_check_token_secret_name: str | None,
        deletion_protection: bool,
        removal_policy: RemovalPolicy,
    ) -> None:
        super().__init__(scope, construct_id)
        # ALB access logs can only be written to a bucket encrypted with S3-managed keys.
        self.access_logs = s3.Bucket(
            self,
            "AccessLogs",
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            versioned=True,
            lifecycle_rules=[
                s3.LifecycleRule(
                    expiration=Duration.days(config.access_log_retention_days),
                    noncurrent_version_expiration=Duration.days(1),
                    abort_incomplete_multipart_upload_after=Duration.days(1),
                )
            ],
            removal_policy=removal_policy,
        )
        acknowledge(
            self.access_logs,
            f"{AWS_SOLUTIONS}-S1",
            "This bucket only receives the ALB's access logs; logging its own accesses would need a further "
            "bucket and adds no record the access logs lack.",
        )
        acknowledge(
            self.access_logs,
            f"{NIST}-S3BucketLoggingEnabled",
            "This bucket only receives the ALB's access logs; its writer is the ELB log delivery service.",
        )
        skip_checkov(
            self.access_logs,
            "CKV_AWS_18",
            "This bucket only receives the ALB's access logs; logging its own accesses would need a further "
            "bucket and adds no record the access logs lack.",
        )
        acknowledge(
            self.access_logs,
            f"{NIST}-S3BucketReplicationEnabled",
            "Access logs are kept per region for the retention period; each region's ALB has its own bucket.",
        )
        acknowledge(
            self.access_logs,
            f"{NIST}-S3DefaultEncryptionKMS",
            "Elastic Load Balancing writes access logs only to buckets encrypted with S3-managed keys (SSE-S3).",
        )
        self.load_balancer = elbv2.ApplicationLoadBalancer(
            self,
            "LoadBalancer",
            load_balancer_name=f"{name_prefix}-alb",
            vpc=vpc,
            internet_facing=True,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC),
            security_group=security_group,
            deletion_protection=deletion_protection,
            drop_invalid_header_fields=True,
            idle_timeout=Duration.seconds(config.idle_timeout_seconds),
        )
        self.load_balancer.log_access_logs(self.access_logs, prefix="alb")
        self.target_group = elbv2.ApplicationTargetGroup(
            self,
            "AppTargets",
            target_group_name=f"{name_prefix}-app",
            vpc=vpc,
            port=config.target_port,
            protocol=elbv2.ApplicationProtocol.HTTP,
            # Pods are registered by IP through the TargetGroupBinding (VPC CNI gives pods VPC IPs).
            target_type=elbv2.TargetType.IP,
            deregistration_delay=Duration.seconds(30),
            health_check=elbv2.HealthCheck(
                path=config.health_check_path,
                protocol=elbv2.Protocol.HTTP,
                port="traffic-port",
                healthy_http_codes="200",
                interval=Duration.seconds(15),
                timeout=Duration.seconds(5),
                healthy_threshold_count=2,
                unhealthy_threshold_count=3,
            ),
        )
        behind_cloudfront = origin_verify_secret_name is not None
        self.https = self.load_balancer.add_listener(
            "Https",
            port=HTTPS,
            protocol=elbv2.ApplicationProtocol.HTTPS,
            certificates=[elbv2.ListenerCertificate.from_arn(certificate_arn)],
            # Behind CloudFront only CloudFront may reach the application (decision S3): a request
            # without the origin header CloudFront adds is refused here, whoever found the ALB's name.
            # Without the edge (non-production, decision C12) the ALB is the entry point itself.
            default_action=(
                elbv2.ListenerAction.fixed_response(
                    403, content_type="text/plain", message_body="Requests go through the CloudFront distribution."
                )
                if behind_cloudfront
                else elbv2.ListenerAction.forward([self.target_group])
            ),
            # The ALB security group of the NetworkStack already admits 80 and 443.
            open=False,
        )
        if origin_verify_secret_name is not None:
            # The secret's value, resolved by CloudFormation at deploy time (never in the template).
            origin_header = SecretValue.secrets_manager(origin_verify_secret_name).unsafe_unwrap()
            self.https.add_action(
                "FromCloudFront",
                priority=1,
                conditions=[elbv2.ListenerCondition.http_header(ORIGIN_VERIFY_HEADER, [origin_header])],
                action=elbv2.ListenerAction.forward([self.target_group]),
            )
        if origin_verify_secret_name is not None and health_check_token_secret_name is not None:
            # Route 53 health checkers cannot send the header: they may GET exactly the readiness path (no
            # wildcard) with the health-check token in the query string (origin_verify.HealthCheckToken);
            # any other request without the header gets the 403, so nobody reaches the app around WAF.
            health_check_token = SecretValue.secrets_manager(health_check_token_secret_name).unsafe_unwrap()
            self.https.add_action(
                "HealthCheck",
                priority=2,
                conditions=[
                    elbv2.ListenerCondition.path_patterns([config.health_check_path]),
                    elbv2.ListenerCondition.http_request_methods(["GET"]),
                    elbv2.ListenerCondition.query_strings(
                        [elbv2.QueryStringCondition(key=HEALTH_CHECK_TOKEN_KEY, value=health_check_token)]
                    ),
                ],
                action=elbv2.ListenerAction.forward([self.target_group]),
            )
        listener = self.https.node.default_child
        assert isinstance(listener, elbv2.CfnListener)
        listener.ssl_policy = config.ssl_policy
        self.http = self.load_balancer.add_listener(
            "Http",
            port=HTTP,
            protocol=elbv2.ApplicationProtocol.HTTP,
            default_action=elbv2.ListenerAction.redirect(protocol="HTTPS", port=str(HTTPS), permanent=True),
            open=False,
        )
        acknowledge(
            self.load_balancer,
            f"{NIST}-ALBWAFEnabled",
            "Decision S3 puts the web ACL on the CloudFront distribution in front of this ALB; a regional "
            "web ACL here would filter the same requests twice. The HTTPS listener forwards only requests that carry "
            "CloudFront's secret origin header (and the readiness path for Route 53), and answers 403 otherwise."
            if behind_cloudfront
            else "Decision C12 gives non-production environments no CloudFront and no WAF (cost); they serve "
            "internal testers at <environment>.<domain>. Switching stacks.edge on adds CloudFront and its web ACL.",
        )
        if not deletion_protection:
            acknowledge(
                self.load_balancer,
                f"{NIST}-ELBDeletionProtectionEnabled",
                "Deletion protection is on in production; non-production environments are destroyed freely "
                "(decision S5).",
            )
        acknowledge(
            self.http,
            f"{NIST}-ELBv2ACMCertificateRequired",
            "The HTTP listener only answers with a permanent redirect to HTTPS; the HTTPS listener uses the "
            "CertificateStack's ACM certificate.",
        )
