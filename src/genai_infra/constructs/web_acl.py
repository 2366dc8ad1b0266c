"""The WAF web ACL in front of CloudFront (scope CLOUDFRONT, so it lives in us-east-1; decision S3).

AWS managed rule groups (IP reputation, common, known bad inputs) and a rate-based rule per client
IP, each with CloudWatch metrics and sampled requests, logged to the aws-waf-logs- log group.
Shield Standard protects every CloudFront distribution automatically: there is nothing to create.
Shield Advanced is not bought (decision S3).
"""

from __future__ import annotations

from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from genai_infra.config.edge import EdgeConfig

MANAGED_RULE_GROUPS: tuple[str, ...] = (
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
)
RATE_RULE = "RateLimitPerIp"
# Evaluation order (the rule's priority): known-bad addresses first, then floods, then request content.
RULE_ORDER: tuple[str, ...] = (MANAGED_RULE_GROUPS[0], RATE_RULE, *MANAGED_RULE_GROUPS[1:])


def _visibility(metric_name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=metric_name, sampled_requests_enabled=True
    )


class EdgeWebAcl(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, environment: str, config: EdgeConfig, log_group_arn: str
    ) -> None:
        super().__init__(scope, construct_id)
        rules = {
            group: wafv2.CfnWebACL.RuleProperty(
                name=group,
                priority=RULE_ORDER.index(group),
                # "none": keep each group's own actions (block), rather than overriding them to count.
                override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
                statement=wafv2.CfnWebACL.StatementProperty(
                    managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                        vendor_name="AWS", name=group
                    )
                ),
                visibility_config=_visibility(group),
            )
            for group in MANAGED_RULE_GROUPS
        }
        rules[RATE_RULE] = wafv2.CfnWebACL.RuleProperty(
            name=RATE_RULE,
            priority=RULE_ORDER.index(RATE_RULE),
            action=wafv2.CfnWebACL.RuleActionProperty(block={}),
            statement=wafv2.CfnWebACL.StatementProperty(
                rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                    aggregate_key_type="IP",
                    limit=config.waf_rate_limit,
                    evaluation_window_sec=config.waf_rate_window_seconds,
                )
            ),
            visibility_config=_visibility(RATE_RULE),
        )
        self.web_acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            name=f"genai-demo-{environment}-edge",
            description=f"genai-demo {environment}: managed rules and a per-IP rate limit in front of CloudFront",
            scope="CLOUDFRONT",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            rules=[rules[name] for name in RULE_ORDER],
            visibility_config=_visibility(f"genai-demo-{environment}-edge"),
        )
        self.logging = wafv2.CfnLoggingConfiguration(
            self,
            "Logging",
            resource_arn=self.web_acl.attr_arn,
            log_destination_configs=[log_group_arn],
        )
