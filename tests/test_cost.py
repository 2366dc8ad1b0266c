"""The cost estimator's catalog, usage file and the arithmetic of every pricing rule, by hand.

Pure Python: no synthesis. Tokyo (ap-northeast-1) list prices from prices.toml are written out in
each expected value so that a changed price or a changed rule both fail here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from genai_infra.config import ProjectConfig
from genai_infra.cost.catalog import CostError, load_catalog
from genai_infra.cost.rules import FREE, RULES, Category, PricingContext, Resource, price_resource
from genai_infra.cost.usage import load_usage

TOKYO, TAIPEI, US_EAST_1 = "ap-northeast-1", "ap-east-2", "us-east-1"


def context(config: ProjectConfig, environment: str, region: str, **usage: Any) -> PricingContext:
    base = load_usage().for_target(environment, region)
    return PricingContext(config.environments[environment], region, base.model_copy(update=usage), load_catalog())


def resource(kind: str, properties: dict[str, Any] | None = None, **siblings: dict[str, Any]) -> Resource:
    props = properties or {}
    return Resource("TestStack", "Subject", kind, props, {"Subject": {"Type": kind, "Properties": props}, **siblings})


def total(res: Resource, ctx: PricingContext) -> float:
    priced = price_resource(res, ctx)
    assert priced is not None
    return sum(charge.monthly_usd for charge in priced[1])


def amounts(res: Resource, ctx: PricingContext) -> list[float]:
    priced = price_resource(res, ctx)
    assert priced is not None
    return [round(charge.monthly_usd, 4) for charge in priced[1]]


# ---------------------------------------------------------------- catalog


def test_every_catalog_price_has_unit_source_date_and_a_region() -> None:
    catalog = load_catalog()
    assert catalog.currency == "USD"
    assert catalog.as_of == "2026-11-01"
    for key, entry in catalog.entries.items():
        assert entry["unit"], key
        assert entry["source"].startswith("https://aws.amazon.com/"), key
        assert entry["regions"], key
        assert all(value > 0 for value in entry["regions"].values()), key
        assert set(entry.get("approximate", [])) <= set(entry["regions"]), key


def test_taipei_prices_are_derived_from_tokyo_and_say_so() -> None:
    catalog = load_catalog()
    tokyo = catalog.price("vpc.nat-gateway", TOKYO)
    taipei = catalog.price("vpc.nat-gateway", TAIPEI)
    assert tokyo.usd == 0.062
    assert tokyo.caveat is None
    assert taipei.usd == 0.062 * catalog.derivations[TAIPEI].factor
    assert taipei.derived_from == TOKYO
    assert taipei.caveat == "derived from ap-northeast-1 x 1"
    # A global price is the same everywhere and never derived.
    assert catalog.price("kms.key", TAIPEI).caveat is None


def test_a_missing_price_is_an_error_naming_key_and_region() -> None:
    catalog = load_catalog()
    with pytest.raises(CostError, match=r"no entry 'ec2\.x9\.huge'"):
        catalog.price("ec2.x9.huge", TOKYO)
    with pytest.raises(CostError, match=r"no price 'ec2\.t3\.small' for eu-west-1"):
        catalog.price("ec2.t3.small", "eu-west-1")


def test_every_configurable_instance_class_has_a_price_in_every_serving_region() -> None:
    from genai_infra.config import catalog as accepted

    catalog = load_catalog()
    keys = [
        *(f"ec2.{name}" for name in accepted.EC2_NODE_TYPES),
        *(f"rds.aurora-postgresql.{name}" for name in accepted.AURORA_POSTGRES_CLASSES),
        *(f"elasticache.{name}" for name in accepted.CACHE_NODE_TYPES),
        *(f"msk.{name}" for name in accepted.MSK_BROKER_TYPES),
    ]
    for key in keys:
        for region in (TOKYO, TAIPEI):
            assert catalog.price(key, region).usd > 0


# ---------------------------------------------------------------- usage file


def test_usage_resolves_defaults_then_environment_then_region() -> None:
    usage = load_usage()
    assert usage.for_target("development", TOKYO).nat_data_gb == 20
    assert usage.for_target("development", TOKYO).hours_per_month == 730
    assert usage.for_target("production", TAIPEI).nat_data_gb == 100
    assert usage.for_target("production", TOKYO).nat_data_gb == 20  # the standby region's override
    assert usage.for_target("production", TOKYO).aurora_storage_gb == 100  # inherited from production


def test_user_usage_file_overrides_and_typos_are_refused(tmp_path: Path) -> None:
    good = tmp_path / "usage.toml"
    good.write_text("[environments.staging]\nnat_data_gb = 400\n[defaults]\nxray_sampling_percent = 5\n")
    book = load_usage(good)
    assert book.for_target("staging", TAIPEI).nat_data_gb == 400
    assert book.for_target("production", TAIPEI).xray_sampling_percent == 5
    assert str(good) in book.origin
    typo = tmp_path / "typo.toml"
    typo.write_text("[environments.staging]\nnat_data_gbs = 400\n")
    with pytest.raises(CostError, match="nat_data_gbs is not a usage key"):
        load_usage(typo).for_target("staging", TAIPEI)
    with pytest.raises(CostError, match="does not exist"):
        load_usage(tmp_path / "missing.toml")


# ---------------------------------------------------------------- rules


def test_unknown_billable_type_is_an_error_naming_it(config: ProjectConfig) -> None:
    with pytest.raises(CostError, match=r"TestStack/Subject has type AWS::SageMaker::Endpoint, which has no pricing"):
        price_resource(resource("AWS::SageMaker::Endpoint"), context(config, "development", TOKYO))


def test_free_types_and_custom_resources_price_nothing(config: ProjectConfig) -> None:
    ctx = context(config, "development", TOKYO)
    assert price_resource(resource("AWS::EC2::VPC"), ctx) is None
    assert price_resource(resource("Custom::AWSCDK-EKS-HelmChart"), ctx) is None
    assert not set(FREE) & set(RULES)
    # Except the one custom resource that creates something billable: the L2 EKS cluster's control plane.
    assert amounts(resource("Custom::AWSCDK-EKS-Cluster"), ctx)[0] == 73.0


def test_nat_gateway_hours_and_shared_data(config: ProjectConfig) -> None:
    ctx = context(config, "development", TOKYO, nat_data_gb=20)
    # 730 h x 0.062 + 20 GB x 0.062; a second gateway in the template halves the data share.
    # Without interface endpoints beside it, their 10 GB (endpoint_data_gb) go through the NAT too.
    assert amounts(resource("AWS::EC2::NatGateway"), ctx) == [45.26, 1.24, 0.62]
    two = resource("AWS::EC2::NatGateway", Other={"Type": "AWS::EC2::NatGateway"})
    assert amounts(two, ctx) == [45.26, 0.62, 0.31]
    interface = {"Type": "AWS::EC2::VPCEndpoint", "Properties": {"VpcEndpointType": "Interface"}}
    with_endpoints = resource("AWS::EC2::NatGateway", Endpoint=interface)
    assert amounts(with_endpoints, ctx) == [45.26, 1.24]
    assert amounts(resource("AWS::EC2::EIP"), ctx) == [3.65]  # 730 h x 0.005


def test_interface_endpoints_per_az_and_gateway_endpoints_free(config: ProjectConfig) -> None:
    ctx = context(config, "development", TOKYO, endpoint_data_gb=10)
    interface = resource("AWS::EC2::VPCEndpoint", {"VpcEndpointType": "Interface", "SubnetIds": [{"Ref": "A"}, "b"]})
    assert amounts(interface, ctx) == [20.44, 0.1]  # 2 AZ x 730 h x 0.014; 10 GB x 0.01
    assert price_resource(resource("AWS::EC2::VPCEndpoint", {"ServiceName": "s3"}), ctx) == (
        Category.DATA_TRANSFER,
        [],
    )


def test_node_group_on_demand_spot_off_hours_and_disks(config: ProjectConfig) -> None:
    ctx = context(config, "staging", TOKYO, node_off_hours=500, node_off_hours_count=1)
    props: dict[str, Any] = {"InstanceTypes": ["t3.medium"], "ScalingConfig": {"DesiredSize": 2}, "DiskSize": 20}
    # 2 nodes x 230 h + 1 node x 500 h = 960 node-hours; disks: 960/730 nodes x 20 GB x 0.096.
    assert amounts(resource("AWS::EKS::Nodegroup", props), ctx) == [
        round(960 * 0.0544, 4),
        round(960 / 730 * 20 * 0.096, 4),
    ]
    spot = resource("AWS::EKS::Nodegroup", {**props, "CapacityType": "SPOT"})
    assert amounts(spot, ctx)[0] == round(960 * 0.0544 * 0.35, 4)
    # Mixed types launch the first; a token desired size falls back to the configuration (staging: 2).
    mixed = resource(
        "AWS::EKS::Nodegroup",
        {**props, "InstanceTypes": ["t3.large", "t3.medium"], "ScalingConfig": {"DesiredSize": {"Ref": "Size"}}},
    )
    taipei = context(config, "staging", TAIPEI, node_off_hours=500, node_off_hours_count=1)
    token_capacity = resource("AWS::EKS::Nodegroup", {**props, "CapacityType": {"Ref": "Capacity"}})
    assert amounts(token_capacity, taipei)[0] == round(960 * 0.0544, 4)  # staging's configured ON_DEMAND
    assert amounts(mixed, taipei)[0] == round(960 * 0.1088, 4)
    with pytest.raises(CostError, match="DesiredSize is a token and ap-northeast-1 is not a serving region of staging"):
        amounts(mixed, ctx)


def test_node_group_disk_from_its_launch_template(config: ProjectConfig) -> None:
    ctx = context(config, "development", TOKYO, node_off_hours=0)
    template = {"LaunchTemplateData": {"BlockDeviceMappings": [{"Ebs": {"VolumeSize": 50, "VolumeType": "gp3"}}]}}
    group = resource(
        "AWS::EKS::Nodegroup",
        {"InstanceTypes": ["t3.small"], "ScalingConfig": {"DesiredSize": 1}, "LaunchTemplate": {"Id": {"Ref": "Lt"}}},
        Lt={"Type": "AWS::EC2::LaunchTemplate", "Properties": template},
    )
    assert amounts(group, ctx) == [round(730 * 0.0272, 4), round(50 * 0.096, 4)]


def test_eks_cluster_with_its_application_metrics_and_traces(config: ProjectConfig) -> None:
    ctx = context(config, "production", TAIPEI, custom_metrics=50, requests_millions=30, xray_sampling_percent=10)
    # 730 h x 0.10; 50 metrics x 0.30; traces: the 1/s reservoir (2.628 M) and 10 % of the other
    # 27.372 M requests, 5.3652 M traces x 5.00.
    assert amounts(resource("AWS::EKS::Cluster"), ctx) == [73.0, 15.0, 26.826]
    categories = [charge.category for charge in price_resource(resource("AWS::EKS::Cluster"), ctx)[1]]  # type: ignore[index]
    assert categories == [None, Category.MONITORING, Category.MONITORING]


def test_aurora_provisioned_serverless_storage_and_backup(config: ProjectConfig) -> None:
    ctx = context(
        config,
        "development",
        TOKYO,
        aurora_serverless_active_hours=176,
        aurora_serverless_active_acu_fraction=0.5,
        aurora_storage_gb=10,
        aurora_io_millions=5,
        aurora_daily_change_percent=2,
    )
    writer = resource("AWS::RDS::DBInstance", {"DBInstanceClass": "db.r6g.large", "Engine": "aurora-postgresql"})
    assert amounts(writer, ctx) == [round(730 * 0.313, 4)]
    cluster = {
        "Type": "AWS::RDS::DBCluster",
        "Properties": {
            "Engine": "aurora-postgresql",
            "ServerlessV2ScalingConfiguration": {"MinCapacity": 0, "MaxCapacity": 2},
        },
    }
    serverless = resource(
        "AWS::RDS::DBInstance", {"DBInstanceClass": "db.serverless", "DBClusterIdentifier": {"Ref": "Db"}}, Db=cluster
    )
    # 176 h at 1 ACU (halfway between 0 and 2), the other 554 h held at 0.5 ACU by the application's
    # connection pools (no pausing assumed): 453 ACU-hours x 0.15.
    assert amounts(serverless, ctx) == [67.95]
    # 10 GB x 0.12; 5 M I/O x 0.24; backup: 10 GB x 2 % x (7 - 1) days = 1.2 GB x 0.023.
    assert amounts(resource("AWS::RDS::DBCluster", {"BackupRetentionPeriod": 7}), ctx) == [1.2, 1.2, 0.0276]
    with pytest.raises(CostError, match="aurora-iopt1"):
        total(resource("AWS::RDS::DBCluster", {"StorageType": "aurora-iopt1"}), ctx)


def test_aurora_global_replication(config: ProjectConfig) -> None:
    ctx = context(config, "production", TOKYO, aurora_replication_gb=50, aurora_replicated_write_io_millions=50)
    # 50 GB x 0.09 to the other region; 50 M replicated writes x 0.24.
    assert amounts(resource("AWS::RDS::GlobalCluster"), ctx) == [4.5, 12.0]


def test_elasticache_nodes_valkey_and_global_secondary(config: ProjectConfig) -> None:
    ctx = context(config, "production", TOKYO, redis_replication_gb=20)
    props = {"CacheNodeType": "cache.r6g.large", "NumCacheClusters": 3}
    assert amounts(resource("AWS::ElastiCache::ReplicationGroup", props), ctx) == [round(3 * 730 * 0.273, 4)]
    valkey = resource("AWS::ElastiCache::ReplicationGroup", {**props, "Engine": "valkey"})
    assert amounts(valkey, ctx) == [round(3 * 730 * 0.273 * 0.8, 4)]
    # A global secondary states neither node type nor count: the configuration does (1 replica -> 2 nodes).
    secondary = resource("AWS::ElastiCache::ReplicationGroup", {"GlobalReplicationGroupId": {"Ref": "G"}})
    assert amounts(secondary, ctx) == [round(2 * 730 * 0.273, 4)]
    assert amounts(resource("AWS::ElastiCache::GlobalReplicationGroup"), ctx) == [1.8]  # 20 GB x 0.09


def test_msk_brokers_storage_and_replicator(config: ProjectConfig) -> None:
    ctx = context(config, "production", TOKYO, msk_replication_gb=100)
    cluster = {
        "NumberOfBrokerNodes": 3,
        "BrokerNodeGroupInfo": {
            "InstanceType": "kafka.m7g.large",
            "StorageInfo": {"EBSStorageInfo": {"VolumeSize": 100}},
        },
    }
    assert amounts(resource("AWS::MSK::Cluster", cluster), ctx) == [round(3 * 730 * 0.2448, 4), 36.0]
    # 730 h x 0.30; 100 GB x 0.08; 100 GB x 0.09 to the other region.
    assert amounts(resource("AWS::MSK::Replicator"), ctx) == [219.0, 8.0, 9.0]


def test_log_groups_flow_logs_named_groups_and_retention(config: ProjectConfig) -> None:
    ctx = context(config, "development", TOKYO, flow_log_gb=5, log_gb_per_group=1, log_gb_by_name={"/application": 40})
    flow = resource(
        "AWS::Logs::LogGroup",
        {"RetentionInDays": 30},
        Flow={"Type": "AWS::EC2::FlowLog", "Properties": {"LogGroupName": {"Ref": "Subject"}}},
    )
    assert amounts(flow, ctx) == [3.8, 0.165]  # 5 GB x 0.76; 5 GB kept 1 month x 0.033
    app = resource("AWS::Logs::LogGroup", {"LogGroupName": "/aws/genai-demo/x/application", "RetentionInDays": 90})
    assert amounts(app, ctx) == [30.4, round(40 * 3 * 0.033, 4)]
    forever = resource("AWS::Logs::LogGroup", {})
    assert amounts(forever, ctx) == [0.76, round(12 * 0.033, 4)]


def test_alarms_dashboards_metric_filters_and_grafana(config: ProjectConfig) -> None:
    ctx = context(config, "production", TOKYO, grafana_editors=2, grafana_viewers=3)
    assert amounts(resource("AWS::CloudWatch::Alarm", {"Period": 60}), ctx) == [0.1]
    assert amounts(resource("AWS::CloudWatch::Alarm", {"Period": 10}), ctx) == [0.3]
    assert amounts(resource("AWS::CloudWatch::Alarm", {"ThresholdMetricId": "band"}), ctx) == [0.3]
    math = {"Metrics": [{"Id": "a", "MetricStat": {}}, {"Id": "b", "MetricStat": {}}, {"Id": "e", "Expression": "a+b"}]}
    assert amounts(resource("AWS::CloudWatch::Alarm", math), ctx) == [0.2]
    assert amounts(resource("AWS::CloudWatch::CompositeAlarm"), ctx) == [0.5]
    assert amounts(resource("AWS::CloudWatch::Dashboard"), ctx) == [3.0]
    assert amounts(resource("AWS::Logs::MetricFilter", {"MetricTransformations": [{}, {}]}), ctx) == [0.6]
    assert amounts(resource("AWS::Grafana::Workspace"), ctx) == [18.0, 15.0]


def test_route53_health_checks_and_queries(config: ProjectConfig) -> None:
    ctx = context(config, "production", TOKYO, dns_queries_millions=10)
    fast_https = {"HealthCheckConfig": {"Type": "HTTPS", "RequestInterval": 10}}
    assert amounts(resource("AWS::Route53::HealthCheck", fast_https), ctx) == [0.5, 2.0]
    assert amounts(resource("AWS::Route53::HealthCheck", {"HealthCheckConfig": {"Type": "HTTP"}}), ctx) == [0.5]
    assert price_resource(resource("AWS::Route53::RecordSet", {"AliasTarget": {}}), ctx) == (Category.DNS, [])
    assert amounts(resource("AWS::Route53::RecordSet", {"ResourceRecords": ["1.2.3.4"]}), ctx) == [4.0]
    assert amounts(resource("AWS::Route53::HostedZone"), ctx) == [0.5]


def test_cloudfront_and_waf(config: ProjectConfig) -> None:
    ctx = context(config, "production", US_EAST_1, cloudfront_data_out_gb=300, requests_millions=30)
    # 300 GB x 0.120 (Asia Pacific); 30 M requests = 3,000 x 10k x 0.012.
    assert amounts(resource("AWS::CloudFront::Distribution"), ctx) == [36.0, 36.0]
    acl = {"Scope": "CLOUDFRONT", "Rules": [{}, {}, {}, {}]}
    assert amounts(resource("AWS::WAFv2::WebACL", acl), ctx) == [5.0, 4.0, 18.0]  # 5 + 4 x 1 + 30 M x 0.60


def test_kms_secrets_parameters_storage_and_backup(config: ProjectConfig) -> None:
    ctx = context(
        config,
        "production",
        TAIPEI,
        kms_completed_rotations=3,
        ecr_storage_gb=5,
        s3_storage_gb_per_bucket=50,
        backup_aurora_gb=150,
        backup_ebs_gb=0,
        backup_copy_gb=100,
    )
    assert amounts(resource("AWS::KMS::Key", {"EnableKeyRotation": True}), ctx) == [3.0]  # 1 + first two rotations
    assert amounts(resource("AWS::KMS::Key", {}), ctx) == [1.0]
    assert amounts(resource("AWS::SecretsManager::Secret"), ctx) == [0.4]
    assert price_resource(resource("AWS::SSM::Parameter", {"Type": "String"}), ctx) == (Category.OTHER, [])
    assert amounts(resource("AWS::SSM::Parameter", {"Tier": "Advanced"}), ctx) == [0.05]
    assert amounts(resource("AWS::ECR::Repository"), ctx) == [0.5]
    assert amounts(resource("AWS::S3::Bucket"), ctx) == [1.25]  # 50 GB x 0.025 (Tokyo's price, derived)
    plan = {
        "BackupPlan": {"BackupPlanRule": [{"RuleName": "daily", "CopyActions": [{"DestinationBackupVaultArn": "x"}]}]}
    }
    # No selection in the template: Aurora 150 GB x 0.023, EBS 0 GB; copy 100 GB x 0.023 stored and x 0.09 sent.
    assert amounts(resource("AWS::Backup::BackupPlan", plan), ctx) == [3.45, 0.0, 2.3, 9.0]


def test_analytics_and_load_balancers(config: ProjectConfig) -> None:
    ctx = context(config, "staging", TAIPEI, firehose_gb=5, athena_tb_scanned=0.05, glue_dpu_hours=2, alb_lcu=1)
    assert amounts(resource("AWS::KinesisFirehose::DeliveryStream"), ctx) == [0.18]
    assert amounts(resource("AWS::Athena::WorkGroup"), ctx) == [0.25]
    assert amounts(resource("AWS::Glue::Crawler"), ctx) == [0.88]
    # 730 h x 0.0243 and 1 LCU x 730 h x 0.008.
    assert amounts(resource("AWS::ElasticLoadBalancingV2::LoadBalancer", {}), ctx) == [17.739, 5.84]
