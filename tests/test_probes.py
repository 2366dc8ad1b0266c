"""The connectivity probes against real servers on loopback: they pass, and fail clearly and in time."""

from __future__ import annotations

import http.server
import json
import secrets
import shutil
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from genai_infra.validation import probes
from tests.services import (
    POSTGRES_BIN,
    HangingServer,
    Postgres,
    Redis,
    Tls,
    free_port,
    make_tls,
    start_postgres,
    start_redis,
)

TIMEOUT = 2.0
# A probe may take its timeout plus the time to give up (psycopg rounds its connect timeout up to 2 s).
DEADLINE = TIMEOUT + 1.5
HAVE_POSTGRES = (POSTGRES_BIN / "postgres").exists() and shutil.which("runuser") is not None
HAVE_REDIS = shutil.which("redis-server") is not None
needs_postgres = pytest.mark.skipif(
    not HAVE_POSTGRES, reason=f"PostgreSQL 15 is not installed ({POSTGRES_BIN}); run scripts/test-services.sh"
)
needs_redis = pytest.mark.skipif(not HAVE_REDIS, reason="redis-server is not installed; run scripts/test-services.sh")


@pytest.fixture(scope="session")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Tls:
    return make_tls(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="session")
def postgres(tls: Tls) -> Iterator[Postgres]:
    if not HAVE_POSTGRES:
        pytest.skip(f"PostgreSQL 15 is not installed ({POSTGRES_BIN}); run scripts/test-services.sh")
    # A fresh random password per session: nothing secret is committed, and nothing can guess it.
    yield from start_postgres(tls, user="genaidemo_admin", password=secrets.token_urlsafe(24), dbname="genaidemo")


@pytest.fixture(scope="session")
def redis_server(tls: Tls) -> Iterator[Redis]:
    if not HAVE_REDIS:
        pytest.skip("redis-server is not installed; run scripts/test-services.sh")
    yield from start_redis(tls, password=secrets.token_urlsafe(48))


@pytest.fixture
def hanging() -> Iterator[HangingServer]:
    server = HangingServer()
    yield server
    server.close()


def timed(call: object) -> tuple[probes.CheckResult, float]:
    started = time.monotonic()
    result = call()  # type: ignore[operator]
    return result, time.monotonic() - started


def pg(server: Postgres, **changes: object) -> probes.CheckResult:
    params: dict[str, object] = {
        "label": "writer",
        "host": "127.0.0.1",
        "port": server.port,
        "user": server.user,
        "password": server.password,
        "dbname": server.dbname,
        "timeout": TIMEOUT,
        "expect_writer": True,
        "sslmode": "verify-full",
        "sslrootcert": str(server.ca_file),
    }
    return probes.postgres_connect(**(params | changes))  # type: ignore[arg-type]


@needs_postgres
def test_postgres_probe_connects_over_verified_tls(postgres: Postgres) -> None:
    result = pg(postgres)
    assert result.passed, result.reason
    assert result.reason.startswith("connected as genaidemo_admin over TLS, writable, PostgreSQL 15.")


@needs_postgres
def test_postgres_probe_fails_clearly(postgres: Postgres, hanging: HangingServer, tmp_path: Path) -> None:
    wrong = pg(postgres, password="not-the-password")
    assert not wrong.passed
    assert 'password authentication failed for user "genaidemo_admin"' in wrong.reason

    closed = pg(postgres, port=free_port())
    assert not closed.passed
    assert "Connection refused" in closed.reason

    stuck, seconds = timed(lambda: pg(postgres, port=hanging.port))
    assert not stuck.passed
    assert "timeout" in stuck.reason
    assert seconds < DEADLINE

    # A certificate from another CA is refused under verify-full: the probe does not trust blindly.
    other = make_tls(tmp_path)
    untrusted = pg(postgres, sslrootcert=str(other.ca_file))
    assert not untrusted.passed
    assert "SSL error" in untrusted.reason


@needs_redis
def test_redis_probe_pings_over_tls_with_auth(redis_server: Redis) -> None:
    result = probes.redis_ping(
        label="primary",
        host="127.0.0.1",
        port=redis_server.port,
        password=redis_server.password,
        timeout=TIMEOUT,
        ca_file=str(redis_server.ca_file),
    )
    assert result.passed, result.reason
    assert result.reason.startswith("PONG over TLS with AUTH, Redis 7.")


