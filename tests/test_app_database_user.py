"""Decision S8: the application's own IAM database user, set up by the custom resource's code.

The SQL and the function's PostgreSQL client run against the real PostgreSQL 15 server the probe
tests use (TLS only, SCRAM passwords). Aurora has the `rds_iam` role; a local server does not, so
the test creates it first, as Aurora would have it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import http.server
import json
import secrets
import shutil
import threading
from collections.abc import Iterator
from typing import Any, ClassVar

import boto3
import psycopg
import pytest
from moto import mock_aws

from genai_infra.app_database import user_setup
from genai_infra.config import ProjectConfig
from genai_infra.validation import probes, suite
from tests.conftest import SERVING_TARGETS
from tests.data_layer import split_ssm_key, ssm_key
from tests.services import POSTGRES_BIN, Postgres, make_tls, start_postgres

APP_USER = "genai_demo_app"
HAVE_POSTGRES = (POSTGRES_BIN / "postgres").exists() and shutil.which("runuser") is not None
needs_postgres = pytest.mark.skipif(
    not HAVE_POSTGRES, reason=f"PostgreSQL 15 is not installed ({POSTGRES_BIN}); run scripts/test-services.sh"
)


@pytest.fixture(scope="module")
def superuser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Postgres]:
    """The server's bootstrap superuser, which Aurora never hands out: only the test itself uses it."""
    if not HAVE_POSTGRES:
        pytest.skip(f"PostgreSQL 15 is not installed ({POSTGRES_BIN}); run scripts/test-services.sh")
    tls = make_tls(tmp_path_factory.mktemp("user-tls"))
    yield from start_postgres(tls, user="postgres_bootstrap", password=secrets.token_urlsafe(24), dbname="bootstrap")


@pytest.fixture(scope="module")
def server(superuser: Postgres) -> Postgres:
    """An Aurora-like master: no superuser, CREATEROLE and CREATEDB (as rds_superuser), owner of its database.

    Aurora's built-in `rds_iam` role is created first, as Aurora has it.
    """
    aurora = Postgres(superuser.port, "genaidemo_admin", secrets.token_urlsafe(24), "genaidemo", superuser.ca_file)
    with master(superuser) as connection:
        connection.execute(f"CREATE ROLE {user_setup.RDS_IAM_ROLE} NOLOGIN")
        connection.execute(
            f"CREATE ROLE {aurora.user} LOGIN NOSUPERUSER CREATEROLE CREATEDB PASSWORD '{aurora.password}'"
        )
        connection.execute(f"GRANT {user_setup.RDS_IAM_ROLE} TO {aurora.user} WITH ADMIN OPTION")
        connection.execute(f"CREATE DATABASE {aurora.dbname} OWNER {aurora.user}")
    return aurora


def master(server: Postgres) -> psycopg.Connection[Any]:
    return psycopg.connect(
        host="127.0.0.1", port=server.port, user=server.user, password=server.password, dbname=server.dbname,
        sslmode="verify-full", sslrootcert=str(server.ca_file), autocommit=True,
    )  # fmt: skip


def create(server: Postgres, password: str | None = None) -> None:
    user_setup.create_user(
        host="127.0.0.1",
        port=server.port,
        master_user=server.user,
        master_password=server.password if password is None else password,
        database=server.dbname,
        user=APP_USER,
        timeout=5.0,
    )


def test_names_are_checked_before_they_reach_sql() -> None:
    for bad in ("Robert'); DROP TABLE x;--", "genai-demo-app", "", "1user"):
        with pytest.raises(ValueError, match="lower-case PostgreSQL identifier"):
            user_setup.setup_statements(bad)
    sql = "\n".join(user_setup.setup_statements(APP_USER))
    assert "GRANT rds_iam TO genai_demo_app" in sql
    assert "NOCREATEDB NOCREATEROLE" in sql  # demoted even if someone promoted it
    assert "PASSWORD" not in sql  # no password: the user logs in with IAM tokens only


