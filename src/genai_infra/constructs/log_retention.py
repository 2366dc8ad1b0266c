"""CloudWatch Logs retention as the CDK enum, from the days the configuration validated."""

from __future__ import annotations

from aws_cdk import aws_logs as logs

from genai_infra.config.catalog import LOG_RETENTION_DAYS


def log_retention(days: int) -> logs.RetentionDays:
    # RetentionDays lists CloudWatch's accepted values in the same order as the catalog (a test checks it).
    return list(logs.RetentionDays)[LOG_RETENTION_DAYS.index(days)]
