"""Every retention the configuration accepts becomes exactly that many days in CloudFormation."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_logs as logs

from genai_infra.config.catalog import LOG_RETENTION_DAYS
from genai_infra.constructs.log_retention import log_retention


def test_log_retention_maps_each_configured_day_count_to_itself() -> None:
    stack = cdk.Stack(cdk.App(), "Retention")
    for days in LOG_RETENTION_DAYS:
        logs.LogGroup(stack, f"Group{days}", retention=log_retention(days))
    rendered = cdk.assertions.Template.from_stack(stack).find_resources("AWS::Logs::LogGroup")
    assert sorted(r["Properties"]["RetentionInDays"] for r in rendered.values()) == sorted(LOG_RETENTION_DAYS)
