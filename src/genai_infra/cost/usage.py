"""The usage file: monthly quantities a template cannot tell, with defaults per environment.

The bundled `usage.toml` documents every key. A user file of the same shape overrides it; both
are merged before validation, so a typo is refused with a sentence instead of pricing zero.
"""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from genai_infra.cost.catalog import CostError

Amount = Annotated[float, Field(ge=0)]
Count = Annotated[int, Field(ge=0)]


class Usage(BaseModel):
    """Monthly usage of one environment in one region. Field comments live in usage.toml."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    hours_per_month: float = Field(gt=0, le=744)
    node_off_hours: Amount
    node_off_hours_count: Count
    nat_data_gb: Amount
    endpoint_data_gb: Amount
    alb_lcu: Amount
    aurora_storage_gb: Amount
    aurora_io_millions: Amount
    aurora_daily_change_percent: float = Field(ge=0, le=100)
    aurora_serverless_active_hours: Amount
    aurora_serverless_active_acu_fraction: float = Field(ge=0, le=1)
    aurora_serverless_paused_hours: Amount
    aurora_replication_gb: Amount
    aurora_replicated_write_io_millions: Amount
    redis_replication_gb: Amount
    redis_snapshot_gb: Amount
    msk_replication_gb: Amount
    backup_copy_gb: Amount
    log_gb_per_group: Amount
    log_gb_by_name: dict[str, Amount] = {}
    flow_log_gb: Amount
    custom_metrics: Count
    requests_millions: Amount
    xray_sampling_percent: float = Field(ge=0, le=100)
    xray_reservoir_per_second: Amount
    container_insights_observations_per_node_minute: Amount
    container_insights_log_gb: Amount
    waf_log_kb_per_request: Amount
    cloudfront_log_kb_per_request: Amount
    alarms: Count
    dashboards: Count
    grafana_editors: Count
    grafana_viewers: Count
    dns_queries_millions: Amount
    cloudfront_data_out_gb: Amount
    cloudfront_edge: Literal["asia-pacific", "japan", "united-states"]
    ecr_storage_gb: Amount
    s3_storage_gb_per_bucket: Amount
    backup_aurora_gb: Amount
    backup_ebs_gb: Amount
    kms_completed_rotations: Count
    firehose_gb: Amount
    athena_tb_scanned: Amount
    glue_dpu_hours: Amount


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = copy.deepcopy(value)
    return base


@dataclass(frozen=True)
class UsageBook:
    """The merged usage file; `for_target` resolves defaults -> environment -> region."""

    data: Mapping[str, Any]
    origin: str

    def for_target(self, environment: str, region: str) -> Usage:
        merged: dict[str, Any] = dict(self.data.get("defaults", {}))
        env_section = dict(self.data.get("environments", {}).get(environment, {}))
        regions = env_section.pop("regions", {})
        merged.update(env_section)
        merged.update(regions.get(region, {}))
        try:
            return Usage.model_validate(merged)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            message = str(first["msg"])
            if first["type"] == "extra_forbidden":
                message = "is not a usage key; see genai_infra/cost/usage.toml for the documented keys"
            raise CostError(f"usage ({self.origin}) for {environment}/{region}: {where} {message}.") from None


def load_usage(path: str | Path | None = None) -> UsageBook:
    """The bundled usage defaults, overridden by the user's TOML file when one is given."""
    text = resources.files("genai_infra.cost").joinpath("usage.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    origin = "bundled usage.toml"
    if path is not None:
        file = Path(path)
        try:
            _merge(data, tomllib.loads(file.read_text(encoding="utf-8")))
        except FileNotFoundError:
            raise CostError(f"usage file {file} does not exist; check the path.") from None
        except tomllib.TOMLDecodeError as error:
            raise CostError(f"usage file {file} is not valid TOML ({error}).") from None
        unknown = set(data) - {"defaults", "environments"}
        if unknown:
            raise CostError(
                f"usage file {file} has unknown sections {sorted(unknown)}; use [defaults] and [environments.<env>]."
            )
        origin = f"bundled usage.toml + {file}"
    return UsageBook(data, origin)
