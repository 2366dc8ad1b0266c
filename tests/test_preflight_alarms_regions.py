"""Preflight alarm rules PF030-PF033 and region rules PF034-PF037 on minimal templates."""

from __future__ import annotations

from typing import Any

import pytest

from genai_infra.preflight import EnvironmentTemplates
from tests.preflight_builders import get_att, hits, one, published, ref, res, ssm_import, target, tpl

TOPIC = {"Topic": res("AWS::SNS::Topic")}


def alarm(namespace: str = "AWS/RDS", metric: str = "CPUUtilization", dimensions: Any = None, **extra: Any) -> Any:
    properties = {
        "Namespace": namespace,
        "MetricName": metric,
        "Dimensions": dimensions if dimensions is not None else [],
        "ComparisonOperator": "GreaterThanThreshold",
        "EvaluationPeriods": 3,
        "Threshold": 80,
        "Statistic": "Average",
        "Period": 300,
        "AlarmActions": [ref("Topic")],
        **extra,
    }
    return res("AWS::CloudWatch::Alarm", {k: v for k, v in properties.items() if v is not None})


@pytest.mark.parametrize("extra", [{"AlarmActions": None}, {"AlarmActions": []}, {"ActionsEnabled": False}])
def test_an_alarm_without_an_enabled_action_fails(extra: dict[str, Any]) -> None:
    assert [hit.logical_id for hit in hits("PF030", one({"Alarm": alarm(**extra)}))] == ["Alarm"]
    assert hits("PF030", one({"Alarm": alarm(), **TOPIC})) == []


DB = {"Db": res("AWS::RDS::DBCluster", {"Engine": "aurora-postgresql", "DBClusterIdentifier": "genai-demo-production"})}


@pytest.mark.parametrize(
    "dimensions",
    [
        [{"Name": "DBClusterIdentifier", "Value": "genai-demo-staging"}],
        [{"Name": "DBClusterIdentifier", "Value": ref("Broker")}],
        [{"Name": "ClusterIdentifier", "Value": ref("Db")}],
    ],
    ids=["literal-of-no-cluster", "wrong-resource-type", "unknown-dimension"],
)
def test_alarm_dimensions_must_name_a_resource_of_the_target(dimensions: list[Any]) -> None:
    resources = {**DB, "Broker": res("AWS::MSK::Cluster"), "Alarm": alarm(dimensions=dimensions)}
    assert [hit.logical_id for hit in hits("PF031", one(resources))] == ["Alarm"]


def test_alarm_dimensions_that_name_resources_pass() -> None:
    by_ref = alarm(dimensions=[{"Name": "DBClusterIdentifier", "Value": ref("Db")}])
    by_name = alarm(dimensions=[{"Name": "DBClusterIdentifier", "Value": "genai-demo-production"}])
    redis_node = alarm("AWS/ElastiCache", "EngineCPUUtilization",
                       [{"Name": "CacheClusterId", "Value": {"Fn::Join": ["", [ref("Redis"), "-001"]]}}])  # fmt: skip
    resources = {**DB, "Redis": res("AWS::ElastiCache::ReplicationGroup"), "A": by_ref, "B": by_name, "C": redis_node}
    assert hits("PF031", one(resources)) == []


def test_alarm_dimensions_are_followed_through_ssm_into_the_producing_stack() -> None:
    rds = tpl({**DB, "Published": published("rds/cluster-identifier", ref("Db"))})
    watching = alarm(dimensions=[{"Name": "DBClusterIdentifier", "Value": ref("ClusterId")}])
    alerting = tpl({"Alarm": watching}, {"ClusterId": ssm_import("rds/cluster-identifier")})
    assert hits("PF031", target({"RdsStack": rds, "AlertingStack": alerting})) == []
    assert len(hits("PF031", target({"AlertingStack": alerting}))) == 1


