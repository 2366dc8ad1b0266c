"""One CloudWatch dashboard per environment and region: the metrics the alarms watch, by service."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby

from aws_cdk import aws_cloudwatch as cloudwatch
from constructs import Construct

from genai_infra.constructs.alarms import metric_of
from genai_infra.constructs.monitored import AlarmSpec

WIDGET_WIDTH, WIDGETS_PER_ROW = 8, 3


class RegionDashboard(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, name: str, specs: Sequence[AlarmSpec]) -> None:
        super().__init__(scope, construct_id)
        self.dashboard = cloudwatch.Dashboard(self, "Dashboard", dashboard_name=name)
        # One graph per metric of a service, with the alarm's threshold drawn as a line.
        for service, group in groupby(specs, key=lambda spec: spec.service):
            self.dashboard.add_widgets(cloudwatch.TextWidget(markdown=f"## {service}", width=24, height=1))
            widgets: list[cloudwatch.IWidget] = [
                cloudwatch.GraphWidget(
                    title=spec.name,
                    left=[metric_of(spec, labelled=True)],
                    left_annotations=[cloudwatch.HorizontalAnnotation(value=spec.threshold, label=spec.severity)],
                    width=WIDGET_WIDTH,
                )
                for spec in group
            ]
            for start in range(0, len(widgets), WIDGETS_PER_ROW):
                self.dashboard.add_widgets(*widgets[start : start + WIDGETS_PER_ROW])
