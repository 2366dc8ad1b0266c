"""The AWS session of the commands that need an account, checked before anything is synthesized.

`deploy`, `diff`, `destroy`, `validate` and `failover` ask STS who the credentials belong to
(GetCallerIdentity needs no permission) and compare the account with the one the environment
is configured for, so a missing, expired or wrong profile ends in one sentence, not in a CDK stack trace.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from genai_infra.cli import common
from genai_infra.config.environment import EnvironmentConfig

ProfileOption = Annotated[
    str | None, typer.Option("--profile", help="AWS profile; the default credential chain when omitted")
]
STS_REGION = "us-east-1"  # when neither the profile nor the environment names one


def checked_session(profile: str | None, environment: EnvironmentConfig, scope: str) -> Any:
    """A boto3 session whose credentials work and belong to the environment's account; else a one-sentence exit."""
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError, ProfileNotFound

    try:
        session = boto3.Session(profile_name=profile)
        credentials = session.get_credentials()
    except ProfileNotFound:
        raise common.fail(
            f"{scope} needs AWS credentials, and the profile {profile!r} is not configured; "
            "check `aws configure list-profiles` or leave out --profile."
        ) from None
    except BotoCoreError as error:
        raise common.fail(f"{scope} needs AWS credentials, and they could not be loaded ({error}).") from None
    if credentials is None:
        raise common.fail(
            f"{scope} needs AWS credentials and found none (no AWS credentials found in a profile, the environment "
            "or an OIDC role); pass --profile, or set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, "
            "and run it again."
        )
    config = Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=5, read_timeout=10)
    try:
        sts = session.client("sts", region_name=session.region_name or STS_REGION, config=config)
        account = str(sts.get_caller_identity()["Account"])
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "an error")
        raise common.fail(
            f"{scope}: AWS refused the credentials ({code}); renew them (e.g. aws sso login) and run it again."
        ) from None
    except BotoCoreError as error:
        raise common.fail(f"{scope}: the credentials could not be checked with STS ({error}).") from None
    # The account the environment deploys to, when the configuration names one.
    expected = getattr(environment, "account", None)
    if expected and account != str(expected):
        raise common.fail(
            f"{scope} refused: the credentials belong to account {account}, but {environment.name} is configured "
            f"for account {expected}; use that account's profile (--profile)."
        )
    common.errors.print(f"AWS account {account} ({'profile ' + profile if profile else 'default credentials'})")
    return session