def test_a_fixed_name_published_through_ssm_must_name_a_resource() -> None:
    broker = res("AWS::MSK::Cluster", {"ClusterName": "genai-demo-production-msk"})
    watching = alarm("AWS/Kafka", "KafkaDataLogsDiskUsed",
                     [{"Name": "Cluster Name", "Value": ref("Name")}, {"Name": "Broker ID", "Value": "1"}])  # fmt: skip
    alerting = tpl({"Alarm": watching}, {"Name": ssm_import("msk/cluster-name")})
    right = tpl({"Broker": broker, "Published": published("msk/cluster-name", "genai-demo-production-msk")})
    wrong = tpl({"Broker": broker, "Published": published("msk/cluster-name", "genai-demo-staging-msk")})
    assert hits("PF031", target({"MSKStack": right, "AlertingStack": alerting})) == []
    assert len(hits("PF031", target({"MSKStack": wrong, "AlertingStack": alerting}))) == 1


def test_alarm_metrics_must_exist_in_their_namespace() -> None:
    assert len(hits("PF032", one({"Alarm": alarm(metric="CPUUtilisation")}))) == 1
    assert len(hits("PF032", one({"Alarm": alarm("AWS/Kafka", "UnderReplicatedPartition")}))) == 1
    math = {"Metrics": [{"Id": "m1", "MetricStat": {"Metric": {"Namespace": "AWS/ApplicationELB",
            "MetricName": "HTTPCode_5XX_Count"}, "Period": 60, "Stat": "Sum"}}]}  # fmt: skip
    assert len(hits("PF032", one({"Alarm": res("AWS::CloudWatch::Alarm", math)}))) == 1
    assert hits("PF032", one({"Alarm": alarm("AWS/Kafka", "UnderReplicatedPartitions")})) == []
    assert hits("PF032", one({"Alarm": alarm("GenaiDemo/Application", "OrdersPlaced")})) == []


def test_route53_health_check_alarms_only_in_us_east_1() -> None:
    health = alarm("AWS/Route53", "HealthCheckStatus", [{"Name": "HealthCheckId", "Value": ref("Check")}])
    assert len(hits("PF033", one({"Alarm": health}, region="ap-east-2"))) == 1
    assert hits("PF033", one({"Alarm": health}, region="us-east-1")) == []
    assert hits("PF033", one({"Alarm": alarm()}, region="ap-east-2")) == []


@pytest.mark.parametrize(
    "resource",
    [
        res("AWS::Budgets::Budget", {"Budget": {"BudgetType": "COST", "TimeUnit": "MONTHLY"}}),
        res("AWS::CE::AnomalyMonitor", {"MonitorName": "m", "MonitorType": "DIMENSIONAL"}),
        res("AWS::WAFv2::WebACL", {"Scope": "CLOUDFRONT", "DefaultAction": {"Allow": {}}}),
    ],
    ids=["budget", "anomaly-monitor", "cloudfront-waf"],
)
def test_us_east_1_only_resources_elsewhere_fail(resource: dict[str, Any]) -> None:
    assert len(hits("PF034", one({"R": resource}, region="ap-northeast-1"))) == 1
    assert hits("PF034", one({"R": resource}, region="us-east-1")) == []


def test_regional_waf_passes_in_a_serving_region() -> None:
    regional = res("AWS::WAFv2::WebACL", {"Scope": "REGIONAL", "DefaultAction": {"Allow": {}}})
    assert hits("PF034", one({"R": regional}, region="ap-east-2")) == []


def distribution(certificate: Any) -> dict[str, Any]:
    config = {"Enabled": True, "ViewerCertificate": {"AcmCertificateArn": certificate, "SslSupportMethod": "sni-only"}}
    return {"Cdn": res("AWS::CloudFront::Distribution", {"DistributionConfig": config})}


def test_cloudfront_needs_a_us_east_1_certificate() -> None:
    tokyo = "arn:aws:acm:ap-northeast-1:111122223333:certificate/0b1c"
    virginia = "arn:aws:acm:us-east-1:111122223333:certificate/0b1c"
    assert len(hits("PF035", one(distribution(tokyo), region="us-east-1"))) == 1
    assert hits("PF035", one(distribution(virginia), region="us-east-1")) == []
    # A Ref (or SSM import) resolves in the stack's own region.
    assert len(hits("PF035", one(distribution(ref("Certificate")), region="ap-east-2"))) == 1
    assert hits("PF035", one(distribution(ref("Certificate")), region="us-east-1")) == []


