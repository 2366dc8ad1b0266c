"""The outcome of one validation check."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

# boto3 clients are generated at run time; the checks call documented operations on them.
Client = Any


class CheckResult(NamedTuple):
    name: str
    passed: bool
    reason: str
    # Not run, and so not passed: a check that cannot be made here (the reason says why). It does not
    # fail validate, and it is never reported as a pass.
    skipped: bool = False


def guarded(name: str, check: Callable[[], CheckResult | list[CheckResult]]) -> list[CheckResult]:
    """Run one check; an exception (AWS error, missing resource) becomes a failed result with its message."""
    try:
        outcome = check()
    except Exception as error:  # botocore ClientError, socket errors: reported, never a traceback
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return [CheckResult(name, False, f"{type(error).__name__}: {first_line}")]
    return outcome if isinstance(outcome, list) else [outcome]
