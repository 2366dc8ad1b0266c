"""Acknowledging cdk-nag findings, one rule (and finding) at a time, always with a reason.

cdk-nag 3 is a CDK validation plugin: an unacknowledged finding fails synthesis. A finding that
names a value (a managed policy, a wildcard resource) has to be acknowledged with that value.
"""

from __future__ import annotations

import aws_cdk as cdk
from constructs import IConstruct

AWS_SOLUTIONS = "AwsSolutions::AwsSolutions"
NIST = "NIST.800.53.R5::NIST.800.53.R5"
CFN_VALIDATE = "CloudFormation-Validate"


def acknowledge(scope: IConstruct, rule: str, reason: str, *findings: str) -> None:
    """Acknowledge `rule` on `scope` and everything below it, for each finding when given."""
    if len(reason) < 20:
        raise ValueError(f"acknowledging {rule} needs a real reason, got {reason!r}")
    ids = [f"{rule}[{finding}]" for finding in findings] or [rule]
    cdk.Validations.of(scope).acknowledge(*(cdk.Acknowledgment(id=rule_id, reason=reason) for rule_id in ids))


def skip_checkov(scope: IConstruct, check: str, reason: str) -> None:
    """Acknowledge checkov's `check` on the CloudFormation resource of `scope`, with a reason.

    checkov reads `Metadata.checkov.skip` of a resource; genai_infra.checkov_scan reads the same
    entries, so `genai-infra check` and a plain checkov run agree on what is acknowledged.
    """
    if len(reason) < 20:
        raise ValueError(f"skipping checkov's {check} needs a real reason, got {reason!r}")
    resource = scope if isinstance(scope, cdk.CfnResource) else scope.node.default_child
    if not isinstance(resource, cdk.CfnResource):
        raise TypeError(f"{scope.node.path} has no CloudFormation resource to carry a checkov skip")
    metadata = resource.get_metadata("checkov") or {}
    skips = [*metadata.get("skip", []), {"id": check, "comment": reason}]
    resource.add_metadata("checkov", {**metadata, "skip": skips})
