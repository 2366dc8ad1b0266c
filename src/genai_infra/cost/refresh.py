"""Refresh prices.toml from AWS's public Price List offer files (the bulk JSON, per service and region).

Nothing here reaches AWS: the offer files are downloaded where the internet is reachable (README:
"Refreshing the price catalog") into OFFERS/<offer code>/<region>/index.json, the layout of their
URLs. Each catalog key with a selector below is looked up in its service's file for every region
the configuration uses; a found price replaces the catalog's, the region stops being approximate
(or derived), and the entry records the offer file and its publication date. The catalog is edited
line by line, so its comments stay.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from genai_infra.cost.catalog import CostError

OFFER_URL = "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/{offer}/current/{region}/index.json"


@dataclass(frozen=True)
class Selector:
    """Which On-Demand price dimension of an offer file a catalog key is."""

    offer: str
    usagetype: str  # the usage type without its region prefix (e.g. BoxUsage:t3.small)
    attributes: Mapping[str, str] = field(default_factory=dict)
    scale: float = 1.0  # catalog unit / offer unit (e.g. 10,000 requests per request)


_LINUX = {"operatingSystem": "Linux", "tenancy": "Shared", "preInstalledSw": "NA", "capacitystatus": "Used"}
_FIXED: dict[str, Selector] = {
    "eks.cluster": Selector("AmazonEKS", "AmazonEKS-Hours:perCluster"),
    "ebs.gp3": Selector("AmazonEC2", "EBS:VolumeUsage.gp3"),
    "vpc.nat-gateway": Selector("AmazonEC2", "NatGateway-Hours"),
    "vpc.nat-gateway-data": Selector("AmazonEC2", "NatGateway-Bytes"),
    "vpc.public-ipv4": Selector("AmazonVPC", "PublicIPv4:InUseAddress"),
    "elb.alb": Selector("AWSELB", "LoadBalancerUsage", {"productFamily": "Load Balancer-Application"}),
    "elb.alb-lcu": Selector("AWSELB", "LCUUsage", {"productFamily": "Load Balancer-Application"}),
    "rds.aurora.serverless-v2": Selector(
        "AmazonRDS", "Aurora:ServerlessV2Usage", {"databaseEngine": "Aurora PostgreSQL"}
    ),
    "rds.aurora.storage": Selector("AmazonRDS", "Aurora:StorageUsage", {"databaseEngine": "Aurora PostgreSQL"}),
    "logs.ingestion": Selector("AmazonCloudWatch", "DataProcessing-Bytes"),
    "logs.storage": Selector("AmazonCloudWatch", "TimedStorage-ByteHrs"),
}


def selector_for(key: str) -> Selector | None:
    """The offer-file selector of a catalog key, or None for keys the refresh leaves alone."""
    if key in _FIXED:
        return _FIXED[key]
    if key.startswith("ec2.") and key != "ec2.spot-ratio":
        instance = key.removeprefix("ec2.")
        return Selector("AmazonEC2", f"BoxUsage:{instance}", {**_LINUX, "instanceType": instance})
    if key.startswith("rds.aurora-postgresql."):
        instance = key.removeprefix("rds.aurora-postgresql.")
        return Selector(
            "AmazonRDS", f"InstanceUsage:{instance}", {"databaseEngine": "Aurora PostgreSQL", "instanceType": instance}
        )
    if key.startswith("elasticache.cache."):
        node = key.removeprefix("elasticache.")
        return Selector("AmazonElastiCache", f"NodeUsage:{node}", {"cacheEngine": "Redis", "instanceType": node})
    return None


@dataclass(frozen=True)
class Found:
    key: str
    region: str
    old: float | None
    new: float
    offer_url: str
    published: str  # yyyy-mm-dd


def _usagetype_matches(usagetype: str, wanted: str) -> bool:
    # Usage types carry a region prefix (APN1-BoxUsage:t3.small) except in some us-east-1 rows.
    return usagetype == wanted or usagetype.endswith(f"-{wanted}")


def price_in_offer(offer: Mapping[str, Any], selector: Selector, region: str, key: str) -> float | None:
    """The first-tier On-Demand USD price of the product the selector names, in the catalog's unit."""
    skus = [
        sku
        for sku, product in offer.get("products", {}).items()
        if _usagetype_matches(str(product.get("attributes", {}).get("usagetype", "")), selector.usagetype)
        and product.get("attributes", {}).get("regionCode", region) == region
        and all(
            (product.get("attributes", {}) | {"productFamily": product.get("productFamily")}).get(name) == value
            for name, value in selector.attributes.items()
        )
    ]
    prices: set[float] = set()
    for sku in skus:
        for term in offer.get("terms", {}).get("OnDemand", {}).get(sku, {}).values():
            for dimension in term.get("priceDimensions", {}).values():
                if str(dimension.get("beginRange", "0")) == "0":
                    prices.add(float(dimension["pricePerUnit"]["USD"]) * selector.scale)
    if len(prices) > 1:
        raise CostError(
            f"the {selector.offer} offer file of {region} has {len(prices)} different prices for {key}; "
            "its selector in genai_infra/cost/refresh.py needs another attribute."
        )
    return next(iter(prices), None)


