"""The emulator with real servers behind Aurora and ElastiCache (`--local-servers`, issue 18 item 4).

The emulator runs in a subprocess, as scripts/deploy-local.sh starts it, with PostgreSQL 15 and
Redis 7 on loopback (Debian's packages, scripts/test-services.sh; without them these tests skip).
Small hand-written stacks create what RdsStack and ElastiCacheStack create: a generated master
secret, a cluster whose master password resolves from it, an instance, the app database user's
function and custom resource; a generated AUTH token and a replication group using it. The tests
then log in the way `validate` does, and show that a wrong password is refused.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from genai_infra.config import load_config
from genai_infra.emulator import local_servers
from genai_infra.naming import APP_DATABASE_USER, data_resource_id, secret_name
from genai_infra.targets import targets_of
from genai_infra.validation import probes
from genai_infra.validation.suite import ProbeOptions, _postgres
from tests.emulated import bootstrap, cli, emulator_client, running_emulator, seed_hosted_zone, use_endpoint

__all__ = ["cli"]  # the shared CLI fixture (tests/emulated.py)

ENVIRONMENT = load_config().environments["development"]
REGION = ENVIRONMENT.primary_region
MISSING = local_servers.missing_binaries()
pytestmark = pytest.mark.skipif(
    bool(MISSING), reason=f"{', '.join(MISSING)} not installed; run scripts/test-services.sh"
)


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    directory = tmp_path_factory.mktemp("local-servers")
    log = directory.parent / f"{directory.name}-emulator.log"
    with running_emulator(log, "--local-servers", str(directory)) as endpoint:
        described = json.loads((directory / local_servers.DESCRIPTION_FILE).read_text())
        yield {"endpoint": endpoint, **described}


def client(emulator: dict[str, Any], service: str) -> Any:
    return emulator_client(emulator["endpoint"], service, REGION)


def deploy(emulator: dict[str, Any], name: str, resources: dict[str, Any]) -> dict[str, Any]:
    cloudformation = client(emulator, "cloudformation")
    cloudformation.create_stack(StackName=name, TemplateBody=json.dumps({"Resources": resources}))
    stack: dict[str, Any] = cloudformation.describe_stacks(StackName=name)["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack
    return stack


AURORA_ID = data_resource_id(ENVIRONMENT.name, REGION, ENVIRONMENT.primary_region, "aurora")
AURORA = ENVIRONMENT.regions[REGION].aurora
MASTER_SECRET = secret_name(ENVIRONMENT.name, "aurora", "master")
RESOLVE = "{{resolve:secretsmanager:" + MASTER_SECRET + ":SecretString:%s}}"


@pytest.fixture(scope="module")
def aurora(emulator: dict[str, Any]) -> dict[str, Any]:
    """What RdsStack creates for the probes: secret, cluster, instance, the app user's function and resource."""
    deploy(
        emulator,
        "aurora",
        {
            "Secret": {
                "Type": "AWS::SecretsManager::Secret",
                "Properties": {
                    "Name": MASTER_SECRET,
                    "GenerateSecretString": {
                        "SecretStringTemplate": json.dumps({"username": AURORA.master_username}),
                        "GenerateStringKey": "password",
                        "ExcludeCharacters": " %+~`#$&*()|[]{}:;<>?!'/@\"\\",
                        "PasswordLength": 30,
                    },
                },
            },
            "Cluster": {
                "Type": "AWS::RDS::DBCluster",
                "DependsOn": ["Secret"],
                "Properties": {
                    "DBClusterIdentifier": AURORA_ID,
                    "Engine": "aurora-postgresql",
                    "EngineVersion": "16.6",
                    "MasterUsername": RESOLVE % "username",
                    "MasterUserPassword": RESOLVE % "password",
                    "DatabaseName": AURORA.database_name,
                    "EnableIAMDatabaseAuthentication": True,
                },
            },
            "Writer": {
                "Type": "AWS::RDS::DBInstance",
                "Properties": {
                    "DBClusterIdentifier": {"Ref": "Cluster"},
                    "DBInstanceClass": "db.serverless",
                    "Engine": "aurora-postgresql",
                },
            },
            "Role": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "lambda.amazonaws.com"},
                                "Action": "sts:AssumeRole",
                            }
                        ],
                    }
                },
            },
            "Function": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Runtime": "python3.12",
                    "Handler": "index.handler",
                    "Role": {"Fn::GetAtt": ["Role", "Arn"]},
                    "Code": {"ZipFile": "def handler(event, context):\n    raise RuntimeError('not invoked')\n"},
                    "Environment": {
                        "Variables": {
                            "MASTER_SECRET_ARN": {"Ref": "Secret"},
                            "DATABASE_HOST": {"Fn::GetAtt": ["Cluster", "Endpoint.Address"]},
                            "DATABASE_PORT": {"Fn::GetAtt": ["Cluster", "Endpoint.Port"]},
                            "DATABASE_NAME": AURORA.database_name,
                        }
                    },
                },
            },
            "User": {
                "Type": "Custom::AppDatabaseUser",
                "DependsOn": ["Writer"],
                "Properties": {"ServiceToken": {"Fn::GetAtt": ["Function", "Arn"]}, "UserName": APP_DATABASE_USER},
            },
        },
    )
    secret = json.loads(client(emulator, "secretsmanager").get_secret_value(SecretId=MASTER_SECRET)["SecretString"])
    cluster = client(emulator, "rds").describe_db_clusters(DBClusterIdentifier=AURORA_ID)["DBClusters"][0]
    return {"secret": secret, "cluster": cluster}


