"""Log groups that AWS services would create at run time, created first with a retention.

Lambda, Aurora's log exports and the observability add-on write to groups of fixed names; when
such a group does not exist they create it without retention (events kept forever). Declared in
the template under the same name, the group gets the environment's retention and the logs key, and
preflight rule PF038 can see it.
"""

from __future__ import annotations

from collections.abc import Iterable

from aws_cdk import RemovalPolicy
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct

from genai_infra.constructs.log_retention import log_retention


class ServiceLogGroups(Construct):
    """One log group per `(construct id, name)`, with the given retention and key."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        groups: Iterable[tuple[str, str]],
        key: kms.IKey,
        retention_days: int,
        removal_policy: RemovalPolicy,
    ) -> None:
        super().__init__(scope, construct_id)
        self.groups: dict[str, logs.LogGroup] = {
            group_id: logs.LogGroup(
                self,
                group_id,
                log_group_name=name,
                encryption_key=key,
                retention=log_retention(retention_days),
                removal_policy=removal_policy,
            )
            for group_id, name in groups
        }
