"""The DR drill (decision C9): move the writer of every global data store to another region, in order.

1. Aurora global database: check that the target cluster is a replicating secondary.
2. Aurora: switchover (planned, no data loss) or failover with AllowDataLoss (unplanned); wait until
   the target cluster is the writer and the global database is available again.
3. ElastiCache global datastore: make the target region's replication group primary; wait.
4. Route 53: read the failover records of origin.<domain> (PRIMARY, SECONDARY, each with its region's
   health check) and report the region Route 53 answers from: the PRIMARY record's while its health
   check is healthy, else the SECONDARY's. A health check is healthy when more than 18 % of its
   checkers report success, inverted if it is `Inverted` (how an operator simulates a region's loss),
   always healthy if `Disabled` (Route 53's rules). The alias targets' own health (EvaluateTargetHealth)
   is not evaluated here; `validate` checks the ALB targets.

Each step is a function that acts, waits and verifies; the runner times it and stops at the first
failure, so a drill never continues past a step that did not complete.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from genai_infra.config import EnvironmentConfig
from genai_infra.naming import (
    aurora_global_cluster_id,
    data_resource_id,
    origin_domain,
    redis_global_datastore_suffix,
)
from genai_infra.validation.aws_checks import route53_health_state
from genai_infra.validation.result import Client

ClientFactory = Callable[[str, str], Client]


class FailoverError(Exception):
    """A step could not start or did not reach its expected state; the message is one sentence."""


@dataclass(frozen=True)
class Step:
    title: str
    run: Callable[[], str]  # acts, waits, verifies; returns what it observed, raises FailoverError


@dataclass(frozen=True)
class StepReport:
    number: int
    title: str
    passed: bool
    detail: str
    seconds: float


@dataclass(frozen=True)
class Waiting:
    """Polls after 1 s, then twice as long each time up to `poll_seconds`: quick changes end quickly."""

    poll_seconds: float = 15.0
    timeout_seconds: float = 1800.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic


def refuse_unless_drillable(environment: EnvironmentConfig, to_region: str) -> None:
    """Only environments with a secondary region and global data stores can fail over."""
    if len(environment.regions) < 2:
        raise FailoverError(f"{environment.name} has no secondary region; failover needs an environment with two.")
    if to_region not in environment.regions:
        raise FailoverError(
            f"{to_region} is not a serving region of {environment.name}; use one of {', '.join(environment.regions)}."
        )
    roles = {region.aurora.global_role for region in environment.regions.values()}
    if "secondary" not in roles:
        raise FailoverError(f"{environment.name} has no Aurora global database to fail over.")


def _wait(what: str, done: Callable[[], tuple[bool, str]], waiting: Waiting) -> str:
    deadline = waiting.clock() + waiting.timeout_seconds
    pause = min(1.0, waiting.poll_seconds)
    while True:
        finished, state = done()
        if finished:
            return state
        if waiting.clock() >= deadline:
            raise FailoverError(
                f"{what} did not complete within {waiting.timeout_seconds:.0f} s (last state: {state})."
            )
        waiting.sleep(pause)
        pause = min(pause * 2, waiting.poll_seconds)


def drill_steps(
    environment: EnvironmentConfig,
    to_region: str,
    clients: ClientFactory,
    *,
    unplanned: bool,
    waiting: Waiting = Waiting(),
) -> list[Step]:
    refuse_unless_drillable(environment, to_region)
    env = environment.name
    primary = environment.primary_region
    global_id = aurora_global_cluster_id(env)
    target_cluster = data_resource_id(env, to_region, primary, "aurora")
    target_group = data_resource_id(env, to_region, primary, "redis")

    # The target region's endpoints: in an unplanned failover the old primary may not answer at all.
    # Clients are made when a step runs, so a dry run (titles only) calls nothing.
    def rds() -> Client:
        return clients(to_region, "rds")

    def elasticache() -> Client:
        return clients(to_region, "elasticache")

    def aurora_members() -> tuple[str, list[dict[str, object]]]:
        found = rds().describe_global_clusters(GlobalClusterIdentifier=global_id)["GlobalClusters"][0]
        return str(found.get("Status")), list(found["GlobalClusterMembers"])

    def target_member(members: list[dict[str, object]]) -> dict[str, object]:
        for member in members:
            if str(member["DBClusterArn"]).endswith(f":cluster:{target_cluster}"):
                return member
        raise FailoverError(f"{target_cluster} is not a member of the global database {global_id}.")

    def check_aurora() -> str:
        status, members = aurora_members()
        member = target_member(members)
        if member.get("IsWriter"):
            raise FailoverError(f"{target_cluster} already is the writer of {global_id}; nothing to fail over.")
        sync = member.get("SynchronizationStatus", "unknown")
        if not unplanned and (status != "available" or sync != "connected"):
            raise FailoverError(
                f"a planned switchover needs {global_id} available and {target_cluster} connected, found {status} "
                f"and {sync}; wait for replication or use --unplanned to accept data loss."
            )
        writer = next((str(m["DBClusterArn"]) for m in members if m.get("IsWriter")), "none")
        return f"global database {status}; writer {writer.rsplit(':', 1)[-1]}; {target_cluster} synchronization {sync}"

    def move_aurora() -> str:
        _, members = aurora_members()
        arn = str(target_member(members)["DBClusterArn"])
        if unplanned:
            rds().failover_global_cluster(
                GlobalClusterIdentifier=global_id, TargetDbClusterIdentifier=arn, AllowDataLoss=True
            )
        else:
            rds().switchover_global_cluster(GlobalClusterIdentifier=global_id, TargetDbClusterIdentifier=arn)

        def promoted() -> tuple[bool, str]:
            status, now = aurora_members()
            is_writer = bool(target_member(now).get("IsWriter"))
            return is_writer and status == "available", f"global database {status}, target writer {is_writer}"

        return _wait(f"the Aurora {'failover' if unplanned else 'switchover'} to {to_region}", promoted, waiting)

    def redis_datastore() -> dict[str, object]:
        suffix = redis_global_datastore_suffix(env)
        groups = elasticache().describe_global_replication_groups(ShowMemberInfo=True)["GlobalReplicationGroups"]
        # AWS prefixes the configured suffix with an account-specific id (e.g. ldgnf-genai-demo-production).
        mine = [g for g in groups if str(g["GlobalReplicationGroupId"]).endswith(f"-{suffix}")]
        if not mine:
            raise FailoverError(f"no ElastiCache global datastore ends with {suffix} in {to_region}.")
        return dict(mine[0])

    def redis_role(datastore: dict[str, object]) -> str:
        members = datastore.get("Members", [])
        assert isinstance(members, list)
        for member in members:
            if member["ReplicationGroupId"] == target_group:
                return str(member["Role"])
        raise FailoverError(
            f"{target_group} is not a member of the global datastore {datastore['GlobalReplicationGroupId']}."
        )

    def move_redis() -> str:
        datastore = redis_datastore()
        datastore_id = str(datastore["GlobalReplicationGroupId"])
        if redis_role(datastore) == "PRIMARY":
            return f"{target_group} already is the primary of {datastore_id}"
        elasticache().failover_global_replication_group(
            GlobalReplicationGroupId=datastore_id, PrimaryRegion=to_region, PrimaryReplicationGroupId=target_group
        )

        def promoted() -> tuple[bool, str]:
            now = redis_datastore()
            role, status = redis_role(now), str(now.get("Status"))
            return role == "PRIMARY" and status == "available", f"datastore {status}, {target_group} {role}"

        return _wait(f"the Redis global datastore failover to {to_region}", promoted, waiting)

    def route53_answer() -> str:
        name = origin_domain(environment.domain)
        region, role, notes = origin_answer(clients(environment.global_region, "route53"), name)
        note = f"{notes}; {name} answers from {region}"
        if role == "PRIMARY" and region != to_region:
            note += (
                f" (the failover record stays with the healthy PRIMARY region; traffic moves to {to_region} "
                "only when that region's health check fails)"
            )
        return note

    verb = "failover (AllowDataLoss)" if unplanned else "switchover"
    # Only what the environment runs (decision C12): no Redis step without ElastiCache, no Route 53 without failover.
    return [
        Step(f"check the Aurora global database {global_id} and {target_cluster}", check_aurora),
        Step(f"Aurora global database {verb} to {target_cluster} in {to_region}", move_aurora),
        *(
            [Step(f"ElastiCache global datastore: make {target_group} in {to_region} primary", move_redis)]
            if environment.has("ElastiCacheStack")
            else []
        ),
        *(
            [Step("Route 53: health checks and the region the failover record answers from", route53_answer)]
            if environment.has("Route53FailoverStack")
            else []
        ),
    ]


def run_steps(
    steps: list[Step], report: Callable[[StepReport], None], clock: Callable[[], float] = time.monotonic
) -> bool:
    """Run in order, report each as it ends; stop at the first failure. True when every step passed."""
    for number, step in enumerate(steps, start=1):
        started = clock()
        try:
            detail, passed = step.run(), True
        except FailoverError as error:
            detail, passed = str(error), False
        except Exception as error:  # an AWS API error: reported as the step's failure
            first = str(error).strip().splitlines()[0] if str(error).strip() else ""
            detail, passed = f"{type(error).__name__}: {first}", False
        report(StepReport(number, step.title, passed, detail, clock() - started))
        if not passed:
            return False
    return True


def origin_answer(route53: Client, name: str) -> tuple[str, str, str]:
    """The region Route 53 answers `name` from, its record's role, and each record's health in words."""
    notes, answering = [], None
    for record in failover_records(route53, name):  # PRIMARY first
        healthy, note = route53_health_state(route53, record["HealthCheckId"])
        notes.append(f"{record['SetIdentifier']} {note}")
        if healthy and answering is None:
            answering = record
    if answering is None:
        raise FailoverError(f"no region's health check is healthy ({'; '.join(notes)}); {name} has no healthy answer.")
    return str(answering["SetIdentifier"]), str(answering["Failover"]), "; ".join(notes)


def failover_records(route53: Client, name: str) -> list[dict[str, Any]]:
    """The failover records of `name` in its public hosted zone, PRIMARY first; each names its region
    (SetIdentifier, as Route53FailoverStack sets it) and its health check."""
    fqdn = name.rstrip(".") + "."
    zones, marker = [], None
    while True:
        page = route53.list_hosted_zones(**({"Marker": marker} if marker else {}))
        zones += [
            zone
            for zone in page["HostedZones"]
            if fqdn.endswith("." + zone["Name"]) and not zone.get("Config", {}).get("PrivateZone")
        ]
        marker = page.get("NextMarker") if page.get("IsTruncated") else None
        if marker is None:
            break
    if not zones:
        raise FailoverError(f"no public hosted zone holds {name}; is the Route53FailoverStack deployed?")
    zone = max(zones, key=lambda z: len(z["Name"]))  # the most specific zone answers
    listed = route53.list_resource_record_sets(HostedZoneId=zone["Id"], StartRecordName=fqdn, StartRecordType="A")
    records = [
        r
        for r in listed["ResourceRecordSets"]
        if r["Name"] == fqdn and r["Type"] == "A" and r.get("Failover") and r.get("HealthCheckId")
    ]
    if not records:
        raise FailoverError(
            f"{name} has no failover records with health checks in hosted zone {zone['Name'].rstrip('.')}."
        )
    return sorted(records, key=lambda r: r["Failover"] != "PRIMARY")


def global_writer(rds: Client, global_id: str, cluster_id: str) -> bool | None:
    """Whether the cluster writes for its global database now (None if it is not a member): a switchover
    or failover moves the writer away from the configured primary region."""
    found = rds.describe_global_clusters(GlobalClusterIdentifier=global_id)["GlobalClusters"]
    for member in found[0]["GlobalClusterMembers"] if found else []:
        if str(member["DBClusterArn"]).endswith(f":cluster:{cluster_id}"):
            return bool(member.get("IsWriter"))
    return None