def login(emulator: dict[str, Any], cluster: dict[str, Any], user: str, password: str) -> probes.CheckResult:
    return probes.postgres_connect(
        label="writer",
        host=cluster["Endpoint"],
        port=int(cluster["Port"]),
        user=user,
        password=password,
        dbname=AURORA.database_name,
        timeout=5.0,
        expect_writer=True,
        sslmode="verify-full",
        sslrootcert=emulator["ca_file"],
    )


def test_aurora_endpoints_are_the_local_postgres_and_the_generated_secret_logs_in(
    emulator: dict[str, Any], aurora: dict[str, Any]
) -> None:
    cluster, secret = aurora["cluster"], aurora["secret"]
    assert (cluster["Endpoint"], cluster["ReaderEndpoint"], cluster["Port"]) == (
        emulator["host"],
        emulator["host"],
        emulator["postgres_port"],
    )
    instance = client(emulator, "rds").describe_db_instances(
        Filters=[{"Name": "db-cluster-id", "Values": [AURORA_ID]}]
    )["DBInstances"][0]
    assert instance["Endpoint"] == {"Address": emulator["host"], "Port": emulator["postgres_port"]}
    # The password moto generated for the secret is the master's real password, over verified TLS.
    assert len(secret["password"]) == 30
    ok = login(emulator, cluster, secret["username"], secret["password"])
    assert ok.passed, ok.reason
    assert "writable, PostgreSQL 15." in ok.reason
    wrong = login(emulator, cluster, secret["username"], secrets.token_urlsafe(24))
    assert not wrong.passed
    assert "password authentication failed" in wrong.reason


