"""Which ALB and CloudFront TLS policies keep TLS 1.2 as the floor (issue 16: downgrades are refused).

Pure Python, shared by the configuration (refuses a downgrade with one sentence) and preflight
(finds one in a template, whatever wrote it).
"""

from __future__ import annotations

import re

# ELB names every policy whose floor is TLS 1.2 or 1.3 with that version after its family
# (ELBSecurityPolicy-TLS-1-2-2017-01, -FS-1-2-Res-2020-10, -TLS13-1-2-2021-06, -TLS13-1-3-FIPS-2023-04,
# -TLS13-1-2-PQ-2025-09 ...); the others (2016-08, TLS-1-0/1-1, FS-2018-06, TLS13-1-0/1-1 ...)
# still accept TLS 1.0 or 1.1.
ALB_TLS12_POLICY = re.compile(r"^ELBSecurityPolicy-(TLS13|TLS|FS)-1-[23]-[A-Za-z0-9-]+$")
# CloudFront's viewer security policies, oldest first; TLSv1.2_* and TLSv1.3_* have the floor.
CLOUDFRONT_POLICIES: tuple[str, ...] = (
    "SSLv3",
    "TLSv1",
    "TLSv1_2016",
    "TLSv1.1_2016",
    "TLSv1.2_2018",
    "TLSv1.2_2019",
    "TLSv1.2_2021",
    "TLSv1.2_2025",
    "TLSv1.3_2025",
)
CLOUDFRONT_TLS12_POLICIES = tuple(p for p in CLOUDFRONT_POLICIES if p.startswith(("TLSv1.2_", "TLSv1.3_")))


def alb_policy_keeps_tls12(name: str) -> bool:
    return bool(ALB_TLS12_POLICY.fullmatch(name))


def cloudfront_policy_keeps_tls12(name: str) -> bool:
    return name in CLOUDFRONT_TLS12_POLICIES
