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
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Aws, CfnOutput, Duration
from aws_cdk import aws_iam as iam
from constructs import Construct

from genai_infra.config import ProjectConfig
from genai_infra.naming import GITHUB_OIDC_HOST, github_deploy_role_name
from genai_infra.stacks.base import GenaiStack, TargetContext

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
