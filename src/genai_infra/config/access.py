"""Access: how operators (decision S7) and the deployment pipeline (decision S6) reach an environment."""

from __future__ import annotations

from pydantic import Field

from genai_infra.config.fields import Frozen


class OperatorAccessConfig(Frozen):
    """Decision S7: how operators reach the private EKS endpoint without SSH or public IPs."""

    # A Session Manager instance in each serving region's private subnets (about 4 USD a month per
    # region); kubectl reaches the endpoint through its port forwarding. On in production by default.
    session_manager: bool = False


class CiConfig(Frozen):
    """GitHub Actions deploys through GitHub's OIDC provider and a role per environment (DeployRoleStack)."""

    # owner/repository whose workflow jobs may assume the deploy roles, only from a job that names
    # the GitHub environment (repo:<owner>/<repo>:environment:<env>). Unset: no deploy role is built.
    github_repository: str | None = Field(default=None, pattern=r"^[A-Za-z0-9-]{1,39}/[A-Za-z0-9_.-]{1,100}$")
    # IAM holds one OIDC provider per URL and account. Unset, DeployRoleStack creates it; where
    # environments share an account, the second one names the first one's provider here.
    oidc_provider_arn: str | None = Field(
        default=None, pattern=r"^arn:aws[a-z-]*:iam::\d{12}:oidc-provider/token\.actions\.githubusercontent\.com$"
    )
    max_session_hours: int = Field(default=1, ge=1, le=12)
    # The only workflow file and branch whose jobs may assume a deploy role (job_workflow_ref and
    # ref claims, decision S6): a job of a branch, or a workflow of another file, is refused.
    deploy_workflow: str = Field(
        default=".github/workflows/deploy-environment.yml", pattern=r"^\.github/workflows/[A-Za-z0-9_.-]+\.ya?ml$"
    )
    deploy_ref: str = Field(default="refs/heads/main", pattern=r"^refs/(heads|tags)/[A-Za-z0-9_./-]{1,200}$")
