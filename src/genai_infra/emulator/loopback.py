"""Real PostgreSQL 15 and Redis 7 servers on loopback, with TLS from a CA made for the session.

The binaries come from Debian's postgresql-15 and redis-server packages (scripts/test-services.sh
installs them). The probe tests start them (tests/services.py), and so does the emulator when it
is asked to back Aurora and ElastiCache with real servers (`--local-servers DIR`, local_servers.py).
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")
LOOPBACK = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before listening on {port}")
        try:
            with socket.create_connection((LOOPBACK, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {LOOPBACK}:{port} after {seconds} s")


@dataclass(frozen=True)
class Tls:
    ca_file: Path
    cert_file: Path
    key_file: Path


def make_tls(directory: Path) -> Tls:
    """A CA and a server certificate for localhost and 127.0.0.1, valid for a day."""
    now = datetime.datetime.now(datetime.UTC)

    def name(common: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(name("genai-infra test CA"))
        .issuer_name(name("genai-infra test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )  # keyCertSign, cRLSign
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name("localhost"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(LOOPBACK))]),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    tls = Tls(directory / "ca.pem", directory / "server.pem", directory / "server.key")
    tls.ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    tls.cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    tls.key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    tls.key_file.chmod(0o600)
    return tls


def _as_postgres_user() -> list[str]:
    """initdb and postgres refuse to run as root; under root they run as Debian's postgres user."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


@dataclass(frozen=True)
class Postgres:
    port: int
    user: str
    password: str
    dbname: str
    ca_file: Path


def _wait_until_accepting(prefix: list[str], run: Path, port: int, seconds: float = 60.0) -> None:
    """The port opens before start-up ends ("the database system is starting up"); pg_isready waits that out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ready = subprocess.run(
            [*prefix, str(POSTGRES_BIN / "pg_isready"), "-q", "-h", str(run), "-p", str(port)], check=False
        )
        if ready.returncode == 0:
            return
        time.sleep(0.2)
    raise RuntimeError(f"PostgreSQL on {LOOPBACK}:{port} does not accept connections after {seconds} s")


def start_postgres(tls: Tls, *, user: str, password: str, dbname: str) -> Iterator[Postgres]:
    """initdb a cluster in a fresh directory, TLS only with SCRAM passwords, and run it until the session ends."""
    base = Path(tempfile.mkdtemp(prefix="genai-pg-"))
    data, run = base / "data", base / "run"
    run.mkdir()
    for source in (tls.cert_file, tls.key_file):
        shutil.copy(source, base / source.name)
    password_file = base / "password"
    password_file.write_text(password)
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
        for path in base.iterdir():
            shutil.chown(path, "postgres")
    (base / tls.key_file.name).chmod(0o600)
    prefix = _as_postgres_user()
    subprocess.run(
        [*prefix, str(POSTGRES_BIN / "initdb"), "-D", str(data), "-U", user, f"--pwfile={password_file}",
         "--auth=scram-sha-256", "-E", "UTF8", "--no-instructions"],
        check=True, capture_output=True,
    )  # fmt: skip
    (data / "pg_hba.conf").write_text("local all all scram-sha-256\nhostssl all all 127.0.0.1/32 scram-sha-256\n")
    port = free_port()
    process = subprocess.Popen(
        [*prefix, str(POSTGRES_BIN / "postgres"), "-D", str(data), "-c", f"port={port}",
         "-c", f"listen_addresses={LOOPBACK}", "-c", f"unix_socket_directories={run}", "-c", "ssl=on",
         "-c", f"ssl_cert_file={base / tls.cert_file.name}", "-c", f"ssl_key_file={base / tls.key_file.name}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for_port(port, process)
        _wait_until_accepting(prefix, run, port)
        subprocess.run(
            [*prefix, str(POSTGRES_BIN / "createdb"), "-h", str(run), "-p", str(port), "-U", user, dbname],
            check=True, capture_output=True, env={**os.environ, "PGPASSWORD": password},
        )  # fmt: skip
        yield Postgres(port, user, password, dbname, tls.ca_file)
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(base, ignore_errors=True)


@dataclass(frozen=True)
class Redis:
    port: int
    password: str
    ca_file: Path


def start_redis(tls: Tls, *, password: str) -> Iterator[Redis]:
    """redis-server with TLS only (no plain port), AUTH required, nothing persisted."""
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--bind", LOOPBACK, "--port", "0", "--tls-port", str(port),
         "--tls-cert-file", str(tls.cert_file), "--tls-key-file", str(tls.key_file),
         "--tls-ca-cert-file", str(tls.ca_file), "--tls-auth-clients", "no",
         "--requirepass", password, "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for_port(port, process)
        yield Redis(port, password, tls.ca_file)
    finally:
        process.terminate()
        process.wait(timeout=30)
