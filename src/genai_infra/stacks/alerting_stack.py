"""AlertingStack: the critical and warning topics, and in serving regions the alarms (phase 4).

us-east-1 gets the topics only: the alarms on Route 53 health checks, whose metrics exist only
there, are created by the EdgeStack and notify its critical topic.
"""

from __future__ import annotations

from constructs import Construct

from genai_infra.constructs.alarms import Alarms
from genai_infra.constructs.alert_topics import AlertTopics
from genai_infra.constructs.monitored import alarm_specs, read_monitored
from genai_infra.stacks.base import GenaiStack, TargetContext


class AlertingStack(GenaiStack):
    def __init__(self, scope: Construct, stack_id: str, *, target: TargetContext) -> None:
        super().__init__(scope, stack_id, target=target, description="SNS alert topics and CloudWatch alarms")
        environment = target.environment
        self.topics = AlertTopics(
            self,
            "Topics",
            environment=environment.name,
            config=environment.alerting,
            removal_policy=target.stateful_removal_policy,
        )
        self.alarms: Alarms | None = None
        if target.region in environment.regions:
            specs = alarm_specs(read_monitored(self, environment, target.region), environment.alerting)
            self.alarms = Alarms(self, "Alarms", name_prefix=target.name_prefix, specs=specs, topics=self.topics.topics)
