"""Create the application's IAM-authenticated PostgreSQL user; the code of the custom resource function.

Decision S8: the application logs in as its own user, authenticated through IAM (`rds_iam`), and
never as the master user. This file is the whole Lambda asset, so it imports nothing from the
project: `setup_statements` is the SQL (pure, idempotent), `PostgresConnection` a minimal client of
the PostgreSQL wire protocol (TLS, SCRAM-SHA-256), `handler` the CloudFormation custom resource.

Why a custom resource function and not a Kubernetes Job: CloudFormation waits for it and reports
its failure in the stack events, the RdsStack (phase 2) finishes only once the user exists, so the
application (phase 3) never starts against a database without its user; and the master secret
stays with a function that only the RdsStack's custom resource invokes, instead of a pod on the
application's nodes with an image pulled from a public registry. The client speaks the protocol
itself because synthesis is offline: no driver can be bundled, and the Lambda runtime has none.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import re
import secrets
import socket
import ssl
import struct
import urllib.request
from typing import Any

# A PostgreSQL identifier the project may embed in SQL without quoting surprises.
IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
# The role Aurora and RDS grant to users that log in with IAM authentication tokens.
RDS_IAM_ROLE = "rds_iam"
SSL_REQUEST_CODE = 80877103
PROTOCOL_VERSION = 196608  # 3.0


def _identifier(name: str, what: str) -> str:
    if not IDENTIFIER.match(name):
        raise ValueError(f"{what} {name!r} is not a lower-case PostgreSQL identifier ([a-z][a-z0-9_]*)")
    return name


def setup_statements(user: str, schema: str = "public") -> list[str]:
    """SQL that makes `user` an IAM-authenticated login with the application's privileges, idempotently.

    Safe to run any number of times: the role is created only when missing, and every GRANT is a
    no-op when already granted. The user owns no database and is no superuser: it may connect,
    create its tables in `schema`, and use the tables and sequences already there. Every statement
    runs as Aurora's master, which is no superuser (rds_superuser: CREATEROLE, CREATEDB, owner of
    the database), so none touches SUPERUSER or REPLICATION, which only a superuser may change.
    """
    user = _identifier(user, "database user")
    schema = _identifier(schema, "schema")
    return [
        f"""DO $setup$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '{user}') THEN
        CREATE ROLE {user} LOGIN;
    END IF;
    ALTER ROLE {user} WITH LOGIN NOCREATEDB NOCREATEROLE;
    GRANT {RDS_IAM_ROLE} TO {user};
    EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO {user}', current_database());
END
$setup$""",
        f"GRANT USAGE, CREATE ON SCHEMA {schema} TO {user}",
        # Tables and sequences the master owns (those of a deployment that ran as the master) become
        # the user's to use. GRANT ... ON ALL TABLES would fail once the user owns tables of its own,
        # on which the master has no privilege, so only the master's objects are granted, one by one.
        f"""DO $grants$
DECLARE
    object record;
BEGIN
    FOR object IN
        SELECT c.oid::regclass AS name, c.relkind AS kind
        FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = '{schema}' AND c.relkind IN ('r', 'p', 'v', 'S') AND pg_has_role(c.relowner, 'USAGE')
    LOOP
        IF object.kind = 'S' THEN
            EXECUTE format('GRANT USAGE, SELECT, UPDATE ON SEQUENCE %s TO {user}', object.name);
        ELSE
            EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE %s TO {user}', object.name);
        END IF;
    END LOOP;
END
$grants$""",
    ]


class PostgresError(Exception):
    """The server refused the login or a statement; the message is the server's."""