def _load_offer(offers: Path, offer: str, region: str) -> Mapping[str, Any] | None:
    path = offers / offer / region / "index.json"
    if not path.is_file():
        return None
    try:
        data: Mapping[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise CostError(f"{path} is not an offer file (invalid JSON: {error.msg}).") from None
    if data.get("offerCode") != offer or "products" not in data:
        raise CostError(f"{path} is not the {offer} offer file of the Price List bulk API.")
    return data


def find_prices(catalog_text: str, offers: Path, regions: Sequence[str]) -> tuple[list[Found], list[str]]:
    """Every price the offer files hold for the catalog's keys, and the (offer, region) files missing."""
    if not offers.is_dir():
        raise CostError(f"{offers} is not a folder of offer files; see README, 'Refreshing the price catalog'.")
    entries: Mapping[str, Mapping[str, Any]] = tomllib.loads(catalog_text)["price"]
    found: list[Found] = []
    missing: set[str] = set()
    cache: dict[tuple[str, str], Mapping[str, Any] | None] = {}
    for key, entry in entries.items():
        selector = selector_for(key)
        if selector is None:
            continue
        for region in regions:
            if (selector.offer, region) not in cache:
                cache[(selector.offer, region)] = _load_offer(offers, selector.offer, region)
            offer = cache[(selector.offer, region)]
            if offer is None:
                missing.add(f"{selector.offer}/{region}")
                continue
            usd = price_in_offer(offer, selector, region, key)
            if usd is None:
                continue
            published = str(offer.get("publicationDate", ""))[:10]
            old = entry["regions"].get(region)
            found.append(
                Found(
                    key,
                    region,
                    None if old is None else float(old),
                    usd,
                    OFFER_URL.format(offer=selector.offer, region="{region}"),
                    published,
                )
            )
    return found, sorted(missing)


def _inline_regions(regions: Mapping[str, float]) -> str:
    def name(region: str) -> str:
        return region if region == "global" else f'"{region}"'

    return "{ " + ", ".join(f"{name(region)} = {usd:g}" for region, usd in regions.items()) + " }"


def rewrite(catalog_text: str, found: Iterable[Found]) -> str:
    """The catalog with each found price written in, line by line (comments and order stay)."""
    by_key: dict[str, list[Found]] = {}
    for item in found:
        by_key.setdefault(item.key, []).append(item)
    entries: Mapping[str, Mapping[str, Any]] = tomllib.loads(catalog_text)["price"]
    lines = catalog_text.splitlines()
    output: list[str] = []
    current: str | None = None
    header = re.compile(r'^\[price\."([^"]+)"\]\s*$')
    for line in lines:
        match = header.match(line)
        if match or line.startswith("["):
            current = match.group(1) if match else None
            output.append(line)
            if current in by_key:
                items = by_key[current]
                output.append(f'offer_file = "{items[0].offer_url}"')
            continue
        if current not in by_key:
            output.append(line)
            continue
        items = by_key[current]
        entry = entries[current]
        if line.startswith(("offer_file =", "as_of =")):
            continue  # rewritten below
        if line.startswith("regions ="):
            regions = dict(entry["regions"]) | {item.region: item.new for item in items}
            output.append(f'as_of = "{max(item.published for item in items)}"')
            output.append(f"regions = {_inline_regions(regions)}")
            continue
        if line.startswith("approximate ="):
            left = [region for region in entry.get("approximate", []) if region not in {i.region for i in items}]
            if left:
                output.append("approximate = [" + ", ".join(f'"{region}"' for region in left) + "]")
            continue
        output.append(line)
    return "\n".join(output) + "\n"
