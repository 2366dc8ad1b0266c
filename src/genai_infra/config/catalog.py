"""Instance classes and regions the configuration accepts.

These are the sizes AWS offers for each engine as of the catalog date. A value outside them is
refused before synthesis, because CloudFormation would only fail on it minutes into a deployment.
Pure Python: the configuration, the cost estimator and preflight read it without jsii.
"""

from __future__ import annotations

from typing import Final

CATALOG_DATE = "2026-11-01"

# Regions this project has configuration for. us-east-1 only holds what AWS offers there alone
# (the CloudFront certificate and WAF, budgets and cost anomaly detection).
TAIPEI = "ap-east-2"
TOKYO = "ap-northeast-1"
US_EAST_1: Final = "us-east-1"
KNOWN_REGIONS = frozenset({TAIPEI, TOKYO, US_EAST_1})

# EKS managed node group instance types (x86_64: the AMI type is AL2023_x86_64_STANDARD).
EC2_NODE_TYPES = frozenset(
    {
        "t3.small", "t3.medium", "t3.large", "t3.xlarge",
        "t3a.medium", "t3a.large",
        "m5.large", "m5.xlarge", "m6i.large", "m6i.xlarge", "m7i.large", "m7i.xlarge",
        "c6i.large", "c7i.large", "r6i.large",
    }
)  # fmt: skip

# Aurora PostgreSQL 15 instance classes (db.t3.micro and db.r6g.medium do not exist for Aurora).
AURORA_POSTGRES_CLASSES = frozenset(
    {
        "db.t3.medium", "db.t3.large", "db.t4g.medium", "db.t4g.large",
        "db.r5.large", "db.r5.xlarge", "db.r6g.large", "db.r6g.xlarge", "db.r6g.2xlarge",
        "db.r6i.large", "db.r6i.xlarge", "db.r7g.large", "db.r7g.xlarge",
    }
)  # fmt: skip

# ElastiCache node types (cache.r6g.medium does not exist).
CACHE_NODE_TYPES = frozenset(
    {
        "cache.t3.micro", "cache.t3.small", "cache.t3.medium",
        "cache.t4g.micro", "cache.t4g.small", "cache.t4g.medium",
        "cache.m6g.large", "cache.m7g.large",
        "cache.r6g.large", "cache.r6g.xlarge", "cache.r7g.large", "cache.r7g.xlarge",
    }
)  # fmt: skip

# ElastiCache global datastores: these node families, size large or above (t-family never).
CACHE_GLOBAL_DATASTORE_FAMILIES = frozenset({"m5", "m6g", "m7g", "r5", "r6g", "r6gd", "r7g", "c7gn"})
CACHE_SIZES_BELOW_LARGE = frozenset({"micro", "small", "medium"})

# MSK provisioned broker types.
MSK_BROKER_TYPES = frozenset(
    {
        "kafka.t3.small",
        "kafka.m5.large", "kafka.m5.xlarge",
        "kafka.m7g.large", "kafka.m7g.xlarge",
    }
)  # fmt: skip
# Multi-VPC private connectivity (the path Firehose reads MSK by) is not offered on these brokers.
MSK_BROKERS_WITHOUT_MULTI_VPC = frozenset({"kafka.t3.small"})

# The retention periods CloudWatch Logs accepts, in days, in the order of aws_logs.RetentionDays.
LOG_RETENTION_DAYS: tuple[int, ...] = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip

# Regions where Amazon Managed Grafana is offered (AWS regional services list as of CATALOG_DATE).
# Taipei (ap-east-2) is not among them: staging and production's primary region get no workspace.
GRAFANA_REGIONS = frozenset(
    {
        "us-east-1", "us-east-2", "us-west-2", "ca-central-1", "sa-east-1",
        "eu-central-1", "eu-west-1", "eu-west-2", "eu-west-3", "eu-north-1",
        "ap-northeast-1", "ap-northeast-2", "ap-southeast-1", "ap-southeast-2", "ap-south-1",
    }
)  # fmt: skip

# Kubernetes versions with a kubectl layer pinned in requirements.txt (decision V1):
# aws-cdk.lambda-layer-kubectl-v36 bundles kubectl 1.36 and helm.
KUBERNETES_VERSIONS: tuple[str, ...] = ("1.36",)

# The managed add-ons every cluster runs. Pods get AWS credentials through IRSA (the trust
# policies of the specification), so the EKS Pod Identity agent is not installed.
EKS_ADDONS: tuple[str, ...] = (
    "vpc-cni", "coredns", "kube-proxy", "aws-ebs-csi-driver", "amazon-cloudwatch-observability",
)  # fmt: skip

# AWS Load Balancer Controller versions whose IAM policy aws-cdk-lib 2.275.0 ships (aws_eks_v2).
ALB_CONTROLLER_VERSIONS: tuple[str, ...] = ("v3.0.0", "v3.1.0", "v3.2.0", "v3.2.1", "v3.2.2")
