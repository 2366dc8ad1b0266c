"""The Glue database and table over the delivered events, and the Athena workgroup that queries them.

A table with partition projection instead of a crawler: Firehose's layout (events/yyyy/MM/dd/) is
known in advance, so Athena computes the day partitions itself. No crawler runs, costs or lags
behind the data, and no partition has to be registered.
L1 only: aws-cdk-lib has no L2 for Glue tables or Athena workgroups.
"""

from __future__ import annotations

from aws_cdk import Aws, RemovalPolicy
from aws_cdk import aws_athena as athena
from aws_cdk import aws_glue as glue
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from genai_infra.config.data import AnalyticsConfig

# The envelope every domain event of the application carries (DomainEvent: id, type, aggregate, time).
# The JSON reader matches names case-insensitively, so eventId fills eventid.
EVENT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("eventid", "string"),
    ("eventtype", "string"),
    ("aggregateid", "string"),
    ("aggregatetype", "string"),
    ("occurredon", "string"),
)
JSON_SERDE = "org.openx.data.jsonserde.JsonSerDe"


class EventQueries(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        database_name: str,
        workgroup_name: str,
        config: AnalyticsConfig,
        events: s3.IBucket,
        events_prefix: str,
        results: s3.IBucket,
        key: kms.IKey,
        removal_policy: RemovalPolicy,
    ) -> None:
        super().__init__(scope, construct_id)
        location = f"s3://{events.bucket_name}/{events_prefix}"
        self.database = glue.CfnDatabase(
            self,
            "Database",
            catalog_id=Aws.ACCOUNT_ID,
            database_input=glue.CfnDatabase.DatabaseInputProperty(
                name=database_name, description="Domain events delivered from MSK by Firehose"
            ),
        )
        self.table = glue.CfnTable(
            self,
            "DomainEvents",
            catalog_id=Aws.ACCOUNT_ID,
            database_name=database_name,
            table_input=glue.CfnTable.TableInputProperty(
                name="domain_events",
                description=f"Topic {config.topic}, one JSON event per line, partitioned by UTC day",
                table_type="EXTERNAL_TABLE",
                partition_keys=[glue.CfnTable.ColumnProperty(name="dt", type="string")],
                parameters={
                    "classification": "json",
                    "compressionType": "gzip",
                    "projection.enabled": "true",
                    "projection.dt.type": "date",
                    "projection.dt.format": "yyyy/MM/dd",
                    "projection.dt.range": f"{config.first_partition_date},NOW",
                    "projection.dt.interval": "1",
                    "projection.dt.interval.unit": "DAYS",
                    # Athena substitutes ${dt}; CloudFormation sees no Fn::Sub here and leaves it alone.
                    "storage.location.template": location + "${dt}/",
                },
                storage_descriptor=glue.CfnTable.StorageDescriptorProperty(
                    location=location,
                    columns=[glue.CfnTable.ColumnProperty(name=name, type=kind) for name, kind in EVENT_COLUMNS],
                    input_format="org.apache.hadoop.mapred.TextInputFormat",
                    output_format="org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
                    serde_info=glue.CfnTable.SerdeInfoProperty(
                        serialization_library=JSON_SERDE,
                        # One malformed event must not fail every query over its day.
                        parameters={"ignore.malformed.json": "true"},
                    ),
                ),
            ),
        )
        self.table.node.add_dependency(self.database)
        self.workgroup = athena.CfnWorkGroup(
            self,
            "WorkGroup",
            name=workgroup_name,
            description="Queries over the domain events; results encrypted, scans capped",
            state="ENABLED",
            # Where the stack may be destroyed, the workgroup goes too, saved queries and all.
            recursive_delete_option=removal_policy == RemovalPolicy.DESTROY,
            work_group_configuration=athena.CfnWorkGroup.WorkGroupConfigurationProperty(
                enforce_work_group_configuration=True,
                publish_cloud_watch_metrics_enabled=True,
                bytes_scanned_cutoff_per_query=config.bytes_scanned_cutoff_per_query,
                engine_version=athena.CfnWorkGroup.EngineVersionProperty(
                    selected_engine_version="Athena engine version 3"
                ),
                result_configuration=athena.CfnWorkGroup.ResultConfigurationProperty(
                    output_location=f"s3://{results.bucket_name}/athena/",
                    encryption_configuration=athena.CfnWorkGroup.EncryptionConfigurationProperty(
                        encryption_option="SSE_KMS", kms_key=key.key_arn
                    ),
                    expected_bucket_owner=Aws.ACCOUNT_ID,
                ),
            ),
        )
        for resource in (self.database, self.table, self.workgroup):
            resource.apply_removal_policy(removal_policy)
