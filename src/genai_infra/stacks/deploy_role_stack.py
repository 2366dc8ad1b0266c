"""DeployRoleStack: the role GitHub Actions assumes to deploy one environment, through OIDC (no keys).

Least privilege (decision S6): the role may only assume the CDK bootstrap roles of its own
environment's qualifier (genai_infra.bootstrap) in the environment's regions and account, and of
those only the ones the CLI uses: deploy (CloudFormation, with the execution role), file
publishing (assets) and lookup (`cdk diff` reads the deployed templates with it). The project has
no Docker image assets, so the image-publishing role is left out (a test keeps it so). Every
other environment bootstraps under its own qualifier, so even in one shared account this role
reaches none of their roles.

GitHub's token is accepted only when all of these hold (AWS STS evaluates GitHub's claims as
condition keys): the configured repository and the GitHub environment of the same name (`sub`,
so production's required reviewers guard production), the reviewed deploy workflow file on the
deploy branch (`job_workflow_ref`), and a run of that branch (`ref`). The last one matters because
a workflow on any branch could call the main branch's reusable workflow: its job_workflow_ref
names main, but its ref names the branch, and it is refused.

The CLI itself also calls AWS with the role's own session: `deploy` follows its stacks' events
(DescribeStackEvents) and reads every deployed stack back (genai_infra.deploy_verify), and
`validate` reads the environment's resources (genai_infra.validation). A second managed policy,
VerifyEnvironment, grants exactly those reads, each on this environment's own resources by the
names naming.py gives them; the few actions AWS authorizes only on "*" (or on ids that exist only
after deployment) say why next to them and keep to the environment's regions where a condition can.
No write action. The application user's IAM database login (`rds-db:connect`) stays out: its
resource is the cluster's resource id, which exists only after the cluster does, and the same
user name exists in every environment, so a wildcard would reach the other environments' databases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aws_cdk import Aws, CfnOutput, Duration
from aws_cdk import aws_iam as iam
from constructs import Construct

from genai_infra.config import EnvironmentConfig, ProjectConfig
from genai_infra.nag import AWS_SOLUTIONS, acknowledge
from genai_infra.naming import (
    GITHUB_OIDC_HOST,
    aurora_global_cluster_id,
    cluster_name,
    data_resource_id,
    github_deploy_role_name,
    kms_alias,
    secret_name,
    stack_name,
)
from genai_infra.stacks.base import GenaiStack, TargetContext
from genai_infra.targets import targets_of

STS_AUDIENCE = "sts.amazonaws.com"
# The bootstrap roles `cdk deploy`, `cdk diff` and `cdk destroy` assume (cdk-<qualifier>-<purpose>-role-...).
BOOTSTRAP_ROLE_PURPOSES = ("deploy", "file-publishing", "lookup")


def bootstrap_role_arns(qualifier: str, account: str, regions: tuple[str, ...]) -> list[str]:
    """cdk-<qualifier>-<purpose>-role-<account>-<region>: the roles `cdk bootstrap` creates in each region."""
    return [
        f"arn:{Aws.PARTITION}:iam::{account}:role/cdk-{qualifier}-{purpose}-role-{account}-{region}"
        for region in regions
        for purpose in BOOTSTRAP_ROLE_PURPOSES
    ]


def oidc_conditions(repository: str, environment: str, workflow: str, ref: str) -> dict[str, dict[str, str]]:
    """The claims a GitHub token must carry for the deploy role of `environment`."""
    return {
        "StringEquals": {
            f"{GITHUB_OIDC_HOST}:aud": STS_AUDIENCE,
            f"{GITHUB_OIDC_HOST}:sub": f"repo:{repository}:environment:{environment}",
            f"{GITHUB_OIDC_HOST}:job_workflow_ref": f"{repository}/{workflow}@{ref}",
            f"{GITHUB_OIDC_HOST}:ref": ref,
        }
    }


@dataclass(frozen=True)
class Grant:
    """One statement of the VerifyEnvironment policy; `why` says why a resource holds a wildcard."""

    sid: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    why: str = ""
    conditions: dict[str, dict[str, Any]] = field(default_factory=dict)


def verify_grants(environment: EnvironmentConfig, partition: str, account: str) -> list[Grant]:
    """The reads `deploy` (events, read-back) and `validate` make with the deploy role, on `environment` only.

    `partition` and `account` are CloudFormation tokens in the stack and their rendered forms for
    the cdk-nag acknowledgements; every name comes from naming.py, the same as the stacks use.
    """
    env = environment.name
    serving = tuple(environment.regions)
    primary = environment.primary_region
    in_serving_regions = {"StringEquals": {"aws:RequestedRegion": list(serving)}}

    def arn(service: str, region: str, resource: str) -> str:
        return f"arn:{partition}:{service}:{region}:{account}:{resource}"

    grants = [
        Grant(
            "ReadBackOwnStacks",
            (
                "cloudformation:DescribeStackEvents",
                "cloudformation:DescribeStacks",
                "cloudformation:ListStackResources",
            ),
            # Each stack name once for every region (the policy must stay under IAM's 6,144
            # characters with production's 27 stacks), the regions held to the environment's by condition.
            tuple(
                arn("cloudformation", "*", f"stack/{stack_name(env, stack)}/*")
                for stack in dict.fromkeys(stack for target in targets_of(environment) for stack in target.stacks)
            ),
            why=(
                "a stack's ARN ends in the id CloudFormation gives it when it is created; the stack name is "
                "exact, and the region is any of the environment's by the aws:RequestedRegion condition"
            ),
            conditions={"StringEquals": {"aws:RequestedRegion": list(environment.target_regions)}},
        ),
        Grant(
            "ReadOwnParameters",
            ("ssm:GetParameter",),
            tuple(arn("ssm", region, f"parameter/genai-demo/{env}/*") for region in environment.target_regions),
            why="the parameters the stacks publish under /genai-demo/<environment>/ (shared_values)",
        ),
        Grant(
            "ReadTargetHealth",
            ("elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetHealth"),
            ("*",),
            why="ELBv2 Describe actions support no resource-level permission; kept to the serving regions",
            conditions=in_serving_regions,
        ),
        Grant(
            "ReadOwnCluster",
            ("eks:DescribeCluster", "eks:ListNodegroups", "eks:DescribeNodegroup", "eks:DescribeAddon"),
            tuple(
                arn("eks", region, resource)
                for region in serving
                for resource in (
                    f"cluster/{cluster_name(env)}",
                    f"nodegroup/{cluster_name(env)}/*",
                    f"addon/{cluster_name(env)}/*",
                )
            ),
            why="node group and add-on ARNs end in ids EKS gives them; the cluster name is exact",
        ),
    ]
    aurora = [data_resource_id(env, region, primary, "aurora") for region in serving]
    aurora_resources = [arn("rds", region, f"cluster:{ident}") for region, ident in zip(serving, aurora, strict=True)]
    aurora_resources += [arn("rds", region, f"db:{ident}-*") for region, ident in zip(serving, aurora, strict=True)]
    aurora_actions = ["rds:DescribeDBClusters", "rds:DescribeDBInstances"]
    if any(region.aurora.global_role != "none" for region in environment.regions.values()):
        aurora_actions.append("rds:DescribeGlobalClusters")
        # Global clusters have no region in their ARN.
        aurora_resources.append(arn("rds", "", f"global-cluster:{aurora_global_cluster_id(env)}"))
    grants.append(
        Grant(
            "ReadOwnAurora",
            tuple(aurora_actions),
            tuple(aurora_resources),
            why="the cluster's instances are named <cluster id>-<n> (constructs/aurora.py)",
        )
    )
    secrets = [secret_name(env, "aurora", "master")]
    if environment.has("ElastiCacheStack"):
        secrets.append(secret_name(env, "redis", "auth-token"))
        grants.append(
            Grant(
                "ReadOwnRedis",
                ("elasticache:DescribeReplicationGroups",),
                tuple(
                    arn("elasticache", region, f"replicationgroup:{data_resource_id(env, region, primary, 'redis')}")
                    for region in serving
                ),
            )
        )
    if environment.has("MSKStack"):
        grants += [
            Grant(
                "FindOwnKafkaCluster",
                ("kafka:ListClustersV2",),
                ("*",),
                why="MSK authorizes ListClustersV2 only on all resources; kept to the serving regions",
                conditions=in_serving_regions,
            ),
            Grant(
                "ReadOwnKafkaBrokers",
                ("kafka:GetBootstrapBrokers",),
                tuple(
                    arn("kafka", region, f"cluster/{data_resource_id(env, region, primary, 'msk')}/*")
                    for region in serving
                ),
                why="an MSK cluster's ARN ends in the id MSK gives it; the cluster name is exact",
            ),
        ]
    if environment.has("Route53FailoverStack"):
        grants.append(
            Grant(
                "ReadHealthCheckStatus",
                # The status, and the check's own settings (Inverted, Disabled), which decide how
                # Route 53 counts that status (validate judges it the way Route 53 does).
                ("route53:GetHealthCheck", "route53:GetHealthCheckStatus"),
                (f"arn:{partition}:route53:::healthcheck/*",),
                why=(
                    "Route 53 gives a health check's id when it is created (validate reads it from this "
                    "environment's SSM parameter); Route 53 has no tag or name condition for health checks"
                ),
            )
        )
    # `validate --probes` logs in with the secrets' credentials (the DR region reads its replica).
    grants += [
        Grant(
            "ReadOwnSecretsForProbes",
            ("secretsmanager:GetSecretValue",),
            tuple(arn("secretsmanager", region, f"secret:{name}-??????") for region in serving for name in secrets),
        ),
        Grant(
            "DecryptOwnSecretsForProbes",
            ("kms:Decrypt",),
            tuple(arn("kms", region, "key/*") for region in serving),
            why=(
                "the secrets key's id exists only after SecurityStack; only through Secrets Manager in the "
                "serving regions and only the key behind this environment's secrets alias"
            ),
            conditions={
                "StringEquals": {"kms:ViaService": [f"secretsmanager.{region}.amazonaws.com" for region in serving]},
                "ForAnyValue:StringEquals": {"kms:ResourceAliases": kms_alias(env, "secrets")},
            },
        ),
    ]
    return grants


class DeployRoleStack(GenaiStack):
    def __init__(self, scope: Construct, stack_id: str, *, target: TargetContext) -> None:
        super().__init__(scope, stack_id, target=target, description="GitHub Actions deploy role (OIDC)")
        ci = target.project.ci
        env = target.environment.name
        if ci.github_repository is None:
            raise ValueError(
                "DeployRoleStack needs ci.github_repository (owner/repository) in the configuration, "
                "e.g. --set ci.github_repository=owner/repo"
            )
        if ci.oidc_provider_arn is None:
            provider_arn = iam.CfnOIDCProvider(
                self,
                "GitHubOidcProvider",
                url=f"https://{GITHUB_OIDC_HOST}",
                client_id_list=[STS_AUDIENCE],
                # IAM verifies GitHub's certificate against its own trusted CAs; no thumbprint is pinned.
            ).attr_arn
        else:
            provider_arn = ci.oidc_provider_arn
        self.role = iam.Role(
            self,
            "DeployRole",
            role_name=github_deploy_role_name(env),
            description=(
                f"GitHub Actions ({ci.github_repository}, environment {env}, {ci.deploy_workflow}@{ci.deploy_ref}) "
                f"deploys {env} through CDK"
            ),
            max_session_duration=Duration.hours(ci.max_session_hours),
            assumed_by=iam.WebIdentityPrincipal(
                provider_arn, conditions=oidc_conditions(ci.github_repository, env, ci.deploy_workflow, ci.deploy_ref)
            ),
        )
        # The configured account of the environment, or else the account this stack deploys to.
        account = self.account
        iam.ManagedPolicy(
            self,
            "AssumeBootstrapRoles",
            description=f"Assume only the CDK bootstrap roles of {env} ({target.environment.bootstrap_qualifier})",
            statements=[
                iam.PolicyStatement(
                    actions=["sts:AssumeRole"],
                    resources=bootstrap_role_arns(
                        target.environment.bootstrap_qualifier, account, target.environment.target_regions
                    ),
                )
            ],
            roles=[self.role],
        )
        grants = verify_grants(target.environment, Aws.PARTITION, account)
        verify = iam.ManagedPolicy(
            self,
            "VerifyEnvironment",
            description=f"Read back and validate only {env}'s own stacks and resources (no write action)",
            statements=[
                iam.PolicyStatement(
                    sid=grant.sid,
                    actions=list(grant.actions),
                    resources=list(grant.resources),
                    conditions=grant.conditions or None,
                )
                for grant in grants
            ],
            roles=[self.role],
        )
        # cdk-nag renders CloudFormation's pseudo parameters as <AWS::...>; a configured account is a literal.
        rendered_account = target.environment.account or "<AWS::AccountId>"
        reasons: dict[str, list[str]] = {}
        for shown in verify_grants(target.environment, "<AWS::Partition>", rendered_account):
            for resource in shown.resources:
                if "*" in resource:
                    reasons.setdefault(resource, []).append(f"{shown.sid}: {shown.why}")
        for resource, why in reasons.items():
            acknowledge(verify, f"{AWS_SOLUTIONS}-IAM5", "; ".join(why) + ".", f"Resource::{resource}")
        CfnOutput(self, "DeployRoleArn", value=self.role.role_arn, description="role-to-assume of the workflow")


DEPLOY_ROLE_STACK_ID = "DeployRoleStack"


def synthesize_deploy_role(config: ProjectConfig, environment: str, out: Path) -> Path:
    """Synthesize the DeployRoleStack of `environment` (in its global region, IAM being global) with cdk-nag.

    Returns the cloud assembly directory; cdk-nag findings that are not acknowledged raise here.
    """
    import aws_cdk as cdk
    from cdk_nag import AwsSolutionsChecks, NIST80053R5Checks

    from genai_infra.synth import cdk_json_context

    chosen = config.environments[environment]
    directory = out / f"{environment}-deploy-role"
    app = cdk.App(outdir=str(directory), context=dict(cdk_json_context()), analytics_reporting=False)
    DeployRoleStack(app, DEPLOY_ROLE_STACK_ID, target=TargetContext(config, chosen, chosen.global_region))
    tags = config.tags
    for key, value in (
        ("Environment", chosen.name),
        ("Project", tags.project),
        ("Owner", tags.owner),
        ("CostCenter", tags.cost_center),
        ("ManagedBy", tags.managed_by),
    ):
        cdk.Tags.of(app).add(key, value)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app), NIST80053R5Checks(app))
    app.synth()
    return directory
