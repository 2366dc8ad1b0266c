"""Preflight: catch at synthesis what AWS would reject, or what would silently not work after deploy.

Pure Python over synthesized CloudFormation JSON (no jsii): rules at template, target,
environment (cross-region) and synthesis (determinism) scope, each with an id, a severity and
a one-line message that names the resource and the fix. Support tables live in `support`.
"""

from genai_infra.preflight.model import (
    RULES,
    EnvironmentTemplates,
    Finding,
    Rule,
    Severity,
    StackTemplate,
    TargetTemplates,
    target_of,
)
from genai_infra.preflight.runner import (
    check_assemblies,
    compare_assemblies,
    errors_in,
    from_assembly,
    run_environment,
    run_synthesis,
    run_target,
    run_template,
)

__all__ = [
    "RULES",
    "EnvironmentTemplates",
    "Finding",
    "Rule",
    "Severity",
    "StackTemplate",
    "TargetTemplates",
    "check_assemblies",
    "compare_assemblies",
    "errors_in",
    "from_assembly",
    "run_environment",
    "run_synthesis",
    "run_target",
    "run_template",
    "target_of",
]
