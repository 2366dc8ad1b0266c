"""Backup and budget configuration: the defaults of the spec, and the inputs AWS would refuse. No jsii."""

from __future__ import annotations

import pytest

from genai_infra.config import ConfigError, load_config


def test_budget_defaults_of_the_spec() -> None:
    environments = load_config().environments
    assert {name: env.budget.monthly_limit_usd for name, env in environments.items()} == {
        "development": 200,
        "staging": 400,
        "production": 1000,
    }
    for environment in environments.values():
        assert environment.budget.alert_thresholds_percent == (80, 90, 100)
        assert environment.budget.anomaly_threshold_percent == 20


@pytest.mark.parametrize(
    ("override", "message"),
    [
        (
            'environments.production.backup.rules=[{"name": "daily", "schedule": "cron(0 5 * * ? *)", '
            '"delete_after_days": 30, "copy_to_region": "ap-northeast-1"}]',
            "backup rule daily needs both copy_to_region and copy_delete_after_days, or neither",
        ),
        (
            'environments.staging.backup.rules=[{"name": "daily", "schedule": "cron(0 5 * * ? *)", '
            '"delete_after_days": 30, "copy_to_region": "ap-northeast-1", "copy_delete_after_days": 7}]',
            "backup rule daily copies to ap-northeast-1, which is not a secondary region of staging",
        ),
        (
            'environments.production.backup.rules=[{"name": "yearly", "schedule": "cron(0 5 1 1 ? *)", '
            '"delete_after_days": 400}]',
            "backup rule yearly keeps recovery points 400 days, outside the vault lock's 7-365 days",
        ),
        (
            'environments.development.backup.rules=[{"name": "often", "schedule": "rate(1 hour)", '
            '"delete_after_days": 1}]',
            "invalid configuration at environments.development.backup.rules.0.schedule",
        ),
        ('environments.development.budget.notification_emails=["not-an-address"]', "notification_emails"),
    ],
)
def test_backup_and_budget_inputs_aws_would_refuse(override: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)").replace("*", r"\*")):
        load_config(overrides=[override])
