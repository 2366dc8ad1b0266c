"""EdgeStack (us-east-1): CloudFront, WAF, access and WAF logs, DNS, origin health alarms; the origin secret."""

from __future__ import annotations

import json
from typing import Any

import pytest

from genai_infra.config import ConfigError, ProjectConfig, load_config
from genai_infra.naming import ORIGIN_VERIFY_HEADER, origin_verify_secret_name
from genai_infra.targets import stacks_of
from tests.conftest import SERVING_TARGETS, render, target_of
from tests.test_route53 import DOMAINS, ssm_ref

ENVIRONMENTS = ("development", "staging", "production")
# Decision C12: CloudFront and WAF in production only by default.
EDGE_ENVIRONMENTS = ("production",)
STACK = "EdgeStack"
SERVING = {
    "development": ("ap-northeast-1",),
    "staging": ("ap-east-2",),
    "production": ("ap-east-2", "ap-northeast-1"),
}
# CloudFront's managed policies (ids are fixed by AWS).
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
ALL_METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"]
STATIC_PATHS = ["/static/*", "/assets/*", "*.js", "*.css"]
AUDIT_RETENTION = {"development": 30, "staging": 90, "production": 365}


def _edge(template: Any, environment: str) -> Any:
    return template(environment, "us-east-1", STACK)


def _distribution(template: Any, environment: str) -> dict[str, Any]:
    config: dict[str, Any] = _edge(template, environment).one("AWS::CloudFront::Distribution")["DistributionConfig"]
    return config