class PostgresConnection:
    """One TLS connection, authenticated with SCRAM-SHA-256 (or MD5), running simple queries."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        user: str,
        password: str,
        database: str,
        timeout: float,
        context: ssl.SSLContext,
    ) -> None:
        raw = socket.create_connection((host, port), timeout=timeout)
        try:
            raw.sendall(struct.pack("!ii", 8, SSL_REQUEST_CODE))
            if raw.recv(1) != b"S":
                raise PostgresError(f"{host}:{port} does not accept TLS connections")
            self._socket = context.wrap_socket(raw, server_hostname=host)
        except BaseException:
            raw.close()
            raise
        try:
            parameters = b"".join(
                key.encode() + b"\0" + value.encode() + b"\0" for key, value in (("user", user), ("database", database))
            )
            body = struct.pack("!i", PROTOCOL_VERSION) + parameters + b"\0"
            self._socket.sendall(struct.pack("!i", len(body) + 4) + body)
            self._authenticate(user, password)
            self._until_ready()
        except BaseException:
            self._socket.close()
            raise

    def __enter__(self) -> PostgresConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._send(b"X", b"")
        self._socket.close()

    def execute(self, sql: str) -> None:
        """Run one statement (simple query protocol); raise PostgresError with the server's message."""
        self._send(b"Q", sql.encode() + b"\0")
        self._until_ready()

    def _exactly(self, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = self._socket.recv(size - len(data))
            if not chunk:
                raise PostgresError("the server closed the connection")
            data += chunk
        return data

    def _receive(self) -> tuple[bytes, bytes]:
        header = self._exactly(5)
        (length,) = struct.unpack("!i", header[1:])
        return header[:1], self._exactly(length - 4)

    def _send(self, kind: bytes, payload: bytes) -> None:
        self._socket.sendall(kind + struct.pack("!i", len(payload) + 4) + payload)

    @staticmethod
    def _error(payload: bytes) -> PostgresError:
        fields = {item[:1]: item[1:].decode(errors="replace") for item in payload.split(b"\0") if item}
        return PostgresError(f"{fields.get(b'S', 'ERROR')} {fields.get(b'C', '')}: {fields.get(b'M', '')}".strip())

    def _until_ready(self) -> None:
        """Read until ReadyForQuery; an ErrorResponse on the way is raised once the server is ready."""
        error: PostgresError | None = None
        while True:
            kind, payload = self._receive()
            if kind == b"E":
                error = self._error(payload)
            elif kind == b"Z":
                if error is not None:
                    raise error
                return

    def _authentication(self) -> tuple[int, bytes]:
        kind, payload = self._receive()
        if kind == b"E":
            raise self._error(payload)
        if kind != b"R":
            raise PostgresError(f"unexpected message {kind!r} during authentication")
        (code,) = struct.unpack("!i", payload[:4])
        return code, payload[4:]

    def _authenticate(self, user: str, password: str) -> None:
        code, data = self._authentication()
        if code == 0:
            return
        if code == 5:  # MD5: md5(md5(password + user) + salt)
            inner = hashlib.md5((password + user).encode()).hexdigest()  # the protocol's hash
            outer = hashlib.md5(inner.encode() + data[:4]).hexdigest()
            self._send(b"p", b"md5" + outer.encode() + b"\0")
        elif code == 10:
            if b"SCRAM-SHA-256" not in data.split(b"\0"):
                raise PostgresError("the server offers no SCRAM-SHA-256 authentication")
            self._scram(password)
        else:
            # Cleartext (3) would hand the master password to whoever answers; refused.
            raise PostgresError(f"authentication method {code} is not supported; use SCRAM-SHA-256")
        code, _ = self._authentication()
        if code != 0:
            raise PostgresError(f"authentication did not complete (code {code})")

    def _scram(self, password: str) -> None:
        """RFC 5802/7677 without channel binding, as libpq does without channel_binding=require."""
        nonce = base64.b64encode(secrets.token_bytes(18)).decode()
        first_bare = f"n=,r={nonce}"
        first = ("n,," + first_bare).encode()
        self._send(b"p", b"SCRAM-SHA-256\0" + struct.pack("!i", len(first)) + first)
        code, server_first_bytes = self._authentication()
        if code != 11:
            raise PostgresError(f"unexpected SASL step (code {code})")
        server_first = server_first_bytes.decode()
        attributes = dict(item.split("=", 1) for item in server_first.split(","))
        server_nonce, salt, iterations = attributes["r"], base64.b64decode(attributes["s"]), int(attributes["i"])
        if not server_nonce.startswith(nonce):
            raise PostgresError("the server's SCRAM nonce does not extend the client's")
        salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
        client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
        stored_key = hashlib.sha256(client_key).digest()
        final_bare = f"c=biws,r={server_nonce}"
        auth_message = f"{first_bare},{server_first},{final_bare}".encode()
        signature = hmac.new(stored_key, auth_message, hashlib.sha256).digest()
        proof = bytes(a ^ b for a, b in zip(client_key, signature, strict=True))
        self._send(b"p", f"{final_bare},p={base64.b64encode(proof).decode()}".encode())
        code, server_final = self._authentication()
        if code != 12:
            raise PostgresError(f"unexpected SASL step (code {code})")
        server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
        expected = base64.b64encode(hmac.new(server_key, auth_message, hashlib.sha256).digest()).decode()
        if not hmac.compare_digest(server_final.decode().removeprefix("v="), expected):
            raise PostgresError("the server's SCRAM signature does not verify: not the server that holds the password")


def encrypting_context() -> ssl.SSLContext:
    """TLS without certificate verification, as libpq's sslmode=require.

    The Lambda runtime has no Amazon RDS CA bundle and synthesis cannot download one; the path is
    private (VPC subnets, a security group that only reaches the database group), and SCRAM never
    sends the password, so a relay can neither read it nor complete the login without the server's key.
    """
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def create_user(
    *, host: str, port: int, master_user: str, master_password: str, database: str, user: str, timeout: float
) -> None:
    with PostgresConnection(
        host=host,
        port=port,
        user=master_user,
        password=master_password,
        database=database,
        timeout=timeout,
        context=encrypting_context(),
    ) as connection:
        for statement in setup_statements(user):
            connection.execute(statement)


def _respond(event: dict[str, Any], status: str, reason: str, physical_id: str) -> None:
    body = json.dumps(
        {
            "Status": status,
            "Reason": reason[:3000],
            "PhysicalResourceId": physical_id,
            "StackId": event["StackId"],
            "RequestId": event["RequestId"],
            "LogicalResourceId": event["LogicalResourceId"],
        }
    ).encode()
    request = urllib.request.Request(
        event["ResponseURL"], data=body, method="PUT", headers={"Content-Type": "", "Content-Length": str(len(body))}
    )
    with urllib.request.urlopen(request, timeout=30):  # CloudFormation's pre-signed S3 URL
        pass


def handler(event: dict[str, Any], context: Any) -> None:
    """Create and Update run the idempotent setup; Delete keeps the user (its tables may hold data)."""
    properties = event.get("ResourceProperties", {})
    user = str(properties.get("UserName", ""))
    physical_id = f"{os.environ.get('DATABASE_NAME', '')}/{user}"
    status, reason = "SUCCESS", f"user {user} is set up"
    try:
        if event["RequestType"] in ("Create", "Update"):
            import boto3  # the Lambda runtime's; imported here so the tests need no AWS SDK call

            secrets_manager = boto3.client("secretsmanager")

            def run(stage: str) -> None:
                secret = json.loads(
                    secrets_manager.get_secret_value(SecretId=os.environ["MASTER_SECRET_ARN"], VersionStage=stage)[
                        "SecretString"
                    ]
                )
                create_user(
                    host=os.environ["DATABASE_HOST"],
                    port=int(os.environ["DATABASE_PORT"]),
                    master_user=secret["username"],
                    master_password=secret["password"],
                    database=os.environ["DATABASE_NAME"],
                    user=user,
                    timeout=20.0,
                )

            try:
                run("AWSCURRENT")
            except PostgresError as error:
                # A rotation between its setSecret and finishSecret steps has already given the
                # database the pending password (the first rotation starts with the stack).
                if "password authentication failed" not in str(error):
                    raise
                run("AWSPENDING")
        else:
            reason = f"user {user} is kept: drop it by hand once its tables are no longer needed"
    except Exception as error:  # every failure must reach CloudFormation, not time out
        status, reason = "FAILED", f"{type(error).__name__}: {error}"
    print(json.dumps({"RequestType": event.get("RequestType"), "Status": status, "Reason": reason}))
    _respond(event, status, reason, physical_id)
