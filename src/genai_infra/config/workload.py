"""The application's Kubernetes workload: pod resources, probes, scaling triggers (decisions C7, C8)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from genai_infra.config.fields import Frozen

_QUANTITY = re.compile(r"^(?P<number>\d+(?:\.\d+)?)(?P<suffix>m|k|M|G|T|Ki|Mi|Gi|Ti)?$")
_QUANTITY_FACTORS: dict[str, Decimal] = {
    "": Decimal(1),
    "m": Decimal("0.001"),
    "k": Decimal(10**3),
    "M": Decimal(10**6),
    "G": Decimal(10**9),
    "T": Decimal(10**12),
    "Ki": Decimal(2**10),
    "Mi": Decimal(2**20),
    "Gi": Decimal(2**30),
    "Ti": Decimal(2**40),
}
_JVM_SIZE = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30}


def quantity_value(quantity: str) -> Decimal:
    """The number a Kubernetes quantity such as 100m, 0.5 or 512Mi stands for (cores or bytes)."""
    match = _QUANTITY.match(quantity)
    if match is None:
        raise ValueError(f"{quantity!r} is not a Kubernetes quantity such as 100m, 0.5, 128Mi or 1Gi")
    return Decimal(match["number"]) * _QUANTITY_FACTORS[match["suffix"] or ""]


def _quantity(value: str) -> str:
    quantity_value(value)
    return value


def _number_as_quantity(value: object) -> object:
    # TOML and key=value overrides give 1 or 0.5 as numbers; Kubernetes writes quantities as strings.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


Quantity = Annotated[str, BeforeValidator(_number_as_quantity), AfterValidator(_quantity)]


def jvm_option_bytes(java_opts: str, option: str) -> int | None:
    """The size given by the last -Xmx/-Xms style option in JAVA_OPTS (the JVM honours the last one)."""
    found = re.findall(rf"(?:^|\s){re.escape(option)}(\d+)([kKmMgG]?)(?=\s|$)", java_opts)
    if not found:
        return None
    number, unit = found[-1]
    return int(number) * _JVM_SIZE[unit.lower()]


class PodResources(Frozen):
    cpu: Quantity
    memory: Quantity


class ProbeConfig(Frozen):
    path: str = Field(pattern=r"^/[A-Za-z0-9/._-]*$")
    initial_delay_seconds: int = Field(ge=0)
    period_seconds: int = Field(ge=1)
    timeout_seconds: int = Field(ge=1)
    failure_threshold: int = Field(ge=1)

    @model_validator(mode="after")
    def _timeout_within_period(self) -> ProbeConfig:
        if self.timeout_seconds > self.period_seconds:
            raise ValueError(
                f"probe {self.path} times out after {self.timeout_seconds} s but runs every {self.period_seconds} s; "
                "keep the timeout within the period"
            )
        return self


class ThreadPoolTriggerConfig(Frozen):
    """Decision C7's third trigger: the busy request threads the application publishes to CloudWatch.

    The application role may call cloudwatch:PutMetricData (spec, "Application Service Role"), and
    the specification runs no Prometheus server, so KEDA reads this metric with its aws-cloudwatch
    scaler. The metric is the Micrometer Tomcat gauge, published in the environment's own namespace
    (naming.metric_namespace, GenAIDemo/<environment>) with the single dimension `environment`;
    all pods publish the same series, so the Average statistic is the busy threads per pod.
    """

    metric_name: str = Field(default="tomcat.threads.busy", min_length=1, max_length=255)
    # 70 % of Tomcat's default 200 request threads, the same headroom as the CPU target.
    target_busy_threads_per_pod: int = Field(default=140, ge=1)
    # The application publishes every 60 s; KEDA reads the last five minutes of one-minute averages.
    period_seconds: int = Field(default=60, ge=60)
    collection_seconds: int = Field(default=300, ge=60)

    @model_validator(mode="after")
    def _window_holds_a_period(self) -> ThreadPoolTriggerConfig:
        if self.collection_seconds < self.period_seconds:
            raise ValueError(
                f"the thread-pool trigger collects {self.collection_seconds} s of data, shorter than its "
                f"{self.period_seconds} s period; collect at least one period"
            )
        return self


class WorkloadConfig(Frozen):
    """The application Deployment: "Pod Resource Configuration" with decisions C7 and C8."""

    # The release the pipeline deploys; override per environment, e.g. workload.image_tag=1.4.2.
    # ECR tags are immutable (EKSStack's repository), so this names one exact build, never "latest".
    image_tag: str = Field(default="1.0.0", pattern=r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$")
    # The document's values and decisions C7/C8 are in defaults.py (SPEC_WORKLOAD).
    min_replicas: int = Field(ge=1)
    max_replicas: int = Field(ge=1)
    requests: PodResources
    limits: PodResources
    java_opts: str
    liveness: ProbeConfig
    readiness: ProbeConfig
    # Percent of the request, so values above 100 are legal (the limit is five times the request).
    cpu_target_percent: int = Field(ge=1)
    memory_target_percent: int = Field(ge=1)
    thread_pool: ThreadPoolTriggerConfig = ThreadPoolTriggerConfig()
    # Voluntary disruptions (node drains, scale-down) evict at most this many pods at a time.
    max_unavailable: int = Field(default=1, ge=1)

    @model_validator(mode="after")
    def _consistent(self) -> WorkloadConfig:
        if self.min_replicas > self.max_replicas:
            raise ValueError(
                f"workload replicas must satisfy min <= max, got min {self.min_replicas}, max {self.max_replicas}"
            )
        # A single replica cannot be protected without blocking every drain; from two on, keep one.
        if self.min_replicas > 1 and self.max_unavailable >= self.min_replicas:
            raise ValueError(
                f"max_unavailable {self.max_unavailable} would let a drain evict every one of the "
                f"{self.min_replicas} minimum replicas; keep it below min_replicas"
            )
        for resource in ("cpu", "memory"):
            request, limit = getattr(self.requests, resource), getattr(self.limits, resource)
            if quantity_value(request) > quantity_value(limit):
                raise ValueError(f"the {resource} request {request} exceeds its limit {limit}; requests <= limits")
        heap_max = jvm_option_bytes(self.java_opts, "-Xmx")
        heap_start = jvm_option_bytes(self.java_opts, "-Xms")
        if heap_max is not None and heap_max >= quantity_value(self.limits.memory):
            raise ValueError(
                f"JAVA_OPTS sets a heap of {heap_max // 2**20} MiB, which does not fit the memory limit "
                f"{self.limits.memory} (decision C8); lower -Xmx or raise the limit"
            )
        if heap_max is not None and heap_start is not None and heap_start > heap_max:
            raise ValueError("JAVA_OPTS sets -Xms above -Xmx; the JVM refuses to start")
        return self
