"""Every resource name the project builds, from one place.

Names that cross a deployment boundary (SSM parameters, IAM roles, global cluster ids) must be
deterministic, because the other side finds them by name, never by a look-up.
"""

from __future__ import annotations

PROJECT = "genai-demo"


def stack_name(environment: str, stack_id: str) -> str:
    """CloudFormation stack name: genai-demo-<environment>-<StackName> (decision T2)."""
    return f"{PROJECT}-{environment}-{stack_id}"


def ssm_parameter(environment: str, *parts: str) -> str:
    """/genai-demo/<environment>/<parts...>: where one stack publishes a value for another."""
    return "/".join(("", PROJECT, environment, *parts))


# Created once per account by the operator (README): the id of the hosted zone of the domain.
HOSTED_ZONE_ID_PARAMETER = f"/{PROJECT}/common/dns/hosted-zone-id"


def iam_role_name(environment: str, purpose: str, region: str, primary_region: str) -> str:
    """genai-demo-<env>-<purpose>-role, the document's names.

    IAM names are account-wide: a second region of the same environment would collide with the
    first, so only the primary region keeps the document's name and others add their region.
    """
    if region == primary_region:
        return f"{PROJECT}-{environment}-{purpose}-role"
    return f"{PROJECT}-{environment}-{region}-{purpose}-role"


def kms_alias(environment: str, purpose: str) -> str:
    return f"alias/{PROJECT}/{environment}/{purpose}"


def cluster_name(environment: str) -> str:
    return f"{PROJECT}-{environment}"


def log_group_name(environment: str, *parts: str) -> str:
    """Log groups live under /aws/genai-demo/, the prefix the application role may write to."""
    return "/".join(("", "aws", PROJECT, environment, *parts))


# Decision S6: every environment publishes its application metrics under its own namespace, so
# the app role's cloudwatch:namespace condition keeps one environment from feeding another's
# scaling (KEDA's thread-pool trigger) or alarms.
METRIC_NAMESPACE_PREFIX = "GenAIDemo"


def metric_namespace(environment: str) -> str:
    """GenAIDemo/<environment>: the CloudWatch namespace of the application's own metrics."""
    return f"{METRIC_NAMESPACE_PREFIX}/{environment}"


def backup_vault_name(environment: str) -> str:
    """The same name in every region: a copy rule finds its destination vault by it (decision S2)."""
    return f"{PROJECT}-{environment}-backup-vault"


def budget_name(environment: str) -> str:
    return f"{PROJECT}-{environment}-monthly-cost"


def alert_topic_name(environment: str, severity: str) -> str:
    """genai-demo-<env>-critical / -warning: other regions' stacks build the topic ARN from it."""
    return f"{PROJECT}-{environment}-{severity}"


def glue_name(environment: str, *parts: str) -> str:
    """Glue and Athena identifiers: lower case with underscores, since Athena SQL quotes dashes."""
    return "_".join((PROJECT, environment, *parts)).replace("-", "_").lower()


def secret_name(environment: str, *parts: str) -> str:
    """genai-demo/<environment>/<parts...>: the secrets the application role may read."""
    return "/".join((PROJECT, environment, *parts))


# Decision S8: the application's own PostgreSQL user, authenticated through IAM (rds_iam).
APP_DATABASE_USER = "genai_demo_app"


def aurora_global_cluster_id(environment: str) -> str:
    """The Aurora global database: the secondary region joins it by this name (decision S2)."""
    return f"{PROJECT}-{environment}-global"


def redis_global_datastore_suffix(environment: str) -> str:
    """AWS prefixes this suffix with an account-specific id; the secondary learns the full id from SSM."""
    return f"{PROJECT}-{environment}"


_DIRECTIONS = (("north", "n"), ("south", "s"), ("east", "e"), ("west", "w"), ("central", "c"))


def region_code(region: str) -> str:
    """ap-northeast-1 -> apne1: short enough for ElastiCache's 40-character replication group ids."""
    area, direction, number = region.split("-")
    for word, letter in _DIRECTIONS:
        direction = direction.replace(word, letter)
    return f"{area}{direction}{number}"


def data_resource_id(environment: str, region: str, primary_region: str, kind: str) -> str:
    """Identifiers of clusters and replication groups, unique per region like IAM role names."""
    if region == primary_region:
        return f"{PROJECT}-{environment}-{kind}"
    return f"{PROJECT}-{environment}-{region_code(region)}-{kind}"


# The edge (CloudFront) and DNS failover. The lead's ALB listener checks this header against the
# secret below; every region resolves the secret by name because it is replicated (decision S2).
ORIGIN_VERIFY_HEADER = "X-Origin-Verify"


def origin_verify_secret_name(environment: str) -> str:
    return f"{PROJECT}/{environment}/edge/origin-verify"


# Route 53's health checks cannot send the header: they carry ?health-check-token=<secret> instead,
# the only way past the ALB's 403 for a request that did not come through CloudFront.
HEALTH_CHECK_TOKEN_KEY = "health-check-token"


def health_check_token_secret_name(environment: str) -> str:
    return f"{PROJECT}/{environment}/edge/health-check-token"


def origin_domain(domain: str) -> str:
    """origin.<domain>: the failover name CloudFront connects to, covered by the ALB's *.<domain> certificate."""
    return f"origin.{domain}"


def regional_origin_domain(domain: str, region: str) -> str:
    """origin-<region>.<domain>: one region's ALB, for CloudFront's secondary origin and for operators."""
    return f"origin-{region}.{domain}"


def health_check_id_parameter(environment: str, region: str) -> str:
    """Written in us-east-1 by the serving region's Route53FailoverStack, read there by EdgeStack."""
    return ssm_parameter(environment, "route53", region, "health-check-id")


def waf_log_group_name(environment: str) -> str:
    """WAF delivers logs only to log groups whose name starts with aws-waf-logs-."""
    return f"aws-waf-logs-{PROJECT}-{environment}"


def app_target_group_name(environment: str) -> str:
    """The ALB target group the app's pods register in (TargetGroupBinding); `validate` finds it by name."""
    return f"{PROJECT}-{environment}-app"


def github_deploy_role_name(environment: str) -> str:
    """The role GitHub Actions assumes for one environment; the workflow builds its ARN from this name."""
    return f"{PROJECT}-{environment}-github-deploy-role"


GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
