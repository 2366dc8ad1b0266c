"""The price refresh from Price List offer files (issue 15 item 5), on a recorded sample of the format."""

from __future__ import annotations

import json
import shutil
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from genai_infra.cli.main import app
from genai_infra.cost.catalog import CostError, PriceCatalog
from genai_infra.cost.refresh import find_prices, rewrite

OFFERS = Path(__file__).parent / "data" / "offers"
CATALOG = resources.files("genai_infra.cost").joinpath("prices.toml").read_text(encoding="utf-8")
TAIPEI = "ap-east-2"


def test_the_sample_prices_taipei_where_the_offer_file_has_it() -> None:
    found, missing = find_prices(CATALOG, OFFERS, [TAIPEI])
    prices = {(item.key, item.region): item.new for item in found}
    # Linux, shared tenancy, used capacity: not the Windows, dedicated or reservation rows.
    assert prices == {
        ("ec2.t3.small", TAIPEI): 0.0314,
        ("ebs.gp3", TAIPEI): 0.1056,
        ("vpc.nat-gateway", TAIPEI): 0.0715,
        # Aurora PostgreSQL Standard: not the I/O-Optimized or Aurora MySQL rows.
        ("rds.aurora-postgresql.db.r6g.large", TAIPEI): 0.345,
    }
    assert "AmazonEKS/ap-east-2" in missing
    assert {item.published for item in found} == {"2026-12-01"}


def test_the_rewritten_catalog_stops_deriving_what_it_found_and_keeps_its_comments() -> None:
    found, _ = find_prices(CATALOG, OFFERS, [TAIPEI])
    text = rewrite(CATALOG, found)
    assert "# Price catalog of the offline cost estimator" in text
    catalog = PriceCatalog(tomllib.loads(text))
    small = catalog.price("ec2.t3.small", TAIPEI)
    assert (small.usd, small.caveat, small.as_of) == (0.0314, None, "2026-12-01")
    assert catalog.price("ec2.t3.small", "ap-northeast-1").usd == 0.0272  # other regions unchanged
    writer = catalog.price("rds.aurora-postgresql.db.r6g.large", TAIPEI)
    assert writer.caveat is None  # neither derived nor approximate any more
    entry = tomllib.loads(text)["price"]["rds.aurora-postgresql.db.r6g.large"]
    assert entry["approximate"] == ["ap-northeast-1"]
    assert (
        entry["offer_file"]
        == "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonRDS/current/{region}/index.json"
    )
    # What the offer files do not hold stays derived from Tokyo, and says so.
    assert catalog.price("ec2.t3.medium", TAIPEI).caveat == "derived from ap-northeast-1 x 1"
    # Refreshing again changes nothing.
    assert rewrite(text, find_prices(text, OFFERS, [TAIPEI])[0]) == text


def test_an_ambiguous_selector_is_an_error(tmp_path: Path) -> None:
    offers = tmp_path / "offers"
    shutil.copytree(OFFERS, offers)
    path = offers / "AmazonEC2" / TAIPEI / "index.json"
    data: dict[str, Any] = json.loads(path.read_text())
    data["terms"]["OnDemand"]["SKUT3SMALLWIN"]["SKUT3SMALLWIN.JRTCKXETXF"]["sku"] = "SKUT3SMALLWIN"
    data["products"]["SKUT3SMALLWIN"]["attributes"]["operatingSystem"] = "Linux"
    path.write_text(json.dumps(data))
    with pytest.raises(CostError, match=r"2 different prices for ec2\.t3\.small"):
        find_prices(CATALOG, offers, [TAIPEI])


def test_cli_shows_the_changes_and_writes_only_when_asked(tmp_path: Path) -> None:
    target = tmp_path / "prices.toml"
    target.write_text(CATALOG, encoding="utf-8")
    shown = CliRunner().invoke(
        app,
        ["cost", "refresh-prices", "--offers", str(OFFERS), "--region", TAIPEI, "--catalog", str(target)],
        env={"COLUMNS": "200"},
    )
    assert shown.exit_code == 0, shown.output
    assert "ec2.t3.small" in shown.output
    assert "0.0314" in shown.output
    assert target.read_text(encoding="utf-8") == CATALOG
    written = CliRunner().invoke(
        app,
        ["cost", "refresh-prices", "--offers", str(OFFERS), "--region", TAIPEI, "--catalog", str(target), "--write"],
    )
    assert written.exit_code == 0, written.output
    assert PriceCatalog(tomllib.loads(target.read_text(encoding="utf-8"))).price("ec2.t3.small", TAIPEI).usd == 0.0314
    missing = CliRunner().invoke(app, ["cost", "refresh-prices", "--offers", str(tmp_path / "none")])
    assert missing.exit_code == 1
    assert "is not a folder of offer files" in missing.output
