"""The critical and warning SNS topics of a region: KMS-encrypted, TLS-only, CloudWatch may publish.

CloudWatch alarms can publish to an encrypted topic only if the key lets cloudwatch.amazonaws.com
use it, so the topics get a key of their own rather than a data key.
"""

from __future__ import annotations

from aws_cdk import Aws, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from genai_infra.config.platform import AlertingConfig
from genai_infra.constructs.kms_keys import environment_key
from genai_infra.naming import alert_topic_name

SEVERITIES = ("critical", "warning")


class AlertTopics(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        environment: str,
        config: AlertingConfig,
        removal_policy: RemovalPolicy,
    ) -> None:
        super().__init__(scope, construct_id)
        self.key = environment_key(
            self,
            "Key",
            environment=environment,
            purpose="alerts",
            description="alert notifications",
            # Retained in production (decision S5): messages encrypted under it stay readable.
            removal_policy=removal_policy,
        )
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowCloudWatchAlarmsOfThisAccount",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["kms:GenerateDataKey*", "kms:Decrypt"],
                resources=["*"],
                conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}},
            )
        )
        emails = {"critical": config.critical_emails, "warning": config.warning_emails}
        self.topics: dict[str, sns.Topic] = {}
        for severity in SEVERITIES:
            topic = sns.Topic(
                self,
                severity.capitalize(),
                topic_name=alert_topic_name(environment, severity),
                display_name=f"genai-demo {environment} {severity} alerts",
                master_key=self.key,
                enforce_ssl=True,
            )
            for email in emails[severity]:
                topic.add_subscription(subscriptions.EmailSubscription(email))
            self.topics[severity] = topic
        for url in config.critical_https_endpoints:
            self.topics["critical"].add_subscription(subscriptions.UrlSubscription(url))
