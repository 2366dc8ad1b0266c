"""The stack set of an environment: which optional stacks it runs, and what each one needs."""

from __future__ import annotations

from pydantic import model_validator

from genai_infra.config.fields import Frozen


class StackSetConfig(Frozen):
    """Which of the document's stacks an environment runs (decision C12).

    Every environment has SecurityStack, NetworkStack, CertificateStack (the ALB's HTTPS listener),
    RdsStack, EKSStack and CostOptimizationStack (its budget and anomaly alerts, in us-east-1; the
    off-hours schedules beside the cluster when `off_hours` is on). The rest is switched here.
    """

    elasticache: bool = True
    msk: bool = False
    observability: bool = False
    alerting: bool = False
    route53_failover: bool = False
    # CloudFront and WAF in us-east-1, with the CertificateStack and AlertingStack they need there.
    edge: bool = False
    analytics: bool = False
    # AWS Backup (vault, plan, cross-region copies). Without it, the backup rules of the environment
    # still run from a plan beside the Aurora cluster (RdsStack), so development keeps its monthly snapshot.
    disaster_recovery: bool = False

    @model_validator(mode="after")
    def _stacks_have_what_they_need(self) -> StackSetConfig:
        needs = {
            "edge": ("route53_failover", "CloudFront's origin is the failover record origin.<domain>"),
            "analytics": ("msk", "the data lake reads the MSK cluster's events"),
        }
        for stack, (needed, why) in needs.items():
            if getattr(self, stack) and not getattr(self, needed):
                raise ValueError(f"stacks.{stack} needs stacks.{needed} ({why}); switch both on or {stack} off")
        if self.edge and not self.alerting:
            raise ValueError(
                "stacks.edge needs stacks.alerting (the edge alarms notify the alerting topics in us-east-1); "
                "switch both on or edge off"
            )
        return self

    def names(self, *, primary: bool = True) -> tuple[str, ...]:
        """The serving-region stack ids these switches give (AnalyticsStack in the primary region only)."""
        switched = {
            "ElastiCacheStack": self.elasticache,
            "MSKStack": self.msk,
            "ObservabilityStack": self.observability,
            "AlertingStack": self.alerting,
            "Route53FailoverStack": self.route53_failover,
            "AnalyticsStack": self.analytics and primary,
            "DisasterRecoveryStack": self.disaster_recovery,
        }
        always = ("SecurityStack", "NetworkStack", "CertificateStack", "RdsStack", "EKSStack")
        return (*always, *(name for name, on in switched.items() if on))
