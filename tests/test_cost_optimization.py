"""CostOptimizationStack (us-east-1): the monthly budget, its alerts, and cost anomaly detection."""

from __future__ import annotations

import json
from typing import Any

import pytest

from genai_infra.config import load_config
from genai_infra.synth import synthesize
from tests.conftest import target_of

BUDGETS = {"development": 200, "staging": 400, "production": 1000}


@pytest.mark.parametrize("environment", sorted(BUDGETS))
def test_a_monthly_cost_budget_on_the_environment_tag(template: Any, environment: str) -> None:
    stack = template(environment, "us-east-1", "CostOptimizationStack")
    budget = stack.one("AWS::Budgets::Budget")
    data = budget["Budget"]
    assert data["BudgetName"] == f"genai-demo-{environment}-monthly-cost"
    assert data["BudgetType"] == "COST"
    assert data["TimeUnit"] == "MONTHLY"
    assert data["BudgetLimit"] == {"Amount": BUDGETS[environment], "Unit": "USD"}
    assert data["CostFilters"] == {"TagKeyValue": [f"user:Environment${environment}"]}
    (topic_id,) = stack.of_type("AWS::SNS::Topic")
    alerts = sorted(
        (n["Notification"]["NotificationType"], n["Notification"]["Threshold"])
        for n in budget["NotificationsWithSubscribers"]
    )
    assert alerts == [("ACTUAL", 80), ("ACTUAL", 90), ("ACTUAL", 100), ("FORECASTED", 100)]
    for notification in budget["NotificationsWithSubscribers"]:
        assert notification["Notification"]["ThresholdType"] == "PERCENTAGE"
        assert notification["Notification"]["ComparisonOperator"] == "GREATER_THAN"
        assert notification["Subscribers"] == [{"SubscriptionType": "SNS", "Address": {"Ref": topic_id}}]


@pytest.mark.parametrize("environment", sorted(BUDGETS))
def test_anomalies_of_20_percent_alert_at_once_to_the_topic(template: Any, environment: str) -> None:
    stack = template(environment, "us-east-1", "CostOptimizationStack")
    (monitor_id,) = stack.of_type("AWS::CE::AnomalyMonitor")
    monitor = stack.one("AWS::CE::AnomalyMonitor")
    assert monitor["MonitorType"] == "CUSTOM"
    assert json.loads(monitor["MonitorSpecification"]) == {
        "Tags": {"Key": "Environment", "Values": [environment], "MatchOptions": ["EQUALS"]}
    }
    subscription = stack.one("AWS::CE::AnomalySubscription")
    (topic_id,) = stack.of_type("AWS::SNS::Topic")
    assert subscription["Frequency"] == "IMMEDIATE"
    assert subscription["MonitorArnList"] == [{"Fn::GetAtt": [monitor_id, "MonitorArn"]}]
    assert subscription["Subscribers"] == [{"Type": "SNS", "Address": {"Ref": topic_id}}]
    assert json.loads(subscription["ThresholdExpression"]) == {
        "Dimensions": {
            "Key": "ANOMALY_TOTAL_IMPACT_PERCENTAGE",
            "MatchOptions": ["GREATER_THAN_OR_EQUAL"],
            "Values": ["20"],
        }
    }