def environment(*targets: Any) -> EnvironmentTemplates:
    return EnvironmentTemplates("production", tuple(targets))


def test_account_wide_iam_names_must_differ_between_regions() -> None:
    def role(name: str) -> dict[str, Any]:
        return {"Role": res("AWS::IAM::Role", {"RoleName": name, "AssumeRolePolicyDocument": {}})}

    same = environment(one(role("genai-demo-production-eks-node-role")),
                       one(role("genai-demo-production-eks-node-role"), region="ap-northeast-1"))  # fmt: skip
    (found,) = hits("PF036", same)
    assert found.target == "production/ap-northeast-1"
    tokyo = one(role("genai-demo-production-ap-northeast-1-eks-node-role"), region="ap-northeast-1")
    distinct = environment(one(role("genai-demo-production-eks-node-role")), tokyo)
    assert hits("PF036", distinct) == []


def test_an_aurora_global_secondary_needs_the_global_cluster_of_the_primary() -> None:
    secondary = one({"Db": res("AWS::RDS::DBCluster", {"Engine": "aurora-postgresql",
                                                       "GlobalClusterIdentifier": "genai-demo-production-global"})},
                    region="ap-northeast-1")  # fmt: skip
    primary = one(
        {
            **DB,
            "Global": res(
                "AWS::RDS::GlobalCluster",
                {
                    "GlobalClusterIdentifier": "genai-demo-production-global",
                    "SourceDBClusterIdentifier": get_att("Db", "Arn"),
                },
            ),
        }
    )
    assert len(hits("PF037", environment(secondary))) == 1
    assert hits("PF037", environment(primary, secondary)) == []


def _put_parameter(name: str, region: str) -> dict[str, Any]:
    """CDK's AwsCustomResource writing the health check id into another region's SSM."""
    head = '{"service":"SSM","action":"putParameter","parameters":{"Name":"' + name + '","Value":"'
    tail = '","Type":"String","Overwrite":true},"region":"' + region + '"}'
    return res("Custom::AWS", {"Create": {"Fn::Join": ["", [head, ref("Check"), tail]]}})


def test_a_parameter_another_region_writes_here_is_published_and_names_its_resource() -> None:
    from genai_infra.preflight.runner import link_remote_parameters

    name = "/genai-demo/production/route53/ap-east-2/health-check-id"
    watching = alarm("AWS/Route53", "HealthCheckStatus", [{"Name": "HealthCheckId", "Value": ref("CheckId")}])
    edge = tpl({"Alarm": watching}, {"CheckId": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": name}})
    us_east_1 = target({"EdgeStack": edge}, region="us-east-1")
    check = res("AWS::Route53::HealthCheck", {"HealthCheckConfig": {"Type": "HTTPS"}})
    writes = {"Check": check, "Write": _put_parameter(name, "us-east-1")}
    taipei = target({"Route53FailoverStack": tpl(writes)})
    _, linked = link_remote_parameters([taipei, us_east_1])
    assert hits("PF061", linked) == []
    assert hits("PF031", linked) == []
    # Unlinked (or written to another region), us-east-1 reads a parameter nobody creates there.
    assert len(hits("PF061", us_east_1)) == 1
    elsewhere = target({"Route53FailoverStack": tpl({"Check": check, "Write": _put_parameter(name, "eu-west-1")})})
    _, unlinked = link_remote_parameters([elsewhere, us_east_1])
    assert len(hits("PF061", unlinked)) == 1
    # Written, but naming something that is not a health check.
    wrong = tpl({"Check": res("AWS::SNS::Topic"), "Write": _put_parameter(name, "us-east-1")})
    _, mismatched = link_remote_parameters([target({"Route53FailoverStack": wrong}), us_east_1])
    assert len(hits("PF031", mismatched)) == 1
