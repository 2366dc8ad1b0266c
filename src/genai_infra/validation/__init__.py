"""Post-deployment validation and the DR drill: small checks over injected boto3 clients and real probes.

Every check returns a CheckResult (name, passed, reason) and never raises for an AWS or network
error: a failed call is a failed check whose reason says what went wrong.
"""

from genai_infra.validation.result import CheckResult

__all__ = ["CheckResult"]
