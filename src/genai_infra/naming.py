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