def test_the_app_database_user_is_created_by_the_projects_sql(emulator: dict[str, Any], aurora: dict[str, Any]) -> None:
    cluster, secret = aurora["cluster"], aurora["secret"]
    result = probes.postgres_app_user(
        label="writer",
        host=cluster["Endpoint"],
        port=int(cluster["Port"]),
        master_user=secret["username"],
        master_password=secret["password"],
        dbname=AURORA.database_name,
        app_user=APP_DATABASE_USER,
        timeout=5.0,
        sslmode="verify-full",
        sslrootcert=emulator["ca_file"],
    )
    assert result.passed, result.reason
    assert result.reason == f"LOGIN, member of rds_iam, CONNECT on {AURORA.database_name}, USAGE and CREATE on public"
    # A user the custom resource did not create is reported missing: the check can fail.
    absent = probes.postgres_app_user(
        label="writer",
        host=cluster["Endpoint"],
        port=int(cluster["Port"]),
        master_user=secret["username"],
        master_password=secret["password"],
        dbname=AURORA.database_name,
        app_user="nobody_here",
        timeout=5.0,
        sslmode="verify-full",
        sslrootcert=emulator["ca_file"],
    )
    assert not absent.passed
    assert "no role nobody_here" in absent.reason
    # The master is not what S8 asks of the app user: no rds_iam, and it may create roles and databases.
    master = probes.postgres_app_user(
        label="writer",
        host=cluster["Endpoint"],
        port=int(cluster["Port"]),
        master_user=secret["username"],
        master_password=secret["password"],
        dbname=AURORA.database_name,
        app_user=secret["username"],
        timeout=5.0,
        sslmode="verify-full",
        sslrootcert=emulator["ca_file"],
    )
    assert (master.passed, master.reason) == (False, "lacks rds_iam; has SUPERUSER, CREATEROLE or CREATEDB")


def test_validate_reports_the_iam_login_as_skipped_never_as_passed(
    emulator: dict[str, Any], aurora: dict[str, Any]
) -> None:
    def clients(region: str, service: str) -> Any:
        return client(emulator, service)

    options = ProbeOptions(timeout=5.0, postgres_root_cert=emulator["ca_file"], iam_login=False)
    results = {r.name: r for r in _postgres(ENVIRONMENT, REGION, clients, options, AURORA_ID)}
    where = f"{emulator['host']}:{emulator['postgres_port']}"
    assert [r.passed for n, r in results.items() if "(IAM)" not in n] == [True, True, True], results
    skipped = results[f"PostgreSQL writer as {APP_DATABASE_USER} (IAM) {where}"]
    assert (skipped.passed, skipped.skipped) == (False, True)
    assert "only Aurora verifies an RDS IAM token" in skipped.reason
    # Made anyway, the IAM login fails against a server that is not Aurora: nothing fakes it.
    attempted = _postgres(ENVIRONMENT, REGION, clients, ProbeOptions(timeout=5.0, iam_login=True), AURORA_ID)[-1]
    assert (attempted.passed, attempted.skipped) == (False, False)
    assert "password authentication failed" in attempted.reason


TOKEN_SECRET = secret_name(ENVIRONMENT.name, "redis", "auth-token")


def test_redis_endpoint_is_the_local_server_and_requires_the_groups_token(emulator: dict[str, Any]) -> None:
    deploy(
        emulator,
        "redis",
        {
            "Token": {
                "Type": "AWS::SecretsManager::Secret",
                "Properties": {
                    "Name": TOKEN_SECRET,
                    "GenerateSecretString": {"ExcludePunctuation": True, "PasswordLength": 64},
                },
            },
            "Group": {
                "Type": "AWS::ElastiCache::ReplicationGroup",
                "DependsOn": ["Token"],
                "Properties": {
                    "ReplicationGroupId": "genai-demo-development-redis",
                    "ReplicationGroupDescription": "probe test",
                    "Engine": "redis",
                    "CacheNodeType": "cache.t4g.small",
                    "NumCacheClusters": 2,
                    "TransitEncryptionEnabled": True,
                    "AuthToken": "{{resolve:secretsmanager:" + TOKEN_SECRET + ":SecretString:::}}",  # as CDK writes it
                },
            },
        },
    )
    group = client(emulator, "elasticache").describe_replication_groups(
        ReplicationGroupId="genai-demo-development-redis"
    )["ReplicationGroups"][0]
    endpoint = group["NodeGroups"][0]["PrimaryEndpoint"]
    assert endpoint == {"Address": emulator["host"], "Port": emulator["redis_port"]}
    token = client(emulator, "secretsmanager").get_secret_value(SecretId=TOKEN_SECRET)["SecretString"]

    def ping(password: str) -> probes.CheckResult:
        return probes.redis_ping(
            label="primary",
            host=endpoint["Address"],
            port=int(endpoint["Port"]),
            password=password,
            timeout=5.0,
            ca_file=emulator["ca_file"],
        )

    ok = ping(token)
    assert ok.passed, ok.reason
    assert ok.reason.startswith("PONG over TLS with AUTH, Redis 7.")
    wrong = ping(secrets.token_urlsafe(32))
    assert not wrong.passed
    assert wrong.reason.startswith("AUTH refused")


