"""The ALB, App, Database and MSK security groups, with exactly the specification's rules.

Each group starts closed (no default allow-all egress) and gets only the rules the document
lists, plus the MSK group of decision C6. Rules between groups are separate ingress/egress
resources so the groups can reference each other without a cycle.
"""

from __future__ import annotations

from aws_cdk import aws_ec2 as ec2
from constructs import Construct

from genai_infra.nag import AWS_SOLUTIONS, acknowledge

POSTGRES, REDIS, APP_PORT = 5432, 6379, 8080
# MSK client ports: 9094 TLS, 9098 IAM over TLS (decision C6).
MSK_TLS, MSK_IAM = 9094, 9098


class WorkloadSecurityGroups(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, vpc: ec2.IVpc, name_prefix: str, redis: bool, kafka: bool
    ) -> None:
        """`redis` and `kafka`: whether the environment runs ElastiCache and MSK (decision C12); paths to
        services it does not run are not opened, and without MSK there is no MSK group at all."""
        super().__init__(scope, construct_id)

        def group(name: str, description: str) -> ec2.SecurityGroup:
            return ec2.SecurityGroup(
                self,
                name,
                vpc=vpc,
                security_group_name=f"{name_prefix}-{name.lower()}-sg",
                description=description,
                allow_all_outbound=False,
            )

        self.alb = group("Alb", "Application Load Balancer: HTTP/HTTPS in, 8080 to the app")
        self.app = group("App", "Application pods: 8080 from the ALB; HTTPS, PostgreSQL, Redis and Kafka out")
        self.database = group("Database", "Aurora PostgreSQL and ElastiCache Redis: 5432/6379 from the app only")
        self.msk = group("Msk", "MSK brokers: Kafka TLS (9094) and IAM (9098) from the app only") if kafka else None

        any_ipv4 = ec2.Peer.any_ipv4()
        self.alb.add_ingress_rule(any_ipv4, ec2.Port.tcp(80), "HTTP from the internet (redirected to HTTPS)")
        self.alb.add_ingress_rule(any_ipv4, ec2.Port.tcp(443), "HTTPS from the internet")
        acknowledge(
            self.alb,
            f"{AWS_SOLUTIONS}-EC23",
            "The ALB is the internet-facing entry point: the specification opens 80 and 443 to 0.0.0.0/0 on it "
            "and on nothing else.",
        )
        self.alb.add_egress_rule(self.app, ec2.Port.tcp(APP_PORT), "To the application pods")

        self.app.add_ingress_rule(self.alb, ec2.Port.tcp(APP_PORT), "From the ALB")
        self.app.add_egress_rule(any_ipv4, ec2.Port.tcp(443), "HTTPS to AWS APIs and the internet")
        self.app.add_egress_rule(self.database, ec2.Port.tcp(POSTGRES), "To Aurora PostgreSQL")
        self.database.add_ingress_rule(self.app, ec2.Port.tcp(POSTGRES), "PostgreSQL from the app")
        if redis:
            self.app.add_egress_rule(self.database, ec2.Port.tcp(REDIS), "To ElastiCache Redis")
            self.database.add_ingress_rule(self.app, ec2.Port.tcp(REDIS), "Redis from the app")
        if self.msk is not None:
            self.app.add_egress_rule(self.msk, ec2.Port.tcp(MSK_TLS), "To MSK over TLS")
            self.app.add_egress_rule(self.msk, ec2.Port.tcp(MSK_IAM), "To MSK with IAM authentication")
            self.msk.add_ingress_rule(self.app, ec2.Port.tcp(MSK_TLS), "Kafka TLS from the app")
            self.msk.add_ingress_rule(self.app, ec2.Port.tcp(MSK_IAM), "Kafka IAM from the app")
