"""What the DR drill calls and moto 5.2.5 lacks: Aurora global switchover/failover, ElastiCache global datastores.

`genai-infra failover` (decision C9) moves the writer of production's global data stores to another
region. moto has the global cluster but not `SwitchoverGlobalCluster` / `FailoverGlobalCluster`,
and no ElastiCache global datastore at all (its replication groups only keep the id they were
given). These extensions add them to moto's own backends, so the state stays one state:

- Aurora: the target cluster becomes the global writer (its first instance by promotion tier the
  cluster writer), the old primary a secondary with readers only; `IsWriter` of the global
  cluster's members follows. A switchover needs the target `connected`; a failover with
  `AllowDataLoss` does not, and the old primary then rejoins as a secondary that resynchronizes
  (`pending-resync`, then `connected`), as AWS rebuilds it. During the operation the global
  cluster is `switching-over` or `failing-over`, with a `FailoverState`.
- ElastiCache: `CreateGlobalReplicationGroup` (the AWS::ElastiCache::GlobalReplicationGroup model
  below calls it), secondaries joining through `CreateReplicationGroup`'s GlobalReplicationGroupId
  (taking the primary's engine and encryption settings, as AWS does),
  `DescribeGlobalReplicationGroups` and `FailoverGlobalReplicationGroup`; the datastore is
  `modifying` while the roles move, `primary-only` without a secondary.

Operations finish `TRANSITION_SECONDS` after they start (environment variable
`GENAI_EMULATOR_TRANSITION_SECONDS`, default 1), when the next describe call sees them due: long
enough for the drill's waiting to be exercised, short for a local run. AWS takes minutes.
What the emulator cannot show: replication itself (no data moves; "data loss" is a flag), DNS
answers, and Route 53 checkers probing the ALBs (moto reports every health check healthy).
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from moto.core.responses import ActionResult
from moto.elasticache import models as elasticache_models
from moto.elasticache import responses as elasticache_responses
from moto.elasticache.exceptions import ElastiCacheException
from moto.rds import models as rds_models
from moto.rds import responses as rds_responses
from moto.rds.exceptions import RDSClientError

from genai_infra.emulator.fixes import patch
from genai_infra.emulator.models import Context, Created, model

DEFAULT_TRANSITION_SECONDS = 1.0
GLOBAL_CLUSTER_REGION = "us-east-1"  # where moto keeps global clusters (RDSResponse.global_backend)


def transition_seconds() -> float:
    return float(os.environ.get("GENAI_EMULATOR_TRANSITION_SECONDS", DEFAULT_TRANSITION_SECONDS))


@dataclass
class _Pending:
    due: float
    finish: Callable[[], None]


_PENDING: list[_Pending] = []
_LOCK = threading.RLock()


def _schedule(finish: Callable[[], None]) -> None:
    with _LOCK:
        _PENDING.append(_Pending(time.monotonic() + transition_seconds(), finish))


def settle() -> None:
    """Finish every operation that is due (called before each describe the drill reads)."""
    with _LOCK:
        now = time.monotonic()
        due = [p for p in _PENDING if p.due <= now]
        for pending in due:
            _PENDING.remove(pending)
            pending.finish()


def _settled(method: Callable[[Any], ActionResult]) -> Callable[[Any], ActionResult]:
    def settled_first(self: Any) -> ActionResult:
        settle()
        return method(self)

    return settled_first


# --- Aurora global database ----------------------------------------------------------------------------

RESYNC: dict[str, str] = {}  # member cluster ARN -> SynchronizationStatus while it resynchronizes


class GlobalClusterNotFoundError(RDSClientError):
    def __init__(self, identifier: str) -> None:
        super().__init__("GlobalClusterNotFoundFault", f"Global cluster {identifier} not found.")


class InvalidGlobalClusterStateError(RDSClientError):
    def __init__(self, message: str) -> None:
        super().__init__("InvalidGlobalClusterStateFault", message)


class InvalidClusterStateError(RDSClientError):
    def __init__(self, message: str) -> None:
        super().__init__("InvalidDBClusterStateFault", message)


def _global_cluster(account: str, identifier: str) -> Any:
    clusters = rds_models.rds_backends[account][GLOBAL_CLUSTER_REGION].global_clusters
    if identifier not in clusters:
        raise GlobalClusterNotFoundError(identifier)
    return clusters[identifier]


def _member(global_cluster: Any, target: str) -> Any:
    for cluster in global_cluster.members:
        if target in (cluster.db_cluster_arn, cluster.db_cluster_identifier):
            return cluster
    raise RDSClientError(
        "DBClusterNotFoundFault",
        f"{target} is not a member of the global cluster {global_cluster.global_cluster_identifier}.",
    )


def _synchronization(cluster: Any) -> str:
    return RESYNC.get(cluster.db_cluster_arn, "connected")


def _resynchronized(arn: str) -> None:
    RESYNC.pop(arn, None)


def _make_writer(new: Any, old: Any) -> None:
    """The global writer moves: the old primary keeps readers only, the target gets a cluster writer."""
    old.is_writer = False
    for instance in old._members:
        instance.is_cluster_writer = False
    new.is_writer = True
    for instance in new._members:
        instance.is_cluster_writer = False
    new.designate_writer()


def move_global_writer(account: str, global_id: str, target: str, *, allow_data_loss: bool) -> Any:
    """SwitchoverGlobalCluster (allow_data_loss False) or FailoverGlobalCluster with AllowDataLoss."""
    global_cluster = _global_cluster(account, global_id)
    new = _member(global_cluster, target)
    if global_cluster.status != "available":
        raise InvalidGlobalClusterStateError(
            f"Global cluster {global_id} is {global_cluster.status}; wait until it is available."
        )
    if new.is_writer:
        raise InvalidClusterStateError(f"{new.db_cluster_identifier} already is the primary cluster of {global_id}.")
    old = next((c for c in global_cluster.members if c.is_writer), None)
    if old is None:
        raise InvalidGlobalClusterStateError(f"Global cluster {global_id} has no primary cluster.")
    if not allow_data_loss:
        sync = _synchronization(new)
        if sync != "connected":
            raise InvalidClusterStateError(
                f"A switchover needs {new.db_cluster_identifier} synchronized with the primary; it is {sync}."
            )
        if new.engine_version != old.engine_version:
            raise InvalidClusterStateError(
                f"A switchover needs the same engine version; {new.db_cluster_identifier} runs "
                f"{new.engine_version}, the primary {old.engine_version}."
            )
    operation = "failing-over" if allow_data_loss else "switching-over"
    global_cluster.status = operation
    global_cluster.failover_state = {
        "Status": operation,
        "FromDbClusterArn": old.db_cluster_arn,
        "ToDbClusterArn": new.db_cluster_arn,
        "IsDataLossAllowed": allow_data_loss,
    }

    def finish() -> None:
        _make_writer(new, old)
        RESYNC.pop(new.db_cluster_arn, None)
        if allow_data_loss:  # AWS rebuilds the old primary as a secondary, which resynchronizes first
            RESYNC[old.db_cluster_arn] = "pending-resync"
            _schedule(lambda: _resynchronized(old.db_cluster_arn))
        global_cluster.status = "available"
        global_cluster.failover_state = None

    _schedule(finish)
    return global_cluster


def _extend_rds() -> None:
    def switchover_global_cluster(self: Any) -> ActionResult:
        settle()
        found = move_global_writer(
            self.current_account,
            self.params["GlobalClusterIdentifier"],
            self.params["TargetDbClusterIdentifier"],
            allow_data_loss=False,
        )
        return ActionResult({"GlobalCluster": found})

    def failover_global_cluster(self: Any) -> ActionResult:
        settle()
        allow, switchover = self.params.get("AllowDataLoss"), self.params.get("Switchover")
        if allow is not None and switchover is not None:
            raise RDSClientError(
                "InvalidParameterCombination", "AllowDataLoss can't be specified together with Switchover."
            )
        found = move_global_writer(
            self.current_account,
            self.params["GlobalClusterIdentifier"],
            self.params["TargetDbClusterIdentifier"],
            allow_data_loss=str(allow).lower() == "true",  # without AllowDataLoss: a switchover
        )
        return ActionResult({"GlobalCluster": found})

    def describe_global_clusters(self: Any) -> ActionResult:
        settle()
        wanted = self.params.get("GlobalClusterIdentifier")
        if wanted:
            return ActionResult({"GlobalClusters": [_global_cluster(self.current_account, wanted)]})
        return ActionResult({"GlobalClusters": self.global_backend.describe_global_clusters()})

    patch(rds_responses.RDSResponse, "switchover_global_cluster", switchover_global_cluster)
    patch(rds_responses.RDSResponse, "failover_global_cluster", failover_global_cluster)
    patch(rds_responses.RDSResponse, "describe_global_clusters", describe_global_clusters)
    for name in ("describe_db_clusters", "describe_db_instances"):
        patch(rds_responses.RDSResponse, name, _settled(getattr(rds_responses.RDSResponse, name)))
    patch(rds_models.GlobalCluster, "failover_state", None)  # serialized as FailoverState when set
    members: Any = rds_models.GlobalCluster.global_cluster_members

    def global_cluster_members(self: Any) -> list[dict[str, Any]]:
        listed: list[dict[str, Any]] = members.fget(self)
        for member in listed:
            if not member["IsWriter"] and member["DBClusterArn"] in RESYNC:
                member["SynchronizationStatus"] = RESYNC[member["DBClusterArn"]]
        return listed

    patch(rds_models.GlobalCluster, "global_cluster_members", property(global_cluster_members))


# --- ElastiCache global datastore ----------------------------------------------------------------------


class GlobalReplicationGroupNotFoundError(ElastiCacheException):
    code = "GlobalReplicationGroupNotFoundFault"


class InvalidGlobalReplicationGroupStateError(ElastiCacheException):
    code = "InvalidGlobalReplicationGroupState"


class InvalidParameterValueError(ElastiCacheException):
    code = "InvalidParameterValue"


@dataclass
class Datastore:
    account: str
    identifier: str
    description: str
    arn: str
    modifying: bool = False
    members: list[tuple[str, str]] = field(default_factory=list)  # (region, replication group id)


DATASTORES: dict[tuple[str, str], Datastore] = {}  # (account, id)


def region_prefix(region: str) -> str:
    """AWS prefixes a datastore's suffix with a fixed id of the region it is created in (e.g. virxk-);
    the emulator's are five letters derived from the region's name."""
    digest = hashlib.sha256(region.encode()).digest()
    return "".join(chr(ord("a") + byte % 26) for byte in digest[:5])


def _group(account: str, region: str, group_id: str) -> Any:
    groups = elasticache_models.elasticache_backends[account][region].replication_groups
    if group_id not in groups:
        raise InvalidParameterValueError(f"Replication group {group_id} not found in {region}.")
    return groups[group_id]


def _datastore(account: str, identifier: str) -> Datastore:
    if (account, identifier) not in DATASTORES:
        raise GlobalReplicationGroupNotFoundError(f"Global replication group {identifier} not found.")
    return DATASTORES[(account, identifier)]


def _describe(datastore: Datastore, with_members: bool) -> dict[str, Any]:
    groups = [(region, _group(datastore.account, region, gid)) for region, gid in datastore.members]
    primary = next(group for _, group in groups if group.global_replication_group_member_role == "PRIMARY")
    status = "modifying" if datastore.modifying else ("available" if len(groups) > 1 else "primary-only")
    described: dict[str, Any] = {
        "GlobalReplicationGroupId": datastore.identifier,
        "GlobalReplicationGroupDescription": datastore.description,
        "Status": status,
        "CacheNodeType": primary.cache_node_type,
        "Engine": primary.engine,
        "EngineVersion": primary.engine_version,
        "ClusterEnabled": primary.cluster_enabled,
        "AuthTokenEnabled": primary.auth_token_enabled,
        "TransitEncryptionEnabled": primary.transit_encryption_enabled,
        "AtRestEncryptionEnabled": primary.at_rest_encryption_enabled,
        "ARN": datastore.arn,
    }
    if with_members:
        described["Members"] = [
            {
                "ReplicationGroupId": group.replication_group_id,
                "ReplicationGroupRegion": region,
                "Role": group.global_replication_group_member_role,
                "AutomaticFailover": group.automatic_failover,
                "Status": "associated",
            }
            for region, group in groups
        ]
    return described


def create_datastore(account: str, region: str, suffix: str, description: str, primary_id: str) -> Datastore:
    primary = _group(account, region, primary_id)
    if primary.global_replication_group_id:
        raise InvalidParameterValueError(f"{primary_id} already belongs to {primary.global_replication_group_id}.")
    identifier = f"{region_prefix(region)}-{suffix}"
    if (account, identifier) in DATASTORES:
        raise InvalidParameterValueError(f"Global replication group {identifier} already exists.")
    arn = f"arn:aws:elasticache::{account}:globalreplicationgroup:{identifier}"
    datastore = Datastore(account, identifier, description, arn, members=[(region, primary_id)])
    primary.global_replication_group_id = identifier
    primary.global_replication_group_member_role = "PRIMARY"
    DATASTORES[(account, identifier)] = datastore
    return datastore


def fail_over_datastore(account: str, identifier: str, region: str, group_id: str) -> Datastore:
    datastore = _datastore(account, identifier)
    if datastore.modifying:
        raise InvalidGlobalReplicationGroupStateError(f"Global replication group {identifier} is modifying.")
    if (region, group_id) not in datastore.members:
        raise InvalidParameterValueError(f"{group_id} in {region} is not a member of {identifier}.")
    target = _group(account, region, group_id)
    if target.global_replication_group_member_role == "PRIMARY":
        raise InvalidParameterValueError(f"{group_id} already is the primary of {identifier}.")
    datastore.modifying = True

    def finish() -> None:
        for member_region, member_id in datastore.members:
            group = _group(account, member_region, member_id)
            group.global_replication_group_member_role = "PRIMARY" if group is target else "SECONDARY"
        datastore.modifying = False

    _schedule(finish)
    return datastore


def _join_datastore(account: str, region: str, group: Any) -> None:
    """A secondary joining through CreateReplicationGroup takes the primary's engine and encryption."""
    datastore = _datastore(account, group.global_replication_group_id)
    primary_region, primary_id = datastore.members[0]
    primary = _group(account, primary_region, primary_id)
    for attribute in (
        "engine",
        "engine_version",
        "cache_node_type",
        "transit_encryption_enabled",
        "at_rest_encryption_enabled",
        "auth_token_enabled",
    ):
        setattr(group, attribute, getattr(primary, attribute))
    group.global_replication_group_member_role = "SECONDARY"
    datastore.members.append((region, group.replication_group_id))


