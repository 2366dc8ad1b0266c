"""What the failover drill against the emulated production reads and does besides `genai-infra failover`.

`python -m genai_infra.emulator.drill state --env E [--expect REGION]` prints where the Aurora global
writer, the Redis global datastore's primary and `origin.<domain>` are, read through the AWS APIs of
the endpoint in AWS_ENDPOINT_URL; with --expect it exits 1, in one sentence, unless the two writers
are in REGION. `lose-region` / `recover-region --env E --region R` invert R's Route 53 health check
and restore it: Route 53 then counts it unhealthy while its checkers succeed, the documented way to
test DNS failover without an outage. The emulator's checkers never probe the ALBs (moto reports
every health check healthy), so a region's loss is simulated this way, not observed.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from typing import Any

from genai_infra.config import EnvironmentConfig, load_config
from genai_infra.naming import (
    aurora_global_cluster_id,
    health_check_id_parameter,
    origin_domain,
    redis_global_datastore_suffix,
)
from genai_infra.validation.failover import FailoverError, origin_answer


def client(service: str, region: str) -> Any:
    import boto3

    return boto3.client(service, region_name=region)


@dataclass(frozen=True)
class DrillState:
    aurora_writer: str
    redis_primary: str
    origin: str

    def describe(self) -> str:
        return (
            f"Aurora global writer in {self.aurora_writer}, Redis global datastore primary in {self.redis_primary}, "
            f"origin answers from {self.origin}"
        )


def state(environment: EnvironmentConfig) -> DrillState:
    region = next(iter(environment.regions))
    members = client("rds", region).describe_global_clusters(
        GlobalClusterIdentifier=aurora_global_cluster_id(environment.name)
    )["GlobalClusters"][0]["GlobalClusterMembers"]
    writer = next((str(m["DBClusterArn"]).split(":")[3] for m in members if m["IsWriter"]), "none")
    suffix = redis_global_datastore_suffix(environment.name)
    datastores = client("elasticache", region).describe_global_replication_groups(ShowMemberInfo=True)
    redis = next(
        (
            str(m["ReplicationGroupRegion"])
            for d in datastores["GlobalReplicationGroups"]
            if str(d["GlobalReplicationGroupId"]).endswith(f"-{suffix}")
            for m in d.get("Members", [])
            if m["Role"] == "PRIMARY"
        ),
        "none",
    )
    try:
        origin, _, _ = origin_answer(client("route53", environment.global_region), origin_domain(environment.domain))
    except FailoverError:
        origin = "nowhere"
    return DrillState(writer, redis, origin)


def set_region_lost(environment: EnvironmentConfig, region: str, lost: bool) -> str:
    """Invert (or restore) the region's health check; its id is the one Route53FailoverStack publishes."""
    parameter = health_check_id_parameter(environment.name, region)
    check_id = client("ssm", environment.global_region).get_parameter(Name=parameter)["Parameter"]["Value"]
    client("route53", environment.global_region).update_health_check(HealthCheckId=check_id, Inverted=lost)
    return str(check_id)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m genai_infra.emulator.drill", description=__doc__)
    parser.add_argument("action", choices=("state", "lose-region", "recover-region"))
    parser.add_argument("--env", required=True)
    parser.add_argument("--region", help="the region lost or recovered")
    parser.add_argument("--expect", help="state: the region both writers must be in")
    options = parser.parse_args(argv)
    environments = load_config().environments
    if options.env not in environments:
        parser.error(f"--env must be one of {', '.join(environments)}")
    environment = environments[options.env]
    if options.action == "state":
        now = state(environment)
        print(f"drill state: {now.describe()}")
        if options.expect and (now.aurora_writer, now.redis_primary) != (options.expect, options.expect):
            print(f"error: the writers are not in {options.expect}: {now.describe()}.", file=sys.stderr)
            return 1
        return 0
    if options.region not in environment.regions:
        parser.error(f"--region must be a serving region of {options.env}")
    lost = options.action == "lose-region"
    check_id = set_region_lost(environment, options.region, lost)
    verb = "inverted (simulated loss of" if lost else "restored (recovery of"
    print(f"Route 53 health check {check_id} {verb} {options.region})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