def _origins_by_id(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {origin["Id"]: origin for origin in config["Origins"]}


def test_edge_stack_is_in_us_east_1_only_and_follows_the_certificate(config: ProjectConfig) -> None:
    for environment in ENVIRONMENTS:
        stacks = stacks_of(target_of(environment, "us-east-1", config))
        edge = ["CertificateStack", "AlertingStack", "EdgeStack"] if environment in EDGE_ENVIRONMENTS else []
        assert stacks == [*edge, "CostOptimizationStack"]
    for environment, region in SERVING_TARGETS:
        assert STACK not in stacks_of(target_of(environment, region, config))


@pytest.mark.parametrize("environment", EDGE_ENVIRONMENTS)
def test_distribution_serves_the_domain_over_modern_tls(template: Any, environment: str) -> None:
    t = _edge(template, environment)
    config = _distribution(template, environment)
    assert config["Aliases"] == [DOMAINS[environment]]
    assert config["ViewerCertificate"] == {
        "AcmCertificateArn": ssm_ref(t, f"/genai-demo/{environment}/certificate/arn"),
        "MinimumProtocolVersion": "TLSv1.2_2021",
        "SslSupportMethod": "sni-only",
    }
    assert config["HttpVersion"] == "http2and3"
    assert config["IPV6Enabled"] is True
    assert config["Enabled"] is True
    # PriceClass_200 includes the edge locations of Taiwan and Japan, where the users are.
    assert config["PriceClass"] == "PriceClass_200"
    (web_acl,) = t.of_type("AWS::WAFv2::WebACL")
    assert config["WebACLId"] == {"Fn::GetAtt": [web_acl, "Arn"]}
    # Standard logging v2 replaces the legacy S3 access logs.
    assert "Logging" not in config


@pytest.mark.parametrize("environment", EDGE_ENVIRONMENTS)
def test_every_origin_is_an_alb_name_over_https_with_the_verify_header(template: Any, environment: str) -> None:
    config = _distribution(template, environment)
    domain = DOMAINS[environment]
    expected_names = {f"origin.{domain}"} | (
        {f"origin-ap-northeast-1.{domain}"} if environment == "production" else set()
    )
    assert {origin["DomainName"] for origin in config["Origins"]} == expected_names
    for origin in config["Origins"]:
        assert origin["CustomOriginConfig"] == {"OriginProtocolPolicy": "https-only", "OriginSSLProtocols": ["TLSv1.2"]}
        assert origin["OriginCustomHeaders"] == [
            {
                "HeaderName": "X-Origin-Verify",
                "HeaderValue": "{{resolve:secretsmanager:"
                + f"genai-demo/{environment}/edge/origin-verify:SecretString}}}}",
            }
        ]


@pytest.mark.parametrize("environment", EDGE_ENVIRONMENTS)
def test_default_behavior_is_uncached_with_all_methods_on_the_failover_name(template: Any, environment: str) -> None:
    config = _distribution(template, environment)
    behavior = config["DefaultCacheBehavior"]
    assert behavior["AllowedMethods"] == ALL_METHODS
    assert behavior["CachePolicyId"] == CACHING_DISABLED
    assert behavior["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST_HEADER
    assert behavior["ViewerProtocolPolicy"] == "redirect-to-https"
    # An origin group cannot serve POST/PUT/PATCH/DELETE: the Route 53 failover name does the failover here.
    assert _origins_by_id(config)[behavior["TargetOriginId"]]["DomainName"] == f"origin.{DOMAINS[environment]}"


@pytest.mark.parametrize("environment", EDGE_ENVIRONMENTS)
def test_static_paths_are_cached_and_fail_over_between_regions_in_production(template: Any, environment: str) -> None:
    config = _distribution(template, environment)
    domain = DOMAINS[environment]
    behaviors = config["CacheBehaviors"]
    assert [behavior["PathPattern"] for behavior in behaviors] == STATIC_PATHS
    targets = {behavior["TargetOriginId"] for behavior in behaviors}
    assert len(targets) == 1
    for behavior in behaviors:
        assert behavior["AllowedMethods"] == ["GET", "HEAD"]
        assert behavior["CachedMethods"] == ["GET", "HEAD"]
        assert behavior["CachePolicyId"] == CACHING_OPTIMIZED
        assert behavior["ViewerProtocolPolicy"] == "redirect-to-https"
        assert behavior["Compress"] is True
    origins = _origins_by_id(config)
    (target,) = targets
    if environment != "production":
        assert "OriginGroups" not in config
        assert origins[target]["DomainName"] == f"origin.{domain}"
        return
    (group,) = config["OriginGroups"]["Items"]
    assert group["Id"] == target
    assert group["FailoverCriteria"] == {"StatusCodes": {"Items": [500, 502, 503, 504], "Quantity": 4}}
    members = [origins[member["OriginId"]]["DomainName"] for member in group["Members"]["Items"]]
    assert members == [f"origin.{domain}", f"origin-ap-northeast-1.{domain}"]


@pytest.mark.parametrize("environment", EDGE_ENVIRONMENTS)
def test_domain_points_at_the_distribution_over_ipv4_and_ipv6(template: Any, environment: str) -> None:
    t = _edge(template, environment)
    (distribution,) = t.of_type("AWS::CloudFront::Distribution")
    records = sorted(t.props("AWS::Route53::RecordSet"), key=lambda record: str(record["Type"]))
    assert [record["Type"] for record in records] == ["A", "AAAA"]
    for record in records:
        assert record["Name"] == f"{DOMAINS[environment]}."
        assert record["HostedZoneId"] == ssm_ref(t, "/genai-demo/common/dns/hosted-zone-id")
        assert record["AliasTarget"]["DNSName"] == {"Fn::GetAtt": [distribution, "DomainName"]}
    mapping = t.data["Mappings"]["AWSCloudFrontPartitionHostedZoneIdMap"]
    # CloudFront's fixed alias hosted zone.
    assert mapping["aws"]["zoneId"] == "Z2FDTNDATAQYW2"


@pytest.mark.parametrize("environment", EDGE_ENVIRONMENTS)
def test_web_acl_has_the_managed_groups_and_a_rate_limit(template: Any, environment: str) -> None:
    t = _edge(template, environment)
    acl = t.one("AWS::WAFv2::WebACL")
    assert acl["Scope"] == "CLOUDFRONT"
    assert acl["Name"] == f"genai-demo-{environment}-edge"
    assert acl["DefaultAction"] == {"Allow": {}}
    rules = {rule["Name"]: rule for rule in acl["Rules"]}
    assert [rule["Name"] for rule in sorted(acl["Rules"], key=lambda rule: rule["Priority"])] == [
        "AWSManagedRulesAmazonIpReputationList",
        "RateLimitPerIp",
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesKnownBadInputsRuleSet",
    ]
    for name in (
        "AWSManagedRulesAmazonIpReputationList",
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesKnownBadInputsRuleSet",
    ):
        assert rules[name]["Statement"] == {"ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": name}}
        assert rules[name]["OverrideAction"] == {"None": {}}
    rate = rules["RateLimitPerIp"]
    assert rate["Action"] == {"Block": {}}
    assert rate["Statement"] == {
        "RateBasedStatement": {"AggregateKeyType": "IP", "Limit": 2000, "EvaluationWindowSec": 300}
    }
    for visibility in [acl["VisibilityConfig"], *(rule["VisibilityConfig"] for rule in acl["Rules"])]:
        assert visibility["CloudWatchMetricsEnabled"] is True
        assert visibility["SampledRequestsEnabled"] is True
    # Shield Standard is automatic; Shield Advanced is not bought (decision S3).
    assert not any(resource["Type"].startswith("AWS::Shield::") for resource in t.resources.values())


@pytest.mark.parametrize("environment", EDGE_ENVIRONMENTS)
def test_waf_and_access_logs_go_to_encrypted_log_groups(template: Any, environment: str) -> None:
    t = _edge(template, environment)
    (key,) = t.of_type("AWS::KMS::Key")
    groups = {group["LogGroupName"]: group for group in t.props("AWS::Logs::LogGroup")}
    waf, access = f"aws-waf-logs-genai-demo-{environment}", f"/aws/genai-demo/{environment}/cloudfront/access"
    assert set(groups) == {waf, access}
    for group in groups.values():
        assert group["KmsKeyId"] == {"Fn::GetAtt": [key, "Arn"]}
        assert group["RetentionInDays"] == AUDIT_RETENTION[environment]
    arn = "arn:aws:logs:us-east-1:${AWS::AccountId}:log-group:"
    (web_acl,) = t.of_type("AWS::WAFv2::WebACL")
    logging = t.one("AWS::WAFv2::LoggingConfiguration")
    assert logging["ResourceArn"] == {"Fn::GetAtt": [web_acl, "Arn"]}
    assert render(logging["LogDestinationConfigs"]) == [arn + waf]
    source = t.one("AWS::Logs::DeliverySource")
    (distribution,) = t.of_type("AWS::CloudFront::Distribution")
    assert source["LogType"] == "ACCESS_LOGS"
    assert render(source["ResourceArn"]) == "arn:aws:cloudfront::${AWS::AccountId}:distribution/${" + distribution + "}"
    destination = t.one("AWS::Logs::DeliveryDestination")
    assert render(destination["DestinationResourceArn"]) == arn + access
    assert destination["OutputFormat"] == "json"
    delivery = t.one("AWS::Logs::Delivery")
    (destination_id,) = t.of_type("AWS::Logs::DeliveryDestination")
    assert delivery["DeliverySourceName"] == source["Name"]
    assert delivery["DeliveryDestinationArn"] == {"Fn::GetAtt": [destination_id, "Arn"]}


@pytest.mark.parametrize("environment", EDGE_ENVIRONMENTS)
def test_log_delivery_may_write_to_the_two_groups_only(template: Any, environment: str) -> None:
    t = _edge(template, environment)
    document = json.loads(render(t.one("AWS::Logs::ResourcePolicy")["PolicyDocument"]))
    (statement,) = document["Statement"]
    assert statement["Principal"] == {"Service": "delivery.logs.amazonaws.com"}
    assert statement["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    arn = "arn:aws:logs:us-east-1:${AWS::AccountId}:log-group:"
    assert statement["Resource"] == [
        f"{arn}aws-waf-logs-genai-demo-{environment}:log-stream:*",
        f"{arn}/aws/genai-demo/{environment}/cloudfront/access:log-stream:*",
    ]
    assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": "${AWS::AccountId}"}
    key = t.one("AWS::KMS::Key")
    services = [s["Principal"] for s in key["KeyPolicy"]["Statement"] if "Service" in s["Principal"]]
    assert services == [{"Service": "logs.us-east-1.amazonaws.com"}]


@pytest.mark.parametrize("environment", EDGE_ENVIRONMENTS)
def test_each_serving_regions_health_check_alarms_on_the_critical_topic(template: Any, environment: str) -> None:
    t = _edge(template, environment)
    alarms = {alarm["AlarmName"]: alarm for alarm in t.props("AWS::CloudWatch::Alarm")}
    assert set(alarms) == {f"genai-demo-{environment}-{region}-origin-unhealthy" for region in SERVING[environment]}
    topic = f"arn:aws:sns:us-east-1:${{AWS::AccountId}}:genai-demo-{environment}-critical"
    for region in SERVING[environment]:
        alarm = alarms[f"genai-demo-{environment}-{region}-origin-unhealthy"]
        assert alarm["Namespace"] == "AWS/Route53"
        assert alarm["MetricName"] == "HealthCheckStatus"
        assert alarm["Dimensions"] == [
            {
                "Name": "HealthCheckId",
                "Value": ssm_ref(t, f"/genai-demo/{environment}/route53/{region}/health-check-id"),
            }
        ]
        assert alarm["Statistic"] == "Minimum"
        assert alarm["Period"] == 60
        assert alarm["ComparisonOperator"] == "LessThanThreshold"
        assert alarm["Threshold"] == 1
        assert alarm["EvaluationPeriods"] == 1
        assert alarm["DatapointsToAlarm"] == 1
        assert alarm["TreatMissingData"] == "ignore"
        consequence = {
            "development": "the only serving region, so the application is down.",
            "staging": "the only serving region, so the application is down.",
            "production": "traffic has failed over to the secondary region."
            if region == "ap-east-2"
            else "the standby region cannot take traffic if the primary fails.",
        }[environment]
        assert alarm["AlarmDescription"] == (
            f"Route 53 reports the ALB of {region} unhealthy on origin.{DOMAINS[environment]}: {consequence}"
        )
        assert render(alarm["AlarmActions"]) == [topic]
        assert render(alarm["OKActions"]) == [topic]


# --- The origin-verify secret, in the primary region's SecurityStack -----------------------------


@pytest.mark.parametrize(
    ("environment", "region", "replicas"),
    [
        ("production", "ap-east-2", ["ap-northeast-1", "us-east-1"]),
    ],
)
def test_origin_verify_secret_is_generated_in_the_primary_and_replicated(
    template: Any, environment: str, region: str, replicas: list[str]
) -> None:
    t = template(environment, region, "SecurityStack")
    secret = t.one("AWS::SecretsManager::Secret")
    assert secret["Name"] == f"genai-demo/{environment}/edge/origin-verify"
    assert secret["GenerateSecretString"] == {"ExcludePunctuation": True, "IncludeSpace": False, "PasswordLength": 48}
    assert "SecretString" not in secret
    assert [replica["Region"] for replica in secret["ReplicaRegions"]] == replicas
    keys = {alias["AliasName"]: alias["TargetKeyId"]["Fn::GetAtt"][0] for alias in t.props("AWS::KMS::Alias")}
    assert secret["KmsKeyId"] == {"Fn::GetAtt": [keys[f"alias/genai-demo/{environment}/secrets"], "Arn"]}


def test_secondary_region_has_no_secret_of_its_own(template: Any) -> None:
    assert template("production", "ap-northeast-1", "SecurityStack").props("AWS::SecretsManager::Secret") == []


def test_without_the_edge_there_is_no_origin_secret(template: Any) -> None:
    for environment, region in (("development", "ap-northeast-1"), ("staging", "ap-east-2")):
        assert template(environment, region, "SecurityStack").props("AWS::SecretsManager::Secret") == []


def test_origin_verify_names_for_the_alb_listener() -> None:
    assert ORIGIN_VERIFY_HEADER == "X-Origin-Verify"
    assert origin_verify_secret_name("production") == "genai-demo/production/edge/origin-verify"


# --- Configuration --------------------------------------------------------------------------------


def test_edge_defaults_are_the_same_in_every_environment(config: ProjectConfig) -> None:
    for environment in ENVIRONMENTS:
        edge = config.environments[environment].edge
        assert edge.price_class == "PriceClass_200"
        assert edge.static_paths == tuple(STATIC_PATHS)
        assert (edge.waf_rate_limit, edge.waf_rate_window_seconds) == (2000, 300)
        check = edge.health_check
        assert (check.path, check.request_interval_seconds, check.failure_threshold) == (
            "/actuator/health/readiness",
            10,
            3,
        )


@pytest.mark.parametrize(
    ("override", "phrase"),
    [
        ("environments.production.edge.health_check.request_interval_seconds=15", "request_interval_seconds"),
        ("environments.production.edge.health_check.failure_threshold=11", "failure_threshold"),
        ("environments.staging.edge.waf_rate_limit=5", "waf_rate_limit"),
        ("environments.staging.edge.price_class=PriceClass_300", "price_class"),
        ('environments.development.edge.static_paths=["/static/ *"]', "static_paths"),
    ],
)
def test_impossible_edge_settings_are_refused(override: str, phrase: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(overrides=[override])
    assert phrase in str(raised.value)
