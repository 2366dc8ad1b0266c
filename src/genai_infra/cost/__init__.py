"""Offline cost estimator: prices synthesized CloudFormation templates with a bundled price catalog.

Pure Python (no jsii): `catalog` reads the bundled prices, `usage` the documented usage file,
`rules` prices one resource type each, `planned` describes the stacks not yet synthesized from
the configuration, and `report` adds everything up by category and stack against the budget.
"""
