"""The typed, frozen configuration model, one module per area: the index of where each model lives.

Every model forbids unknown keys and validates itself beside its fields, so an override with a
typo or an impossible value is refused before anything is synthesized. Stacks receive these typed
values; they never branch on an environment name.

    fields       Frozen (the base of every model) and the field types several areas share
    network      NetworkConfig: one region's VPC and subnets
    compute      EksConfig and its node groups, platform charts, autoscaler, registry, load balancer
    workload     WorkloadConfig: the application's pods, probes and scaling triggers
    data         AuroraConfig, RedisConfig, MskConfig, BackupConfig, AnalyticsConfig
    platform     ObservabilityConfig, AlertingConfig
    edge         DnsConfig, EdgeConfig and the failover health check
    cost         BudgetConfig, OffHoursConfig
    access       OperatorAccessConfig (decision S7), CiConfig (the deploy roles, decision S6)
    stack_set    StackSetConfig: which stacks an environment runs (decision C12)
    environment  RegionConfig, EnvironmentConfig: where the areas meet, and the checks across them
    project      ProjectConfig: project-wide settings and every environment

Code imports a model from its area module; this module re-exports them all for older imports.
"""

from genai_infra.config.access import CiConfig, OperatorAccessConfig
from genai_infra.config.compute import (
    MAX_NODES_PER_MANAGED_NODE_GROUP,
    ClusterAutoscalerConfig,
    EksConfig,
    HelmChartConfig,
    LoadBalancerConfig,
    NodeGroupConfig,
    PlatformChartsConfig,
    RegistryConfig,
)
from genai_infra.config.cost import BudgetConfig, OffHoursConfig
from genai_infra.config.data import (
    AnalyticsConfig,
    AuroraConfig,
    BackupConfig,
    BackupRuleConfig,
    MskConfig,
    RedisConfig,
)
from genai_infra.config.edge import DnsConfig, EdgeConfig, FailoverHealthCheckConfig
from genai_infra.config.environment import EnvironmentConfig, RegionConfig
from genai_infra.config.fields import CronExpression, EmailAddress, Frozen, LogRetentionDays
from genai_infra.config.network import NetworkConfig
from genai_infra.config.platform import AlertingConfig, HttpsUrl, ObservabilityConfig
from genai_infra.config.project import ProjectConfig, TagsConfig
from genai_infra.config.stack_set import StackSetConfig
from genai_infra.config.workload import (
    PodResources,
    ProbeConfig,
    Quantity,
    ThreadPoolTriggerConfig,
    WorkloadConfig,
    jvm_option_bytes,
    quantity_value,
)

__all__ = [
    "MAX_NODES_PER_MANAGED_NODE_GROUP",
    "AlertingConfig",
    "AnalyticsConfig",
    "AuroraConfig",
    "BackupConfig",
    "BackupRuleConfig",
    "BudgetConfig",
    "CiConfig",
    "ClusterAutoscalerConfig",
    "CronExpression",
    "DnsConfig",
    "EdgeConfig",
    "EksConfig",
    "EmailAddress",
    "EnvironmentConfig",
    "FailoverHealthCheckConfig",
    "Frozen",
    "HelmChartConfig",
    "HttpsUrl",
    "LoadBalancerConfig",
    "LogRetentionDays",
    "MskConfig",
    "NetworkConfig",
    "NodeGroupConfig",
    "ObservabilityConfig",
    "OffHoursConfig",
    "OperatorAccessConfig",
    "PlatformChartsConfig",
    "PodResources",
    "ProbeConfig",
    "ProjectConfig",
    "Quantity",
    "RedisConfig",
    "RegionConfig",
    "RegistryConfig",
    "StackSetConfig",
    "TagsConfig",
    "ThreadPoolTriggerConfig",
    "WorkloadConfig",
    "jvm_option_bytes",
    "quantity_value",
]
