"""Small named corrections of moto 5.2.5 behaviours that break a CDK deployment (issue 18, causes 1-13).

Each `fix_*` function patches one place in moto and says which behaviour it corrects; `FIXES`
applies them in order. They touch moto's internals, which is why requirements-dev.txt pins moto
exactly; tests/test_emulator.py shows each behaviour through the public APIs.
"""

from __future__ import annotations

import base64
import datetime
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from moto.awslambda import models as lambda_models
from moto.cloudformation import models as cfn_models
from moto.cloudformation import parsing
from moto.cloudformation import responses as cfn_responses
from moto.cloudformation.exceptions import ValidationError
from moto.core.responses import ActionResult
from moto.ec2.models import security_groups as ec2_security_groups
from moto.eks import models as eks_models
from moto.eks import responses as eks_responses
from moto.eks import urls as eks_urls
from moto.elbv2 import models as elbv2_models
from moto.iam import access_control, policy_conditions
from moto.kafka import models as kafka_models
from moto.kafka import responses as kafka_responses
from moto.kafka.exceptions import NotFoundException as KafkaNotFound
from moto.kms import models as kms_models
from moto.rds import models as rds_models
from moto.ssm import models as ssm_models

from genai_infra.emulator.loopback import LOOPBACK

Fix = Callable[[], None]


def patch(target: Any, name: str, value: Any) -> None:
    """Replace one attribute of a moto class or module (mypy cannot follow these by design)."""
    setattr(target, name, value)


def _wrap_create(model: type[Any], rewrite: Callable[[str, dict[str, Any]], None]) -> None:
    """Let `rewrite(resource_name, properties)` adjust a model's properties before moto creates it."""
    original = vars(model)["create_from_cloudformation_json"].__func__

    def create(
        cls: type[Any],
        /,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region: str,
        **kw: Any,
    ) -> Any:
        cloudformation_json.setdefault("Properties", {})
        rewrite(resource_name, cloudformation_json["Properties"])
        return original(cls, resource_name, cloudformation_json, account_id, region, **kw)

    patch(model, "create_from_cloudformation_json", classmethod(create))


def fix_kms_key_tags() -> None:
    """1. kms Key passes CloudFormation's [{Key, Value}] tags to a tagging service expecting TagKey/TagValue."""

    def rewrite(_: str, properties: dict[str, Any]) -> None:
        properties["Tags"] = [{"TagKey": t["Key"], "TagValue": t["Value"]} for t in properties.get("Tags", [])]

    _wrap_create(kms_models.Key, rewrite)


def fix_ssm_parameter_tags_and_name() -> None:
    """3. SSM Parameter passes CloudFormation's tag *map* where put_parameter expects a list;
    7. and uses Properties.Name only, so an unnamed parameter (EKS's kubectl barrier) has name None."""

    def rewrite(resource_name: str, properties: dict[str, Any]) -> None:
        tags = properties.get("Tags")
        if isinstance(tags, dict):
            properties["Tags"] = [{"Key": k, "Value": str(v)} for k, v in tags.items()]
        if not properties.get("Name"):
            properties["Name"] = resource_name

    _wrap_create(ssm_models.Parameter, rewrite)


def fix_missing_ssm_parameter_input() -> None:
    """4. An `AWS::SSM::Parameter::Value<>` input naming a parameter that does not exist gives
    'NoneType has no attribute value' (a server error); CloudFormation answers a validation error."""

    def parse_ssm_parameter(self: parsing.ResourceMap, value: str, value_type: str) -> Any:
        parameter = ssm_models.ssm_backends[self._account_id][self._region_name].get_parameter(value)
        if parameter is None:
            raise ValidationError(
                message=f"Unable to fetch parameters [{value}] from parameter store for this account."
            )
        if value_type.find("List") > 0:
            return parameter.value.split(",")
        return parameter.value

    patch(parsing.ResourceMap, "parse_ssm_parameter", parse_ssm_parameter)


