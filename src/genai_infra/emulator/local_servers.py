"""Aurora and ElastiCache backed by real PostgreSQL 15 and Redis 7 servers on loopback (issue 18, item 4).

With `python -m genai_infra.emulator --local-servers DIR`, the emulator starts both servers with
TLS from a CA made in DIR (loopback.py), and from then on:

- every Aurora PostgreSQL cluster it creates reports those servers' address and port as its writer
  and reader endpoints (its instances too), and a cluster created with a master user makes that
  user real: a login role with the master password from the template (the value of the secret
  moto generated), CREATEROLE and CREATEDB as Aurora's master has, owner of the cluster's
  database; and the `rds_iam` role Aurora has built in exists;
- every replication group reports the Redis server as its primary and reader endpoints, and its
  AUTH token (from its secret) becomes a password the server accepts (ACL SETUSER default >token);
- Custom::AppDatabaseUser runs the project's own SQL and PostgreSQL client (app_database/
  user_setup.py) against the server, as the custom resource's function would, with the master
  secret and the endpoint its function's environment names.

So `genai-infra validate` with probes logs in with the deployed secrets over verified TLS. What a
local server cannot do is verify an RDS IAM authentication token (only Aurora can): validate's
`--no-iam-login` reports that login as skipped instead.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import shutil
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genai_infra.emulator.fixes import patch
from genai_infra.emulator.loopback import (
    LOOPBACK,
    POSTGRES_BIN,
    Postgres,
    Redis,
    make_tls,
    start_postgres,
    start_redis,
)
from genai_infra.emulator.models import emulator_client

# The superuser the emulator administers the local PostgreSQL with; never a template's master user.
ADMIN_USER = "emulator_admin"
ADMIN_DATABASE = "emulator"
RDS_IAM_ROLE = "rds_iam"  # built into Aurora and RDS; the app user's grant needs it
DESCRIPTION_FILE = "local-servers.json"
POSTGRES_ENGINES = ("aurora-postgresql", "postgres")


class LocalServersError(RuntimeError):
    """The local servers cannot be started or used; the message says why and what to do."""


@dataclass(frozen=True)
class LocalServers:
    """The servers behind the emulated data stores, and the administrative credentials for them."""

    postgres: Postgres
    redis: Redis
    ca_file: Path
    host: str = LOOPBACK

    def describe(self) -> dict[str, Any]:
        """What a client needs (no password): written to DIR/local-servers.json."""
        return {
            "host": self.host,
            "postgres_port": self.postgres.port,
            "redis_port": self.redis.port,
            "ca_file": str(self.ca_file),
        }


ACTIVE: dict[str, LocalServers] = {}
_LOCK = threading.Lock()


def active() -> LocalServers | None:
    return ACTIVE.get("servers")


def missing_binaries() -> list[str]:
    missing = [] if (POSTGRES_BIN / "postgres").is_file() else [str(POSTGRES_BIN / "postgres")]
    return missing + ([] if shutil.which("redis-server") else ["redis-server"])


@contextlib.contextmanager
def started(directory: Path) -> Iterator[LocalServers]:
    """PostgreSQL 15 and Redis 7 on loopback, TLS from a fresh CA in `directory`, until the block ends."""
    missing = missing_binaries()
    if missing:
        raise LocalServersError(
            f"{' and '.join(missing)} not found; "
            "install PostgreSQL 15 and Redis 7 with `bash scripts/test-services.sh`."
        )
    directory.mkdir(parents=True, exist_ok=True)
    tls = make_tls(directory)
    with contextlib.ExitStack() as stack:
        postgres = stack.enter_context(
            contextlib.contextmanager(start_postgres)(
                tls, user=ADMIN_USER, password=secrets.token_urlsafe(24), dbname=ADMIN_DATABASE
            )
        )
        redis = stack.enter_context(contextlib.contextmanager(start_redis)(tls, password=secrets.token_urlsafe(24)))
        servers = LocalServers(postgres, redis, tls.ca_file)
        (directory / DESCRIPTION_FILE).write_text(json.dumps(servers.describe(), indent=2) + "\n")
        yield servers


# --- PostgreSQL -------------------------------------------------------------------------------------


def _admin_connection(servers: LocalServers, dbname: str = ADMIN_DATABASE) -> Any:
    import psycopg

    return psycopg.connect(
        host=servers.host,
        port=servers.postgres.port,
        user=servers.postgres.user,
        password=servers.postgres.password,
        dbname=dbname,
        sslmode="verify-full",
        sslrootcert=str(servers.ca_file),
        connect_timeout=10,
        autocommit=True,  # CREATE DATABASE cannot run in a transaction
    )


def make_master(servers: LocalServers, user: str, password: str, database: str | None) -> None:
    """The cluster's master user with the template's password, its database, and Aurora's rds_iam role."""
    from psycopg import sql

    if user == servers.postgres.user:
        raise LocalServersError(f"the master user {user} is the emulator's own administrator; choose another name")
    with _admin_connection(servers) as connection:
        if not connection.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (RDS_IAM_ROLE,)).fetchone():
            connection.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(RDS_IAM_ROLE)))
        exists = connection.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (user,)).fetchone()
        # Aurora's master is no superuser (rds_superuser): it creates roles and databases.
        connection.execute(
            sql.SQL("{} ROLE {} WITH LOGIN NOSUPERUSER CREATEROLE CREATEDB PASSWORD {}").format(
                sql.SQL("ALTER" if exists else "CREATE"), sql.Identifier(user), sql.Literal(password)
            )
        )
        if database and not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone():
            connection.execute(
                sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(database), sql.Identifier(user))
            )


