"""Cost: the budget and its alerts, and the off-hours scaling of non-production clusters."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from genai_infra.config.fields import CronExpression, EmailAddress, Frozen


class BudgetConfig(Frozen):
    monthly_limit_usd: float = Field(gt=0)
    # Share of actual spend that notifies; the forecast alert fires when the month is forecast past it.
    alert_thresholds_percent: tuple[Annotated[int, Field(gt=0, le=1000)], ...] = (80, 90, 100)
    forecast_alert_percent: int = Field(default=100, gt=0, le=1000)
    # Cost anomaly detection alerts when an anomaly's impact reaches this share over the expected spend.
    anomaly_threshold_percent: int = Field(default=20, gt=0)
    # Decision C10: the document's own estimate, shown beside the measured one (never used as a price).
    document_estimate_usd: float | None = Field(default=None, gt=0)
    # Who hears about budget and anomaly alerts; the SNS topic exists either way for chat integrations.
    notification_emails: tuple[EmailAddress, ...] = ()


class OffHoursConfig(Frozen):
    """Scale the node groups down to one node outside working hours (cost section; non-production)."""

    enabled: bool = False
    # EventBridge Scheduler cron expressions, in `timezone`: down on weekday evenings, up on weekday mornings.
    scale_down: CronExpression = "cron(0 20 ? * MON-FRI *)"
    scale_up: CronExpression = "cron(0 8 ? * MON-FRI *)"
    timezone: str = Field(default="Asia/Taipei", pattern=r"^[A-Za-z]+/[A-Za-z_]+$")