def _extend_elasticache() -> None:
    def create_global_replication_group(self: Any) -> ActionResult:
        datastore = create_datastore(
            self.current_account,
            self.region,
            self._get_param("GlobalReplicationGroupIdSuffix"),
            self._get_param("GlobalReplicationGroupDescription") or "",
            self._get_param("PrimaryReplicationGroupId"),
        )
        return ActionResult({"GlobalReplicationGroup": _describe(datastore, with_members=True)})

    def describe_global_replication_groups(self: Any) -> ActionResult:
        settle()
        wanted = self._get_param("GlobalReplicationGroupId")
        show = str(self._get_param("ShowMemberInfo")).lower() == "true"
        if wanted:
            found = [_datastore(self.current_account, wanted)]
        else:  # those with a member in the region asked
            found = [
                d
                for (account, _), d in DATASTORES.items()
                if account == self.current_account and any(r == self.region for r, _ in d.members)
            ]
        return ActionResult({"GlobalReplicationGroups": [_describe(d, show) for d in found]})

    def failover_global_replication_group(self: Any) -> ActionResult:
        settle()
        datastore = fail_over_datastore(
            self.current_account,
            self._get_param("GlobalReplicationGroupId"),
            self._get_param("PrimaryRegion"),
            self._get_param("PrimaryReplicationGroupId"),
        )
        return ActionResult({"GlobalReplicationGroup": _describe(datastore, with_members=True)})

    responses: Any = elasticache_responses.ElastiCacheResponse
    patch(responses, "create_global_replication_group", create_global_replication_group)
    patch(responses, "describe_global_replication_groups", describe_global_replication_groups)
    patch(responses, "failover_global_replication_group", failover_global_replication_group)
    patch(responses, "describe_replication_groups", _settled(responses.describe_replication_groups))
    original = elasticache_models.ElastiCacheBackend.create_replication_group

    def create_replication_group(self: Any, *args: Any, **kwargs: Any) -> Any:
        joining = kwargs.get("global_replication_group_id")
        if joining:
            _datastore(self.account_id, joining)  # before anything is created
        group = original(self, *args, **kwargs)
        if joining:
            _join_datastore(self.account_id, self.region_name, group)
        return group

    patch(elasticache_models.ElastiCacheBackend, "create_replication_group", create_replication_group)


@model("AWS::ElastiCache::GlobalReplicationGroup", "GlobalReplicationGroupIdSuffix")
def global_replication_group(c: Context) -> Created:
    """Created through CreateGlobalReplicationGroup from its PRIMARY member, in that member's region."""
    members = c.get("Members") or []
    primary = next((m for m in members if m.get("Role") == "PRIMARY"), members[0] if members else {})
    region = primary.get("ReplicationGroupRegion") or c.region
    created = c.client("elasticache", region).create_global_replication_group(
        GlobalReplicationGroupIdSuffix=c.get("GlobalReplicationGroupIdSuffix") or c.name,
        GlobalReplicationGroupDescription=c.get("GlobalReplicationGroupDescription", ""),
        PrimaryReplicationGroupId=primary.get("ReplicationGroupId"),
    )["GlobalReplicationGroup"]
    identifier = created["GlobalReplicationGroupId"]
    return Created(identifier, {"GlobalReplicationGroupId": identifier})


EXTENSIONS: tuple[Callable[[], None], ...] = (_extend_rds, _extend_elasticache)


def apply() -> list[str]:
    for extension in EXTENSIONS:
        extension()
    return [extension.__name__.lstrip("_") for extension in EXTENSIONS]