def create_app_database_user(properties: dict[str, Any], region: str) -> str:
    """Custom::AppDatabaseUser as its function does it: the project's SQL, as the master, over TLS."""
    from genai_infra.app_database.user_setup import create_user

    servers = active()
    assert servers is not None
    user = str(properties.get("UserName"))
    function = emulator_client("lambda", region).get_function_configuration(FunctionName=properties["ServiceToken"])
    environment = function.get("Environment", {}).get("Variables", {})
    secret = json.loads(
        emulator_client("secretsmanager", region).get_secret_value(SecretId=environment["MASTER_SECRET_ARN"])[
            "SecretString"
        ]
    )
    create_user(
        host=environment["DATABASE_HOST"],
        port=int(environment["DATABASE_PORT"]),
        master_user=secret["username"],
        master_password=secret["password"],
        database=environment["DATABASE_NAME"],
        user=user,
        timeout=20.0,
    )
    where = f"{environment['DATABASE_HOST']}:{environment['DATABASE_PORT']}/{environment['DATABASE_NAME']}"
    return f"database user {user} created in the local PostgreSQL {where}"


# --- Redis ------------------------------------------------------------------------------------------


def accept_auth_token(servers: LocalServers, token: str) -> None:
    """The group's AUTH token becomes a password of Redis's default user (added: each group keeps its own)."""
    import redis

    client = redis.Redis(
        host=servers.host,
        port=servers.redis.port,
        password=servers.redis.password,
        ssl=True,
        ssl_ca_certs=str(servers.ca_file),
        ssl_cert_reqs="required",
        socket_timeout=10,
    )
    try:
        client.acl_setuser("default", enabled=True, passwords=[f"+{token}"])
    finally:
        client.close()


# --- moto ---------------------------------------------------------------------------------------------

LOCAL_HOST_ATTRIBUTE = "_emulator_local_host"  # set on each moto cluster and instance the server backs


def _local_property(original: property) -> property:
    """moto computes RDS endpoint names in properties: the local host where one is set, moto's name otherwise."""
    assert original.fget is not None
    compute = original.fget

    def value(self: Any) -> Any:
        host = getattr(self, LOCAL_HOST_ATTRIBUTE, None)
        return compute(self) if host is None else host

    return property(value)


def _after(method: Callable[..., Any], then: Callable[[Any, Mapping[str, Any]], None]) -> Callable[..., Any]:
    """`method` of a moto backend, then `then(created, arguments)`; RDS passes one mapping, ElastiCache keywords."""

    def wrapped(self: Any, *args: Any, **kwargs: Any) -> Any:
        created = method(self, *args, **kwargs)
        if active() is not None:
            then(created, kwargs or (args[0] if args and isinstance(args[0], Mapping) else {}))
        return created

    return wrapped


def _aurora_created(cluster: Any, arguments: Mapping[str, Any]) -> None:
    servers = active()
    if servers is None or str(cluster.engine) not in POSTGRES_ENGINES:
        return
    password = arguments.get("master_user_password")  # moto's cluster will not give it back
    if cluster.master_username and password:
        with _LOCK:
            make_master(servers, cluster.master_username, password, cluster.database_name)
    setattr(cluster, LOCAL_HOST_ATTRIBUTE, servers.host)
    cluster.port = servers.postgres.port


def _instance_created(instance: Any, _: Mapping[str, Any]) -> None:
    servers = active()
    if servers is None or str(instance.engine) not in POSTGRES_ENGINES:
        return
    setattr(instance, LOCAL_HOST_ATTRIBUTE, servers.host)
    instance.port = servers.postgres.port


def _redis_created(group: Any, arguments: Mapping[str, Any]) -> None:
    servers = active()
    if servers is None:
        return
    token = arguments.get("auth_token")
    if token:
        with _LOCK:
            accept_auth_token(servers, token)
    group.port = servers.redis.port
    for node_group in group.node_groups:
        node_group["primary_endpoint_address"] = node_group["reader_endpoint_address"] = servers.host
        node_group["port"] = servers.redis.port
        node_group["primary_endpoint"] = {"address": servers.host, "port": servers.redis.port}
        node_group["reader_endpoint"] = {"address": servers.host, "port": servers.redis.port}


_PATCHED: list[str] = []


def install(servers: LocalServers) -> list[str]:
    """Back the emulator's Aurora clusters, instances and replication groups with `servers`."""
    from moto.elasticache.models import ElastiCacheBackend
    from moto.rds.models import DBCluster, DBInstance, RDSBackend

    ACTIVE["servers"] = servers
    if not _PATCHED:
        patch(DBCluster, "endpoint", _local_property(vars(DBCluster)["endpoint"]))
        patch(DBCluster, "reader_endpoint", _local_property(vars(DBCluster)["reader_endpoint"]))
        patch(DBInstance, "address", _local_property(vars(DBInstance)["address"]))
        patch(RDSBackend, "create_db_cluster", _after(RDSBackend.create_db_cluster, _aurora_created))
        patch(RDSBackend, "create_db_instance", _after(RDSBackend.create_db_instance, _instance_created))
        patch(
            ElastiCacheBackend,
            "create_replication_group",
            _after(ElastiCacheBackend.create_replication_group, _redis_created),
        )
        _PATCHED.extend(["Aurora PostgreSQL clusters and instances", "ElastiCache replication groups"])
    return list(_PATCHED)
