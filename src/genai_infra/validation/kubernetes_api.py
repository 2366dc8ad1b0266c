"""The application's Deployment, read through the cluster's Kubernetes API with IAM credentials.

EKS accepts a bearer token that is a presigned STS GetCallerIdentity URL naming the cluster
(what `aws eks get-token` prints), so no kubeconfig or kubectl is needed. The cluster endpoint is
private: like the other probes this runs from inside the VPC.
"""

from __future__ import annotations

import base64
import json
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from genai_infra.validation.result import CheckResult, Client

TOKEN_PREFIX = "k8s-aws-v1."
CLUSTER_HEADER = "x-k8s-aws-id"


def eks_token(session: Any, cluster: str, region: str) -> str:
    """A token for `cluster`: base64url of a presigned GetCallerIdentity URL carrying the cluster header."""
    from botocore.signers import RequestSigner

    sts = session.client("sts", region_name=region)
    signer = RequestSigner(
        sts.meta.service_model.service_id, region, "sts", "v4", session.get_credentials(), session.events
    )
    url = signer.generate_presigned_url(
        {
            "method": "GET",
            "url": f"https://sts.{region}.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15",
            "body": {},
            "headers": {CLUSTER_HEADER: cluster},
            "context": {},
        },
        region_name=region,
        expires_in=60,
        operation_name="",
    )
    return TOKEN_PREFIX + base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")


def deployment_available(
    eks: Client,
    *,
    cluster: str,
    namespace: str,
    name: str,
    min_available: int,
    token: Callable[[], str],
    timeout: float,
) -> CheckResult:
    """The Deployment exists, reports Available, and has at least `min_available` ready replicas."""
    check = f"Deployment {namespace}/{name}"
    described = eks.describe_cluster(name=cluster)["cluster"]
    context = ssl.create_default_context(cadata=base64.b64decode(described["certificateAuthority"]["data"]).decode())
    url = f"{described['endpoint']}/apis/apps/v1/namespaces/{namespace}/deployments/{name}"
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token()}", "Accept": "application/json"})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=context) as response:
            deployment = json.loads(response.read(1_048_576))
    except urllib.error.HTTPError as error:
        return CheckResult(check, False, f"Kubernetes API answered HTTP {error.code} {error.reason}")
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = error.reason if isinstance(error, urllib.error.URLError) else error
        return CheckResult(check, False, f"Kubernetes API unreachable: {reason}")
    status = deployment.get("status", {})
    ready = int(status.get("availableReplicas", 0))
    conditions = {c.get("type"): c.get("status") for c in status.get("conditions", [])}
    elapsed = f"{(time.monotonic() - started) * 1000:.0f} ms"
    if conditions.get("Available") != "True":
        return CheckResult(check, False, f"not Available ({ready} replicas ready; {elapsed})")
    if ready < min_available:
        return CheckResult(check, False, f"{ready} replicas available, fewer than the minimum {min_available}")
    return CheckResult(check, True, f"Available with {ready} replicas ({elapsed})")
