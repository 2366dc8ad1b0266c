"""The configuration, phases, naming and targets, checked against the specification. Pure Python, no jsii."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from genai_infra.config import ConfigError, ProjectConfig, load_config, select_environment, select_region
from genai_infra.naming import iam_role_name, stack_name
from genai_infra.phases import PHASES, PhaseOrderError, check_dependencies
from genai_infra.targets import all_targets

TAIPEI = "ap-east-2"
TOKYO = "ap-northeast-1"
US_EAST_1 = "us-east-1"
SRC = Path(__file__).resolve().parents[1] / "src" / "genai_infra"


@pytest.fixture(scope="module")
def defaults() -> ProjectConfig:
    return load_config()


# --- The default matrix -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environment", "region", "octet"),
    [
        ("development", TOKYO, 1),
        ("staging", TAIPEI, 0),
        ("production", TAIPEI, 0),
        ("production", TOKYO, 1),
    ],
)
def test_network_plan_of_the_spec(defaults: ProjectConfig, environment: str, region: str, octet: int) -> None:
    network = defaults.environments[environment].regions[region].network
    assert network.vpc_cidr == f"10.{octet}.0.0/16"
    assert network.public_subnet_cidrs == (f"10.{octet}.0.0/24", f"10.{octet}.1.0/24")
    assert network.private_subnet_cidrs == (f"10.{octet}.2.0/24", f"10.{octet}.3.0/24")
    assert network.database_subnet_cidrs == (f"10.{octet}.4.0/28", f"10.{octet}.5.0/28")
    # Decision C5: the third-AZ subnet used by MSK only.
    assert network.msk_subnet_cidr == f"10.{octet}.6.0/24"
    assert all(zone.startswith(region) for zone in network.availability_zones)
    assert len(set(network.availability_zones)) == 3


@pytest.mark.parametrize(
    ("environment", "regions"),
    [
        ("development", (TOKYO, US_EAST_1)),
        ("staging", (TAIPEI, US_EAST_1)),
        ("production", (TAIPEI, TOKYO, US_EAST_1)),
    ],
)
def test_regions_per_environment(defaults: ProjectConfig, environment: str, regions: tuple[str, ...]) -> None:
    config = defaults.environments[environment]
    assert config.target_regions == regions
    assert config.primary_region == regions[0]
    assert config.regions[regions[0]].role == "primary"


def test_production_tokyo_is_the_secondary(defaults: ProjectConfig) -> None:
    assert defaults.environments["production"].regions[TOKYO].role == "secondary"


@pytest.mark.parametrize(
    ("environment", "region", "instance_types", "sizes"),
    [
        ("development", TOKYO, ("t3.small",), (1, 1, 3)),
        ("staging", TAIPEI, ("t3.medium",), (2, 2, 4)),
        ("production", TAIPEI, ("t3.large", "t3.medium"), (2, 3, 10)),
        ("production", TOKYO, ("t3.medium",), (2, 2, 10)),
    ],
)
def test_node_groups_of_decision_c2(
    defaults: ProjectConfig,
    environment: str,
    region: str,
    instance_types: tuple[str, ...],
    sizes: tuple[int, int, int],
) -> None:
    node_group = defaults.environments[environment].regions[region].eks.node_group
    assert node_group.instance_types == instance_types
    assert (node_group.min_size, node_group.desired_size, node_group.max_size) == sizes
    assert node_group.disk_size_gb == 20


@pytest.mark.parametrize(
    ("environment", "region"), [("development", TOKYO), ("staging", TAIPEI), ("production", TAIPEI)]
)
def test_kubernetes_version_of_decision_v1(defaults: ProjectConfig, environment: str, region: str) -> None:
    assert defaults.environments[environment].regions[region].eks.kubernetes_version == "1.36"


def test_production_nodes_are_on_demand(defaults: ProjectConfig) -> None:
    for region in (TAIPEI, TOKYO):
        eks = defaults.environments["production"].regions[region].eks
        assert eks.capacity_type == "ON_DEMAND"
        assert eks.spot_percent == 0


def test_development_aurora_is_serverless_0_to_2_acu(defaults: ProjectConfig) -> None:
    aurora = defaults.environments["development"].regions[TOKYO].aurora
    assert aurora.serverless_min_acu == 0
    assert aurora.serverless_max_acu == 2
    assert aurora.writer_instance_class is None
    assert aurora.engine_major_version == 15


def test_staging_aurora_is_one_t4g_large_writer(defaults: ProjectConfig) -> None:
    aurora = defaults.environments["staging"].regions[TAIPEI].aurora
    assert aurora.writer_instance_class == "db.t4g.large"
    assert aurora.reader_instance_classes == ()
    assert aurora.serverless_max_acu is None


def test_production_aurora_global_primary_and_secondary(defaults: ProjectConfig) -> None:
    primary = defaults.environments["production"].regions[TAIPEI].aurora
    assert primary.writer_instance_class == "db.r6g.large"
    assert primary.reader_instance_classes == ("db.r6g.large",)
    assert primary.global_role == "primary"
    secondary = defaults.environments["production"].regions[TOKYO].aurora
    assert secondary.writer_instance_class is None
    assert secondary.reader_instance_classes == ("db.r6g.large", "db.r6g.large")
    assert secondary.global_role == "secondary"


@pytest.mark.parametrize(
    ("environment", "region", "retention"),
    [("development", TOKYO, 7), ("staging", TAIPEI, 7), ("production", TAIPEI, 30), ("production", TOKYO, 30)],
)
def test_aurora_backups(defaults: ProjectConfig, environment: str, region: str, retention: int) -> None:
    aurora = defaults.environments[environment].regions[region].aurora
    assert aurora.backup_retention_days == retention
    assert aurora.backup_window_utc == "03:00-04:00"


@pytest.mark.parametrize(
    ("environment", "region", "node_type", "replicas"),
    [
        ("development", TOKYO, "cache.t3.micro", 0),
        ("staging", TAIPEI, "cache.t4g.medium", 0),
        ("production", TAIPEI, "cache.r6g.large", 2),
    ],
)
def test_redis(defaults: ProjectConfig, environment: str, region: str, node_type: str, replicas: int) -> None:
    redis = defaults.environments[environment].regions[region].redis
    assert redis.node_type == node_type
    assert redis.replicas == replicas
    assert redis.multi_az is (replicas > 0)
    assert redis.engine_version == "7.0"
    assert redis.parameter_group_family == "redis7"
    assert redis.snapshot_window_utc == "04:00-05:00"


def test_production_tokyo_redis_is_global_secondary(defaults: ProjectConfig) -> None:
    redis = defaults.environments["production"].regions[TOKYO].redis
    assert redis.node_type == "cache.r6g.large"
    assert redis.global_role == "secondary"
    assert defaults.environments["production"].regions[TAIPEI].redis.global_role == "primary"


@pytest.mark.parametrize(("environment", "limit"), [("development", 200), ("staging", 400), ("production", 1000)])
def test_budgets(defaults: ProjectConfig, environment: str, limit: int) -> None:
    budget = defaults.environments[environment].budget
    assert budget.monthly_limit_usd == limit
    assert budget.alert_thresholds_percent == (80, 90, 100)
    assert budget.anomaly_threshold_percent == 20


def test_required_tags(defaults: ProjectConfig) -> None:
    tags = defaults.tags
    assert (tags.project, tags.owner, tags.cost_center, tags.managed_by) == (
        "genai-demo",
        "platform-team",
        "engineering",
        "cdk",
    )


def test_domain_of_decision_c11(defaults: ProjectConfig) -> None:
    assert defaults.dns.zone_name == "genai-demo.kimkao.io"
    assert defaults.environments["production"].domain == "genai-demo.kimkao.io"
    assert defaults.dns.zone_id is None


def test_msk_has_three_brokers_and_production_replicates_to_tokyo(defaults: ProjectConfig) -> None:
    for environment in defaults.environments.values():
        for region in environment.regions.values():
            assert region.msk.broker_count == 3
    assert defaults.environments["production"].regions[TAIPEI].msk.replicate_to_region == TOKYO


def test_production_protects_its_stateful_resources(defaults: ProjectConfig) -> None:
    production = defaults.environments["production"]
    assert production.termination_protection is True
    assert production.retain_stateful_resources is True
    assert defaults.environments["development"].retain_stateful_resources is False


# --- Selection ----------------------------------------------------------------------------------


def test_select_environment_refuses_an_unknown_name(defaults: ProjectConfig) -> None:
    with pytest.raises(ConfigError, match="unknown environment 'qa'") as raised:
        select_environment(defaults, "qa")
    assert "development, staging, production" in str(raised.value)


def test_select_environment_without_a_name_says_so(defaults: ProjectConfig) -> None:
    with pytest.raises(ConfigError, match="no environment given"):
        select_environment(defaults, None)


def test_select_region_refuses_a_region_of_another_environment(defaults: ProjectConfig) -> None:
    with pytest.raises(ConfigError, match="region ap-east-2 is not a region of development"):
        select_region(defaults.environments["development"], TAIPEI)


def test_select_region_defaults_to_the_primary(defaults: ProjectConfig) -> None:
    assert select_region(defaults.environments["production"], None) == TAIPEI
    assert select_region(defaults.environments["production"], US_EAST_1) == US_EAST_1


# --- Refused inputs -----------------------------------------------------------------------------

PROD_TAIPEI = "environments.production.regions.ap-east-2"
PROD_TOKYO = "environments.production.regions.ap-northeast-1"

REFUSED_OVERRIDES = {
    "subnet outside the VPC": ([f"{PROD_TAIPEI}.network.msk_subnet_cidr=10.9.6.0/24"], "lies outside the VPC"),
    "overlapping subnets": (
        [f'{PROD_TAIPEI}.network.private_subnet_cidrs=["10.0.1.0/24", "10.0.3.0/24"]'],
        "overlaps public subnet 10.0.1.0/24",
    ),
    "overlapping VPCs": ([f"{PROD_TOKYO}.network.vpc_cidr=10.0.0.0/8"], "overlaps the VPC of ap-east-2"),
    "min above desired": ([f"{PROD_TAIPEI}.eks.node_group.min_size=5"], "min <= desired <= max"),
    "desired above max": ([f"{PROD_TAIPEI}.eks.node_group.desired_size=11"], "min <= desired <= max"),
    "unknown node type": ([f'{PROD_TAIPEI}.eks.node_group.instance_types=["t2.nano"]'], "unknown node instance type"),
    "unknown Aurora class": (
        ["environments.staging.regions.ap-east-2.aurora.writer_instance_class=db.t3.micro"],
        "unknown Aurora PostgreSQL instance class 'db.t3.micro'",
    ),
    "unknown cache node type": (
        ["environments.staging.regions.ap-east-2.redis.node_type=cache.r6g.medium"],
        "unknown ElastiCache node type 'cache.r6g.medium'",
    ),
    "unknown MSK broker type": (
        [f"{PROD_TAIPEI}.msk.broker_instance_type=kafka.t2.small"],
        "unknown MSK broker type 'kafka.t2.small'",
    ),
    "zero budget": (["environments.production.budget.monthly_limit_usd=0"], "greater than 0"),
    "negative budget": (["environments.staging.budget.monthly_limit_usd=-50"], "greater than 0"),
    "typo in a key": (["environments.production.budget.monthly_limt_usd=900"], "is not a known setting"),
    "invalid log retention": (["environments.production.log_retention_days=10"], "retention of 10 days"),
    "AZ of another region": (
        [f'{PROD_TAIPEI}.network.availability_zones=["ap-east-2a", "ap-east-2b", "ap-northeast-1c"]'],
        "availability zone ap-northeast-1c is not a zone of ap-east-2",
    ),
    "override without '='": (["environments.production.budget.monthly_limit_usd"], "not of the form dotted.key=value"),
}


@pytest.mark.parametrize(("overrides", "phrase"), list(REFUSED_OVERRIDES.values()), ids=list(REFUSED_OVERRIDES.keys()))
def test_refused_override(overrides: list[str], phrase: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(overrides=overrides)
    message = str(raised.value)
    assert phrase in message
    assert "\n" not in message


@pytest.mark.parametrize(
    "overrides",
    [pytest.param(overrides, id=case) for case, (overrides, _) in REFUSED_OVERRIDES.items()],
)
def test_refused_override_message_is_a_closed_sentence(overrides: list[str]) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(overrides=overrides)
    assert str(raised.value).endswith(".")


def test_refused_override_names_the_key() -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(overrides=[f"{PROD_TAIPEI}.eks.node_group.min_size=5"])
    assert "environments.production.regions.ap-east-2.eks.node_group" in str(raised.value)


def test_missing_config_file(tmp_path: Path) -> None:
    missing = tmp_path / "absent.toml"
    with pytest.raises(ConfigError, match="does not exist") as raised:
        load_config(missing)
    assert str(missing) in str(raised.value)
    assert "\n" not in str(raised.value)


def test_invalid_toml_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[environments.production\nbudget = \n", encoding="utf-8")
    with pytest.raises(ConfigError, match="is not valid TOML") as raised:
        load_config(broken)
    assert "\n" not in str(raised.value)


def test_invalid_value_in_a_toml_file(tmp_path: Path) -> None:
    file = tmp_path / "bad.toml"
    file.write_text(
        '[environments.staging.regions."ap-east-2".redis]\nnode_type = "cache.r6g.medium"\n', encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=re.escape("unknown ElastiCache node type 'cache.r6g.medium'")):
        load_config(file)


# --- Accepted overrides -------------------------------------------------------------------------


def test_override_changes_a_value() -> None:
    config = load_config(overrides=["environments.production.budget.monthly_limit_usd=900"])
    assert config.environments["production"].budget.monthly_limit_usd == 900
    # Other environments keep their defaults.
    assert config.environments["staging"].budget.monthly_limit_usd == 400


def test_override_of_a_list_and_a_nested_region_key() -> None:
    config = load_config(
        overrides=[
            f'{PROD_TAIPEI}.eks.node_group.instance_types=["m6i.large"]',
            f"{PROD_TAIPEI}.eks.node_group.max_size=12",
        ]
    )
    node_group = config.environments["production"].regions[TAIPEI].eks.node_group
    assert node_group.instance_types == ("m6i.large",)
    assert node_group.max_size == 12
    assert node_group.min_size == 2


def test_toml_file_override(tmp_path: Path) -> None:
    file = tmp_path / "overrides.toml"
    file.write_text(
        "[environments.production.budget]\n"
        "monthly_limit_usd = 1500\n"
        '[environments.development.regions."ap-northeast-1".eks.node_group]\n'
        "max_size = 5\n",
        encoding="utf-8",
    )
    config = load_config(file)
    assert config.environments["production"].budget.monthly_limit_usd == 1500
    assert config.environments["production"].budget.alert_thresholds_percent == (80, 90, 100)
    assert config.environments["development"].regions[TOKYO].eks.node_group.max_size == 5
    assert config.environments["development"].regions[TOKYO].eks.node_group.instance_types == ("t3.small",)


def test_set_override_wins_over_the_file(tmp_path: Path) -> None:
    file = tmp_path / "overrides.toml"
    file.write_text("[environments.production.budget]\nmonthly_limit_usd = 1500\n", encoding="utf-8")
    config = load_config(file, ["environments.production.budget.monthly_limit_usd=900"])
    assert config.environments["production"].budget.monthly_limit_usd == 900


def test_overrides_do_not_leak_into_the_defaults() -> None:
    load_config(overrides=["environments.production.budget.monthly_limit_usd=900"])
    assert load_config().environments["production"].budget.monthly_limit_usd == 1000


# --- Phases -------------------------------------------------------------------------------------

SPEC_PHASES = {
    1: {"NetworkStack", "SecurityStack", "CertificateStack"},
    2: {"RdsStack", "ElastiCacheStack", "MSKStack"},
    3: {"EKSStack"},
    4: {"ObservabilityStack", "AlertingStack"},
    # EdgeStack (CloudFront, WAF; decision S3) is the project's own addition.
    5: {"Route53FailoverStack", "AnalyticsStack", "EdgeStack"},
    6: {"DisasterRecoveryStack", "CostOptimizationStack"},
}


def test_phases_are_the_six_of_the_spec() -> None:
    assert [phase.number for phase in PHASES] == [1, 2, 3, 4, 5, 6]
    assert {phase.number: set(phase.stacks) for phase in PHASES} == SPEC_PHASES
    stacks = [stack for phase in PHASES for stack in phase.stacks]
    assert len(stacks) == len(set(stacks))


def test_dependency_on_a_later_phase_is_refused() -> None:
    with pytest.raises(PhaseOrderError, match=r"NetworkStack \(phase 1\) depends on EKSStack \(phase 3\)"):
        check_dependencies({"NetworkStack": ["EKSStack"]})


def test_dependency_on_an_unknown_stack_is_refused() -> None:
    with pytest.raises(PhaseOrderError, match="stack FooStack has no deployment phase"):
        check_dependencies({"NetworkStack": ["FooStack"]})


def test_unknown_dependent_stack_is_refused() -> None:
    with pytest.raises(PhaseOrderError, match="stack BarStack has no deployment phase"):
        check_dependencies({"BarStack": ["NetworkStack"]})


def test_same_and_earlier_phase_dependencies_are_accepted() -> None:
    check_dependencies(
        {
            "NetworkStack": ["SecurityStack"],
            "EKSStack": ["NetworkStack", "SecurityStack", "RdsStack", "MSKStack"],
            "CostOptimizationStack": ["DisasterRecoveryStack", "EdgeStack", "AlertingStack"],
        }
    )


# --- Naming -------------------------------------------------------------------------------------


def test_stack_name_of_decision_t2() -> None:
    assert stack_name("production", "NetworkStack") == "genai-demo-production-NetworkStack"
    assert stack_name("development", "EKSStack") == "genai-demo-development-EKSStack"


def test_iam_role_name_in_the_primary_and_other_regions() -> None:
    assert iam_role_name("production", "app", TAIPEI, TAIPEI) == "genai-demo-production-app-role"
    assert (
        iam_role_name("production", "eks-node", TOKYO, TAIPEI) == "genai-demo-production-ap-northeast-1-eks-node-role"
    )
    assert iam_role_name("staging", "autoscaler", US_EAST_1, TAIPEI) == "genai-demo-staging-us-east-1-autoscaler-role"


def _role_purposes() -> set[str]:
    """The spec's four roles plus every purpose the source passes to role_name(...)."""
    purposes = {"eks-cluster", "eks-node", "app", "autoscaler"}
    for path in SRC.rglob("*.py"):
        purposes |= set(re.findall(r"role_name\(\s*[\"']([^\"']+)[\"']", path.read_text(encoding="utf-8")))
    return purposes


def test_every_iam_role_name_fits_64_characters(defaults: ProjectConfig) -> None:
    names = {
        iam_role_name(
            target.environment, purpose, target.region, defaults.environments[target.environment].primary_region
        )
        for target in all_targets(defaults)
        for purpose in _role_purposes()
    }
    assert len(names) >= 7 * 4
    too_long = sorted(name for name in names if len(name) > 64)
    assert too_long == []


# --- Targets ------------------------------------------------------------------------------------


def test_all_targets_are_the_seven_of_the_matrix(defaults: ProjectConfig) -> None:
    targets = [(t.environment, t.region, t.role) for t in all_targets(defaults)]
    assert targets == [
        ("development", TOKYO, "primary"),
        ("development", US_EAST_1, "global"),
        ("staging", TAIPEI, "primary"),
        ("staging", US_EAST_1, "global"),
        ("production", TAIPEI, "primary"),
        ("production", TOKYO, "secondary"),
        ("production", US_EAST_1, "global"),
    ]
