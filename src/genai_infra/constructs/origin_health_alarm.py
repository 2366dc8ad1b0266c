"""An alarm on a serving region's Route 53 health check, in us-east-1 where Route 53 publishes its metrics.

HealthCheckStatus is 1 while the health check is healthy and 0 once Route 53 declares the ALB
unhealthy, published once a minute. The health check itself already waits for `failure_threshold`
failed requests (3 x 10 s) from each checker, and Route 53 fails over at that moment; so the alarm
adds no second delay: the Minimum over one minute below 1, for the configured minutes (default 1),
notifies on the critical topic when Route 53 moves traffic, and again (OK action) when it moves back.
A missing datapoint keeps the alarm's state rather than paging: Route 53 may publish a minute late.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_sns as sns
from constructs import Construct

from genai_infra.config.edge import FailoverHealthCheckConfig


class OriginHealthAlarm(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        alarm_name: str,
        description: str,
        health_check_id: str,
        config: FailoverHealthCheckConfig,
        topic: sns.ITopic,
    ) -> None:
        super().__init__(scope, construct_id)
        metric = cloudwatch.Metric(
            namespace="AWS/Route53",
            metric_name="HealthCheckStatus",
            dimensions_map={"HealthCheckId": health_check_id},
            statistic=cloudwatch.Stats.MINIMUM,
            period=Duration.minutes(1),
        )
        self.alarm = cloudwatch.Alarm(
            self,
            "Alarm",
            alarm_name=alarm_name,
            alarm_description=description,
            metric=metric,
            comparison_operator=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
            threshold=1,
            evaluation_periods=config.alarm_evaluation_minutes,
            datapoints_to_alarm=config.alarm_evaluation_minutes,
            treat_missing_data=cloudwatch.TreatMissingData.IGNORE,
        )
        action = actions.SnsAction(topic)
        self.alarm.add_alarm_action(action)
        self.alarm.add_ok_action(action)
