"""Every check of `genai-infra validate` for one environment, with names from naming.py and the config."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from genai_infra.config import EnvironmentConfig
from genai_infra.kubernetes.constants import APP_NAME, NAMESPACE
from genai_infra.naming import (
    APP_DATABASE_USER,
    app_target_group_name,
    aurora_global_cluster_id,
    cluster_name,
    data_resource_id,
    health_check_id_parameter,
    secret_name,
)
from genai_infra.validation import aws_checks, kubernetes_api, probes
from genai_infra.validation.failover import global_writer
from genai_infra.validation.result import CheckResult, Client, guarded

# (region, service) -> a client of that service in that region: boto3 sessions, or moto/stubs in tests.
ClientFactory = Callable[[str, str], Client]


@dataclass(frozen=True)
class Outcome:
    region: str
    group: str  # health, service discovery, data
    result: CheckResult


@dataclass(frozen=True)
class ProbeOptions:
    """Network probes need a route to the VPC's private endpoints (run from inside the VPC or a peered one)."""

    enabled: bool = True
    timeout: float = 10.0
    # CA bundles for the probes; None uses the system trust store (Amazon's CAs are in it).
    postgres_root_cert: str | None = None
    redis_ca_file: str | None = None
    # (cluster, region) -> a bearer token for the cluster's Kubernetes API; None skips that probe.
    kubernetes_token: Callable[[str, str], str] | None = None
    # False: the IAM-token login of the application user is reported as skipped, not made (a server
    # that is not Aurora, such as the local emulator's PostgreSQL, cannot verify an RDS IAM token).
    iam_login: bool = True


def validate_environment(
    environment: EnvironmentConfig,
    regions: Sequence[str],
    clients: ClientFactory,
    probe: ProbeOptions = ProbeOptions(),
) -> list[Outcome]:
    env = environment.name
    outcomes: list[Outcome] = []
    if probe.enabled:
        url = f"https://{environment.domain}/actuator/health"
        outcomes += [
            Outcome(environment.global_region, "health", r)
            for r in guarded(f"HTTPS {url}", lambda: probes.https_health(url, timeout=probe.timeout))
        ]
    for region in regions:
        outcomes += _region(environment, region, clients, probe, env)
    return outcomes


def _region(
    environment: EnvironmentConfig, region: str, clients: ClientFactory, probe: ProbeOptions, env: str
) -> list[Outcome]:
    config = environment.regions[region]
    primary = environment.primary_region
    out: list[Outcome] = []

    def add(group: str, name: str, check: Callable[[], CheckResult | list[CheckResult]]) -> None:
        out.extend(Outcome(region, group, result) for result in guarded(name, check))

    target_group = app_target_group_name(env)
    add(
        "health",
        f"ALB targets {target_group}",
        lambda: aws_checks.alb_target_health(clients(region, "elbv2"), target_group),
    )
    if environment.has("Route53FailoverStack"):
        add(
            "health",
            f"Route 53 health check {region}",
            lambda: aws_checks.route53_health_check(
                clients(environment.global_region, "route53"),
                clients(environment.global_region, "ssm"),
                health_check_id_parameter(env, region),
                region,
            ),
        )
    eks_name = cluster_name(env)
    add(
        "service discovery", f"EKS cluster {eks_name}", lambda: aws_checks.eks_cluster(clients(region, "eks"), eks_name)
    )
    addons = list(config.eks.addon_versions)
    add("service discovery", "EKS add-ons", lambda: aws_checks.eks_addons(clients(region, "eks"), eks_name, addons))
    token = probe.kubernetes_token
    if probe.enabled and token is not None:
        add(
            "service discovery",
            f"Deployment {NAMESPACE}/{APP_NAME}",
            lambda: kubernetes_api.deployment_available(
                clients(region, "eks"),
                cluster=eks_name,
                namespace=NAMESPACE,
                name=APP_NAME,
                min_available=environment.workload.min_replicas,
                token=lambda: token(eks_name, region),
                timeout=probe.timeout,
            ),
        )

    aurora_id = data_resource_id(env, region, primary, "aurora")

    def aurora() -> list[CheckResult]:
        expect_writer = _aurora_writes(environment, region, clients, aurora_id)
        return aws_checks.aurora_cluster(clients(region, "rds"), aurora_id, expect_writer=expect_writer)

    add("data", f"Aurora cluster {aurora_id}", aurora)
    if config.aurora.global_role != "none":
        global_id = aurora_global_cluster_id(env)
        add(
            "data",
            f"Aurora global database {global_id}",
            lambda: aws_checks.aurora_global_membership(clients(region, "rds"), global_id, f":cluster:{aurora_id}"),
        )
    # Only the data stores the environment runs (decision C12).
    redis = environment.has("ElastiCacheStack")
    kafka = environment.has("MSKStack")
    redis_id = data_resource_id(env, region, primary, "redis")
    if redis:
        add(
            "data",
            f"Redis {redis_id}",
            lambda: aws_checks.redis_replication_group(clients(region, "elasticache"), redis_id),
        )
    msk_name = data_resource_id(env, region, primary, "msk")
    if kafka:
        add("data", f"MSK {msk_name}", lambda: aws_checks.msk_cluster(clients(region, "kafka"), msk_name))

    if probe.enabled:
        add("data", f"PostgreSQL {aurora_id}", lambda: _postgres(environment, region, clients, probe, aurora_id))
        if redis:
            add("data", f"Redis PING {redis_id}", lambda: _redis(env, region, clients, probe, redis_id))
        if kafka:
            add("data", f"MSK TLS {msk_name}", lambda: _kafka(region, clients, probe, msk_name))
    return out


