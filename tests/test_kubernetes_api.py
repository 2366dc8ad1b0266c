"""The Deployment check of `validate`: a real HTTPS server stands in for the cluster's Kubernetes API."""

from __future__ import annotations

import base64
import http.server
import json
import ssl
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from genai_infra.validation.kubernetes_api import TOKEN_PREFIX, deployment_available, eks_token
from tests.services import Tls, free_port, make_tls

TOKEN = "k8s-aws-v1.test-token"
PATH = "/apis/apps/v1/namespaces/default/deployments/genai-demo-app"


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Tls:
    return make_tls(tmp_path_factory.mktemp("k8s-tls"))


@pytest.fixture
def api(tls: Tls) -> Iterator[tuple[int, dict[str, Any]]]:
    """Answers the Deployment like the API server, to requests that carry the expected bearer token."""
    answer: dict[str, Any] = {
        "status": {"availableReplicas": 2, "conditions": [{"type": "Available", "status": "True"}]}
    }

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                self.send_error(401, "Unauthorized")
                return
            if self.path != PATH:
                self.send_error(404)
                return
            payload = json.dumps({"kind": "Deployment", **answer}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tls.cert_file, tls.key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield int(server.server_address[1]), answer
    server.shutdown()
    server.server_close()


class Eks:
    """describe_cluster of a cluster whose endpoint is the local server, signed by the test CA."""

    def __init__(self, port: int, ca_file: Path) -> None:
        self.port, self.ca = port, base64.b64encode(ca_file.read_bytes()).decode()

    def describe_cluster(self, name: str) -> dict[str, Any]:
        assert name == "genai-demo-staging"
        return {"cluster": {"endpoint": f"https://localhost:{self.port}", "certificateAuthority": {"data": self.ca}}}


def check(port: int, tls: Tls, *, token: str = TOKEN, min_available: int = 2) -> Any:
    return deployment_available(
        Eks(port, tls.ca_file),
        cluster="genai-demo-staging",
        namespace="default",
        name="genai-demo-app",
        min_available=min_available,
        token=lambda: token,
        timeout=2.0,
    )


def test_an_available_deployment_with_its_minimum_passes(api: tuple[int, dict[str, Any]], tls: Tls) -> None:
    port, _ = api
    result = check(port, tls)
    assert result.passed, result.reason
    assert result.reason.startswith("Available with 2 replicas")


def test_too_few_replicas_or_not_available_fails(api: tuple[int, dict[str, Any]], tls: Tls) -> None:
    port, answer = api
    answer["status"]["availableReplicas"] = 1
    short = check(port, tls)
    assert (short.passed, short.reason) == (False, "1 replicas available, fewer than the minimum 2")
    answer["status"]["conditions"] = [{"type": "Available", "status": "False"}]
    down = check(port, tls)
    assert not down.passed
    assert down.reason.startswith("not Available (1 replicas ready")


def test_a_refused_token_and_an_unreachable_api_fail_with_the_reason(api: tuple[int, dict[str, Any]], tls: Tls) -> None:
    port, _ = api
    refused = check(port, tls, token="k8s-aws-v1.someone-else")
    assert (refused.passed, refused.reason) == (False, "Kubernetes API answered HTTP 401 Unauthorized")
    closed = check(free_port(), tls)
    assert not closed.passed
    assert closed.reason.startswith("Kubernetes API unreachable")


def test_the_token_is_a_presigned_get_caller_identity_naming_the_cluster() -> None:
    import boto3

    session = boto3.Session(aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret", region_name="ap-east-2")
    token = eks_token(session, "genai-demo-production", "ap-east-2")
    assert token.startswith(TOKEN_PREFIX)
    encoded = token.removeprefix(TOKEN_PREFIX)
    url = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
    parsed = urllib.parse.urlparse(url)
    query = urllib.parse.parse_qs(parsed.query)
    assert parsed.netloc == "sts.ap-east-2.amazonaws.com"
    assert query["Action"] == ["GetCallerIdentity"]
    assert "x-k8s-aws-id" in query["X-Amz-SignedHeaders"][0].split(";")
    assert query["X-Amz-Expires"] == ["60"]
    assert "X-Amz-Signature" in query
