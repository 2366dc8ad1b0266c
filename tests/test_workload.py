"""The application's Kubernetes manifests (issue 4, "The application workload"), checked per environment.

Pure Python: nothing here imports aws_cdk, and no target is synthesized. Built-in kinds are
validated offline and strictly against the Kubernetes schemas of the cluster's version
(kubernetes-validate); the KEDA and Load Balancer Controller custom resources against their CRDs'
fields (tests/crd_schemas.py).
"""

from __future__ import annotations

import ast
import copy
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml
from packaging.version import Version

from genai_infra.config import ConfigError, ProjectConfig, load_config
from genai_infra.kubernetes import (
    APP_NAME,
    CONTAINER_PORT,
    KEDA_CLOUDWATCH_ACTIONS,
    NAMESPACE,
    SERVICE_ACCOUNT_NAME,
    SERVICE_ACCOUNT_SUBJECT,
    SERVICE_PORT,
    TARGET_TYPE,
    TRIGGER_AUTHENTICATION_NAME,
    WorkloadInputs,
    render_yaml,
    workload_manifests,
)
from tests.crd_schemas import CRD_SCHEMAS, validate_custom_resource

SRC = Path(__file__).resolve().parents[1] / "src"
# What the EKS stack passes at synthesis: CloudFormation tokens, resolved only at deploy time.
REPOSITORY_URI = "${Token[TOKEN.1001]}"
APP_ROLE_ARN = "${Token[TOKEN.1002]}"
TARGET_GROUP_ARN = "${Token[TOKEN.1003]}"

SERVING = [
    ("development", "ap-northeast-1"),
    ("staging", "ap-east-2"),
    ("production", "ap-east-2"),
    ("production", "ap-northeast-1"),
]
SERVING_IDS = [f"{environment}-{region}" for environment, region in SERVING]
PROFILES = {"development": "development", "staging": "staging", "production": "production"}


@pytest.fixture(scope="module")
def defaults() -> ProjectConfig:
    return load_config()


def inputs_for(config: ProjectConfig, environment: str, region: str) -> WorkloadInputs:
    return WorkloadInputs.of(
        config.environments[environment],
        region=region,
        image_repository_uri=REPOSITORY_URI,
        app_role_arn=APP_ROLE_ARN,
        target_group_arn=TARGET_GROUP_ARN,
    )


