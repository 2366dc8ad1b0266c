"""Values one stack publishes for another, through SSM parameters with names built by one helper.

Stacks of a region exchange ids this way instead of CloudFormation exports: an export pins the
producing stack (it cannot change a value that is imported), and SSM names work across regions
too (decision S2). The consumer reads the value at deploy time; nothing is looked up at synthesis.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import aws_ssm as ssm
from constructs import Construct

from genai_infra.naming import ssm_parameter


class PublishedValues(Construct):
    """Writes each `key -> value` as the String parameter /genai-demo/<env>/<key>."""

    def __init__(self, scope: Construct, construct_id: str, *, environment: str, values: Mapping[str, str]) -> None:
        super().__init__(scope, construct_id)
        self.parameters: dict[str, ssm.StringParameter] = {}
        for key, value in values.items():
            name = ssm_parameter(environment, *key.split("/"))
            self.parameters[key] = ssm.StringParameter(
                self,
                key.replace("/", "-"),
                parameter_name=name,
                string_value=value,
                description=f"Published by {scope.node.id}",
            )


def read_value(scope: Construct, *, environment: str, key: str) -> str:
    """A token for /genai-demo/<env>/<key>, resolved by CloudFormation when the stack deploys."""
    return ssm.StringParameter.value_for_string_parameter(scope, ssm_parameter(environment, *key.split("/")))
