"""DisasterRecoveryStack: vaults, plans, cross-region copies and the tag selection, per environment."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import render, targets_with

DR_TARGETS = targets_with("DisasterRecoveryStack")

VAULT = "genai-demo-{}-backup-vault"


@pytest.mark.parametrize(("environment", "region"), DR_TARGETS)
def test_every_serving_region_has_an_encrypted_vault_with_a_rotating_key(
    template: Any, environment: str, region: str
) -> None:
    stack = template(environment, region, "DisasterRecoveryStack")
    vault = stack.one("AWS::Backup::BackupVault")
    assert vault["BackupVaultName"] == VAULT.format(environment)
    (key_id,) = stack.of_type("AWS::KMS::Key")
    assert vault["EncryptionKeyArn"] == {"Fn::GetAtt": [key_id, "Arn"]}
    assert stack.one("AWS::KMS::Key")["EnableKeyRotation"] is True
    params = {p["Name"]: p["Value"] for p in stack.props("AWS::SSM::Parameter")}
    assert set(params) == {f"/genai-demo/{environment}/backup/vault-arn"}


@pytest.mark.parametrize(
    ("environment", "region", "stack_id"),
    [*((e, r, "DisasterRecoveryStack") for e, r in DR_TARGETS), ("development", "ap-northeast-1", "RdsStack")],
)
def test_production_vaults_are_locked_and_kept(template: Any, environment: str, region: str, stack_id: str) -> None:
    stack = template(environment, region, stack_id)
    vault = stack.one("AWS::Backup::BackupVault")
    (resource,) = stack.of_type("AWS::Backup::BackupVault").values()
    if environment == "production":
        assert vault["LockConfiguration"] == {"MinRetentionDays": 7, "MaxRetentionDays": 365}
        assert resource["DeletionPolicy"] == "Retain"
    else:
        assert "LockConfiguration" not in vault
        assert resource["DeletionPolicy"] == "Delete"


def _rules(template: Any, environment: str, region: str) -> dict[str, dict[str, Any]]:
    # Without a DisasterRecoveryStack (development and staging, decision C12) the plan is beside Aurora.
    stack = "DisasterRecoveryStack" if environment == "production" else "RdsStack"
    plan = template(environment, region, stack).one("AWS::Backup::BackupPlan")["BackupPlan"]
    return {rule["RuleName"]: rule for rule in plan["BackupPlanRule"]}


def test_production_backs_up_daily_for_30_days_copied_to_tokyo_for_7_and_weekly(template: Any) -> None:
    rules = _rules(template, "production", "ap-east-2")
    assert set(rules) == {"daily", "weekly"}
    daily, weekly = rules["daily"], rules["weekly"]
    # After the Aurora (03:00-04:00) and Redis (04:00-05:00) windows.
    assert daily["ScheduleExpression"] == "cron(0 5 * * ? *)"
    assert daily["Lifecycle"] == {"DeleteAfterDays": 30}
    (copy,) = daily["CopyActions"]
    assert copy["Lifecycle"] == {"DeleteAfterDays": 7}
    assert render(copy["DestinationBackupVaultArn"]) == (
        "arn:aws:backup:ap-northeast-1:${AWS::AccountId}:backup-vault:genai-demo-production-backup-vault"
    )
    assert weekly["ScheduleExpression"] == "cron(0 6 ? * SUN *)"
    assert weekly["Lifecycle"] == {"DeleteAfterDays": 90}
    assert "CopyActions" not in weekly


def test_development_takes_monthly_snapshots_kept_7_days(template: Any) -> None:
    rules = _rules(template, "development", "ap-northeast-1")
    assert set(rules) == {"monthly"}
    assert rules["monthly"]["ScheduleExpression"] == "cron(0 5 1 * ? *)"
    assert rules["monthly"]["Lifecycle"] == {"DeleteAfterDays": 7}
    assert "CopyActions" not in rules["monthly"]


def test_staging_takes_weekly_snapshots_kept_7_days(template: Any) -> None:
    rules = _rules(template, "staging", "ap-east-2")
    assert {name: (r["ScheduleExpression"], r["Lifecycle"]) for name, r in rules.items()} == {
        "weekly": ("cron(0 5 ? * SUN *)", {"DeleteAfterDays": 7})
    }


def test_the_tokyo_side_of_production_only_receives_copies(template: Any) -> None:
    stack = template("production", "ap-northeast-1", "DisasterRecoveryStack")
    assert stack.of_type("AWS::Backup::BackupPlan") == {}
    assert stack.of_type("AWS::Backup::BackupSelection") == {}


@pytest.mark.parametrize(
    ("environment", "region", "stack_id"),
    [
        ("development", "ap-northeast-1", "RdsStack"),
        ("staging", "ap-east-2", "RdsStack"),
        ("production", "ap-east-2", "DisasterRecoveryStack"),
    ],
)
def test_the_selection_takes_aurora_and_ebs_of_the_environment_by_tag(
    template: Any, environment: str, region: str, stack_id: str
) -> None:
    stack = template(environment, region, stack_id)
    selection = stack.one("AWS::Backup::BackupSelection")["BackupSelection"]
    # Beside Aurora (no DisasterRecoveryStack), the plan takes the Aurora cluster only.
    volumes = [f"arn:aws:ec2:{region}:${{AWS::AccountId}}:volume/*"] if stack_id == "DisasterRecoveryStack" else []
    assert sorted(render(r) for r in selection["Resources"]) == [
        *volumes,
        f"arn:aws:rds:{region}:${{AWS::AccountId}}:cluster:*",
    ]
    assert selection["Conditions"] == {
        "StringEquals": [{"ConditionKey": "aws:ResourceTag/Environment", "ConditionValue": environment}]
    }
    # The plan's role (the RdsStack also holds Aurora's enhanced-monitoring role).
    principals = [r["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] for r in stack.props("AWS::IAM::Role")]
    assert {"Service": "backup.amazonaws.com"} in principals
