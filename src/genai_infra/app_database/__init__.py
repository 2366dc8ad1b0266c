"""The application's own database user (decision S8), created by a custom resource at deploy time.

`user_setup` is self-contained (standard library plus the Lambda runtime's boto3): its directory
is the custom resource function's code asset, and the tests run its SQL against real PostgreSQL.
"""
