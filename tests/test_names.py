"""One rule for unknown names: every kind says 'no KIND named ...' and suggests the same way."""

from __future__ import annotations

import pytest

from conftest import run_cli
from pilotcli.errors import NotFoundError
from pilotcli.names import did_you_mean, lookup, suggestions


def test_lookup_takes_the_exact_name_or_a_unique_case_folded_one() -> None:
    assert lookup("field", "gdp", ["gdp", "population"]) == "gdp"
    assert lookup("field", "GDP", ["gdp", "population"]) == "gdp"


def test_an_unknown_name_suggests_the_closest_and_can_list_every_valid_one() -> None:
    with pytest.raises(NotFoundError) as caught:
        lookup("field", "gpd", ["population", "gdp", "gdp_growth"], list_all=True)
    error = caught.value
    assert error.message == "no field named 'gpd'"
    assert error.suggestions[0] == "gdp"
    assert error.hint is not None
    assert error.hint.startswith("did you mean 'gdp'")
    # Every valid name is listed: the suggestions first, then the rest in their own order.
    assert error.hint.endswith("valid fields: gdp, population, gdp_growth")


def test_nothing_is_suggested_for_a_name_close_to_nothing() -> None:
    assert suggestions("xyzzy", ["gdp", "population"]) == []
    assert did_you_mean("xyzzy", {"gdp"}) == ""
    assert did_you_mean("gpd", {"gdp", "population"}) == " (did you mean 'gdp'?)"


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["show", "shenzen"], "no city named 'shenzen'"),
        (["list", "--sector", "helthcare"], "no sector named 'helthcare'"),
        (["list", "--region", "eest"], "no region named 'eest'"),
        (["list", "--province", "Guangdon"], "no province named 'Guangdon'"),
        (["list", "--json", "--fields", "id,gpd"], "no field named 'gpd'"),
        (["rank", "--weight", "gpd=1"], "no indicator named 'gpd'"),
    ],
)
def test_every_kind_of_unknown_name_is_answered_the_same_way(arguments: list[str], expected: str) -> None:
    result = run_cli(*arguments)
    assert result.exit_code == 2
    assert expected in result.stderr
    assert "did you mean" in result.stderr
