"""DeployRoleStack: the role GitHub Actions assumes to deploy one environment, through OIDC (no keys).

Least privilege: the role may only assume the CDK bootstrap roles (deploy, file and image
publishing, lookup) of the environment's regions in its own account; everything the deployment
does, CloudFormation does with the bootstrap execution role. GitHub's token is accepted only for
the configured repository and only from a job that runs in the GitHub environment of the same
name, so the `production` environment's protection rules (required reviewers) guard production.
"""

from __future__ import annotations

from aws_cdk import Aws, CfnOutput, Duration
from aws_cdk import aws_iam as iam
from constructs import Construct

from genai_infra.nag import AWS_SOLUTIONS, acknowledge
from genai_infra.naming import GITHUB_OIDC_HOST, github_deploy_role_name
from genai_infra.stacks.base import GenaiStack, TargetContext

STS_AUDIENCE = "sts.amazonaws.com"


def bootstrap_role_arns(qualifier: str, regions: tuple[str, ...]) -> list[str]:
    """cdk-<qualifier>-<purpose>-role-<account>-<region>: the roles `cdk bootstrap` creates in each region."""
    return [
        f"arn:{Aws.PARTITION}:iam::{Aws.ACCOUNT_ID}:role/cdk-{qualifier}-*-role-{Aws.ACCOUNT_ID}-{region}"
        for region in regions
    ]


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
        subject = f"repo:{ci.github_repository}:environment:{env}"
        self.role = iam.Role(
            self,
            "DeployRole",
            role_name=github_deploy_role_name(env),
            description=f"GitHub Actions ({ci.github_repository}, environment {env}) deploys {env} through CDK",
            max_session_duration=Duration.hours(ci.max_session_hours),
            assumed_by=iam.WebIdentityPrincipal(
                provider_arn,
                conditions={
                    "StringEquals": {
                        f"{GITHUB_OIDC_HOST}:aud": STS_AUDIENCE,
                        f"{GITHUB_OIDC_HOST}:sub": subject,
                    }
                },
            ),
        )
        resources = bootstrap_role_arns(ci.bootstrap_qualifier, target.environment.target_regions)
        policy = iam.ManagedPolicy(
            self,
            "AssumeBootstrapRoles",
            description=f"Assume only the CDK bootstrap roles of {env}'s regions",
            statements=[iam.PolicyStatement(actions=["sts:AssumeRole"], resources=resources)],
            roles=[self.role],
        )
        acknowledge(
            policy,
            f"{AWS_SOLUTIONS}-IAM5",
            "The CDK CLI assumes the bootstrap roles cdk-<qualifier>-{deploy,file-publishing,image-publishing,"
            "lookup}-role-<account>-<region>; the wildcard stands for those four purposes only, in the account "
            "and regions of this environment.",
            # cdk-nag names the resources with CloudFormation pseudo parameters in angle brackets.
            *(
                f"Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/cdk-{ci.bootstrap_qualifier}-*-role-"
                f"<AWS::AccountId>-{region}"
                for region in target.environment.target_regions
            ),
        )
        CfnOutput(self, "DeployRoleArn", value=self.role.role_arn, description="role-to-assume of the workflow")
