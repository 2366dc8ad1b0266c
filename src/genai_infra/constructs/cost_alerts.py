"""Cost control in us-east-1, where AWS Budgets and Cost Anomaly Detection deliver notifications.

One encrypted SNS topic receives both; its key and topic policies let exactly those two services
of this account publish. The budget and the anomaly monitor see only the environment's costs,
through the `Environment` cost-allocation tag (which an administrator activates once per account
in the Billing console: CloudFormation cannot).
"""

from __future__ import annotations

import json

from aws_cdk import Aws, RemovalPolicy
from aws_cdk import aws_budgets as budgets
from aws_cdk import aws_ce as ce
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from genai_infra.config.cost import BudgetConfig
from genai_infra.constructs.kms_keys import environment_key
from genai_infra.naming import budget_name

BILLING_SERVICES = ("budgets.amazonaws.com", "costalerts.amazonaws.com")
COST_TAG = "Environment"


class CostAlertTopic(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        environment: str,
        emails: tuple[str, ...],
        removal_policy: RemovalPolicy,
    ) -> None:
        super().__init__(scope, construct_id)
        services = [iam.ServicePrincipal(service) for service in BILLING_SERVICES]
        same_account = {"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}}
        self.key = environment_key(
            self,
            "Key",
            environment=environment,
            purpose="cost-alerts",
            description="cost alert notifications",
            removal_policy=removal_policy,
        )
        # Budgets and Cost Anomaly Detection encrypt what they publish with the topic's key.
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowBillingServicesToPublish",
                principals=services,
                actions=["kms:GenerateDataKey*", "kms:Decrypt"],
                resources=["*"],
                conditions=same_account,
            )
        )
        self.topic = sns.Topic(
            self,
            "Topic",
            topic_name=f"genai-demo-{environment}-cost-alerts",
            display_name=f"genai-demo {environment} cost alerts",
            master_key=self.key,
            enforce_ssl=True,
        )
        self.topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowBillingServicesToPublish",
                principals=services,
                actions=["sns:Publish"],
                resources=[self.topic.topic_arn],
                conditions=same_account,
            )
        )
        for email in emails:
            self.topic.add_subscription(subscriptions.EmailSubscription(email))


class MonthlyBudget(Construct):
    """A monthly COST budget on the environment's tag: actual-spend thresholds and one forecast alert."""

    def __init__(
        self, scope: Construct, construct_id: str, *, environment: str, config: BudgetConfig, topic: sns.ITopic
    ) -> None:
        super().__init__(scope, construct_id)
        subscriber = [budgets.CfnBudget.SubscriberProperty(subscription_type="SNS", address=topic.topic_arn)]

        def notify(kind: str, percent: int) -> budgets.CfnBudget.NotificationWithSubscribersProperty:
            return budgets.CfnBudget.NotificationWithSubscribersProperty(
                notification=budgets.CfnBudget.NotificationProperty(
                    notification_type=kind,
                    comparison_operator="GREATER_THAN",
                    threshold=percent,
                    threshold_type="PERCENTAGE",
                ),
                subscribers=subscriber,
            )

        self.budget = budgets.CfnBudget(
            self,
            "Budget",
            budget=budgets.CfnBudget.BudgetDataProperty(
                budget_name=budget_name(environment),
                budget_type="COST",
                time_unit="MONTHLY",
                budget_limit=budgets.CfnBudget.SpendProperty(amount=config.monthly_limit_usd, unit="USD"),
                # Cost-allocation tags appear in billing data as user:<key>.
                cost_filters={"TagKeyValue": [f"user:{COST_TAG}${environment}"]},
            ),
            notifications_with_subscribers=[
                *(notify("ACTUAL", percent) for percent in config.alert_thresholds_percent),
                notify("FORECASTED", config.forecast_alert_percent),
            ],
        )


class CostAnomalyAlerts(Construct):
    """A custom anomaly monitor over the environment's tag, alerting at once above the configured impact."""

    def __init__(
        self, scope: Construct, construct_id: str, *, environment: str, threshold_percent: int, topic: sns.ITopic
    ) -> None:
        super().__init__(scope, construct_id)
        self.monitor = ce.CfnAnomalyMonitor(
            self,
            "Monitor",
            monitor_name=f"genai-demo-{environment}",
            monitor_type="CUSTOM",
            monitor_specification=json.dumps(
                {"Tags": {"Key": COST_TAG, "Values": [environment], "MatchOptions": ["EQUALS"]}}, sort_keys=True
            ),
        )
        self.subscription = ce.CfnAnomalySubscription(
            self,
            "Subscription",
            subscription_name=f"genai-demo-{environment}-anomalies",
            # SNS subscribers need IMMEDIATE: daily and weekly summaries go to email only.
            frequency="IMMEDIATE",
            monitor_arn_list=[self.monitor.attr_monitor_arn],
            subscribers=[ce.CfnAnomalySubscription.SubscriberProperty(type="SNS", address=topic.topic_arn)],
            threshold_expression=json.dumps(
                {
                    "Dimensions": {
                        "Key": "ANOMALY_TOTAL_IMPACT_PERCENTAGE",
                        "MatchOptions": ["GREATER_THAN_OR_EQUAL"],
                        "Values": [str(threshold_percent)],
                    }
                },
                sort_keys=True,
            ),
        )