@needs_redis
def test_redis_probe_fails_clearly(redis_server: Redis, hanging: HangingServer) -> None:
    def ping(port: int, password: str) -> probes.CheckResult:
        return probes.redis_ping(
            label="primary",
            host="127.0.0.1",
            port=port,
            password=password,
            timeout=TIMEOUT,
            ca_file=str(redis_server.ca_file),
        )

    wrong = ping(redis_server.port, "not-the-token")
    assert not wrong.passed
    assert wrong.reason.startswith("AUTH refused")
    assert "invalid username-password pair" in wrong.reason

    closed = ping(free_port(), redis_server.password)
    assert not closed.passed
    assert "Connection refused" in closed.reason

    stuck, seconds = timed(lambda: ping(hanging.port, redis_server.password))
    assert not stuck.passed
    assert "imeout" in stuck.reason
    assert seconds < DEADLINE


@needs_redis
def test_tls_probe_completes_a_handshake_and_times_out_on_a_silent_server(
    redis_server: Redis, hanging: HangingServer
) -> None:
    # The TLS listener of redis-server stands in for an MSK broker's TLS port.
    trusted = ssl.create_default_context(cafile=str(redis_server.ca_file))
    ok = probes.tls_connect(
        label="broker 1", host="localhost", port=redis_server.port, timeout=TIMEOUT, context=trusted
    )
    assert ok.passed, ok.reason
    assert ok.reason.startswith("TLSv1.3 handshake in ")

    untrusted = probes.tls_connect(label="broker 1", host="localhost", port=redis_server.port, timeout=TIMEOUT)
    assert not untrusted.passed
    assert "CERTIFICATE_VERIFY_FAILED" in untrusted.reason

    stuck, seconds = timed(
        lambda: probes.tls_connect(
            label="broker 1", host="localhost", port=hanging.port, timeout=TIMEOUT, context=trusted
        )
    )
    assert stuck == probes.CheckResult(f"TLS broker 1 localhost:{hanging.port}", False, "timed out")
    assert seconds < DEADLINE

    closed = probes.tls_connect(label="broker 1", host="127.0.0.1", port=free_port(), timeout=TIMEOUT)
    assert not closed.passed
    assert "Connection refused" in closed.reason


def test_broker_addresses_parse_msk_bootstrap_strings() -> None:
    bootstrap = (
        "b-1.genai.abc.c2.kafka.ap-east-2.amazonaws.com:9098,b-2.genai.abc.c2.kafka.ap-east-2.amazonaws.com:9098"
    )
    assert probes.broker_addresses(bootstrap) == [
        ("b-1.genai.abc.c2.kafka.ap-east-2.amazonaws.com", 9098),
        ("b-2.genai.abc.c2.kafka.ap-east-2.amazonaws.com", 9098),
    ]
    assert probes.broker_addresses("") == []


@pytest.fixture
def health_server(tls: Tls) -> Iterator[tuple[int, dict[str, object]]]:
    """An HTTPS server answering /actuator/health like Spring Boot; the test sets what it answers."""
    answer: dict[str, object] = {"code": 200, "body": {"status": "UP"}}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path != "/actuator/health":
                self.send_error(404)
                return
            payload = json.dumps(answer["body"]).encode()
            self.send_response(int(answer["code"]))  # type: ignore[call-overload]
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.block_on_close = False
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tls.cert_file, tls.key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield int(server.server_address[1]), answer
    server.shutdown()
    server.server_close()


def test_https_health_probe(health_server: tuple[int, dict[str, object]], tls: Tls, hanging: HangingServer) -> None:
    port, answer = health_server
    trusted = ssl.create_default_context(cafile=str(tls.ca_file))
    url = f"https://localhost:{port}/actuator/health"
    up = probes.https_health(url, timeout=TIMEOUT, context=trusted)
    assert up.passed, up.reason
    assert up.reason.startswith("HTTP 200, status UP (")

    answer.update(code=503, body={"status": "DOWN"})
    down = probes.https_health(url, timeout=TIMEOUT, context=trusted)
    assert down == probes.CheckResult(f"HTTPS {url}", False, "HTTP 503 Service Unavailable")

    untrusted = probes.https_health(url, timeout=TIMEOUT)
    assert not untrusted.passed
    assert "CERTIFICATE_VERIFY_FAILED" in untrusted.reason

    stuck, seconds = timed(
        lambda: probes.https_health(
            f"https://localhost:{hanging.port}/actuator/health", timeout=TIMEOUT, context=trusted
        )
    )
    assert not stuck.passed
    assert "timed out" in stuck.reason
    assert seconds < DEADLINE
