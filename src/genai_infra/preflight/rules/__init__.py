"""The preflight rules; importing this package registers every rule in `model.RULES`."""

from genai_infra.preflight.rules import alarms, data, eks, iam, logs, network, regions, secrets, wiring

__all__ = ["alarms", "data", "eks", "iam", "logs", "network", "regions", "secrets", "wiring"]
