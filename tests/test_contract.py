"""The JSON contract: every command's real output validates against `pilot schema --output-format`."""

from __future__ import annotations

import re
from typing import Any

import jsonschema
import pytest

from conftest import ROOT, run_cli

SCHEMA: dict[str, Any] = run_cli("schema", "--output-format").json()

CASES = [
    ("list", ["list", "--json"]),
    ("list", ["list", "--json", "--region", "central", "--coastal"]),
    ("show", ["show", "hainan", "--json"]),
    ("show", ["show", "xian", "--json"]),
    ("compare", ["compare", "shenzhen", "hefei", "--json"]),
    ("compare", ["compare", "beijing", "shanghai", "hainan", "--json"]),
    ("compare", ["compare", "beijing", "shanghai", "hainan", "wuhan", "--base", "hainan", "--json"]),
    ("rank", ["rank", "--json"]),
    ("rank", ["rank", "--sector", "healthcare", "--missing", "zero", "--json"]),
    ("rank", ["rank", "--sector", "finance", "--coastal", "--where", "gdp>1000", "--explain", "--json"]),
    ("sectors", ["sectors", "--json"]),
    ("sector", ["sectors", "finance", "--json"]),
    ("regions", ["regions", "--json"]),
    ("map", ["map", "--json"]),
    ("map", ["map", "--json", "--region", "west", "--by", "region"]),
    ("timeline", ["timeline", "--json"]),
    ("timeline-measures", ["timeline", "--measures", "--json"]),
    ("sources", ["sources", "--json"]),
    ("sources", ["sources", "--city", "hefei", "--json"]),
    ("source", ["sources", "d31", "--json"]),
    ("measures", ["measures", "--json"]),
    ("measures", ["measures", "--sector", "healthcare", "--city", "shenzhen", "--json"]),
    ("measures", ["measures", "--search", "no such text", "--json"]),
    ("measure", ["measures", "vats-pilot-2024", "--json"]),
    ("measure", ["measures", "finance-qflp-pilot", "--json"]),
]


@pytest.mark.parametrize(("command", "args"), CASES)
def test_output_matches_its_schema(command: str, args: list[str]) -> None:
    result = run_cli(*args)
    assert result.exit_code == 0, result.stderr
    shape = {"$ref": f"#/$defs/commands/{command}", "$defs": SCHEMA["$defs"]}
    jsonschema.validate(result.json(), shape)
    jsonschema.validate(result.json(), SCHEMA)


GAP_CASES = [
    ("list", ["list", "--json"]),
    ("show", ["show", "hainan", "--json"]),
    ("compare", ["compare", "beijing", "shanghai", "hainan", "--json"]),
    ("compare", ["compare", "hainan", "hefei", "--json"]),
    ("rank", ["rank", "--json"]),
]


@pytest.mark.parametrize(("command", "args"), GAP_CASES)
def test_missing_values_match_the_schema(command: str, args: list[str], gaps: str) -> None:
    # On a copy with known gaps (Hainan's GDP and more), so that nulls are always in the output.
    result = run_cli("--data", gaps, *args)
    assert result.exit_code == 0, result.stderr
    assert re.search(r'"(value|score|rank)":\s*null', result.stdout), args
    shape = {"$ref": f"#/$defs/commands/{command}", "$defs": SCHEMA["$defs"]}
    jsonschema.validate(result.json(), shape)


def test_regions_with_a_missing_figure_match_the_schema(gaps: str) -> None:
    regions = run_cli("--data", gaps, "regions", "--json").json()
    east = next(r for r in regions if r["id"] == "east")
    assert "hainan" in east["gdp"]["cities_missing"]
    jsonschema.validate(regions, {"$ref": "#/$defs/commands/regions", "$defs": SCHEMA["$defs"]})


