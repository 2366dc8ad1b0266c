"""KMS, Secrets Manager, SSM, ECR, S3, AWS Backup and the analytics services."""

from __future__ import annotations

import json
from collections.abc import Mapping

from genai_infra.cost.rules.base import Charge, PricingContext, Resource, literal, transfer

# ---------------------------------------------------------------- other services


def kms_key(resource: Resource, ctx: PricingContext) -> list[Charge]:
    rotating = literal(resource.properties, "EnableKeyRotation") is True
    # Each of a key's first two rotations adds one key-month; later rotations are free.
    extra = min(ctx.usage.kms_completed_rotations, 2) if rotating else 0
    return [
        ctx.charge(
            "customer managed key" + (f" with {extra} rotation(s) billed" if extra else ""), 1 + extra, "kms.key"
        )
    ]


def secret(resource: Resource, ctx: PricingContext) -> list[Charge]:
    return [ctx.charge("secret", 1, "secretsmanager.secret")]


def ssm_parameter(resource: Resource, ctx: PricingContext) -> list[Charge]:
    tier = literal(resource.properties, "Tier") or "Standard"
    if tier == "Standard":
        return []  # standard parameters are free
    return [ctx.charge(f"{tier} parameter", 1, "ssm.advanced-parameter")]


def ecr_repository(resource: Resource, ctx: PricingContext) -> list[Charge]:
    return [
        ctx.charge(
            f"image storage {ctx.usage.ecr_storage_gb:g} GB (usage file)", ctx.usage.ecr_storage_gb, "ecr.storage"
        )
    ]


def s3_bucket(resource: Resource, ctx: PricingContext) -> list[Charge]:
    gb = ctx.usage.s3_storage_gb_per_bucket
    return [ctx.charge(f"S3 Standard {gb:g} GB (usage file)", gb, "s3.standard")]


def _selected_services(resource: Resource) -> set[str]:
    """What the plan's selections back up, from their resource ARNs (rds clusters, ec2 volumes)."""
    found: set[str] = set()
    for item in resource.siblings.values():
        if item.get("Type") != "AWS::Backup::BackupSelection":
            continue
        text = json.dumps(item.get("Properties", {}).get("BackupSelection", {}).get("Resources", []))
        found |= {service for service, marker in (("aurora", ":rds:"), ("ebs", ":ec2:")) if marker in text}
    return found


def backup_plan(resource: Resource, ctx: PricingContext) -> list[Charge]:
    usage = ctx.usage
    rules = literal(resource.properties, "BackupPlan", "BackupPlanRule") or []
    copies = any(isinstance(rule, Mapping) and rule.get("CopyActions") for rule in rules)
    selected = _selected_services(resource) or {"aurora", "ebs"}  # a plan without a selection here: both
    stored = [
        (kind, gb, key)
        for kind, gb, key in (
            ("Aurora", usage.backup_aurora_gb, "backup.aurora"),
            ("EBS", usage.backup_ebs_gb, "backup.ebs"),
        )
        if kind.lower() in selected
    ]
    charges = [ctx.charge(f"{kind} recovery points {gb:g} GB (usage file)", gb, key) for kind, gb, key in stored]
    if copies:
        # The copies hold the same mix of recovery points; their price in the other region is taken as this one's.
        total_gb = sum(gb for _, gb, _ in stored)
        prices = [ctx.price(key) for _, _, key in stored]
        blended = (
            sum(gb * price.usd for (_, gb, _), price in zip(stored, prices, strict=True)) / total_gb
            if total_gb
            else 0.0
        )
        unit = prices[0].unit if prices else "GB-month"
        charges += [
            Charge(
                f"cross-region copy storage {usage.backup_copy_gb:g} GB",
                usage.backup_copy_gb,
                unit,
                blended,
                tuple(prices),
            ),
            transfer(ctx, "backup copies", usage.backup_copy_gb),
        ]
    return charges


def glue_dpu(resource: Resource, ctx: PricingContext) -> list[Charge]:
    return [ctx.charge(f"{ctx.usage.glue_dpu_hours:g} DPU-hours (usage file)", ctx.usage.glue_dpu_hours, "glue.dpu")]


def athena_workgroup(resource: Resource, ctx: PricingContext) -> list[Charge]:
    tb = ctx.usage.athena_tb_scanned
    return [ctx.charge(f"{tb:g} TB scanned (usage file)", tb, "athena.scanned")]


def firehose(resource: Resource, ctx: PricingContext) -> list[Charge]:
    gb = ctx.usage.firehose_gb
    if literal(resource.properties, "DeliveryStreamType") == "MSKAsSource":
        # A stream reading Amazon MSK is billed at its own per-GB ingestion tier.
        return [ctx.charge(f"{gb:g} GB read from MSK (usage file)", gb, "firehose.msk-source")]
    return [ctx.charge(f"{gb:g} GB ingested (usage file)", gb, "firehose.ingested")]
