from conftest import run_cli


def test_list_json_has_all_twenty_areas() -> None:
    result = run_cli("list", "--json")
    assert result.exit_code == 0, result.stderr
    assert len(result.json()) == 20
