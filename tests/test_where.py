"""--where: the expression language (parse, bind, match) and the commands that take it."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import run_cli
from pilotcli.dataset import Catalog
from pilotcli.errors import NotFoundError, UsageError
from pilotcli.query import city_record, field_kinds
from pilotcli.where import FieldKind, MalformedError, bind, parse

# --- Parsing and binding ----------------------------------------------------------------

KINDS: dict[str, FieldKind] = {
    "gdp": "number",
    "gfci_rank": "number",
    "vats_pilot": "flag",
    "region": "text",
    "sectors": "list",
    "joined": "date",
}


def test_parse_reads_every_form() -> None:
    conditions = parse("gdp >= 2000 and not vats_pilot and region='east' and coastal")
    assert [(c.field, c.operator, c.value, c.negated) for c in conditions] == [
        ("gdp", ">=", "2000", False),
        ("vats_pilot", None, None, True),
        ("region", "=", "east", False),
        ("coastal", None, None, False),
    ]
    assert parse("gdp==1")[0].operator == "="


@pytest.mark.parametrize(
    ("expression", "column", "needle"),
    [
        ("gdp>>3", 5, "expected a value after '>'"),
        ("gdp>", 5, "expected a value after '>'"),
        (">3", 1, "expected a field name"),
        ("gdp>3 vats_pilot", 7, "expected 'and'"),
        ("gdp>3 and", 10, "missing after 'and'"),
        ("not", 4, "after 'not'"),
        ("not gdp>3", 8, "use != to negate"),
        ("region='east", 8, "quote is not closed"),
        ("gdp>3;", 5, "'gdp' is a number: '3;' is not"),
        ("gdp>3 & x", 7, "expected 'and' before '&'"),
        ("", 1, "empty expression"),
    ],
)
def test_a_malformed_expression_says_where(expression: str, column: int, needle: str) -> None:
    with pytest.raises(MalformedError) as caught:
        bind([expression], KINDS)
    assert f"at column {column}:" in caught.value.message
    assert needle in caught.value.message


@pytest.mark.parametrize(
    ("expression", "needle"),
    [
        ("gdp>big", "'gdp' is a number"),
        ("gdp", "not a yes/no field"),
        ("region>east", "only be compared with = or !="),
        ("vats_pilot=maybe", "yes or no"),
        ("joined>2022-1", "is a date"),
        ("gdp>nan", "'gdp' is a number"),
    ],
)
def test_a_value_of_the_wrong_kind_is_refused(expression: str, needle: str) -> None:
    with pytest.raises(UsageError, match=needle):
        bind([expression], KINDS)


def test_an_unknown_field_suggests_the_closest() -> None:
    with pytest.raises(NotFoundError) as caught:
        bind(["gpd>3"], KINDS)
    assert caught.value.message == "no field named 'gpd'"
    assert caught.value.hint is not None
    assert "did you mean 'gdp'" in caught.value.hint


def figure(value: Any) -> dict[str, Any]:
    return {"value": value, "unit": "x"}


def test_matching_follows_the_json_values() -> None:
    record = {
        "gdp": figure(2500.5),
        "gfci_rank": figure(None),
        "vats_pilot": figure(False),
        "region": "East",
        "sectors": ["finance", "tech"],
        "joined": "2022-12-20",
    }

    def matches(*expressions: str) -> bool:
        return bind(list(expressions), KINDS).matches(record)

    assert matches("gdp>2000", "gdp<=2500.5", "gdp!=1")
    assert not matches("gdp>2000", "gdp>3000")  # AND
    assert matches("not vats_pilot")
    assert matches("vats_pilot=no")
    assert not matches("vats_pilot")
    assert matches("region=east")
    assert not matches("region!=EAST")
    assert matches("sectors=finance")
    assert not matches("sectors=health")
    assert matches("sectors!=health")
    assert matches("joined=2022")
    assert matches("joined>=2022-12")
    assert not matches("joined<2022-12-20")
    # A missing value matches nothing, not even its opposite.
    assert not any(matches(e) for e in ("gfci_rank<=10", "gfci_rank>10", "gfci_rank!=3", "gfci_rank=3"))
    empty: dict[str, Any] = {"gdp": None}
    assert not bind(["gdp>0"], KINDS).matches(empty)
    assert not bind(["gdp<=0"], KINDS).matches(empty)


# --- Property: a random expression over random data agrees with a direct filter ----------

NUMBER_FIELDS = ["n1", "n2"]
FLAG_FIELDS = ["f1", "f2"]
TEXT_FIELDS = ["t1"]
PROPERTY_KINDS: dict[str, FieldKind] = {
    **dict.fromkeys(NUMBER_FIELDS, "number"),
    **dict.fromkeys(FLAG_FIELDS, "flag"),
    **dict.fromkeys(TEXT_FIELDS, "text"),
}
WORDS = ["east", "East", "west", "a b", "x"]
NUMBERS = st.integers(-5, 5) | st.floats(-5, 5, allow_nan=False).map(lambda x: round(x, 1))
COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
    "=": operator.eq,
    "==": operator.eq,
    "!=": operator.ne,
}


def _maybe_figure(value: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    # A field may be absent, null, a figure with a null value, or a figure with a value.
    return st.one_of(st.just(None), st.builds(figure, st.none()), st.builds(figure, value))


RECORDS = st.fixed_dictionaries(
    {
        **{name: _maybe_figure(NUMBERS) for name in NUMBER_FIELDS},
        **{name: _maybe_figure(st.booleans()) for name in FLAG_FIELDS},
        **{name: st.none() | st.sampled_from(WORDS) for name in TEXT_FIELDS},
    }
)

# A condition as (text to parse, the same test written directly in Python).
Direct = Callable[[dict[str, Any]], bool]


def _value(record: dict[str, Any], name: str) -> Any:
    item = record.get(name)
    return item.get("value") if isinstance(item, dict) else item


@st.composite
def conditions(draw: st.DrawFn) -> tuple[str, Direct]:
    kind = draw(st.sampled_from(["number", "flag", "not", "text"]))
    space = draw(st.sampled_from(["", " "]))
    if kind == "number":
        name, op, number = draw(st.sampled_from(NUMBER_FIELDS)), draw(st.sampled_from(list(COMPARE))), draw(NUMBERS)

        def direct_number(r: dict[str, Any]) -> bool:
            v = _value(r, name)
            return v is not None and COMPARE[op](v, number)

        return f"{name}{space}{op}{space}{number}", direct_number
    if kind in ("flag", "not"):
        name = draw(st.sampled_from(FLAG_FIELDS))
        wanted = kind == "flag"
        return (name if wanted else f"not {name}"), lambda r: _value(r, name) is wanted
    name, op, word = (
        draw(st.sampled_from(TEXT_FIELDS)),
        draw(st.sampled_from(["=", "!="])),
        draw(st.sampled_from(WORDS)),
    )

    def direct_text(r: dict[str, Any]) -> bool:
        v = _value(r, name)
        return v is not None and (v.casefold() == word.casefold()) == (op == "=")

    return f"{name}{op}'{word}'", direct_text


@settings(max_examples=300, deadline=None, database=None)
@given(
    records=st.lists(RECORDS, max_size=8),
    expressions=st.lists(st.lists(conditions(), min_size=1, max_size=3), min_size=1, max_size=3),
)
def test_a_random_expression_agrees_with_a_direct_filter(
    records: list[dict[str, Any]], expressions: list[list[tuple[str, Direct]]]
) -> None:
    texts = [" and ".join(text for text, _ in expression) for expression in expressions]
    where = bind(texts, PROPERTY_KINDS)
    tests = [direct for expression in expressions for _, direct in expression]
    kept = [r for r in records if where.matches(r)]
    assert kept == [r for r in records if all(test(r) for test in tests)], texts


# --- The commands ------------------------------------------------------------------------


def ids(*args: str) -> list[str]:
    result = run_cli(*args, "--json")
    assert result.exit_code == 0, result.stderr
    return [row["id"] for row in result.json()]


def test_list_where_agrees_with_the_json(catalog: Catalog) -> None:
    every = run_cli("list", "--json").json()
    over = [c["id"] for c in every if c["gdp"] and c["gdp"]["value"] is not None and c["gdp"]["value"] > 2000]
    assert ids("list", "--where", "gdp>2000") == over
    assert len(over) == 9
    hospitals = [c["id"] for c in every if c["foreign_hospital_pilot"] and c["foreign_hospital_pilot"]["value"]]
    assert ids("list", "--where", "foreign_hospital_pilot") == hospitals
    assert "hainan" in hospitals
    top10 = ids("list", "--where", "gfci_rank<=10")
    assert top10 == ["shanghai", "shenzhen"]  # Beijing is 16th in GFCI 38; not-ranked cities never match


def test_where_repeats_as_and_and_combines_with_the_filters() -> None:
    both = ids("list", "--where", "gdp>2000", "--where", "not vats_pilot", "--coastal")
    assert both == [i for i in ids("list", "--where", "gdp>2000 and not vats_pilot") if i in ids("list", "--coastal")]
    assert "shanghai" not in both
    assert "guangzhou" in both


def test_missing_values_match_neither_side(gaps: str) -> None:
    data = ("--data", gaps)
    over = ids(*data, "list", "--where", "services_share>=60")
    under = ids(*data, "list", "--where", "services_share<60")
    assert not set(over) & set(under)
    every = run_cli(*data, "list", "--json").json()
    known = [c["id"] for c in every if c["services_share"] and c["services_share"]["value"] is not None]
    assert sorted(over + under) == sorted(known)
    assert "hefei" not in over + under  # its services share is missing in `gaps`
    assert "hainan" not in over + under


@pytest.mark.parametrize("command", ["list", "rank", "map"])
def test_where_on_every_command(command: str) -> None:
    assert sorted(ids(command, "--where", "vats_pilot")) == ["beijing", "hainan", "shanghai", "shenzhen"]


def test_export_where() -> None:
    result = run_cli("export", "--format", "csv", "--where", "sectors=telecom")
    assert result.exit_code == 0
    assert [line.split(",")[0] for line in result.stdout.splitlines()[1:]] == [
        "beijing",
        "shanghai",
        "hainan",
        "shenzhen",
    ]


@pytest.mark.parametrize(
    ("expression", "needle"),
    [
        ("gpd>2000", "no field named 'gpd'; did you mean 'gdp'?"),
        ("gdp>>2000", "malformed --where 'gdp>>2000' at column 5"),
        ("vats_pilot=maybe", "'vats_pilot' is yes or no"),
    ],
)
def test_where_errors_exit_2_in_one_line(expression: str, needle: str) -> None:
    result = run_cli("list", "--where", expression)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert needle in result.stderr
    assert result.stderr.count("\n") == 1


def test_every_field_has_a_kind(catalog: Catalog) -> None:
    kinds = field_kinds(catalog)
    record = city_record(catalog, catalog.cities["beijing"])
    assert set(kinds) == set(record)
    for name, kind in kinds.items():
        value = record[name]["value"] if isinstance(record[name], dict) else record[name]
        expected: dict[str, type | tuple[type, ...]] = {
            "number": (int, float),
            "flag": bool,
            "text": str,
            "list": list,
            "date": str,
        }
        expected_type = expected[kind]
        assert value is None or isinstance(value, expected_type), name
