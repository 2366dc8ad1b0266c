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
