"""Each environment's own CDK bootstrap (decision S6), as pure Python.

`cdk bootstrap` creates the roles cdk-<qualifier>-{deploy,file-publishing,image-publishing,lookup,
cfn-exec}-role-<account>-<region> and the stack that holds them. Environments that share an
account get separate qualifiers, so one environment's deploy role never reaches another's
bootstrap roles, and separate toolkit stack names, since a second `cdk bootstrap` under the
default name CDKToolkit would replace the first environment's bootstrap instead of adding one.

The stacks name the qualifier in their synthesizer (GenaiStack), so `cdk deploy`, `diff` and
`destroy` need no toolkit option: the CLI finds the bootstrap roles, bucket and version parameter
through the cloud assembly (`--toolkit-stack-name` is only used for legacy synthesis).
"""

from __future__ import annotations

from genai_infra.config import EnvironmentConfig

TOOLKIT_STACK_PREFIX = "CDKToolkit"


def bootstrap_qualifier(environment: EnvironmentConfig) -> str:
    return environment.bootstrap_qualifier


def toolkit_stack_name(environment: EnvironmentConfig) -> str:
    """CDKToolkit-<qualifier>: one bootstrap stack per environment and region."""
    return f"{TOOLKIT_STACK_PREFIX}-{environment.bootstrap_qualifier}"


def bootstrap_command(environment: EnvironmentConfig, region: str, account: str, cdk: str = "cdk") -> list[str]:
    """The `cdk bootstrap` command line of one region of `environment` in `account`."""
    return [
        cdk,
        "bootstrap",
        "--qualifier",
        bootstrap_qualifier(environment),
        "--toolkit-stack-name",
        toolkit_stack_name(environment),
        f"aws://{account}/{region}",
    ]


def bootstrap_role_name_pattern(environment: EnvironmentConfig, account: str, region: str) -> str:
    """The names of the bootstrap roles of one region: cdk-<qualifier>-*-role-<account>-<region>."""
    return f"cdk-{environment.bootstrap_qualifier}-*-role-{account}-{region}"
