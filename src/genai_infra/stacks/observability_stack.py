"""ObservabilityStack: application log groups, X-Ray, the region's dashboard and Grafana (phase 4)."""

from __future__ import annotations

from aws_cdk import Annotations
from aws_cdk import aws_kms as kms
from constructs import Construct

from genai_infra.config.catalog import GRAFANA_REGIONS
from genai_infra.constructs.dashboard import RegionDashboard
from genai_infra.constructs.grafana import GrafanaWorkspace
from genai_infra.constructs.monitored import alarm_specs, read_monitored
from genai_infra.constructs.telemetry import ApplicationLogs, Tracing
from genai_infra.stacks.base import GenaiStack, TargetContext


class ObservabilityStack(GenaiStack):
    def __init__(self, scope: Construct, stack_id: str, *, target: TargetContext) -> None:
        super().__init__(scope, stack_id, target=target, description="log groups, X-Ray, dashboard, Grafana")
        environment = target.environment
        logs_key = kms.Key.from_key_arn(self, "LogsKey", self.published("kms/logs-key-arn"))
        self.logs = ApplicationLogs(
            self, "Logs", environment=environment, key=logs_key, removal_policy=target.stateful_removal_policy
        )
        self.tracing = Tracing(self, "Tracing", environment=environment)
        specs = alarm_specs(read_monitored(self, environment, target.region), environment.alerting)
        self.dashboard = RegionDashboard(self, "Dashboard", name=f"{target.name_prefix}-{target.region}", specs=specs)
        self.grafana: GrafanaWorkspace | None = None
        if environment.observability.grafana:
            if target.region in GRAFANA_REGIONS:
                self.grafana = GrafanaWorkspace(self, "Grafana", environment=environment.name)
            else:
                # Said at synthesis, so nobody wonders where the workspace went.
                Annotations.of(self).add_info(
                    f"Amazon Managed Grafana is not offered in {target.region}; no workspace is created here "
                    "(the other region's workspace reads CloudWatch of every region)."
                )
