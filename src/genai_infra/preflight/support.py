"""What AWS supports, as dated data: the preflight rules read these tables, never the network.

AS_OF is the day the tables were last checked against the AWS documentation (EKS Kubernetes
version calendar, EKS AMI types, Lambda runtime deprecation schedule, IAM quotas). A row whose
date has passed turns a rule from passing into failing without any code change; a table older
than STALE_AFTER_DAYS makes the CLI warn that it needs a refresh.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from genai_infra.config import catalog

AS_OF = date(2026, 11, 24)
STALE_AFTER_DAYS = 120


@dataclass(frozen=True)
class KubernetesVersion:
    released: date
    standard_support_ends: date
    extended_support_ends: date
    # True when AWS has not yet published the date and it follows EKS's 14 + 12 month rule.
    projected: bool = False


# Amazon EKS Kubernetes release calendar (standard support 14 months, extended support 12 more).
EKS_KUBERNETES_VERSIONS: dict[str, KubernetesVersion] = {
    "1.28": KubernetesVersion(date(2023, 9, 26), date(2024, 11, 26), date(2025, 11, 26)),
    "1.29": KubernetesVersion(date(2024, 1, 23), date(2025, 3, 23), date(2026, 3, 23)),
    "1.30": KubernetesVersion(date(2024, 5, 23), date(2025, 7, 23), date(2026, 7, 23)),
    "1.31": KubernetesVersion(date(2024, 9, 26), date(2025, 11, 26), date(2026, 11, 26)),
    "1.32": KubernetesVersion(date(2025, 1, 23), date(2026, 3, 23), date(2027, 3, 23)),
    "1.33": KubernetesVersion(date(2025, 5, 29), date(2026, 7, 29), date(2027, 7, 29)),
    "1.34": KubernetesVersion(date(2025, 10, 2), date(2026, 12, 2), date(2027, 12, 2)),
    "1.35": KubernetesVersion(date(2026, 1, 27), date(2027, 3, 27), date(2028, 3, 27)),
    # Exposed by the pinned aws-cdk-lib (KubernetesVersion.V1_36) with a kubectl layer package.
    "1.36": KubernetesVersion(date(2026, 6, 30), date(2027, 8, 30), date(2028, 8, 30), projected=True),
}

# First Kubernetes version for which EKS publishes no Amazon Linux 2 node AMI; AL2 AMIs stopped
# being published altogether on AL2_AMIS_END.
AL2_LAST_KUBERNETES_VERSION = "1.32"
AL2_AMIS_END = date(2025, 11, 26)

# Managed node group AMI types -> CPU architecture of the instance types they run on.
EKS_AMI_TYPES: dict[str, str] = {
    "AL2023_x86_64_STANDARD": "x86_64",
    "AL2023_x86_64_NVIDIA": "x86_64",
    "AL2023_x86_64_NEURON": "x86_64",
    "AL2023_ARM_64_STANDARD": "arm64",
    "AL2023_ARM_64_NVIDIA": "arm64",
    "BOTTLEROCKET_x86_64": "x86_64",
    "BOTTLEROCKET_x86_64_FIPS": "x86_64",
    "BOTTLEROCKET_x86_64_NVIDIA": "x86_64",
    "BOTTLEROCKET_ARM_64": "arm64",
    "BOTTLEROCKET_ARM_64_FIPS": "arm64",
    "BOTTLEROCKET_ARM_64_NVIDIA": "arm64",
    "WINDOWS_CORE_2019_x86_64": "x86_64",
    "WINDOWS_FULL_2019_x86_64": "x86_64",
    "WINDOWS_CORE_2022_x86_64": "x86_64",
    "WINDOWS_FULL_2022_x86_64": "x86_64",
    "CUSTOM": "any",
}
AL2_AMI_TYPES = frozenset({"AL2_x86_64", "AL2_x86_64_GPU", "AL2_ARM_64"})

# Lambda runtimes and the day Lambda deprecated them (function creation is blocked about a month
# later, updates about two months later). Runtimes not listed are supported.
LAMBDA_DEPRECATED_RUNTIMES: dict[str, date] = {
    "nodejs": date(2016, 10, 31),
    "nodejs4.3": date(2020, 3, 5),
    "nodejs6.10": date(2019, 8, 12),
    "nodejs8.10": date(2020, 3, 6),
    "nodejs10.x": date(2021, 7, 30),
    "nodejs12.x": date(2023, 3, 31),
    "nodejs14.x": date(2023, 12, 4),
    "nodejs16.x": date(2024, 6, 12),
    "nodejs18.x": date(2025, 9, 1),
    "nodejs20.x": date(2026, 4, 30),
    "nodejs22.x": date(2027, 4, 30),
    "python2.7": date(2021, 7, 15),
    "python3.6": date(2022, 7, 18),
    "python3.7": date(2023, 12, 4),
    "python3.8": date(2024, 10, 14),
    "python3.9": date(2025, 12, 15),
    "python3.10": date(2026, 6, 30),
    "python3.11": date(2026, 6, 30),
    "ruby2.5": date(2021, 7, 30),
    "ruby2.7": date(2023, 12, 7),
    "ruby3.2": date(2026, 3, 31),
    "java8": date(2024, 1, 8),
    "go1.x": date(2024, 1, 8),
    "provided": date(2024, 1, 8),
    "dotnetcore1.0": date(2019, 7, 30),
    "dotnetcore2.0": date(2019, 5, 30),
    "dotnetcore2.1": date(2022, 1, 5),
    "dotnetcore3.1": date(2023, 4, 3),
    "dotnet5.0": date(2022, 5, 10),
    "dotnet6": date(2024, 12, 20),
    "dotnet7": date(2024, 5, 14),
    "dotnet8": date(2026, 11, 10),
}
# A runtime this close to its deprecation is reported as a warning before it becomes an error.
LAMBDA_WARNING_DAYS = 180

# IAM quotas: the longest name (and path) each IAM resource type accepts.
IAM_NAME_LIMITS: dict[str, dict[str, int]] = {
    "AWS::IAM::Role": {"RoleName": 64, "Path": 512},
    "AWS::IAM::User": {"UserName": 64, "Path": 512},
    "AWS::IAM::Group": {"GroupName": 128, "Path": 512},
    "AWS::IAM::ManagedPolicy": {"ManagedPolicyName": 128, "Path": 512},
    "AWS::IAM::Policy": {"PolicyName": 128},
    "AWS::IAM::InstanceProfile": {"InstanceProfileName": 128, "Path": 512},
}
IAM_INLINE_POLICY_NAME_LIMIT = 128
# Names IAM keeps account-wide (one per account, whichever region creates them).
IAM_ACCOUNT_WIDE_NAMES: dict[str, str] = {
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::User": "UserName",
    "AWS::IAM::Group": "GroupName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::IAM::InstanceProfile": "InstanceProfileName",
}

# Resource types that exist, or that this project places (decision S3, catalog), only in us-east-1.
US_EAST_1_ONLY: dict[str, str] = {
    "AWS::CE::AnomalyMonitor": "Cost Anomaly Detection is served from us-east-1 only",
    "AWS::CE::AnomalySubscription": "Cost Anomaly Detection is served from us-east-1 only",
    "AWS::CE::CostCategory": "Cost Explorer is served from us-east-1 only",
    "AWS::Budgets::Budget": "AWS Budgets is a global service whose endpoint is us-east-1; the project keeps it there",
    "AWS::Budgets::BudgetsAction": "AWS Budgets is a global service whose endpoint is us-east-1",
    "AWS::CloudFront::Distribution": "decision S3 places CloudFront, its certificate and WAF in us-east-1",
}
# WAFv2 resources with Scope CLOUDFRONT can only be created in us-east-1.
WAFV2_SCOPED_TYPES = frozenset(
    {"AWS::WAFv2::WebACL", "AWS::WAFv2::IPSet", "AWS::WAFv2::RegexPatternSet", "AWS::WAFv2::RuleGroup"}
)
# Route 53 publishes its health-check metrics to CloudWatch in us-east-1 only.
US_EAST_1_ONLY_METRIC_NAMESPACES = frozenset({"AWS/Route53", "AWS/CloudFront", "AWS/Billing"})

# Instance classes each engine offers (shared with the configuration's catalog, same date).
AURORA_POSTGRES_CLASSES = catalog.AURORA_POSTGRES_CLASSES | {"db.serverless"}
CACHE_NODE_TYPES = catalog.CACHE_NODE_TYPES
MSK_BROKER_TYPES = catalog.MSK_BROKER_TYPES


def kubernetes_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".") if part.isdigit())
