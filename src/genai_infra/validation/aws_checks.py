"""Checks of the deployed resources through the AWS APIs (clients injected: boto3, moto or a stub)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from genai_infra.validation.result import CheckResult, Client

# Route 53 considers an endpoint healthy when more than 18 % of its checkers report it healthy.
ROUTE53_HEALTHY_SHARE = 0.18


def alb_target_health(elbv2: Client, target_group_name: str) -> CheckResult:
    """At least one registered target healthy and none unhealthy (draining and initial are transitions)."""
    name = f"ALB targets {target_group_name}"
    groups = elbv2.describe_target_groups(Names=[target_group_name])["TargetGroups"]
    arn = groups[0]["TargetGroupArn"]
    descriptions = elbv2.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"]
    states = Counter(d["TargetHealth"]["State"] for d in descriptions)
    if not descriptions:
        return CheckResult(name, False, "no target is registered (is the TargetGroupBinding of the app deployed?)")
    bad = [
        f"{d['Target']['Id']}:{d['Target'].get('Port', '')} {d['TargetHealth']['State']}"
        f" ({d['TargetHealth'].get('Reason', 'no reason given')})"
        for d in descriptions
        if d["TargetHealth"]["State"] == "unhealthy"
    ]
    summary = ", ".join(f"{count} {state}" for state, count in sorted(states.items()))
    if bad or states["healthy"] == 0:
        return CheckResult(name, False, f"{summary}; " + ("; ".join(bad) if bad else "no healthy target"))
    return CheckResult(name, True, summary)


def route53_judgement(config: dict[str, Any], observations: list[dict[str, Any]]) -> tuple[bool, str]:
    """Healthy as Route 53 decides (what `validate` and `failover` both judge by): more than 18 % of
    checkers succeed, the opposite if the check is Inverted, always healthy if it is Disabled; and the
    state in words, e.g. "unhealthy (3/3, inverted)"."""
    ok = sum(o["StatusReport"]["Status"].startswith("Success") for o in observations)
    measured = bool(observations) and ok / len(observations) > ROUTE53_HEALTHY_SHARE
    if config.get("Disabled"):
        return True, f"healthy (health check disabled; Route 53 treats it as healthy, {ok}/{len(observations)})"
    if config.get("Inverted"):
        return not measured, f"{'healthy' if not measured else 'unhealthy'} ({ok}/{len(observations)}, inverted)"
    return measured, f"{'healthy' if measured else 'unhealthy'} ({ok}/{len(observations)})"


def route53_health_state(route53: Client, check_id: str) -> tuple[bool, str]:
    """One health check's configuration and checkers' reports, judged by `route53_judgement`."""
    config = route53.get_health_check(HealthCheckId=check_id)["HealthCheck"]["HealthCheckConfig"]
    observations = route53.get_health_check_status(HealthCheckId=check_id)["HealthCheckObservations"]
    return route53_judgement(config, observations)


def route53_health_check(route53: Client, ssm_global: Client, parameter: str, region: str) -> CheckResult:
    """The health check of one region's ALB, found through the SSM parameter its stack writes in us-east-1,
    judged as Route 53 judges it (an inverted check whose checkers succeed is unhealthy)."""
    name = f"Route 53 health check {region}"
    check_id = ssm_global.get_parameter(Name=parameter)["Parameter"]["Value"]
    config = route53.get_health_check(HealthCheckId=check_id)["HealthCheck"]["HealthCheckConfig"]
    observations = route53.get_health_check_status(HealthCheckId=check_id)["HealthCheckObservations"]
    healthy, state = route53_judgement(config, observations)
    reason = f"Route 53 counts it {state}; health check {check_id}"
    statuses = [o["StatusReport"]["Status"] for o in observations]
    failing = [status for status in statuses if not status.startswith("Success")]
    if not observations:
        reason += "; no observations yet"
    elif not healthy and failing:
        reason += f"; e.g. {failing[0]}"
    return CheckResult(name, healthy, reason)


def eks_cluster(eks: Client, cluster_name: str) -> list[CheckResult]:
    """The cluster and every node group ACTIVE; a cluster without a node group fails."""
    cluster = eks.describe_cluster(name=cluster_name)["cluster"]
    results = [
        CheckResult(
            f"EKS cluster {cluster_name}",
            cluster["status"] == "ACTIVE",
            f"status {cluster['status']}, Kubernetes {cluster.get('version', 'unknown')}",
        )
    ]
    names = eks.list_nodegroups(clusterName=cluster_name)["nodegroups"]
    if not names:
        results.append(CheckResult(f"EKS node groups {cluster_name}", False, "the cluster has no node group"))
    for group_name in names:
        group = eks.describe_nodegroup(clusterName=cluster_name, nodegroupName=group_name)["nodegroup"]
        issues = group.get("health", {}).get("issues", [])
        detail = "; ".join(f"{i.get('code')}: {i.get('message')}" for i in issues)
        scaling = group.get("scalingConfig", {})
        reason = f"status {group['status']}, desired {scaling.get('desiredSize', '?')} node(s)"
        results.append(
            CheckResult(
                f"EKS node group {group_name}", group["status"] == "ACTIVE", f"{reason}; {detail}" if detail else reason
            )
        )
    return results


def eks_addons(eks: Client, cluster_name: str, addons: list[str]) -> list[CheckResult]:
    """Every managed add-on of the configuration ACTIVE."""
    results = []
    for addon_name in addons:
        name = f"EKS add-on {addon_name}"
        try:
            addon = eks.describe_addon(clusterName=cluster_name, addonName=addon_name)["addon"]
        except Exception as error:
            results.append(CheckResult(name, False, f"{type(error).__name__}: {error}"))
            continue
        issues = "; ".join(i.get("message", "") for i in addon.get("health", {}).get("issues", []))
        reason = f"status {addon['status']}, version {addon.get('addonVersion', 'unknown')}"
        results.append(CheckResult(name, addon["status"] == "ACTIVE", f"{reason}; {issues}" if issues else reason))
    return results


def aurora_cluster(rds: Client, cluster_id: str, *, expect_writer: bool) -> list[CheckResult]:
    """The cluster and its instances available; a global primary has a writer, a global secondary only readers."""
    cluster = rds.describe_db_clusters(DBClusterIdentifier=cluster_id)["DBClusters"][0]
    results = [
        CheckResult(
            f"Aurora cluster {cluster_id}",
            cluster["Status"] == "available",
            f"status {cluster['Status']}, engine {cluster.get('Engine')} {cluster.get('EngineVersion')}",
        )
    ]
    members = cluster.get("DBClusterMembers", [])
    writers = [m["DBInstanceIdentifier"] for m in members if m.get("IsClusterWriter")]
    readers = [m["DBInstanceIdentifier"] for m in members if not m.get("IsClusterWriter")]
    endpoints = f"writer {cluster.get('Endpoint', 'none')}, reader {cluster.get('ReaderEndpoint', 'none')}"
    if expect_writer:
        has_role = bool(writers)
        role_reason = f"{len(writers)} writer, {len(readers)} reader instance(s); {endpoints}"
    else:
        has_role = bool(readers) and not writers
        role_reason = (
            f"{len(readers)} reader instance(s), {len(writers)} writer (a global secondary has none); {endpoints}"
        )
    results.append(CheckResult(f"Aurora endpoints {cluster_id}", has_role, role_reason))
    for instance_id in writers + readers:
        instance = rds.describe_db_instances(DBInstanceIdentifier=instance_id)["DBInstances"][0]
        status = instance["DBInstanceStatus"]
        results.append(CheckResult(f"Aurora instance {instance_id}", status == "available", f"status {status}"))
    return results


def aurora_global_membership(rds: Client, global_id: str, cluster_arn_suffix: str) -> CheckResult:
    """A global secondary replicating (SynchronizationStatus connected), not lagging behind a resync."""
    name = f"Aurora global database {global_id}"
    members = rds.describe_global_clusters(GlobalClusterIdentifier=global_id)["GlobalClusters"][0][
        "GlobalClusterMembers"
    ]
    mine = [m for m in members if m["DBClusterArn"].endswith(cluster_arn_suffix)]
    if not mine:
        return CheckResult(name, False, f"cluster {cluster_arn_suffix} is not a member of the global database")
    member = mine[0]
    if member.get("IsWriter"):
        return CheckResult(name, True, f"{cluster_arn_suffix} is the writer of the global database")
    sync = member.get("SynchronizationStatus", "unknown")
    return CheckResult(name, sync == "connected", f"{cluster_arn_suffix} replicates, synchronization {sync}")


def redis_replication_group(elasticache: Client, group_id: str) -> CheckResult:
    """The replication group and each of its node groups available, with every member cluster."""
    name = f"Redis {group_id}"
    group = elasticache.describe_replication_groups(ReplicationGroupId=group_id)["ReplicationGroups"][0]
    problems = [f"group {group['Status']}"] if group["Status"] != "available" else []
    for node_group in group.get("NodeGroups", []):
        if node_group.get("Status", "available") != "available":
            problems.append(f"node group {node_group.get('NodeGroupId')} {node_group['Status']}")
    members = group.get("MemberClusters", [])
    reason = (
        f"status {group['Status']}, {len(members)} node(s), transit encryption {group.get('TransitEncryptionEnabled')}"
    )
    if problems:
        return CheckResult(name, False, f"{reason}; " + ", ".join(problems))
    return CheckResult(name, True, reason)


def msk_cluster(kafka: Client, cluster_name: str) -> CheckResult:
    """The provisioned cluster of that exact name ACTIVE."""
    name = f"MSK {cluster_name}"
    clusters = kafka.list_clusters_v2(ClusterNameFilter=cluster_name)["ClusterInfoList"]
    exact = [c for c in clusters if c["ClusterName"] == cluster_name]
    if not exact:
        return CheckResult(name, False, "no cluster of that name")
    state = exact[0]["State"]
    return CheckResult(name, state == "ACTIVE", f"state {state}")