def test_missing_servers_are_one_sentence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(local_servers, "missing_binaries", lambda: ["redis-server"])
    with (
        pytest.raises(
            local_servers.LocalServersError, match=r"^redis-server not found; install .+test-services\.sh`\.$"
        ),
        local_servers.started(tmp_path),
    ):
        pass
    assert not (tmp_path / local_servers.DESCRIPTION_FILE).exists()


# --- Integration: the whole development environment, validated with probes -----------------------------


@pytest.mark.integration
def test_development_validates_with_probes_against_the_local_servers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Any
) -> None:
    """Deployed through the real CDK CLI into the emulator with --local-servers, development passes
    validate's PostgreSQL and Redis probes with its own generated secrets; the IAM login is reported
    skipped; and with wrong passwords in those secrets the same probes fail."""
    servers = tmp_path / "servers"
    with running_emulator(tmp_path / "emulator.log", "--local-servers", str(servers)) as endpoint:
        regions = [t.region for t in targets_of(ENVIRONMENT)]
        use_endpoint(monkeypatch, tmp_path, endpoint, regions[0])
        for region in regions:
            bootstrap(region, tmp_path)
        seed_hosted_zone(regions)
        deployed = cli("deploy", "--env", "development", "--out", str(tmp_path / "out"))
        assert deployed.exit_code == 0, deployed.output[-4000:]

        def validate() -> dict[str, dict[str, Any]]:
            ran = cli(
                "validate", "--env", "development", "--format", "json", "--timeout", "5",
                "--ca-bundle", str(servers / "ca.pem"), "--no-iam-login",
            )  # fmt: skip
            report, _ = json.JSONDecoder().raw_decode(ran.output[ran.output.index("{") :])
            return {r["location"]: r for r in report["results"]}

        described = json.loads((servers / local_servers.DESCRIPTION_FILE).read_text())
        postgres = f"127.0.0.1:{described['postgres_port']}"
        probed = {
            f"PostgreSQL writer {postgres}": "connected as genaidemo_admin over TLS, writable",
            f"PostgreSQL reader {postgres}": "connected as genaidemo_admin over TLS",
            f"PostgreSQL writer user {APP_DATABASE_USER} {postgres}": "LOGIN, member of rds_iam",
            f"Redis primary 127.0.0.1:{described['redis_port']}": "PONG over TLS with AUTH, Redis 7.",
        }
        iam = f"PostgreSQL writer as {APP_DATABASE_USER} (IAM) {postgres}"
        results = validate()
        for name, reason in probed.items():
            assert results[name]["passed"], results[name]
            assert results[name]["message"].startswith(reason), results[name]
        assert (results[iam]["passed"], results[iam]["severity"]) == (False, "warning")

        # Wrong passwords in the deployed secrets: the same probes fail (AUTH and SCRAM are real).
        manager = boto3.client("secretsmanager", region_name=regions[0])
        master = json.loads(manager.get_secret_value(SecretId=MASTER_SECRET)["SecretString"])
        manager.put_secret_value(SecretId=MASTER_SECRET, SecretString=json.dumps({**master, "password": "wrong"}))
        manager.put_secret_value(SecretId=TOKEN_SECRET, SecretString=secrets.token_urlsafe(32))
        results = validate()
        for name in probed:
            assert not results[name]["passed"], results[name]
        assert "password authentication failed" in results[f"PostgreSQL writer {postgres}"]["message"]
        assert results[f"Redis primary 127.0.0.1:{described['redis_port']}"]["message"].startswith("AUTH refused")
