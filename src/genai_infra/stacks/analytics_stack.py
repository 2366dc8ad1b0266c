"""AnalyticsStack: domain events from MSK to an S3 data lake, a Glue table and an Athena workgroup (phase 5)."""

from __future__ import annotations

from aws_cdk import aws_kms as kms
from constructs import Construct

from genai_infra.constructs.data_lake import DataLake
from genai_infra.constructs.event_delivery import EVENTS_PREFIX, EventDelivery
from genai_infra.constructs.event_queries import EventQueries
from genai_infra.constructs.shared_values import PublishedValues
from genai_infra.naming import PROJECT, glue_name, log_group_name
from genai_infra.stacks.base import GenaiStack, TargetContext


class AnalyticsStack(GenaiStack):
    def __init__(self, scope: Construct, stack_id: str, *, target: TargetContext) -> None:
        super().__init__(scope, stack_id, target=target, description="Event data lake, Glue catalog, Athena")
        environment = target.environment.name
        config = target.environment.analytics
        self.lake = DataLake(
            self, "DataLake", environment=environment, config=config, removal_policy=target.stateful_removal_policy
        )
        logs_key = kms.Key.from_key_arn(self, "LogsKey", self.published("kms/logs-key-arn"))
        self.delivery = EventDelivery(
            self,
            "Delivery",
            stream_name=f"{PROJECT}-{environment}-domain-events",
            cluster_arn=self.published("msk/cluster-arn"),
            config=config,
            bucket=self.lake.events,
            bucket_key=self.lake.key,
            log_group_name=log_group_name(environment, "firehose", "domain-events"),
            log_retention_days=target.environment.log_retention_days,
            log_key=logs_key,
            removal_policy=target.stateful_removal_policy,
        )
        self.queries = EventQueries(
            self,
            "Queries",
            database_name=glue_name(environment, "events"),
            workgroup_name=f"{PROJECT}-{environment}-events",
            config=config,
            events=self.lake.events,
            events_prefix=EVENTS_PREFIX,
            results=self.lake.query_results,
            key=self.lake.key,
            removal_policy=target.stateful_removal_policy,
        )
        PublishedValues(
            self,
            "Published",
            environment=environment,
            values={
                "analytics/events-bucket-name": self.lake.events.bucket_name,
                "analytics/glue-database-name": glue_name(environment, "events"),
                "analytics/athena-workgroup-name": f"{PROJECT}-{environment}-events",
            },
        )
