"""One pricing rule per billable CloudFormation resource type, and the types that are free on purpose.

A type that is in neither `RULES` nor `FREE` is an error naming it: a new billable resource
never prices zero. Rules live by domain in the modules of this package.
"""

from __future__ import annotations

from genai_infra.cost.catalog import CostError
from genai_infra.cost.rules import compute, data, edge, observability, services
from genai_infra.cost.rules.base import Category, Charge, PricingContext, Resource, Rule
from genai_infra.cost.rules.free import FREE, FREE_BECAUSE

__all__ = ["FREE", "FREE_BECAUSE", "RULES", "Category", "Charge", "PricingContext", "Resource", "price_resource"]

RULES: dict[str, tuple[Category, Rule]] = {
    "AWS::EKS::Cluster": (Category.EKS_EC2, compute.eks_cluster),
    # The aws_eks L2 Cluster creates its control plane through this custom resource, not AWS::EKS::Cluster.
    "Custom::AWSCDK-EKS-Cluster": (Category.EKS_EC2, compute.eks_cluster),
    "AWS::EKS::Nodegroup": (Category.EKS_EC2, compute.eks_nodegroup),
    "AWS::EKS::Addon": (Category.MONITORING, compute.eks_addon),
    "AWS::EC2::Volume": (Category.EKS_EC2, compute.ec2_volume),
    "AWS::EC2::NatGateway": (Category.DATA_TRANSFER, compute.nat_gateway),
    "AWS::EC2::EIP": (Category.DATA_TRANSFER, compute.elastic_ip),
    "AWS::EC2::VPCEndpoint": (Category.DATA_TRANSFER, compute.vpc_endpoint),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": (Category.DATA_TRANSFER, compute.load_balancer),
    "AWS::RDS::DBCluster": (Category.AURORA, data.aurora_cluster),
    "AWS::RDS::DBInstance": (Category.AURORA, data.aurora_instance),
    "AWS::RDS::GlobalCluster": (Category.DATA_TRANSFER, data.aurora_global),
    "AWS::ElastiCache::ReplicationGroup": (Category.ELASTICACHE, data.cache_replication_group),
    "AWS::ElastiCache::CacheCluster": (Category.ELASTICACHE, data.cache_cluster),
    "AWS::ElastiCache::GlobalReplicationGroup": (Category.DATA_TRANSFER, data.cache_global),
    "AWS::MSK::Cluster": (Category.MSK, data.msk_cluster),
    "AWS::MSK::Replicator": (Category.MSK, data.msk_replicator),
    "AWS::Logs::LogGroup": (Category.MONITORING, observability.log_group),
    "AWS::Logs::MetricFilter": (Category.MONITORING, observability.metric_filter),
    "AWS::CloudWatch::Alarm": (Category.MONITORING, observability.alarm),
    "AWS::CloudWatch::CompositeAlarm": (Category.MONITORING, observability.composite_alarm),
    "AWS::CloudWatch::Dashboard": (Category.MONITORING, observability.dashboard),
    "AWS::Grafana::Workspace": (Category.MONITORING, observability.grafana),
    "AWS::Route53::HostedZone": (Category.DNS, edge.hosted_zone),
    "AWS::Route53::HealthCheck": (Category.DNS, edge.health_check),
    "AWS::Route53::RecordSet": (Category.DNS, edge.record_set),
    "AWS::Route53::RecordSetGroup": (Category.DNS, edge.record_set_group),
    "AWS::CloudFront::Distribution": (Category.DATA_TRANSFER, edge.cloudfront),
    "AWS::CloudFront::Function": (Category.DATA_TRANSFER, edge.cloudfront_function),
    "AWS::WAFv2::WebACL": (Category.OTHER, edge.web_acl),
    "AWS::KMS::Key": (Category.OTHER, services.kms_key),
    "AWS::SecretsManager::Secret": (Category.OTHER, services.secret),
    "AWS::SSM::Parameter": (Category.OTHER, services.ssm_parameter),
    "AWS::ECR::Repository": (Category.OTHER, services.ecr_repository),
    "AWS::S3::Bucket": (Category.OTHER, services.s3_bucket),
    "AWS::Backup::BackupPlan": (Category.OTHER, services.backup_plan),
    "AWS::Glue::Crawler": (Category.OTHER, services.glue_dpu),
    "AWS::Glue::Job": (Category.OTHER, services.glue_dpu),
    "AWS::Athena::WorkGroup": (Category.OTHER, services.athena_workgroup),
    "AWS::KinesisFirehose::DeliveryStream": (Category.OTHER, services.firehose),
}


def price_resource(resource: Resource, ctx: PricingContext) -> tuple[Category, list[Charge]] | None:
    """The resource's charges and category; None when the type is free on purpose."""
    entry = RULES.get(resource.type)
    if entry is None and (resource.type in FREE or resource.type.startswith("Custom::")):
        # Other custom resources are Lambda-backed and run only while CloudFormation deploys.
        return None
    if entry is None:
        raise CostError(
            f"{resource.stack}/{resource.logical_id} has type {resource.type}, which has no pricing rule; "
            "add a rule in genai_infra/cost/rules/ or list it in genai_infra/cost/rules/free.py."
        )
    category, rule = entry
    return category, rule(resource, ctx)
