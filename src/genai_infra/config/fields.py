"""The base of every configuration model and the field types several areas share."""

from __future__ import annotations

import ipaddress
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from genai_infra.config import catalog


class Frozen(BaseModel):
    # allow_inf_nan=False: an `inf` budget or a `nan` size is a mistake, not a value to synthesize.
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


def _retention(days: int) -> int:
    if days not in catalog.LOG_RETENTION_DAYS:
        raise ValueError(
            f"CloudWatch Logs does not accept a retention of {days} days; use one of "
            f"{', '.join(map(str, catalog.LOG_RETENTION_DAYS))}"
        )
    return days


LogRetentionDays = Annotated[int, AfterValidator(_retention)]


def ipv4_network(cidr: str) -> ipaddress.IPv4Network:
    try:
        return ipaddress.IPv4Network(cidr, strict=True)
    except ValueError as error:
        raise ValueError(f"{cidr!r} is not a valid IPv4 network ({error})") from None


EmailAddress = Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
# An EventBridge cron expression: cron(minutes hours day-of-month month day-of-week year).
CronExpression = Annotated[str, Field(pattern=r"^cron\((\S+ ){5}\S+\)$")]