@pytest.mark.parametrize("environment", sorted(BUDGETS))
def test_the_topic_is_encrypted_tls_only_and_open_to_the_billing_services_only(template: Any, environment: str) -> None:
    stack = template(environment, "us-east-1", "CostOptimizationStack")
    (key_id,) = stack.of_type("AWS::KMS::Key")
    assert stack.one("AWS::SNS::Topic")["KmsMasterKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    statements = stack.one("AWS::SNS::TopicPolicy")["PolicyDocument"]["Statement"]
    tls = next(s for s in statements if s["Effect"] == "Deny")
    assert tls["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    publish = next(s for s in statements if s.get("Sid") == "AllowBillingServicesToPublish")
    assert publish["Action"] == "sns:Publish"
    assert sorted(publish["Principal"]["Service"]) == ["budgets.amazonaws.com", "costalerts.amazonaws.com"]
    assert publish["Condition"] == {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
    key_statements = stack.one("AWS::KMS::Key")["KeyPolicy"]["Statement"]
    grant = next(s for s in key_statements if s.get("Sid") == "AllowBillingServicesToPublish")
    assert sorted(grant["Action"]) == ["kms:Decrypt", "kms:GenerateDataKey*"]
    assert stack.of_type("AWS::SNS::Subscription") == {}


def test_configured_emails_subscribe_to_the_cost_alerts(tmp_path: Any) -> None:
    config = load_config(
        overrides=['environments.staging.budget.notification_emails=["finops@example.com", "lead@example.com"]']
    )
    assembly = synthesize(config, target_of("staging", "us-east-1", config), tmp_path)
    resources = assembly.template("CostOptimizationStack")["Resources"].values()
    endpoints = sorted(r["Properties"]["Endpoint"] for r in resources if r["Type"] == "AWS::SNS::Subscription")
    assert endpoints == ["finops@example.com", "lead@example.com"]


OFF_HOURS = {
    # node group: (working min/desired/max, off-hours min/desired/max); one node in all at night.
    ("development", "ap-northeast-1"): {
        "genai-demo-development-on-demand": ((1, 1, 2), (1, 1, 2)),
        "genai-demo-development-spot": ((0, 0, 1), (0, 0, 1)),
    },
    ("staging", "ap-east-2"): {
        "genai-demo-staging-on-demand": ((1, 1, 3), (1, 1, 3)),
        "genai-demo-staging-spot": ((1, 1, 1), (0, 0, 1)),
    },
}
TIMEZONES = {"development": "Asia/Tokyo", "staging": "Asia/Taipei"}


@pytest.mark.parametrize(("environment", "region"), sorted(OFF_HOURS))
def test_non_production_node_groups_shrink_to_one_node_outside_working_hours(
    template: Any, environment: str, region: str
) -> None:
    stack = template(environment, region, "CostOptimizationStack")
    schedules = {s["Name"]: s for s in stack.props("AWS::Scheduler::Schedule")}
    (role_id,) = stack.of_type("AWS::IAM::Role")
    expected = OFF_HOURS[(environment, region)]
    assert set(schedules) == {f"{group}-{when}" for group in expected for when in ("scale-down", "scale-up")}
    for group, (working, night) in expected.items():
        for when, sizes, cron in (
            ("scale-down", night, "cron(0 20 ? * MON-FRI *)"),
            ("scale-up", working, "cron(0 8 ? * MON-FRI *)"),
        ):
            schedule = schedules[f"{group}-{when}"]
            assert schedule["ScheduleExpression"] == cron
            assert schedule["ScheduleExpressionTimezone"] == TIMEZONES[environment]
            assert schedule["Target"]["Arn"] == "arn:aws:scheduler:::aws-sdk:eks:updateNodegroupConfig"
            assert schedule["Target"]["RoleArn"] == {"Fn::GetAtt": [role_id, "Arn"]}
            assert json.loads(schedule["Target"]["Input"]) == {
                "clusterName": f"genai-demo-{environment}",
                "nodegroupName": group,
                "scalingConfig": dict(zip(("minSize", "desiredSize", "maxSize"), sizes, strict=True)),
            }
    night_nodes = sum(night[1] for _, night in expected.values())
    assert night_nodes == 1
    policy = stack.one("AWS::IAM::ManagedPolicy")["PolicyDocument"]["Statement"]
    assert [s["Action"] for s in policy] == ["eks:UpdateNodegroupConfig"]


def test_the_node_group_names_are_the_ones_eks_creates(template: Any) -> None:
    names = {p["NodegroupName"] for p in template("staging", "ap-east-2", "EKSStack").props("AWS::EKS::Nodegroup")}
    assert names == set(OFF_HOURS[("staging", "ap-east-2")])


@pytest.mark.parametrize("region", ["ap-east-2", "ap-northeast-1"])
def test_production_keeps_its_capacity_at_night(config: Any, region: str) -> None:
    from genai_infra.targets import stacks_of

    assert "CostOptimizationStack" not in stacks_of(target_of("production", region, config))


def test_development_aurora_pauses_when_idle(template: Any) -> None:
    (cluster,) = template("development", "ap-northeast-1", "RdsStack").props("AWS::RDS::DBCluster")
    # Serverless v2 with a minimum of 0 ACU pauses after idling (decision C1).
    assert cluster["ServerlessV2ScalingConfiguration"]["MinCapacity"] == 0
