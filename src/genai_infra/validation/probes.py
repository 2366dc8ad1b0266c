"""Connectivity probes: they open real connections, each bounded by a timeout.

An unreachable, refusing or hanging endpoint is a failed result with the reason, never an
exception and never a wait longer than the timeout (plus the time to give up a TCP connect).
"""

from __future__ import annotations

import json
import socket
import ssl
import time
import urllib.error
import urllib.request

from genai_infra.validation.result import CheckResult


def _why(error: BaseException) -> str:
    if isinstance(error, socket.timeout | TimeoutError):
        return "timed out"
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def https_health(url: str, *, timeout: float, context: ssl.SSLContext | None = None) -> CheckResult:
    """GET the Spring Boot health endpoint: HTTP 200 with status UP."""
    name = f"HTTPS {url}"
    started = time.monotonic()
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=context) as response:
            body = response.read(65_536)
            code = response.status
    except urllib.error.HTTPError as error:
        return CheckResult(name, False, f"HTTP {error.code} {error.reason}")
    except urllib.error.URLError as error:
        return CheckResult(
            name, False, _why(error.reason) if isinstance(error.reason, BaseException) else str(error.reason)
        )
    except (OSError, ValueError) as error:
        return CheckResult(name, False, _why(error))
    elapsed = f"{(time.monotonic() - started) * 1000:.0f} ms"
    try:
        status = json.loads(body).get("status")
    except (ValueError, AttributeError):
        return CheckResult(name, False, f"HTTP {code} but the body is not Spring Boot health JSON ({elapsed})")
    return CheckResult(name, code == 200 and status == "UP", f"HTTP {code}, status {status} ({elapsed})")


def postgres_connect(
    *,
    label: str,
    host: str,
    port: int,
    user: str,
    password: str,
    dbname: str,
    timeout: float,
    expect_writer: bool,
    sslmode: str = "require",
    sslrootcert: str | None = None,
) -> CheckResult:
    """Log in with the secret's credentials over TLS; a writer endpoint must not be a recovering replica."""
    import psycopg

    name = f"PostgreSQL {label} {host}:{port}"
    params = _postgres_params(host, port, user, password, dbname, timeout, sslmode, sslrootcert)
    try:
        with psycopg.connect(**params) as connection:  # type: ignore[arg-type]
            row = connection.execute("SELECT pg_is_in_recovery(), version()").fetchone()
    except (psycopg.Error, OSError) as error:
        return CheckResult(name, False, _why(error))
    assert row is not None
    in_recovery, version = bool(row[0]), str(row[1]).split(" on ")[0]
    if expect_writer and in_recovery:
        return CheckResult(
            name, False, f"connected, but the writer endpoint answers from a read-only replica ({version})"
        )
    role = "read-only replica" if in_recovery else "writable"
    return CheckResult(name, True, f"connected as {user} over TLS, {role}, {version}")


def _postgres_params(
    host: str, port: int, user: str, password: str, dbname: str, timeout: float, sslmode: str, sslrootcert: str | None
) -> dict[str, str | int]:
    params: dict[str, str | int] = {
        "host": host,
        "port": port,
        "user": user,
        "password": password,
        "dbname": dbname,
        "sslmode": sslmode,
        # psycopg's connect_timeout bounds the TCP connect and the start-up; statement_timeout the query.
        "connect_timeout": max(1, round(timeout)),
        "options": f"-c statement_timeout={int(timeout * 1000)}",
    }
    if sslrootcert is not None:
        params["sslrootcert"] = sslrootcert
    return params


# Decision S8's application user as the custom resource leaves it (app_database/user_setup.py).
APP_USER_QUERY = """
SELECT r.rolcanlogin, pg_has_role(r.oid, 'rds_iam', 'MEMBER'),
       has_database_privilege(r.oid, current_database(), 'CONNECT'),
       has_schema_privilege(r.oid, 'public', 'USAGE') AND has_schema_privilege(r.oid, 'public', 'CREATE'),
       r.rolsuper OR r.rolcreaterole OR r.rolcreatedb
FROM pg_catalog.pg_roles r WHERE r.rolname = %s
"""


