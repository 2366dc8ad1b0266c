"""CloudWatch alarms from `AlarmSpec` data, each with alarm and OK actions on its severity's topic."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_sns as sns
from constructs import Construct

from genai_infra.constructs.monitored import AlarmSpec


def metric_of(spec: AlarmSpec, *, labelled: bool = False) -> cloudwatch.Metric:
    """The spec's metric. Alarms take it unlabelled: a label makes CDK write the metric-math form."""
    return cloudwatch.Metric(
        namespace=spec.namespace,
        metric_name=spec.metric,
        dimensions_map=spec.dimensions,
        statistic=spec.statistic,
        period=Duration.seconds(spec.period_seconds),
        label=spec.name if labelled else None,
    )


class Alarms(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        name_prefix: str,
        specs: Sequence[AlarmSpec],
        topics: Mapping[str, sns.ITopic],
    ) -> None:
        super().__init__(scope, construct_id)
        self.alarms: dict[str, cloudwatch.Alarm] = {}
        for spec in specs:
            alarm = cloudwatch.Alarm(
                self,
                spec.name,
                alarm_name=f"{name_prefix}-{spec.name}",
                alarm_description=spec.description or f"{spec.metric} of {spec.service}",
                metric=metric_of(spec),
                threshold=spec.threshold,
                comparison_operator=cloudwatch.ComparisonOperator[_COMPARISONS[spec.comparison]],
                evaluation_periods=spec.evaluation_periods,
                treat_missing_data=cloudwatch.TreatMissingData[_MISSING[spec.missing_data]],
            )
            action = actions.SnsAction(topics[spec.severity])
            alarm.add_alarm_action(action)
            alarm.add_ok_action(action)
            self.alarms[spec.name] = alarm


_COMPARISONS = {
    "GreaterThanThreshold": "GREATER_THAN_THRESHOLD",
    "LessThanThreshold": "LESS_THAN_THRESHOLD",
}
_MISSING = {"notBreaching": "NOT_BREACHING", "breaching": "BREACHING", "missing": "MISSING"}