@needs_postgres
def test_user_is_created_idempotently_with_iam_role_and_schema_privileges(
    server: Postgres, superuser: Postgres
) -> None:
    with master(server) as connection:
        connection.execute("CREATE TABLE IF NOT EXISTS existing (id serial PRIMARY KEY, note text)")
    create(server)
    create(server)  # a stack update runs it again: nothing fails, nothing doubles
    # pg_authid (the password column) is readable by a superuser only.
    with master(dataclasses.replace(superuser, dbname=server.dbname)) as connection:
        row = connection.execute(
            "SELECT rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, "
            "pg_has_role(rolname, 'rds_iam', 'MEMBER'), "
            "has_database_privilege(rolname, current_database(), 'CONNECT'), "
            "has_schema_privilege(rolname, 'public', 'CREATE'), has_table_privilege(rolname, 'existing', 'INSERT'), "
            "has_sequence_privilege(rolname, 'existing_id_seq', 'USAGE'), "
            "rolpassword IS NULL FROM pg_authid WHERE rolname = %s",
            (APP_USER,),
        ).fetchone()
        count = connection.execute("SELECT count(*) FROM pg_roles WHERE rolname = %s", (APP_USER,)).fetchone()
    assert row == (True, False, False, False, True, True, True, True, True, True)
    assert count == (1,)


@needs_postgres
def test_app_user_works_and_is_not_the_master(server: Postgres) -> None:
    create(server)
    # Locally there is no IAM token service: a password stands in for the token to log the user in.
    password = secrets.token_urlsafe(24)
    with master(server) as connection:
        connection.execute(f"ALTER ROLE {APP_USER} PASSWORD '{password}'")
    result = probes.postgres_connect(
        label="writer", host="127.0.0.1", port=server.port, user=APP_USER, password=password,
        dbname=server.dbname, timeout=5.0, expect_writer=True, sslmode="verify-full",
        sslrootcert=str(server.ca_file),
    )  # fmt: skip
    assert result.passed, result.reason
    assert result.reason.startswith(f"connected as {APP_USER} over TLS, writable")
    with psycopg.connect(
        host="127.0.0.1", port=server.port, user=APP_USER, password=password, dbname=server.dbname,
        sslmode="require", autocommit=True,
    ) as app:  # fmt: skip
        app.execute("CREATE TABLE orders (id bigserial PRIMARY KEY)")
        app.execute("INSERT INTO orders DEFAULT VALUES")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            app.execute("CREATE ROLE intruder")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            app.execute("CREATE DATABASE other")
    # The next deployment runs the setup again, now that the user owns tables the master cannot grant.
    create(server)


@needs_postgres
def test_wrong_master_password_fails_with_the_servers_reason(server: Postgres) -> None:
    with pytest.raises(user_setup.PostgresError, match="password authentication failed"):
        create(server, password="not-the-password")


