"""Where the application sends its traces: the CloudWatch agent of the observability add-on.

The amazon-cloudwatch-observability add-on runs the agent as a DaemonSet named `cloudwatch-agent`
in `amazon-cloudwatch`, and its operator gives it a Service of that name with
`internalTrafficPolicy: Local`: a pod that calls the Service reaches the agent on its own node.
The agent's configuration (constructs/container_insights.py) turns on its X-Ray
receiver (UDP/TCP 2000, where the X-Ray daemon would listen) and its OTLP receiver (gRPC 4317), and
forwards both to X-Ray. The variables below are the ones the OpenTelemetry Java agent and the
X-Ray SDK for Java read, so the image needs no endpoint of its own.
"""

from __future__ import annotations

from typing import Final

from genai_infra.kubernetes.inputs import WorkloadInputs

AGENT_NAMESPACE: Final = "amazon-cloudwatch"
AGENT_SERVICE: Final = "cloudwatch-agent"
AGENT_HOST: Final = f"{AGENT_SERVICE}.{AGENT_NAMESPACE}"
OTLP_GRPC_PORT: Final = 4317
XRAY_DAEMON_PORT: Final = 2000
# The service name X-Ray groups traces by; the sampling rule and the error group of the
# ObservabilityStack (constructs/telemetry.py) match it.
TRACE_SERVICE_NAME: Final = "genai-demo-app"


def trace_environment(inputs: WorkloadInputs) -> list[dict[str, str]]:
    """The container's tracing variables, in a fixed order."""
    return [
        {"name": "OTEL_SERVICE_NAME", "value": TRACE_SERVICE_NAME},
        {
            "name": "OTEL_RESOURCE_ATTRIBUTES",
            "value": f"service.name={TRACE_SERVICE_NAME},deployment.environment={inputs.environment}",
        },
        # The Java agent's default protocol is http/protobuf on 4318; the agent's receiver here is gRPC.
        {"name": "OTEL_EXPORTER_OTLP_ENDPOINT", "value": f"http://{AGENT_HOST}:{OTLP_GRPC_PORT}"},
        {"name": "OTEL_EXPORTER_OTLP_PROTOCOL", "value": "grpc"},
        {"name": "OTEL_TRACES_EXPORTER", "value": "otlp"},
        # The agent receives traces only; the application's metrics go to CloudWatch through
        # Micrometer (namespace GenAIDemo), and its logs through Fluent Bit.
        {"name": "OTEL_METRICS_EXPORTER", "value": "none"},
        {"name": "OTEL_LOGS_EXPORTER", "value": "none"},
        # Keep the ALB's X-Amzn-Trace-Id, so a request is one trace from the load balancer on.
        {"name": "OTEL_PROPAGATORS", "value": "tracecontext,baggage,xray"},
        # The spec's 10 % sampling (observability.xray_sampling_rate), honouring an upstream decision.
        {"name": "OTEL_TRACES_SAMPLER", "value": "parentbased_traceidratio"},
        {"name": "OTEL_TRACES_SAMPLER_ARG", "value": f"{inputs.trace_sampling_rate:g}"},
        # The X-Ray SDK: segments and sampling-rule requests to the agent's X-Ray receiver.
        {"name": "AWS_XRAY_DAEMON_ADDRESS", "value": f"{AGENT_HOST}:{XRAY_DAEMON_PORT}"},
        {"name": "AWS_XRAY_TRACING_NAME", "value": TRACE_SERVICE_NAME},
        {"name": "AWS_XRAY_CONTEXT_MISSING", "value": "LOG_ERROR"},
    ]