def by_kind(manifests: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    kinds = [manifest["kind"] for manifest in manifests]
    assert len(kinds) == len(set(kinds)), f"one manifest per kind expected, got {kinds}"
    return {manifest["kind"]: manifest for manifest in manifests}


@pytest.fixture(scope="module", params=SERVING, ids=SERVING_IDS)
def target(request: pytest.FixtureRequest, defaults: ProjectConfig) -> tuple[str, str, dict[str, dict[str, Any]]]:
    environment, region = request.param
    return environment, region, by_kind(workload_manifests(inputs_for(defaults, environment, region)))


def container_of(manifests: dict[str, dict[str, Any]]) -> dict[str, Any]:
    (container,) = manifests["Deployment"]["spec"]["template"]["spec"]["containers"]
    return container


# --- Purity ---------------------------------------------------------------------------------------


def test_the_package_imports_without_aws_cdk() -> None:
    probe = (
        "import sys, genai_infra.kubernetes, genai_infra.config; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('aws_cdk', 'jsii', 'constructs')))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_this_test_module_imports_no_aws_cdk() -> None:
    tree = ast.parse(Path(__file__).read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not {name for name in imported if name.split(".")[0] in ("aws_cdk", "jsii", "constructs")}


def test_service_account_matches_the_irsa_trust() -> None:
    """The IRSA construct (a jsii module) trusts exactly this service account; read it without importing."""
    irsa = ast.parse((SRC / "genai_infra" / "constructs" / "irsa.py").read_text(encoding="utf-8"))
    (value,) = [
        node.value
        for node in irsa.body
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "APP_SERVICE_ACCOUNT" for t in node.targets)
    ]
    assert ast.literal_eval(value) == (NAMESPACE, SERVICE_ACCOUNT_NAME)
    assert SERVICE_ACCOUNT_SUBJECT == "system:serviceaccount:default:genai-demo-app"


# --- Every value of the issue, per environment and region ----------------------------------------


def test_manifests_and_their_order(target: tuple[str, str, dict[str, dict[str, Any]]]) -> None:
    _, _, manifests = target
    assert list(manifests) == [
        "ServiceAccount",
        "Deployment",
        "Service",
        "PodDisruptionBudget",
        "TriggerAuthentication",
        "ScaledObject",
        "TargetGroupBinding",
    ]
    for manifest in manifests.values():
        assert manifest["metadata"]["namespace"] == "default"


def test_service_account_carries_the_app_role(target: tuple[str, str, dict[str, dict[str, Any]]]) -> None:
    _, _, manifests = target
    account = manifests["ServiceAccount"]
    assert account["metadata"]["name"] == "genai-demo-app"
    assert account["metadata"]["namespace"] == "default"
    assert account["metadata"]["annotations"] == {"eks.amazonaws.com/role-arn": APP_ROLE_ARN}


def test_deployment_resources_of_the_spec(target: tuple[str, str, dict[str, dict[str, Any]]]) -> None:
    _, _, manifests = target
    assert manifests["Deployment"]["metadata"]["name"] == "genai-demo-app"
    assert container_of(manifests)["resources"] == {
        "requests": {"cpu": "100m", "memory": "128Mi"},
        "limits": {"cpu": "500m", "memory": "512Mi"},
    }


def test_deployment_probes_of_the_spec(target: tuple[str, str, dict[str, dict[str, Any]]]) -> None:
    _, _, manifests = target
    container = container_of(manifests)
    assert container["livenessProbe"] == {
        "httpGet": {"path": "/actuator/health/liveness", "port": "http", "scheme": "HTTP"},
        "initialDelaySeconds": 30,
        "periodSeconds": 10,
        "timeoutSeconds": 5,
        "failureThreshold": 3,
    }
    assert container["readinessProbe"] == {
        "httpGet": {"path": "/actuator/health/readiness", "port": "http", "scheme": "HTTP"},
        "initialDelaySeconds": 10,
        "periodSeconds": 5,
        "timeoutSeconds": 3,
        "failureThreshold": 3,
    }
    # The named port the probes use is the container's 8080.
    assert container["ports"] == [{"name": "http", "containerPort": 8080, "protocol": "TCP"}]


def test_deployment_environment(target: tuple[str, str, dict[str, dict[str, Any]]]) -> None:
    environment, region, manifests = target
    env = {item["name"]: item["value"] for item in container_of(manifests)["env"]}
    assert env == {
        "SPRING_PROFILES_ACTIVE": PROFILES[environment],
        # Decision C8: the heap stays below the 512Mi limit; the document's -Xmx512m would be OOM-killed.
        "JAVA_OPTS": "-Xms256m -Xmx384m -XX:+UseG1GC",
        "AWS_REGION": region,
        # Traces go to the observability add-on's CloudWatch agent on the pod's own node (its Service
        # has internalTrafficPolicy Local): OTLP over gRPC, and the X-Ray SDK's daemon address.
        "OTEL_SERVICE_NAME": "genai-demo-app",
        "OTEL_RESOURCE_ATTRIBUTES": f"service.name=genai-demo-app,deployment.environment={environment}",
        "OTEL_EXPORTER_OTLP_ENDPOINT": "http://cloudwatch-agent.amazon-cloudwatch:4317",
        "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
        "OTEL_TRACES_EXPORTER": "otlp",
        "OTEL_METRICS_EXPORTER": "none",
        "OTEL_LOGS_EXPORTER": "none",
        "OTEL_PROPAGATORS": "tracecontext,baggage,xray",
        # The spec's "X-Ray Sampling: 10% sampling rate", honouring the caller's decision.
        "OTEL_TRACES_SAMPLER": "parentbased_traceidratio",
        "OTEL_TRACES_SAMPLER_ARG": "0.1",
        "AWS_XRAY_DAEMON_ADDRESS": "cloudwatch-agent.amazon-cloudwatch:2000",
        "AWS_XRAY_TRACING_NAME": "genai-demo-app",
        "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
    }


def test_trace_sampling_follows_the_configuration() -> None:
    config = load_config(overrides=["environments.staging.observability.xray_sampling_rate=0.25"])
    env = {
        item["name"]: item["value"]
        for item in container_of(by_kind(workload_manifests(inputs_for(config, "staging", "ap-east-2"))))["env"]
    }
    assert env["OTEL_TRACES_SAMPLER_ARG"] == "0.25"


def test_deployment_security_context(target: tuple[str, str, dict[str, dict[str, Any]]]) -> None:
    _, _, manifests = target
    pod = manifests["Deployment"]["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] > 0
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert container_of(manifests)["securityContext"] == {
        "runAsNonRoot": True,
        "readOnlyRootFilesystem": True,
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    # With a read-only root, the JVM and Tomcat write only to the /tmp emptyDir.
    assert container_of(manifests)["volumeMounts"] == [{"name": "tmp", "mountPath": "/tmp"}]
    assert pod["volumes"] == [{"name": "tmp", "emptyDir": {"sizeLimit": "256Mi"}}]


def test_deployment_identity_image_and_spread(target: tuple[str, str, dict[str, dict[str, Any]]]) -> None:
    _, _, manifests = target
    deployment = manifests["Deployment"]["spec"]
    pod = deployment["template"]["spec"]
    assert pod["serviceAccountName"] == "genai-demo-app"
    assert container_of(manifests)["image"] == f"{REPOSITORY_URI}:1.0.0"
    # KEDA's HPA owns the replica count (C7); a count here would reset it on every update.
    assert "replicas" not in deployment
    assert deployment["selector"]["matchLabels"] == {"app.kubernetes.io/name": "genai-demo-app"}
    (spread,) = pod["topologySpreadConstraints"]
    assert spread["topologyKey"] == "topology.kubernetes.io/zone"
    assert spread["maxSkew"] == 1
    assert spread["labelSelector"] == deployment["selector"]
    labels = deployment["template"]["metadata"]["labels"]
    assert deployment["selector"]["matchLabels"].items() <= labels.items()


def test_service_and_disruption_budget_select_the_pods(target: tuple[str, str, dict[str, dict[str, Any]]]) -> None:
    _, _, manifests = target
    pod_labels = manifests["Deployment"]["spec"]["template"]["metadata"]["labels"]
    service = manifests["Service"]
    assert service["metadata"]["name"] == "genai-demo-app"
    assert service["spec"]["type"] == "ClusterIP"
    assert service["spec"]["selector"].items() <= pod_labels.items()
    assert service["spec"]["ports"] == [{"name": "http", "port": 8080, "targetPort": "http", "protocol": "TCP"}]
    budget = manifests["PodDisruptionBudget"]["spec"]
    assert budget["selector"]["matchLabels"].items() <= pod_labels.items()
    # One pod at a time, so the two minimum replicas never go down together.
    assert budget["maxUnavailable"] == 1


def test_scaled_object_of_decision_c7(target: tuple[str, str, dict[str, dict[str, Any]]]) -> None:
    environment, region, manifests = target
    spec = manifests["ScaledObject"]["spec"]
    assert spec["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "genai-demo-app"}
    assert spec["scaleTargetRef"]["name"] == manifests["Deployment"]["metadata"]["name"]
    assert (spec["minReplicaCount"], spec["maxReplicaCount"]) == (2, 10)
    triggers = {trigger["type"]: trigger for trigger in spec["triggers"]}
    assert list(triggers) == ["cpu", "memory", "aws-cloudwatch"]
    assert triggers["cpu"]["metricType"] == "Utilization"
    assert triggers["cpu"]["metadata"] == {"value": "70"}
    assert triggers["memory"]["metricType"] == "Utilization"
    assert triggers["memory"]["metadata"] == {"value": "80"}
    thread_pool = triggers["aws-cloudwatch"]
    assert thread_pool["metricType"] == "Value"
    assert thread_pool["authenticationRef"] == {"name": TRIGGER_AUTHENTICATION_NAME}
    assert thread_pool["metadata"] == {
        "awsRegion": region,
        "namespace": "GenAIDemo",
        "metricName": "tomcat.threads.busy",
        "dimensionName": "environment",
        "dimensionValue": environment,
        "metricStat": "Average",
        "metricStatPeriod": "60",
        "metricCollectionTime": "300",
        "targetMetricValue": "140",
        "minMetricValue": "0",
    }
    # No HPA of its own: KEDA creates the only one (C7).
    assert "HorizontalPodAutoscaler" not in manifests


def test_keda_reads_cloudwatch_with_its_own_identity(target: tuple[str, str, dict[str, dict[str, Any]]]) -> None:
    _, _, manifests = target
    authentication = manifests["TriggerAuthentication"]
    assert authentication["metadata"]["name"] == TRIGGER_AUTHENTICATION_NAME
    assert authentication["spec"] == {"podIdentity": {"provider": "aws", "identityOwner": "keda"}}
    assert KEDA_CLOUDWATCH_ACTIONS == ("cloudwatch:GetMetricData",)


def test_target_group_binding_of_decision_s1(target: tuple[str, str, dict[str, dict[str, Any]]]) -> None:
    _, _, manifests = target
    binding = manifests["TargetGroupBinding"]
    assert binding["apiVersion"] == "elbv2.k8s.aws/v1beta1"
    assert binding["spec"] == {
        "targetGroupARN": TARGET_GROUP_ARN,
        "targetType": "ip",
        "serviceRef": {"name": "genai-demo-app", "port": 8080},
    }
    assert binding["spec"]["serviceRef"]["name"] == manifests["Service"]["metadata"]["name"]
    assert binding["spec"]["serviceRef"]["port"] == manifests["Service"]["spec"]["ports"][0]["port"]


def test_constants_for_the_cluster_side() -> None:
    assert (APP_NAME, NAMESPACE, SERVICE_ACCOUNT_NAME) == ("genai-demo-app", "default", "genai-demo-app")
    assert (CONTAINER_PORT, SERVICE_PORT, TARGET_TYPE) == (8080, 8080, "ip")


# --- Offline validation ---------------------------------------------------------------------------


NEWEST_BUNDLED = kubernetes_validate.utils.major_minor(kubernetes_validate.latest_version())


def schema_version_for(cluster_version: str) -> tuple[str, str]:
    """The Kubernetes schema version to validate with, and a sentence that says which and why.

    The cluster's own version when kubernetes-validate bundles it; when the cluster is newer than
    the newest bundled schemas, the newest bundled ones, and the sentence says so.
    """
    if Version(cluster_version) > Version(NEWEST_BUNDLED):
        return NEWEST_BUNDLED, (
            f"cluster {cluster_version} is newer than the newest schemas kubernetes-validate bundles; "
            f"validated against Kubernetes {NEWEST_BUNDLED} instead"
        )
    return cluster_version, f"validated against the schemas of the cluster's Kubernetes {cluster_version}"


def test_schema_choice() -> None:
    """kubernetes-validate 1.37.0 bundles schemas up to 1.37; the cluster's 1.36 (decision V1) is covered."""
    assert Version(NEWEST_BUNDLED) >= Version("1.37")
    assert schema_version_for("1.36")[0] == "1.36"
    newer = f"1.{Version(NEWEST_BUNDLED).minor + 1}"
    version, why = schema_version_for(newer)
    assert version == NEWEST_BUNDLED
    assert f"cluster {newer} is newer than the newest schemas" in why


def _validation_cases() -> list[Any]:
    config = load_config()
    cases = []
    for environment, region in SERVING:
        cluster_version = config.environments[environment].regions[region].eks.kubernetes_version
        schema_version, why = schema_version_for(cluster_version)
        label = f"k8s-{schema_version}" + (
            "" if schema_version == cluster_version else f"-for-cluster-{cluster_version}"
        )
        cases.append(pytest.param(environment, region, schema_version, why, id=f"{environment}-{region}-{label}"))
    return cases


@pytest.mark.parametrize(("environment", "region", "schema_version", "why"), _validation_cases())
def test_builtin_kinds_validate_strictly(
    defaults: ProjectConfig, environment: str, region: str, schema_version: str, why: str
) -> None:
    if why.startswith("cluster"):
        warnings.warn(why, stacklevel=1)
    builtin = [m for m in workload_manifests(inputs_for(defaults, environment, region)) if "." not in m["apiVersion"]]
    assert {m["kind"] for m in builtin} == {"ServiceAccount", "Deployment", "Service", "PodDisruptionBudget"}
    for manifest in builtin:
        validated = kubernetes_validate.validate(manifest, schema_version, strict=True)
        assert validated == schema_version, why


@pytest.mark.parametrize(("environment", "region"), SERVING, ids=SERVING_IDS)
def test_custom_resources_fit_their_crds(defaults: ProjectConfig, environment: str, region: str) -> None:
    custom = [m for m in workload_manifests(inputs_for(defaults, environment, region)) if "." in m["apiVersion"]]
    assert {(m["apiVersion"], m["kind"]) for m in custom} == set(CRD_SCHEMAS)
    for manifest in custom:
        validate_custom_resource(manifest)


def test_strict_validation_refuses_a_misspelt_field(defaults: ProjectConfig) -> None:
    deployment = by_kind(workload_manifests(inputs_for(defaults, "production", "ap-east-2")))["Deployment"]
    broken = copy.deepcopy(deployment)
    broken["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = broken["spec"]["template"]["spec"][
        "containers"
    ][0].pop("readinessProbe")
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, "1.36", strict=True)


@pytest.mark.parametrize(
    ("kind", "path", "value"),
    [
        ("ScaledObject", ("spec", "triggers", 0, "metricType"), "Percent"),
        ("ScaledObject", ("spec", "triggers", 2, "metadata", "targetMetricValue"), 140),
        ("ScaledObject", ("spec", "scaleTargetRef", "deployment"), "genai-demo-app"),
        ("TriggerAuthentication", ("spec", "podIdentity", "provider"), "aws-irsa"),
        ("TargetGroupBinding", ("spec", "targetType"), "pod"),
        ("TargetGroupBinding", ("spec", "targetGroupARN"), ""),
    ],
    ids=["metric-type", "metadata-not-a-string", "unknown-field", "provider", "target-type", "empty-arn"],
)
def test_crd_checks_refuse_wrong_fields(
    defaults: ProjectConfig, kind: str, path: tuple[str | int, ...], value: Any
) -> None:
    manifest = copy.deepcopy(by_kind(workload_manifests(inputs_for(defaults, "staging", "ap-east-2")))[kind])
    node: Any = manifest
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(jsonschema.ValidationError):
        validate_custom_resource(manifest)


def test_thread_pool_trigger_metadata_is_complete(defaults: ProjectConfig) -> None:
    """The aws-cloudwatch scaler needs a region, a metric (namespace, name, dimensions) and a numeric target."""
    so = by_kind(workload_manifests(inputs_for(defaults, "production", "ap-northeast-1")))["ScaledObject"]
    (trigger,) = [t for t in so["spec"]["triggers"] if t["type"] == "aws-cloudwatch"]
    metadata = trigger["metadata"]
    assert {"awsRegion", "namespace", "metricName", "dimensionName", "dimensionValue"} <= set(metadata)
    assert len(metadata["dimensionName"].split(";")) == len(metadata["dimensionValue"].split(";"))
    assert float(metadata["targetMetricValue"]) > float(metadata["minMetricValue"])
    assert int(metadata["metricCollectionTime"]) >= int(metadata["metricStatPeriod"])


# --- Rendering and determinism --------------------------------------------------------------------


def test_render_yaml_round_trips(defaults: ProjectConfig) -> None:
    manifests = workload_manifests(inputs_for(defaults, "staging", "ap-east-2"))
    text = render_yaml(manifests)
    assert text.startswith("---\n")
    assert list(yaml.safe_load_all(text)) == manifests


def test_manifests_are_deterministic(defaults: ProjectConfig) -> None:
    first = render_yaml(workload_manifests(inputs_for(defaults, "production", "ap-east-2")))
    second = render_yaml(workload_manifests(inputs_for(load_config(), "production", "ap-east-2")))
    assert first == second


# --- Inputs and configuration ---------------------------------------------------------------------


def test_image_tag_comes_from_configuration() -> None:
    config = load_config(overrides=["environments.production.workload.image_tag=1.4.2"])
    manifests = by_kind(workload_manifests(inputs_for(config, "production", "ap-east-2")))
    assert container_of(manifests)["image"] == f"{REPOSITORY_URI}:1.4.2"
    staging = by_kind(workload_manifests(inputs_for(config, "staging", "ap-east-2")))
    assert container_of(staging)["image"] == f"{REPOSITORY_URI}:1.0.0"


def test_an_override_changes_only_its_environment() -> None:
    config = load_config(overrides=["environments.staging.workload.max_replicas=4"])
    assert config.environments["staging"].workload.max_replicas == 4
    assert config.environments["production"].workload.max_replicas == 10
    assert config.environments["development"].workload.max_replicas == 10


@pytest.mark.parametrize(
    ("field", "value", "phrase"),
    [
        ("environment", "", "WorkloadInputs.environment is empty"),
        ("app_role_arn", "", "WorkloadInputs.app_role_arn is empty"),
        ("target_group_arn", "", "WorkloadInputs.target_group_arn is empty"),
        ("region", "${Token[AWS.Region.1]}", "is not an AWS region name"),
        ("trace_sampling_rate", 0.0, "trace_sampling_rate 0.0 is not in"),
    ],
)
def test_inputs_refuse_missing_values(defaults: ProjectConfig, field: str, value: object, phrase: str) -> None:
    good = inputs_for(defaults, "development", "ap-northeast-1")
    values = {name: getattr(good, name) for name in good.__dataclass_fields__}
    values[field] = value
    with pytest.raises(ValueError, match=phrase.replace("$", r"\$").replace("[", r"\[")):
        WorkloadInputs(**values)


WORKLOAD = "environments.production.workload"
REFUSED_WORKLOADS = {
    "min-above-max": (
        [f"{WORKLOAD}.min_replicas=6", f"{WORKLOAD}.max_replicas=4"],
        "workload replicas must satisfy min <= max, got min 6, max 4",
    ),
    "cpu-request-above-limit": ([f"{WORKLOAD}.requests.cpu=1"], "the cpu request 1 exceeds its limit 500m"),
    "memory-request-above-limit": (
        [f"{WORKLOAD}.requests.memory=1Gi"],
        "the memory request 1Gi exceeds its limit 512Mi",
    ),
    "document-heap-c8": (
        [f"{WORKLOAD}.java_opts=-Xms256m -Xmx512m -XX:+UseG1GC"],
        "JAVA_OPTS sets a heap of 512 MiB, which does not fit the memory limit 512Mi (decision C8)",
    ),
    "xms-above-xmx": ([f"{WORKLOAD}.java_opts=-Xms400m -Xmx384m"], "JAVA_OPTS sets -Xms above -Xmx"),
    "bad-quantity": ([f"{WORKLOAD}.limits.memory=512MB"], "'512MB' is not a Kubernetes quantity"),
    "probe-timeout": (
        [f"{WORKLOAD}.readiness.timeout_seconds=9"],
        "probe /actuator/health/readiness times out after 9 s but runs every 5 s",
    ),
    "budget-evicts-all": ([f"{WORKLOAD}.max_unavailable=2"], "max_unavailable 2 would let a drain evict every one"),
    "thread-pool-window": (
        [f"{WORKLOAD}.thread_pool.collection_seconds=60", f"{WORKLOAD}.thread_pool.period_seconds=120"],
        "the thread-pool trigger collects 60 s of data, shorter than its 120 s period",
    ),
    "image-tag": ([f"{WORKLOAD}.image_tag=:latest"], f"invalid configuration at {WORKLOAD}.image_tag"),
}


@pytest.mark.parametrize(("overrides", "phrase"), list(REFUSED_WORKLOADS.values()), ids=list(REFUSED_WORKLOADS.keys()))
def test_refused_workload(overrides: list[str], phrase: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(overrides=overrides)
    message = str(raised.value)
    assert phrase in message
    assert WORKLOAD in message
    assert "\n" not in message
    assert message.endswith(".")


def test_requests_equal_to_limits_are_accepted() -> None:
    config = load_config(overrides=[f"{WORKLOAD}.requests.cpu=0.5", f"{WORKLOAD}.requests.memory=512Mi"])
    assert config.environments["production"].workload.requests.cpu == "0.5"


def test_a_single_replica_may_be_evicted() -> None:
    """min_replicas 1 is allowed (for a cost-cut override); its budget must not block node drains."""
    config = load_config(overrides=[f"{WORKLOAD}.min_replicas=1"])
    manifests = by_kind(workload_manifests(inputs_for(config, "production", "ap-east-2")))
    assert manifests["ScaledObject"]["spec"]["minReplicaCount"] == 1
    assert manifests["PodDisruptionBudget"]["spec"]["maxUnavailable"] == 1


# --- The `genai-infra manifests` command ----------------------------------------------------------


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "genai_infra.cli.main", "manifests", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cli_prints_the_manifests_of_a_region() -> None:
    result = run_cli("--env", "production", "--region", "ap-northeast-1")
    assert result.returncode == 0, result.stderr
    documents = by_kind(list(yaml.safe_load_all(result.stdout)))
    assert documents["ServiceAccount"]["metadata"]["annotations"]["eks.amazonaws.com/role-arn"] == (
        "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/genai-demo-production-ap-northeast-1-app-role"
    )
    env = {item["name"]: item["value"] for item in container_of(documents)["env"]}
    assert env["AWS_REGION"] == "ap-northeast-1"


def test_cli_refuses_the_global_region() -> None:
    result = run_cli("--env", "staging", "--region", "us-east-1")
    assert result.returncode == 1
    assert "us-east-1 is the global region of staging and runs no cluster" in result.stderr
    assert "Traceback" not in result.stderr
