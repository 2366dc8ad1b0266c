"""Decision S8: the application's own IAM database user, set up by the custom resource's code.

The SQL and the function's PostgreSQL client run against the real PostgreSQL 15 server the probe
tests use (TLS only, SCRAM passwords). Aurora has the `rds_iam` role; a local server does not, so
the test creates it first, as Aurora would have it.
"""

from __future__ import annotations

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
from genai_infra.validation import probes
from tests.services import POSTGRES_BIN, Postgres, make_tls, start_postgres

APP_USER = "genai_demo_app"
HAVE_POSTGRES = (POSTGRES_BIN / "postgres").exists() and shutil.which("runuser") is not None
needs_postgres = pytest.mark.skipif(
    not HAVE_POSTGRES, reason=f"PostgreSQL 15 is not installed ({POSTGRES_BIN}); run scripts/test-services.sh"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Postgres]:
    if not HAVE_POSTGRES:
        pytest.skip(f"PostgreSQL 15 is not installed ({POSTGRES_BIN}); run scripts/test-services.sh")
    tls = make_tls(tmp_path_factory.mktemp("user-tls"))
    for running in start_postgres(tls, user="genaidemo_admin", password=secrets.token_urlsafe(24), dbname="genaidemo"):
        with master(running) as connection:
            connection.execute(f"CREATE ROLE {user_setup.RDS_IAM_ROLE} NOLOGIN")  # Aurora's built-in role
        yield running


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
    assert "NOSUPERUSER NOCREATEDB NOCREATEROLE" in sql  # demoted even if someone promoted it
    assert "PASSWORD" not in sql  # no password: the user logs in with IAM tokens only


@needs_postgres
def test_user_is_created_idempotently_with_iam_role_and_schema_privileges(server: Postgres) -> None:
    with master(server) as connection:
        connection.execute("CREATE TABLE IF NOT EXISTS existing (id serial PRIMARY KEY, note text)")
    create(server)
    create(server)  # a stack update runs it again: nothing fails, nothing doubles
    with master(server) as connection:
        row = connection.execute(
            "SELECT rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, "
            "pg_has_role(rolname, 'rds_iam', 'MEMBER'), "
            "has_database_privilege(rolname, current_database(), 'CONNECT'), "
            "has_schema_privilege(rolname, 'public', 'CREATE'), has_table_privilege(rolname, 'existing', 'INSERT'), "
            "rolpassword IS NULL FROM pg_authid WHERE rolname = %s",
            (APP_USER,),
        ).fetchone()
        count = connection.execute("SELECT count(*) FROM pg_roles WHERE rolname = %s", (APP_USER,)).fetchone()
    assert row == (True, False, False, False, True, True, True, True, True)
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
                SecretString=json.dumps({"username": server.user, "password": server.password}),
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