def _aurora_writes(environment: EnvironmentConfig, region: str, clients: ClientFactory, aurora_id: str) -> bool:
    """Whether the region's Aurora cluster has the writer. After `genai-infra failover` the global
    database, not the configuration's global_role, says which cluster writes."""
    role = environment.regions[region].aurora.global_role
    writer = (
        global_writer(clients(region, "rds"), aurora_global_cluster_id(environment.name), aurora_id)
        if role != "none"
        else None
    )
    return role != "secondary" if writer is None else writer


def _postgres(
    environment: EnvironmentConfig, region: str, clients: ClientFactory, probe: ProbeOptions, aurora_id: str
) -> list[CheckResult]:
    """Writer (where the region has one) and reader endpoints, with the master secret's credentials."""
    config = environment.regions[region].aurora
    cluster = clients(region, "rds").describe_db_clusters(DBClusterIdentifier=aurora_id)["DBClusters"][0]
    # The DR region reads the replica of the same secret (RdsStack replicates it).
    secret = json.loads(
        clients(region, "secretsmanager").get_secret_value(SecretId=secret_name(environment.name, "aurora", "master"))[
            "SecretString"
        ]
    )
    endpoints = [("reader", cluster["ReaderEndpoint"], False)]
    if _aurora_writes(environment, region, clients, aurora_id):  # where the writer is now, as the Aurora check
        endpoints.insert(0, ("writer", cluster["Endpoint"], True))
    port = int(cluster.get("Port", 5432))

    def connect(label: str, host: str, writer: bool, user: str, password: str) -> CheckResult:
        return probes.postgres_connect(
            label=label,
            host=host,
            port=port,
            user=user,
            password=password,
            dbname=config.database_name,
            timeout=probe.timeout,
            expect_writer=writer,
            sslmode="verify-full" if probe.postgres_root_cert else "require",
            sslrootcert=probe.postgres_root_cert,
        )

    results = [
        connect(label, host, writer, secret["username"], secret["password"]) for label, host, writer in endpoints
    ]
    label, host, writer = endpoints[0]
    # Decision S8: the application's user exists with rds_iam and its grants (as the master sees it) ...
    results.append(
        probes.postgres_app_user(
            label=label,
            host=host,
            port=port,
            master_user=secret["username"],
            master_password=secret["password"],
            dbname=config.database_name,
            app_user=APP_DATABASE_USER,
            timeout=probe.timeout,
            sslmode="verify-full" if probe.postgres_root_cert else "require",
            sslrootcert=probe.postgres_root_cert,
        )
    )
    # ... and logs in with an IAM token (signed locally with the operator's credentials, which need
    # rds-db:connect on that user), as the pods do.
    iam_label = f"{label} as {APP_DATABASE_USER} (IAM)"
    if not probe.iam_login:
        reason = "skipped (--no-iam-login): only Aurora verifies an RDS IAM token; this login was not made"
        results.append(CheckResult(f"PostgreSQL {iam_label} {host}:{port}", False, reason, skipped=True))
        return results
    token = clients(region, "rds").generate_db_auth_token(
        DBHostname=host, Port=port, DBUsername=APP_DATABASE_USER, Region=region
    )
    results.append(connect(iam_label, host, writer, APP_DATABASE_USER, token))
    return results


def _redis(env: str, region: str, clients: ClientFactory, probe: ProbeOptions, group_id: str) -> CheckResult:
    group = clients(region, "elasticache").describe_replication_groups(ReplicationGroupId=group_id)[
        "ReplicationGroups"
    ][0]
    endpoint = group["NodeGroups"][0]["PrimaryEndpoint"]
    token = clients(region, "secretsmanager").get_secret_value(SecretId=secret_name(env, "redis", "auth-token"))
    return probes.redis_ping(
        label="primary",
        host=endpoint["Address"],
        port=int(endpoint["Port"]),
        password=token["SecretString"],
        timeout=probe.timeout,
        ca_file=probe.redis_ca_file,
    )


def _kafka(region: str, clients: ClientFactory, probe: ProbeOptions, msk_name: str) -> list[CheckResult]:
    kafka = clients(region, "kafka")
    clusters = kafka.list_clusters_v2(ClusterNameFilter=msk_name)["ClusterInfoList"]
    arn = next(c["ClusterArn"] for c in clusters if c["ClusterName"] == msk_name)
    # Decision C6: the cluster opens only the TLS + IAM listener (9098).
    bootstrap = kafka.get_bootstrap_brokers(ClusterArn=arn).get("BootstrapBrokerStringSaslIam", "")
    addresses = probes.broker_addresses(bootstrap)
    if not addresses:
        return [CheckResult(f"MSK TLS {msk_name}", False, "the cluster reports no TLS/IAM bootstrap broker")]
    return [
        probes.tls_connect(label=f"broker {index}", host=host, port=port, timeout=probe.timeout)
        for index, (host, port) in enumerate(addresses, start=1)
    ]
