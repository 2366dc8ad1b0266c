"""Finishing touches on the resources aws-cdk-lib generates itself (kubectl barrier, CfnJson provider).

Both walk every construct of a stack, so a stack calls them last, once everything exists.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import CfnResource, TagManager
from constructs import Construct


def tag_untyped_resources(scope: Construct, tags: Mapping[str, str]) -> None:
    """Tag the resources aws-cdk-lib writes as untyped CfnResource, which `Tags.of` cannot reach.

    These are the kubectl-ready barrier parameter of aws_eks_v2 and the role and function of the
    CDK provider behind CfnJson; the cost section requires the five tags on every resource.
    """
    for construct in scope.node.find_all():
        if not isinstance(construct, CfnResource) or TagManager.is_taggable(construct):
            continue
        kind = construct.cfn_resource_type
        if kind == "AWS::SSM::Parameter":
            construct.add_property_override("Tags", dict(sorted(tags.items())))
        elif kind in ("AWS::IAM::Role", "AWS::Lambda::Function"):
            construct.add_property_override("Tags", [{"Key": k, "Value": v} for k, v in sorted(tags.items())])


def drop_implied_role_dependencies(scope: Construct) -> None:
    """Remove the explicit DependsOn of CDK-generated functions on their own execution role.

    The function's Role property (GetAtt) already orders them, and cfn-lint flags the duplicate
    (W3005); the dependencies on the roles' policies stay.
    """
    for construct in scope.node.find_all():
        if isinstance(construct, CfnResource) and construct.cfn_resource_type == "AWS::Lambda::Function":
            for dependency in construct.obtain_dependencies():
                if isinstance(dependency, CfnResource) and dependency.cfn_resource_type == "AWS::IAM::Role":
                    construct.remove_resource_dependency(dependency)