def fix_failed_change_set_fails_the_stack() -> None:
    """2. A resource failing inside ExecuteChangeSet left the stack's new template in place (so the
    CLI's retry diffed to nothing) and moto then marked it CREATE_COMPLETE. Now the execution is
    answered like AWS's: the call succeeds, the stack ends ROLLBACK_COMPLETE (or UPDATE_ROLLBACK_
    COMPLETE) with a CREATE_FAILED event that names the resource, and the change set cannot run twice."""
    original = cfn_models.CloudFormationBackend.execute_change_set

    def execute_change_set(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
        change_set = _find_change_set(self, change_set_name, stack_name)
        if change_set.execution_status != "AVAILABLE":
            raise ValidationError(
                message=f"ChangeSet [{change_set.change_set_id}] cannot be executed in its current execution "
                f"status of [{change_set.execution_status}]"
            )
        stack = self.stacks[change_set.stack_id]
        resource_map = stack.resource_map
        before = (resource_map._template, resource_map._resource_json_map, stack.template)
        try:
            original(self, change_set.change_set_id, stack_name)
        except Exception as error:  # any failure of any resource fails the stack, as in AWS
            resource_map._template, resource_map._resource_json_map, stack.template = before
            logical_id = _failing_resource(resource_map, change_set.template_dict)
            reason = f"{type(error).__name__}: {error}"[:900]
            creating = change_set.change_set_type == "CREATE"
            _add_resource_event(stack, logical_id, change_set, "CREATE_FAILED" if creating else "UPDATE_FAILED", reason)
            stack._add_stack_event("ROLLBACK_IN_PROGRESS" if creating else "UPDATE_ROLLBACK_IN_PROGRESS", reason)
            stack.status = "ROLLBACK_COMPLETE" if creating else "UPDATE_ROLLBACK_COMPLETE"
            stack._add_stack_event(stack.status)
            change_set.execution_status = "EXECUTE_FAILED"

    patch(cfn_models.CloudFormationBackend, "execute_change_set", execute_change_set)


def _failing_resource(resource_map: Any, template: dict[str, Any]) -> str:
    """The first declared resource that moto did not create (the one whose creation raised)."""
    for logical_id, resource in template.get("Resources", {}).items():
        if logical_id not in resource_map._parsed_resources and parsing.resource_class_from_type(resource["Type"]):
            return str(logical_id)
    return "unknown"


def _add_resource_event(stack: Any, logical_id: str, change_set: Any, status: str, reason: str) -> None:
    resource = change_set.template_dict.get("Resources", {}).get(logical_id, {})
    stack.events.append(
        cfn_models.Event(
            stack_id=stack.stack_id,
            stack_name=stack.name,
            logical_resource_id=logical_id,
            physical_resource_id="",
            resource_type=resource.get("Type", "AWS::CloudFormation::Stack"),
            resource_status=status,
            resource_status_reason=reason,
            resource_properties=None,
        )
    )


def _find_change_set(backend: Any, name: str, stack_name: str | None) -> Any:
    if name in backend.change_sets:  # an ARN
        return backend.change_sets[name]
    matches = [
        change_set
        for change_set in backend.change_sets.values()
        if change_set.change_set_name == name
        and (stack_name is None or stack_name in (change_set.stack_name, change_set.stack_id))
    ]
    if not matches:
        raise ValidationError(stack_name or name, message=f"ChangeSet [{name}] does not exist")
    return matches[-1]


def fix_change_set_outputs() -> None:
    """16. A stack created through a change set (as the CDK CLI creates every stack) keeps the outputs
    of its empty initial template: DescribeStacks shows none, so `cdk deploy --outputs-file` is empty."""
    original = cfn_models.ChangeSet.apply

    def apply(self: Any) -> None:
        original(self)
        self.stack.template_dict = self.template_dict
        self.stack.output_map = self.stack._create_output_map()

    patch(cfn_models.ChangeSet, "apply", apply)


def fix_change_sets_per_stack() -> None:
    """10. Change sets are found by name only, and CDK names every one `cdk-deploy-change-set`, so the
    stacks of a concurrent wave execute each other's; now the StackName of the request scopes the name."""

    def describe_change_set(self: Any) -> ActionResult:
        name, stack = self._get_param("ChangeSetName"), self._get_param("StackName")
        return ActionResult(_find_change_set(self.cloudformation_backend, name, stack))

    def delete_change_set(self: Any) -> ActionResult:
        name, stack = self._get_param("ChangeSetName"), self._get_param("StackName")
        change_set = _find_change_set(self.cloudformation_backend, name, stack)
        del self.cloudformation_backend.change_sets[change_set.change_set_id]
        return ActionResult({})

    patch(cfn_responses.CloudFormationResponse, "describe_change_set", describe_change_set)
    patch(cfn_responses.CloudFormationResponse, "delete_change_set", delete_change_set)


def fix_rds_instance_in_cluster() -> None:
    """6. An AWS::RDS::DBInstance drops DBClusterIdentifier and the engine version, so an Aurora
    instance is created alone (KeyError 'aurora-postgresql'); now it joins its cluster through the API."""
    original = vars(rds_models.DBInstance)["create_from_cloudformation_json"].__func__

    def create(
        cls: type[Any],
        /,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region: str,
        **kw: Any,
    ) -> Any:
        properties = cloudformation_json.get("Properties") or {}
        if not properties.get("DBClusterIdentifier"):
            return original(cls, resource_name, cloudformation_json, account_id, region, **kw)
        backend = rds_models.rds_backends[account_id][region]
        identifier = resource_name.lower().replace("_", "-")
        arguments = {
            "db_instance_identifier": identifier,
            "db_cluster_identifier": properties["DBClusterIdentifier"],
            "db_instance_class": properties.get("DBInstanceClass"),
            "engine": properties.get("Engine"),
            "engine_version": properties.get("EngineVersion"),
            "promotion_tier": int(properties.get("PromotionTier", 1)),
            "publicly_accessible": properties.get("PubliclyAccessible"),
            "auto_minor_version_upgrade": properties.get("AutoMinorVersionUpgrade"),
            "enable_performance_insights": properties.get("EnablePerformanceInsights"),
            "monitoring_interval": properties.get("MonitoringInterval"),
            "monitoring_role_arn": properties.get("MonitoringRoleArn"),
            "tags": properties.get("Tags", []),
        }
        return backend.create_db_instance({k: v for k, v in arguments.items() if v is not None})

    patch(rds_models.DBInstance, "create_from_cloudformation_json", classmethod(create))


def fix_load_balancer_full_names() -> None:
    """8. FakeTargetGroup answers no attribute at all (TargetGroupFullName, which alarms use) and
    FakeLoadBalancer not LoadBalancerFullName; both are the ARN's resource part."""

    def target_group_attribute(self: Any, attribute_name: str) -> Any:
        values = {
            "TargetGroupFullName": self.arn.split(":", 5)[5],
            "TargetGroupArn": self.arn,
            "TargetGroupName": self.name,
            "LoadBalancerArns": list(getattr(self, "load_balancer_arns", [])),
        }
        if attribute_name in values:
            return values[attribute_name]
        from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

        raise UnformattedGetAttTemplateException()

    patch(elbv2_models.FakeTargetGroup, "has_cfn_attr", classmethod(lambda cls, attr: True))
    patch(elbv2_models.FakeTargetGroup, "get_cfn_attribute", target_group_attribute)
    original = elbv2_models.FakeLoadBalancer.get_cfn_attribute

    def load_balancer_attribute(self: Any, attribute_name: str) -> Any:
        if attribute_name == "LoadBalancerFullName":
            return self.arn.split(":loadbalancer/", 1)[1]
        if attribute_name == "SecurityGroups":
            return list(self.security_groups)
        return original(self, attribute_name)

    patch(elbv2_models.FakeLoadBalancer, "get_cfn_attribute", load_balancer_attribute)


def fix_global_cluster_source_region() -> None:
    """9. Global clusters live in moto's us-east-1 backend, which then looks the source cluster (an
    ARN in ap-east-2) up among its own clusters: DBClusterNotFoundFault. Now the ARN's region is used."""
    original = rds_models.RDSBackend.create_global_cluster

    def create_global_cluster(
        self: Any,
        global_cluster_identifier: str,
        source_db_cluster_identifier: str | None,
        engine: str | None,
        engine_version: str | None,
        storage_encrypted: bool | None,
        deletion_protection: bool | None,
    ) -> Any:
        region = source_db_cluster_identifier.split(":")[3] if source_db_cluster_identifier else self.region_name
        if region == self.region_name or source_db_cluster_identifier is None:
            return original(
                self,
                global_cluster_identifier,
                source_db_cluster_identifier,
                engine,
                engine_version,
                storage_encrypted,
                deletion_protection,
            )
        source = rds_models.rds_backends[self.account_id][region].describe_db_clusters(
            db_cluster_identifier=source_db_cluster_identifier
        )[0]
        created = original(
            self, global_cluster_identifier, None, source.engine, source.engine_version, storage_encrypted, None
        )
        created.deletion_protection = bool(deletion_protection)
        source.global_cluster_identifier = global_cluster_identifier
        source.is_writer = True
        created.members.append(source)
        return created

    patch(rds_models.RDSBackend, "create_global_cluster", create_global_cluster)


def fix_policy_conditions_scope_statements() -> None:
    """11. moto evaluates only StringEquals conditions and treats any other (Bool) as holding, and a
    statement whose condition does not hold as DENIED whatever its effect; so CDK's TLS-only Deny on
    the assets bucket (Bool aws:SecureTransport false) refused every upload. Now Bool is evaluated, a
    statement whose condition does not hold does not apply (IAM's rule), and requests count as TLS:
    the emulator's plain HTTP on loopback stands in for AWS's TLS endpoints."""

    def bool_equals(expected: list[str] | str, actual: str) -> bool:
        wanted = expected if isinstance(expected, list) else [expected]
        return str(actual).lower() in [str(w).lower() for w in wanted]

    operations: dict[str, Any] = policy_conditions.CONDITION_OPERATIONS
    operations["Bool"] = bool_equals
    original = access_control.IAMPolicyStatement.is_action_permitted

    def is_action_permitted(
        self: Any,
        action: str,
        resource: str = "*",
        principal: str | None = None,
        incoming_condition_values: dict[str, str] | None = None,
    ) -> Any:
        values = {"aws:SecureTransport": "true", **(incoming_condition_values or {})}
        if self._statement.get("Condition") and not self._check_conditions(values):
            return access_control.PermissionResult.NEUTRAL
        return original(self, action, resource, principal, values)

    patch(access_control.IAMPolicyStatement, "is_action_permitted", is_action_permitted)


ADDONS: dict[tuple[str, str, str, str], dict[str, Any]] = {}  # (account, region, cluster, add-on) -> add-on


def fix_validate_visible_states() -> None:
    """13. What `validate` reads: MSK clusters stay CREATING forever (now ACTIVE, as the others are);
    moto has no EKS add-on API (DescribeAddon/ListAddons now answer from the AWS::EKS::Addon the
    stacks created); a global secondary's first instance becomes its writer (a secondary has none);
    and global members carry no SynchronizationStatus (a secondary now reports `connected`)."""
    original_init = kafka_models.FakeKafkaCluster.__init__

    def kafka_init(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        self.state = "ACTIVE"

    patch(kafka_models.FakeKafkaCluster, "__init__", kafka_init)

    def describe_addon(self: Any) -> ActionResult:
        key = (self.current_account, self.region, self._get_param("name"), self._get_param("addonName"))
        if key not in ADDONS:
            from moto.eks.exceptions import ResourceNotFoundException

            raise ResourceNotFoundException(
                addon_name=key[3], cluster_name=key[2], fargate_profile_name=None, nodegroup_name=None
            )
        return ActionResult({"addon": ADDONS[key]})

    def list_addons(self: Any) -> ActionResult:
        cluster = self._get_param("name")
        names = [k[3] for k in ADDONS if k[:3] == (self.current_account, self.region, cluster)]
        return ActionResult({"addons": sorted(names)})

    patch(eks_responses.EKSResponse, "describe_addon", describe_addon)
    patch(eks_responses.EKSResponse, "list_addons", list_addons)
    urls: Any = eks_urls
    urls.url_paths["{0}/clusters/(?P<name>[^/]+)/addons$"] = urls.response.dispatch
    urls.url_paths["{0}/clusters/(?P<name>[^/]+)/addons/(?P<addonName>[^/]+)$"] = urls.response.dispatch

    def is_global_secondary(cluster: Any) -> bool:
        return bool(cluster.global_cluster_identifier) and not cluster.is_writer

    original_designate = rds_models.DBCluster.designate_writer

    def designate_writer(self: Any) -> None:
        if not is_global_secondary(self):  # a global secondary has readers only
            original_designate(self)

    patch(rds_models.DBCluster, "designate_writer", designate_writer)
    original_instance_init = rds_models.DBInstanceClustered.__init__

    def instance_init(self: Any, *args: Any, **kwargs: Any) -> None:
        original_instance_init(self, *args, **kwargs)
        if is_global_secondary(self.cluster):
            self.is_cluster_writer = False

    patch(rds_models.DBInstanceClustered, "__init__", instance_init)
    original_members: Any = rds_models.GlobalCluster.global_cluster_members

    def global_cluster_members(self: Any) -> list[dict[str, Any]]:
        members: list[dict[str, Any]] = original_members.fget(self)
        for member in members:
            if not member["IsWriter"]:
                member.setdefault("SynchronizationStatus", "connected")
        return members

    patch(rds_models.GlobalCluster, "global_cluster_members", property(global_cluster_members))


def fix_termination_protection() -> None:
    """14. UpdateTerminationProtection is not implemented (the CLI gets an HTML error page), so a
    production stack could not be deployed with its termination protection (decision S5)."""

    def update_termination_protection(self: Any) -> ActionResult:
        stack = self.cloudformation_backend.get_stack(self._get_param("StackName"))
        stack.enable_termination_protection = str(self._get_param("EnableTerminationProtection")).lower() == "true"
        return ActionResult({"StackId": stack.stack_id})

    patch(cfn_responses.CloudFormationResponse, "update_termination_protection", update_termination_protection)


def fix_physical_ids() -> None:
    """15. Some of moto's own models have no physical id (SecurityGroupIngress, RDS DBSubnetGroup,
    Lambda LayerVersion), so DescribeStackResources lists them without one and `Ref` to them is empty;
    AWS gives the rule id, the group's name and the layer version's ARN."""

    def ingress_id(self: Any) -> str:
        wanted = (str(self.properties.get("FromPort")), str(self.properties.get("ToPort")))
        for rule in getattr(self.security_group, "ingress_rules", []):
            if (str(rule.from_port), str(rule.to_port)) == wanted and getattr(rule, "id", None):
                return str(rule.id)
        return str(self.security_group.id)

    patch(ec2_security_groups.SecurityGroupIngress, "physical_resource_id", property(ingress_id))
    patch(rds_models.DBSubnetGroup, "physical_resource_id", property(lambda self: self.name))
    patch(lambda_models.LayerVersion, "physical_resource_id", property(lambda self: self.arn))


# moto 5.2.5 ships the public Amazon Linux AMI parameters of the regions it knew, not of ap-east-2
# (Taipei opened later); the nearest region it has stands in for it.
PUBLIC_AMI_STAND_IN = {"ap-east-2": "ap-northeast-1"}


def fix_public_ami_parameters() -> None:
    """17. `/aws/service/ami-amazon-linux-latest/*` does not resolve in ap-east-2, so a template that
    reads an Amazon Linux AMI there (the Session Manager instance of decision S7) fails with "Unable
    to fetch parameters"; AWS publishes them in every region."""
    original = ssm_models.ParameterDict._load_latest_amis

    def load_latest_amis(self: Any) -> None:
        stand_in = PUBLIC_AMI_STAND_IN.get(self.region_name)
        if stand_in is None:
            original(self)
            return
        region = self.region_name
        self.region_name = stand_in
        try:
            original(self)
        finally:
            self.region_name = region

    patch(ssm_models.ParameterDict, "_load_latest_amis", load_latest_amis)


# The port of each MSK listener, by the GetBootstrapBrokers field that names it (AWS's MSK port list).
MSK_LISTENER_PORTS = {
    "bootstrapBrokerString": 9092,  # plaintext
    "bootstrapBrokerStringTls": 9094,  # TLS, unauthenticated or mutual TLS
    "bootstrapBrokerStringSaslScram": 9096,  # TLS with SASL/SCRAM
    "bootstrapBrokerStringSaslIam": 9098,  # TLS with IAM
}


def _enabled(settings: Any, *path: str) -> bool:
    """Whether the setting at `path` of a cluster's camelCase settings is enabled (true or "true")."""
    for key in path:
        settings = settings.get(key) if isinstance(settings, dict) else None
    return str(settings).lower() == "true"


def msk_bootstrap_brokers(cluster: Any) -> dict[str, str]:
    """GetBootstrapBrokers for one emulated cluster: a field for each listener its settings open, as in AWS."""
    if cluster.cluster_type != "PROVISIONED":  # MSK Serverless opens the IAM listener only
        listeners = ["bootstrapBrokerStringSaslIam"]
    else:
        authentication = cluster.client_authentication or {}
        in_transit = (cluster.encryption_info or {}).get("encryptionInTransit") or {}
        client_broker = str(in_transit.get("clientBroker", "TLS"))  # AWS's default is TLS only
        # A cluster created without client authentication admits unauthenticated clients.
        unauthenticated = _enabled(authentication, "unauthenticated", "enabled") or not any(
            _enabled(authentication, *path)
            for path in (("sasl", "iam", "enabled"), ("sasl", "scram", "enabled"), ("tls", "enabled"))
        )
        tls = client_broker in ("TLS", "TLS_PLAINTEXT")
        listeners = [
            field
            for field, opened in (
                ("bootstrapBrokerString", client_broker in ("PLAINTEXT", "TLS_PLAINTEXT") and unauthenticated),
                ("bootstrapBrokerStringTls", tls and (unauthenticated or _enabled(authentication, "tls", "enabled"))),
                ("bootstrapBrokerStringSaslScram", tls and _enabled(authentication, "sasl", "scram", "enabled")),
                ("bootstrapBrokerStringSaslIam", tls and _enabled(authentication, "sasl", "iam", "enabled")),
            )
            if opened
        ]
    return {field: f"{LOOPBACK}:{MSK_LISTENER_PORTS[field]}" for field in listeners}


def fix_msk_bootstrap_brokers() -> None:
    """18. GetBootstrapBrokers is not implemented (moto raises NotImplementedError: HTTP 500), so
    `validate`'s broker probe failed on an emulator error instead of on what it can observe. It now
    answers, for the listeners the cluster's client authentication and encryption in transit open
    (as AWS does), the brokers' address: loopback, where no broker runs. AWS's bootstrap string
    need not list every broker; the emulated brokers share one address, listed once."""

    def get_bootstrap_brokers(self: Any) -> str:
        path = unquote(self.parsed_url.path)
        arn = path.split("/clusters/", 1)[-1].removesuffix("/bootstrap-brokers")
        cluster = kafka_models.kafka_backends[self.current_account][self.region].clusters.get(arn)
        if cluster is None:
            raise KafkaNotFound(f"Cluster {arn} does not exist.")
        return json.dumps(msk_bootstrap_brokers(cluster))

    patch(kafka_responses.KafkaResponse, "get_bootstrap_brokers", get_bootstrap_brokers)


def cluster_ca_pem(cluster_name: str) -> bytes:
    """A self-signed CA certificate in PEM, as an EKS cluster's certificateAuthority holds (its key is discarded)."""
    now = datetime.datetime.now(datetime.UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{cluster_name} (emulated EKS cluster CA)")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM)


def fix_eks_certificate_authority() -> None:
    """19. An EKS cluster's certificateAuthority.data is 1,400 random characters, not the base64 of a
    PEM CA certificate as in AWS, so `validate`'s Kubernetes API probe failed decoding it
    (UnicodeDecodeError) instead of on what it can observe. Each cluster now holds a real CA; its
    endpoint stays moto's AWS-shaped name, which nothing serves here."""
    original_init = eks_models.Cluster.__init__

    def cluster_init(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        self.certificate_authority = {"data": base64.b64encode(cluster_ca_pem(self.name)).decode()}

    patch(eks_models.Cluster, "__init__", cluster_init)


def record_addon(account: str, region: str, properties: dict[str, Any], arn: str) -> None:
    """Keep an AWS::EKS::Addon for DescribeAddon (fix 13)."""
    cluster, name = str(properties.get("ClusterName")), str(properties.get("AddonName"))
    ADDONS[(account, region, cluster, name)] = {
        "addonName": name,
        "clusterName": cluster,
        "status": "ACTIVE",
        "addonVersion": properties.get("AddonVersion", ""),
        "addonArn": arn,
        "serviceAccountRoleArn": properties.get("ServiceAccountRoleArn", ""),
        "configurationValues": properties.get("ConfigurationValues", ""),
        "health": {"issues": []},
    }


FIXES: tuple[Fix, ...] = (
    fix_kms_key_tags,
    fix_failed_change_set_fails_the_stack,
    fix_ssm_parameter_tags_and_name,
    fix_missing_ssm_parameter_input,
    fix_rds_instance_in_cluster,
    fix_load_balancer_full_names,
    fix_global_cluster_source_region,
    fix_change_sets_per_stack,
    fix_change_set_outputs,
    fix_policy_conditions_scope_statements,
    fix_validate_visible_states,
    fix_termination_protection,
    fix_physical_ids,
    fix_public_ami_parameters,
    fix_msk_bootstrap_brokers,
    fix_eks_certificate_authority,
)


def apply() -> list[str]:
    """Apply every fix once; the names of those applied."""
    for fix in FIXES:
        fix()
    return [fix.__name__ for fix in FIXES]
