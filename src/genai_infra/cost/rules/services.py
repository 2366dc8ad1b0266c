"""KMS, Secrets Manager, SSM, ECR, S3, AWS Backup and the analytics services."""

from __future__ import annotations

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


def backup_plan(resource: Resource, ctx: PricingContext) -> list[Charge]:
    usage = ctx.usage
    rules = literal(resource.properties, "BackupPlan", "BackupPlanRule") or []
    copies = any(isinstance(rule, Mapping) and rule.get("CopyActions") for rule in rules)
    charges = [
        ctx.charge(
            f"backup storage {usage.backup_storage_gb:g} GB (usage file)",
            usage.backup_storage_gb,
            "backup.warm-storage",
        )
    ]
    if copies:
        # The copy is stored in the other region; its price there is taken as this region's.
        charges += [
            ctx.charge(
                f"cross-region copy storage {usage.backup_copy_gb:g} GB", usage.backup_copy_gb, "backup.warm-storage"
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
    return [ctx.charge(f"{gb:g} GB ingested (usage file)", gb, "firehose.ingested")]
