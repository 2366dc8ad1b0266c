"""CostOptimizationStack (phase 6): budgets and anomaly alerts in us-east-1, off-hours scaling in serving regions.

AWS Budgets and Cost Anomaly Detection notify from us-east-1; the schedules that shrink the node
groups at night must live in the cluster's region. The stack holds whichever part its region needs.
"""

from __future__ import annotations

from constructs import Construct

from genai_infra.constructs.cost_alerts import CostAlertTopic, CostAnomalyAlerts, MonthlyBudget
from genai_infra.constructs.off_hours_scaling import OffHoursScaling
from genai_infra.naming import cluster_name
from genai_infra.off_hours import node_group_plan
from genai_infra.stacks.base import GenaiStack, TargetContext


class CostOptimizationStack(GenaiStack):
    def __init__(self, scope: Construct, stack_id: str, *, target: TargetContext) -> None:
        serving = target.region in target.environment.regions
        description = "off-hours node group scaling" if serving else "budget and cost anomaly alerts"
        super().__init__(scope, stack_id, target=target, description=description)
        environment = target.environment
        self.off_hours: OffHoursScaling | None = None
        if serving:
            eks = environment.regions[target.region].eks
            self.off_hours = OffHoursScaling(
                self,
                "OffHours",
                cluster_name=cluster_name(environment.name),
                plan=node_group_plan(environment.name, eks),
                config=environment.off_hours,
                name_prefix=target.name_prefix,
            )
            return
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