def postgres_app_user(
    *,
    label: str,
    host: str,
    port: int,
    master_user: str,
    master_password: str,
    dbname: str,
    app_user: str,
    timeout: float,
    sslmode: str = "require",
    sslrootcert: str | None = None,
) -> CheckResult:
    """As the master: the application user exists, logs in, is an rds_iam member with its grants, and no more."""
    import psycopg

    name = f"PostgreSQL {label} user {app_user} {host}:{port}"
    params = _postgres_params(host, port, master_user, master_password, dbname, timeout, sslmode, sslrootcert)
    try:
        with psycopg.connect(**params) as connection:  # type: ignore[arg-type]
            row = connection.execute(APP_USER_QUERY, (app_user,)).fetchone()
    except (psycopg.Error, OSError) as error:
        return CheckResult(name, False, _why(error))
    if row is None:
        return CheckResult(name, False, f"no role {app_user} in {dbname}: the app database user was not created")
    login, iam, connect, schema, elevated = (bool(value) for value in row)
    held = {"LOGIN": login, "rds_iam": iam, f"CONNECT on {dbname}": connect, "USAGE, CREATE on public": schema}
    problems = [f"lacks {what}" for what, present in held.items() if not present]
    if elevated:
        problems.append("has SUPERUSER, CREATEROLE or CREATEDB")
    if problems:
        return CheckResult(name, False, "; ".join(problems))
    return CheckResult(name, True, f"LOGIN, member of rds_iam, CONNECT on {dbname}, USAGE and CREATE on public")


def redis_ping(
    *, label: str, host: str, port: int, password: str, timeout: float, ca_file: str | None = None
) -> CheckResult:
    """PING over TLS after AUTH with the token; the server's certificate is verified."""
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    name = f"Redis {label} {host}:{port}"
    client = redis.Redis(
        host=host,
        port=port,
        password=password,
        ssl=True,
        ssl_ca_certs=ca_file,
        ssl_cert_reqs="required",
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        # One attempt: redis-py retries timeouts by default, which would multiply the probe's time limit.
        retry=Retry(NoBackoff(), 0),
    )
    try:
        answered = client.ping()
        version = client.info("server").get("redis_version", "unknown")
    except redis.exceptions.AuthenticationError as error:
        return CheckResult(name, False, f"AUTH refused: {error}")
    except redis.exceptions.ResponseError as error:
        return CheckResult(name, False, _why(error))
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError) as error:
        return CheckResult(name, False, _why(error))
    finally:
        client.close()
    return CheckResult(name, bool(answered), f"PONG over TLS with AUTH, Redis {version}")


def tls_connect(
    *, label: str, host: str, port: int, timeout: float, context: ssl.SSLContext | None = None
) -> CheckResult:
    """Complete a TLS handshake (MSK brokers: the certificate must verify for the broker's name)."""
    name = f"TLS {label} {host}:{port}"
    tls = context or ssl.create_default_context()
    started = time.monotonic()
    try:
        with socket.create_connection((host, port), timeout=timeout) as raw:
            raw.settimeout(timeout)
            with tls.wrap_socket(raw, server_hostname=host) as wrapped:
                version = wrapped.version()
    except (OSError, ssl.SSLError) as error:
        return CheckResult(name, False, _why(error))
    return CheckResult(name, True, f"{version} handshake in {(time.monotonic() - started) * 1000:.0f} ms")


def broker_addresses(bootstrap: str) -> list[tuple[str, int]]:
    """host:port,host:port (MSK's bootstrap broker string) as pairs."""
    pairs = []
    for item in filter(None, (part.strip() for part in bootstrap.split(","))):
        host, _, port = item.rpartition(":")
        pairs.append((host, int(port)))
    return pairs