class _Recorder(http.server.BaseHTTPRequestHandler):
    bodies: ClassVar[list[dict[str, Any]]] = []

    def do_PUT(self) -> None:
        length = int(self.headers["Content-Length"])
        _Recorder.bodies.append(json.loads(self.rfile.read(length)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@needs_postgres
def test_custom_resource_handler_reads_the_master_secret_and_reports_to_cloudformation(
    server: Postgres, monkeypatch: pytest.MonkeyPatch
) -> None:
    http_server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=http_server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{http_server.server_address[1]}/response"
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-east-2")

    def event(kind: str) -> dict[str, Any]:
        return {
            "RequestType": kind, "ResponseURL": url, "StackId": "stack", "RequestId": kind,
            "LogicalResourceId": "AppUser", "ResourceProperties": {"UserName": APP_USER},
        }  # fmt: skip

    try:
        with mock_aws():
            secret = boto3.client("secretsmanager").create_secret(
                Name="genai-demo/test/aurora/master",
                SecretString=json.dumps({"username": server.user, "password": "the-previous-password"}),
            )
            # Mid-rotation: the database already has the pending password, AWSCURRENT still the old one.
            secrets_manager = boto3.client("secretsmanager")
            secrets_manager.put_secret_value(
                SecretId=secret["ARN"],
                SecretString=json.dumps({"username": server.user, "password": server.password}),
                VersionStages=["AWSPENDING"],
            )
            monkeypatch.setenv("MASTER_SECRET_ARN", secret["ARN"])
            monkeypatch.setenv("DATABASE_HOST", "127.0.0.1")
            monkeypatch.setenv("DATABASE_PORT", str(server.port))
            monkeypatch.setenv("DATABASE_NAME", server.dbname)
            user_setup.handler(event("Create"), None)
            user_setup.handler(event("Delete"), None)
            monkeypatch.setenv("DATABASE_PORT", "1")  # nothing listens: the failure is reported, not raised
            user_setup.handler(event("Update"), None)
    finally:
        http_server.shutdown()
    created, deleted, failed = _Recorder.bodies[-3:]
    assert (created["Status"], created["PhysicalResourceId"]) == ("SUCCESS", f"genaidemo/{APP_USER}")
    assert (deleted["Status"], "kept" in deleted["Reason"]) == ("SUCCESS", True)
    assert (failed["Status"], "Connection refused" in failed["Reason"]) == ("FAILED", True)


@needs_postgres
def test_validate_logs_in_as_the_app_user_with_an_iam_token(server: Postgres, config: ProjectConfig) -> None:
    """`validate` probes the writer as the master and, with a token it signs, as genai_demo_app."""
    create(server)
    token = secrets.token_urlsafe(32)  # stands in for the IAM token, which a local server cannot check
    with master(server) as connection:
        connection.execute(f"ALTER ROLE {APP_USER} PASSWORD '{token}'")
    signed: list[dict[str, Any]] = []

    class Rds:
        def describe_db_clusters(self, **_: Any) -> dict[str, Any]:
            cluster = {"Endpoint": "127.0.0.1", "ReaderEndpoint": "127.0.0.1", "Port": server.port}
            return {"DBClusters": [cluster]}

        def generate_db_auth_token(self, **request: Any) -> str:
            signed.append(request)
            return token

    class SecretsManager:
        def get_secret_value(self, SecretId: str) -> dict[str, str]:  # noqa: N803 - boto3's name
            assert SecretId == "genai-demo/staging/aurora/master"
            return {"SecretString": json.dumps({"username": server.user, "password": server.password})}

    staging = config.environments["staging"]
    region = staging.primary_region
    clients = {"rds": Rds(), "secretsmanager": SecretsManager()}
    results = suite._postgres(
        staging,
        region,
        lambda _region, service: clients[service],
        suite.ProbeOptions(timeout=5.0, postgres_root_cert=str(server.ca_file)),
        "genai-demo-staging-aurora",
    )
    database = staging.regions[region].aurora.database_name
    assert [(r.passed, r.reason.split(" over TLS")[0]) for r in results] == [
        (True, f"connected as {server.user}"),
        (True, f"connected as {server.user}"),
        (True, f"LOGIN, member of rds_iam, CONNECT on {database}, USAGE and CREATE on public"),
        (True, f"connected as {APP_USER}"),
    ]
    assert results[2].name == f"PostgreSQL writer user {APP_USER} 127.0.0.1:{server.port}"
    assert results[3].name == f"PostgreSQL writer as {APP_USER} (IAM) 127.0.0.1:{server.port}"
    assert signed == [{"DBHostname": "127.0.0.1", "Port": server.port, "DBUsername": APP_USER, "Region": region}]


WRITER_TARGETS = [t for t in SERVING_TARGETS if t != ("production", "ap-northeast-1")]


@pytest.mark.parametrize(("environment", "region"), WRITER_TARGETS)
def test_rds_stack_creates_the_user_with_a_function_that_alone_reads_the_master_secret(
    template: Any, environment: str, region: str
) -> None:
    t = template(environment, region, "RdsStack")
    prefix = f"/genai-demo/{environment}/"
    (user,) = t.of_type("Custom::AppDatabaseUser").values()
    assert user["Properties"]["UserName"] == APP_USER
    sql = "\n;\n".join(user_setup.setup_statements(APP_USER))
    assert user["Properties"]["SqlSha256"] == hashlib.sha256(sql.encode()).hexdigest()
    function_id = user["Properties"]["ServiceToken"]["Fn::GetAtt"][0]
    ((cluster_id, _),) = t.of_type("AWS::RDS::DBCluster").items()
    (writer_id,) = [k for k, r in t.of_type("AWS::RDS::DBInstance").items() if r["Properties"]["PromotionTier"] == 0]
    (ingress_id,) = [k for k in t.of_type("AWS::EC2::SecurityGroupIngress") if k.startswith("AppDatabaseUser")]
    (read_policy_id,) = [k for k in t.of_type("AWS::IAM::ManagedPolicy") if k.startswith("AppDatabaseUser")]
    assert {writer_id, ingress_id, read_policy_id} <= set(user["DependsOn"])
    function = t.resources[function_id]["Properties"]
    assert (function["Runtime"], function["Handler"]) == ("python3.14", "user_setup.handler")
    (secret_id,) = t.of_type("AWS::SecretsManager::Secret")
    assert function["Environment"]["Variables"] == {
        "MASTER_SECRET_ARN": {"Ref": secret_id},
        "DATABASE_HOST": {"Fn::GetAtt": [cluster_id, "Endpoint.Address"]},
        "DATABASE_PORT": {"Fn::GetAtt": [cluster_id, "Endpoint.Port"]},
        "DATABASE_NAME": "genaidemo",
    }
    # In the private subnets, with its own group: HTTPS out, and PostgreSQL to the database group only.
    (group_id,) = [k for k in t.of_type("AWS::EC2::SecurityGroup") if k.startswith("AppDatabaseUser")]
    assert function["VpcConfig"]["SecurityGroupIds"] == [{"Fn::GetAtt": [group_id, "GroupId"]}]
    assert [split_ssm_key(t, s, i) for i, s in enumerate(function["VpcConfig"]["SubnetIds"])] == [
        f"{prefix}network/private-subnet-ids"
    ] * 2
    egress = t.resources[group_id]["Properties"]["SecurityGroupEgress"]
    assert [(e["IpProtocol"], e["FromPort"], e.get("CidrIp")) for e in egress] == [
        ("tcp", 443, "0.0.0.0/0"),
        ("tcp", 5432, None),
    ]
    assert ssm_key(t, egress[1]["DestinationSecurityGroupId"]) == f"{prefix}network/database-security-group-id"
    # Its role reads the master secret (and decrypts it through Secrets Manager), nothing else.
    role_id = function["Role"]["Fn::GetAtt"][0]
    (policy,) = [p for p in t.props("AWS::IAM::ManagedPolicy") if p["Roles"] == [{"Ref": role_id}]]
    read, decrypt = policy["PolicyDocument"]["Statement"]
    assert (read["Action"], read["Resource"]) == ("secretsmanager:GetSecretValue", {"Ref": secret_id})
    assert decrypt["Action"] == "kms:Decrypt"
    assert ssm_key(t, decrypt["Resource"]) == f"{prefix}kms/secrets-key-arn"
    assert decrypt["Condition"] == {"StringEquals": {"kms:ViaService": f"secretsmanager.{region}.amazonaws.com"}}


def test_the_global_secondary_receives_the_user_by_replication(template: Any) -> None:
    t = template("production", "ap-northeast-1", "RdsStack")
    assert t.of_type("Custom::AppDatabaseUser") == {}
    assert t.of_type("AWS::Lambda::Function") == {}