def test_schema_rejects_a_broken_record() -> None:
    city = run_cli("list", "--json").json()[0]
    city["gdp"] = {"value": "4984", "unit": "billion CNY"}  # a string, and keys missing
    shape = {"$ref": "#/$defs/commands/list", "$defs": SCHEMA["$defs"]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate([city], shape)
    del city["gdp"]
    city.pop("joined")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate([city], shape)


def test_city_record_keys_and_figure_units() -> None:
    city = run_cli("list", "--json").json()[0]
    required = ["id", "name", "name_zh", "province", "region", "coastal", "batch", "joined", "sectors"]
    assert all(key in city for key in required)
    assert next(iter(city)) == "id"
    assert city["population"]["unit"] == "million persons"
    assert city["gdp"]["unit"] == "billion CNY"
    assert set(city["gdp"]) == {
        "value",
        "listed",
        "unit",
        "year",
        "edition",
        "source",
        "also",
        "estimate",
        "confidence",
        "note",
        "history",
    }
    # The example: today's figure, with its earlier years under `history`.
    assert city["gdp"]["year"] == 2025
    assert [(h["year"], h["value"]) for h in city["gdp"]["history"]] == [(2024, 4984.31)]
    assert "unit" not in city["gdp"]["history"][0]


def test_dataset_schema_accepts_the_shipped_file() -> None:
    import tomllib

    from conftest import DATA

    schema = run_cli("schema").json()
    with DATA.open("rb") as handle:
        document = tomllib.load(handle)
    # TOML dates are date objects; the JSON form of the file has ISO strings.
    document["dataset"]["as_of"] = document["dataset"]["as_of"].isoformat()
    for batch in document["program"]["batches"]:
        batch["date"] = batch["date"].isoformat()
    for milestone in document["program"].get("milestones", []):
        milestone["date"] = milestone["date"].isoformat()
    for city in document["cities"]:
        city["joined"] = city["joined"].isoformat()
    jsonschema.validate(document, schema)
    document["cities"][0]["lat"] = "north"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, schema)


def test_schema_rejects_a_broken_measure() -> None:
    shape = {"$ref": "#/$defs/commands/measures", "$defs": SCHEMA["$defs"]}
    measure = run_cli("measures", "--json").json()[0]
    jsonschema.validate([measure], shape)
    for broken in ({"scope": "everywhere"}, {"applies_to": "beijing"}, {"date": None, "extra": 1}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate([{**measure, **broken}], shape)
    one = run_cli("measures", "vats-pilot-2024", "--json").json()
    del one["sources"][0]["url"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(one, {"$ref": "#/$defs/commands/measure", "$defs": SCHEMA["$defs"]})


def _contract() -> str:
    return " ".join((ROOT / "docs" / "json.md").read_text(encoding="utf-8").split())


def _documented(lead: str) -> list[str]:
    """The keys docs/json.md lists as `{"a", "b", ...}` right after `lead`."""
    braces = re.search(re.escape(lead) + r"[^{]*?`\{([^}]*)\}`", _contract())
    assert braces, lead
    return re.findall(r'"(\w+)"', braces.group(1))


def test_the_contract_in_docs_names_every_key_of_the_output() -> None:
    listed = run_cli("list", "--json").json()[0]
    city = re.search(r"A \*\*city\*\* object has (.*?), then one key per indicator", _contract())
    assert city
    # Backticked keys, leaving out the values named in brackets (`east`, `central` ...).
    assert re.findall(r"`(\w+)`", re.sub(r"\([^)]*\)", "", city.group(1))) == [
        key for key in listed if not isinstance(listed[key], dict | None)
    ]
    gdp = run_cli("show", "beijing", "--json").json()["gdp"]
    assert gdp["history"], "Beijing's GDP has an earlier year"
    assert _documented("A **figure** is") == list(gdp)
    assert _documented("`history` holds") == list(gdp["history"][0])
    ranked = run_cli("rank", "--json").json()[0]
    assert _documented("A **rank** entry is") == list(ranked)
    assert _documented("`contributions` maps each indicator to") == list(next(iter(ranked["contributions"].values())))
    compared = run_cli("compare", "beijing", "hefei", "--json").json()
    assert _documented("`compare` prints") == list(compared)
    assert _documented("`measures` is") == list(compared["measures"])
