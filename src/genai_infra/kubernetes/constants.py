"""Names and ports the cluster side needs to match the workload manifests.

The EKS stack uses these for the IRSA trust (`SERVICE_ACCOUNT_SUBJECT`), the ALB target group
(`CONTAINER_PORT`, `TARGET_TYPE`, the readiness path of `WorkloadConfig` as health check) and the
KEDA operator's IRSA policy (`KEDA_CLOUDWATCH_ACTIONS`).
"""

from __future__ import annotations

from typing import Final

from genai_infra.naming import APP_DATABASE_USER

APP_NAME: Final = "genai-demo-app"
# The spec's service account, namespace default (IRSA trust: system:serviceaccount:default:genai-demo-app).
NAMESPACE: Final = "default"
SERVICE_ACCOUNT_NAME: Final = APP_NAME
SERVICE_ACCOUNT_SUBJECT: Final = f"system:serviceaccount:{NAMESPACE}:{SERVICE_ACCOUNT_NAME}"
IRSA_ROLE_ANNOTATION: Final = "eks.amazonaws.com/role-arn"

# Decision S8: the PostgreSQL user the application logs in as, with IAM authentication.
DATABASE_USER: Final = APP_DATABASE_USER

CONTAINER_NAME: Final = APP_NAME
PORT_NAME: Final = "http"
CONTAINER_PORT: Final = 8080
# The Service exposes the container port unchanged, so the target group, the app security group
# and the pods all speak of one port.
SERVICE_PORT: Final = CONTAINER_PORT

# Decision S1: the ALB target group is a CloudFormation resource with target type ip; the AWS Load
# Balancer Controller registers the pod IPs (VPC CNI gives pods VPC addresses).
TARGET_TYPE: Final = "ip"

# Decision C7's thread-pool trigger reads CloudWatch with the KEDA operator's own IRSA role
# (TriggerAuthentication podIdentity aws, identityOwner keda); that role needs exactly this.
TRIGGER_AUTHENTICATION_NAME: Final = f"{APP_NAME}-aws"
KEDA_CLOUDWATCH_ACTIONS: Final = ("cloudwatch:GetMetricData",)

# Standard labels (app.kubernetes.io/*) select the pods; the part-of label groups the project.
NAME_LABEL: Final = "app.kubernetes.io/name"
PART_OF_LABEL: Final = "app.kubernetes.io/part-of"
ENVIRONMENT_LABEL: Final = "genai-demo/environment"
ZONE_TOPOLOGY_KEY: Final = "topology.kubernetes.io/zone"

# Numeric ids so that runAsNonRoot can be verified whatever USER the image declares.
RUN_AS_USER: Final = 10001
RUN_AS_GROUP: Final = 10001
# Tomcat writes its work directory under /tmp; with a read-only root filesystem it gets an emptyDir.
TMP_VOLUME_SIZE: Final = "256Mi"
# The ALB keeps sending to a pod until the controller has deregistered it; the pod waits this long
# in preStop before it receives SIGTERM, so in-flight and late requests are still served.
DEREGISTRATION_WAIT_SECONDS: Final = 15
TERMINATION_GRACE_SECONDS: Final = 45
