"""CostOptimizationStack (us-east-1): the environment's monthly budget and cost anomaly alerts (phase 6)."""

from __future__ import annotations

from constructs import Construct

from genai_infra.constructs.cost_alerts import CostAlertTopic, CostAnomalyAlerts, MonthlyBudget
from genai_infra.stacks.base import GenaiStack, TargetContext


class CostOptimizationStack(GenaiStack):
    def __init__(self, scope: Construct, stack_id: str, *, target: TargetContext) -> None:
        super().__init__(scope, stack_id, target=target, description="budget and cost anomaly alerts")
        environment = target.environment
        budget = environment.budget
        self.alerts = CostAlertTopic(
            self,
            "Alerts",
            environment=environment.name,
            emails=budget.notification_emails,
            removal_policy=target.stateful_removal_policy,
        )
        self.budget = MonthlyBudget(
            self, "Monthly", environment=environment.name, config=budget, topic=self.alerts.topic
        )
        self.anomalies = CostAnomalyAlerts(
            self,
            "Anomalies",
            environment=environment.name,
            threshold_percent=budget.anomaly_threshold_percent,
            topic=self.alerts.topic,
        )
