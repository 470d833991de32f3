"""Property tests (Hypothesis): the CLI never crashes, bad data is refused cleanly, and
ranking, filtering, sorting with --limit and export keep their invariants.

Nothing here writes into the repository: CLI calls that may write (export -o) run in a
fresh temporary folder, and the Hypothesis example database is off.
"""

from __future__ import annotations

import contextlib
import copy
import io
import itertools
import math
import re
import tempfile
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from unittest import mock

import pytest
import tomli_w
import typer.main
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from conftest import DATA, run_cli
from pilotcli import export, query
from pilotcli.cli import build_app, run
from pilotcli.dataset import DERIVED, Catalog, load, read_dataset
from pilotcli.errors import DataError, PilotError
from pilotcli.query import CityFilter
from pilotcli.rank import rank
from pilotcli.records import Dataset
from pilotcli.records import replace as replaced
from pilotcli.validation import validate_file
from pilotcli.where import Where

# The shipped dataset, read without pilot (and so without touching any cache) at import time:
# strategies are built when the module is collected, before the fixtures exist.
RAW: dict[str, Any] = tomllib.loads(DATA.read_text(encoding="utf-8"))
CITY_IDS: list[str] = [city["id"] for city in RAW["cities"]]
CITY_NAMES: list[str] = sorted(
    {name for city in RAW["cities"] for name in (city["id"], city["name"], city["name_zh"], *city.get("aliases", ()))}
)
SECTOR_IDS: list[str] = [sector["id"] for sector in RAW["sectors"]]
SECTOR_NAMES: list[str] = sorted(
    {name for s in RAW["sectors"] for name in (s["id"], s["name"], s["name_zh"], *s.get("aliases", ()))}
)
REGION_IDS: list[str] = [region["id"] for region in RAW["regions"]]
REGION_NAMES: list[str] = sorted({name for r in RAW["regions"] for name in (r["id"], r["name"], r["name_zh"])})
PROVINCES: list[str] = sorted({p for region in RAW["regions"] for p in region["provinces"]})
BATCH_NUMBERS: list[int] = [batch["number"] for batch in RAW["program"]["batches"]]
BATCH_YEARS: list[int] = [batch["date"].year for batch in RAW["program"]["batches"]]
SOURCE_IDS: list[str] = [source["id"] for source in RAW["sources"]]
INDICATOR_IDS: list[str] = [indicator["id"] for indicator in RAW["indicators"]] + list(DERIVED)
FIELD_NAMES: list[str] = [*query.PROFILE_FIELDS, *INDICATOR_IDS]

# deadline=None: a CLI call's time varies with the machine; database=None: nothing written into the repo.
QUICK = settings(max_examples=150, deadline=None, database=None)
SLOW = settings(max_examples=60, deadline=None, database=None)


def test_the_strategies_know_the_catalog(catalog: Catalog) -> None:
    # The module-level lists above stand in for the catalog inside strategies; keep them honest.
    assert list(catalog.cities) == CITY_IDS
    assert set(INDICATOR_IDS) == set(catalog.indicators)
    assert sorted(FIELD_NAMES) == sorted(query.field_names(catalog))


# --- 1. Random argument lists never crash -------------------------------------------------


@dataclass(frozen=True)
class TmpPath:
    """A path inside the example's own temporary folder, made real when the example runs."""

    name: str
    prefix: str = ""

    def inside(self, folder: Path) -> str:
        return self.prefix + str(folder / self.name)


Token = str | TmpPath
T = TypeVar("T")

GROUP: Any = typer.main.get_command(build_app())
COMMANDS: list[str] = [info.name for info in build_app().registered_commands if info.name]
WRITES_OUTSIDE = {"--install-completion", "--show-completion"}  # touch the user's shell configuration
OUTPUT_OPTIONS = {"--output", "-o"}  # only ever given a path inside the temporary folder


def _option_names(command: Any) -> list[str]:
    return [name for param in command.params for name in (*param.opts, *param.secondary_opts) if name.startswith("-")]


ALL_OPTIONS: list[str] = sorted(
    {name for command in (GROUP, *GROUP.commands.values()) for name in _option_names(command)}
    - WRITES_OUTSIDE
    - OUTPUT_OPTIONS
)

_CONTROL_CHARACTERS = st.characters(codec="utf-8", categories=["Cc"])
GARBAGE: st.SearchStrategy[str] = st.one_of(
    # Never starts with "-": a stray "-o/somewhere" must not become an export target.
    st.text(max_size=15).filter(lambda text: not text.startswith("-")),
    st.text(_CONTROL_CHARACTERS, min_size=1, max_size=4),
    st.text("ab北京-_. ", min_size=100, max_size=300).filter(lambda text: not text.startswith("-")),
    st.integers().map(str),
    st.floats().map(repr),
    st.sampled_from(
        [
            *("", " ", "0", "-1", "-0", "1e9", "nan", "gdp=abc", "[bold]x[/]", "[red]hi", "\x1b[31mred", "\u2028"),
            *("北京", "西部", "--", "-", "--bogus", "-x", "--json=1", "--limit=-3", "../", "."),
        ]
    ),
)


def mostly(common: st.SearchStrategy[T], rare: st.SearchStrategy[T], odds: int = 3) -> st.SearchStrategy[T]:
    """`common` `odds` times out of `odds + 1`, else `rare` (st.one_of would weigh each branch alike)."""
    return st.integers(0, odds).flatmap(lambda pick: rare if pick == odds else common)


def _mixed_case(text: str) -> st.SearchStrategy[str]:
    return st.sampled_from([text, text.lower(), text.upper(), text.title()])


WEIGHT_SPECS: st.SearchStrategy[str] = st.builds(
    lambda name, sep, number: f"{name}{sep}{number}",
    mostly(st.sampled_from(INDICATOR_IDS), st.text(max_size=6)),
    mostly(st.just("="), st.sampled_from([":", "", "=="])),
    mostly(
        st.one_of(st.floats(min_value=0).map(repr), st.integers(0, 10).map(str)),
        st.one_of(st.floats().map(repr), st.integers(-3, 1000).map(str), st.text(max_size=4)),
    ),
)
DATA_FILES: st.SearchStrategy[Token] = mostly(
    st.one_of(
        st.just(str(DATA)),
        st.sampled_from(["missing.toml", "folder", "empty.toml", "binary.toml", "latin1.toml", "broken.toml"]).map(
            TmpPath
        ),
    ),
    GARBAGE,  # relative paths: the example runs inside its temporary folder
    odds=2,
)
OUTPUT_FILES: st.SearchStrategy[TmpPath] = st.one_of(
    st.sampled_from(["out.toml", "existing.toml", "folder", "no-folder/out.toml", "北京.csv"]).map(TmpPath),
    st.text(max_size=300).filter(lambda name: "/" not in name).map(TmpPath),
)
VALUES: dict[str, st.SearchStrategy[str]] = {
    "city": st.sampled_from(CITY_NAMES),
    "cities": st.sampled_from(CITY_NAMES),
    "sector": st.sampled_from(SECTOR_NAMES),
    "region": st.sampled_from(REGION_NAMES),
    "province": st.sampled_from(PROVINCES).flatmap(_mixed_case),
    "batch": st.one_of(st.sampled_from(BATCH_NUMBERS + BATCH_YEARS), st.integers()).map(str),
    "sort": st.sampled_from(FIELD_NAMES),
    "limit": st.one_of(st.integers(-3, 25), st.integers()).map(str),
    "fmt": st.sampled_from(["table", "json", "jsonl", "csv", "markdown", "toml", "JSON", "Markdown"]),
    "fields": st.lists(mostly(st.sampled_from(FIELD_NAMES), GARBAGE), max_size=4).map(",".join),
    "weight": WEIGHT_SPECS,
    "missing": st.sampled_from(["zero", "skip", "ZERO"]),
}


def _value_for(name: str) -> st.SearchStrategy[Token]:
    if name in ("data", "path"):
        return DATA_FILES
    if name == "output":
        return OUTPUT_FILES
    return mostly(VALUES[name], GARBAGE, odds=2) if name in VALUES else GARBAGE


def _chunk_for(param: Any) -> st.SearchStrategy[list[Token]]:
    """Argument words for one parameter: a flag, an option with a value, or a positional value."""
    names = [name for name in (*param.opts, *param.secondary_opts) if name.startswith("-")]
    if param.param_type_name == "argument":
        return st.lists(_value_for(param.name), min_size=1, max_size=7 if param.nargs == -1 else 1)
    if param.is_flag:
        return st.sampled_from(names).map(lambda name: [name])
    if param.name == "output":
        glued = OUTPUT_FILES.map(lambda path: [TmpPath(path.name, prefix="--output=")])
        return st.one_of(st.tuples(st.sampled_from(names), OUTPUT_FILES).map(list), glued)
    return st.tuples(st.sampled_from(names), _value_for(param.name)).map(list)


def _chunks(command: Any) -> st.SearchStrategy[list[Token]]:
    own = [_chunk_for(param) for param in command.params if param.name not in ("install_completion", "show_completion")]
    stray: list[st.SearchStrategy[list[Token]]] = [
        GARBAGE.map(lambda value: [value]),  # a value where none is expected
        st.sampled_from(ALL_OPTIONS).map(lambda name: [name]),  # any option, maybe of another command, maybe valueless
    ]
    return mostly(st.one_of(*own), st.one_of(*stray), odds=9)


HELP: st.SearchStrategy[list[Token]] = st.sampled_from([["--help"], ["-h"]])


@st.composite
def argument_lists(draw: st.DrawFn) -> list[Token]:
    """Mostly well-formed calls of real commands, with wrong values, stray words and any order."""
    data, version = (_chunk_for(param) for param in GROUP.params if param.name in ("data", "version"))
    chunks: list[list[Token]] = draw(st.lists(mostly(data, version, odds=10), max_size=1))
    name = draw(mostly(st.sampled_from(COMMANDS), GARBAGE, odds=9))
    chunks.append([name])
    command = GROUP.commands.get(name)
    own = _chunks(command if command is not None else GROUP)
    chunks += draw(st.lists(mostly(own, HELP, odds=30), max_size=6))
    if draw(st.integers(0, 3)) == 0:
        # Any order, but an option's value stays next to it: "-o" is never followed by anything else.
        chunks = draw(st.permutations(chunks))
    return [word for chunk in chunks for word in chunk]


_RAW_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


@contextlib.contextmanager
def _example_folder(base: Path) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(dir=base) as name:
        folder = Path(name)
        (folder / "folder").mkdir()
        (folder / "empty.toml").write_text("", encoding="utf-8")
        (folder / "existing.toml").write_text("[dataset]\n", encoding="utf-8")
        (folder / "binary.toml").write_bytes(b"\x00\x01\x02pilot")
        (folder / "latin1.toml").write_bytes("title = 'Xi’an é'\n".encode("latin-1", errors="replace") + b"\xe9\n")
        (folder / "broken.toml").write_text("[[cities]\nid = 'x'\n", encoding="utf-8")
        with contextlib.chdir(folder):
            yield folder


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("argv")


@QUICK
@given(argv=argument_lists())
# Found by this property: a --data file name over 255 bytes (Path.exists() raises
# ENAMETOOLONG) once ended in an internal error.
@example(argv=["--data", "_" * 130 + "京" * 42, "list"])
# The same cause in export.write_atomic (Path.is_dir() on the --output path).
@example(argv=["export", "--output", TmpPath("_" * 256)])
# A NUL character in a --data path once raised ValueError (an internal error).
@example(argv=["--data", "\x00", "list"])
@example(argv=["validate", "\x00"])
# Huge weights once overflowed the score (see test_ranking_is_a_permutation_best_first).
@example(argv=["rank", "--weight", "gdp=1e+307", "--json"])
def test_any_argument_list_ends_in_a_clean_exit(scratch: Path, argv: list[Token]) -> None:
    with _example_folder(scratch) as folder:
        words = [word.inside(folder) if isinstance(word, TmpPath) else word for word in argv]
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = run(words)
    stdout, stderr = out.getvalue(), err.getvalue()
    assert status in (0, 1, 2), f"exit {status} for {words!r}: {stderr!r}"
    assert "Traceback" not in stderr + stdout
    assert not _RAW_CONTROL.search(stderr), f"raw control character on stderr: {stderr!r}"
    if status != 0:
        # One line, "pilot: ...", whether from pilot itself or from the option parser.
        if "validate" in words:
            # validate lists its problems on stdout by design (as JSON with --json, where
            # the exit status alone says "invalid" and stderr may stay empty).
            assert stderr == "" or (stderr.startswith("pilot: ") and stderr.count("\n") == 1), stderr
        else:
            assert stderr.startswith("pilot: "), stderr
            assert stderr.endswith("\n"), stderr
            assert stderr.count("\n") == 1, stderr
            assert stdout == "", f"an error wrote to stdout: {stdout[:200]!r}"


# --- 2. Mutated datasets load or raise DataError ------------------------------------------

Loc = tuple[str | int, ...]
Mutation = tuple[Any, ...]


def _walk(node: Any, loc: Loc = ()) -> Iterator[tuple[Loc, Any]]:
    items: Any = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in items:
        yield (*loc, key), child
        yield from _walk(child, (*loc, key))


NODES: list[tuple[Loc, Any]] = list(_walk(RAW))
PATHS: list[Loc] = [loc for loc, _ in NODES]
ID_PATHS: list[Loc] = [loc for loc in PATHS if loc[-1] == "id"]
SOURCE_PATHS: list[Loc] = [loc for loc in PATHS if isinstance(loc[-1], str) and loc[-1].endswith("source")]
FIGURE_VALUE_PATHS: list[Loc] = [
    loc for loc in PATHS if loc[0] == "cities" and loc[2:3] == ("figures",) and loc[-1] == "value"
]
NUMBER_PATHS: list[Loc] = [
    loc for loc, value in NODES if isinstance(value, int | float) and not isinstance(value, bool) and value
]

SCALARS: st.SearchStrategy[Any] = st.one_of(
    st.text(max_size=12), st.integers(), st.floats(), st.booleans(), st.dates(), st.datetimes()
)
ANY_VALUE: st.SearchStrategy[Any] = st.one_of(
    SCALARS, st.lists(SCALARS, max_size=3), st.dictionaries(st.text(max_size=8), SCALARS, max_size=3)
)
TEXT_KEYS = {"name", "name_zh", "title", "description", "focus", "evidence", "note", "label", "edition", "coastal_note"}
TEXT_PATHS: list[Loc] = [loc for loc, value in NODES if isinstance(value, str) and loc[-1] in TEXT_KEYS]
OPTIONAL_PATHS: list[Loc] = [
    loc
    for loc in PATHS
    if (loc[0] == "cities" and len(loc) == 4 and loc[2] == "figures")  # a whole figure
    or loc[-1] in ("note", "edition", "aliases", "ftz", "coastal_note", "document", "description")
]
city_index = st.integers(0, len(CITY_IDS) - 1)
MUTATIONS: st.SearchStrategy[Mutation] = st.one_of(
    st.tuples(st.just("delete"), st.sampled_from(PATHS)),
    st.tuples(st.just("set"), st.sampled_from(PATHS), ANY_VALUE),
    st.tuples(st.just("duplicate_city"), city_index),
    st.tuples(st.just("set"), st.sampled_from(ID_PATHS), st.one_of(st.text(max_size=12), st.sampled_from(CITY_IDS))),
    st.tuples(
        st.just("set"), st.sampled_from(SOURCE_PATHS), st.one_of(st.sampled_from(SOURCE_IDS), st.text(max_size=12))
    ),
    st.tuples(st.just("set"), st.sampled_from(FIGURE_VALUE_PATHS), st.one_of(st.integers(), st.floats())),
    st.tuples(st.just("negate"), st.sampled_from(NUMBER_PATHS)),
    st.tuples(st.just("swap_ids"), city_index, city_index),
)


# Mutations that often leave the dataset valid: to find what validation lets through.
PLAUSIBLE_MUTATIONS: st.SearchStrategy[Mutation] = st.one_of(
    st.tuples(st.just("set"), st.sampled_from(FIGURE_VALUE_PATHS), st.one_of(st.integers(), st.floats())),
    st.tuples(st.just("set"), st.sampled_from(TEXT_PATHS), st.text(min_size=1, max_size=30)),
    st.tuples(st.just("set"), st.sampled_from(SOURCE_PATHS), st.sampled_from(SOURCE_IDS)),
    st.tuples(st.just("delete"), st.sampled_from(OPTIONAL_PATHS)),
    st.tuples(st.just("swap_ids"), city_index, city_index),
)


_GONE = object()


def _child(node: Any, part: str | int) -> Any:
    if isinstance(node, dict) and isinstance(part, str):
        return node.get(part, _GONE)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return _GONE


def _container(document: Any, loc: Loc) -> Any:
    """The dict or list holding `loc`, or None when an earlier mutation removed it."""
    node = document
    for part in loc[:-1]:
        node = _child(node, part)
    return None if _child(node, loc[-1]) is _GONE else node


def mutate(document: dict[str, Any], mutation: Mutation) -> None:
    kind = mutation[0]
    cities = document.get("cities")
    if kind in ("duplicate_city", "swap_ids"):
        indexes = mutation[1:]
        if not isinstance(cities, list) or not all(i < len(cities) and isinstance(cities[i], dict) for i in indexes):
            return
        if kind == "duplicate_city":
            cities.append(copy.deepcopy(cities[indexes[0]]))
        else:
            first, second = cities[indexes[0]], cities[indexes[1]]
            first["id"], second["id"] = second.get("id", "x"), first.get("id", "x")
        return
    loc: Loc = mutation[1]
    holder = _container(document, loc)
    if holder is None:
        return
    if kind == "delete":
        del holder[loc[-1]]
    elif kind == "set":
        holder[loc[-1]] = mutation[2]
    elif kind == "negate" and isinstance(holder[loc[-1]], int | float) and not isinstance(holder[loc[-1]], bool):
        holder[loc[-1]] = -holder[loc[-1]]


def mutated_file(mutations: list[Mutation], folder: Path) -> Path:
    document = copy.deepcopy(RAW)
    for mutation in mutations:
        mutate(document, mutation)
    try:
        text = tomli_w.dumps(document)
    except (TypeError, ValueError):
        assume(False)  # not writable as TOML: not a file anyone can hand to pilot
    path = folder / "mutated.toml"
    path.write_text(text, encoding="utf-8")
    return path


@contextlib.contextmanager
def _no_cache() -> Iterator[None]:
    with mock.patch.dict("os.environ", {"PILOT_NO_CACHE": "1"}):
        yield


@SLOW
@given(mutations=st.lists(MUTATIONS, min_size=1, max_size=3))
def test_a_mutated_dataset_loads_or_raises_data_error(
    tmp_path_factory: pytest.TempPathFactory, mutations: list[Mutation]
) -> None:
    path = mutated_file(mutations, tmp_path_factory.mktemp("mutated"))
    outcome: Dataset | DataError
    with _no_cache():  # the cache must not stand in for validation
        try:
            outcome = read_dataset(path)  # any other exception fails the test
        except DataError as error:
            outcome = error
        problems = validate_file(path)
    if isinstance(outcome, DataError):
        assert outcome.problems
        for problem in outcome.problems:
            assert problem.message.strip(), problem
            assert problem.path == str(path), problem
        assert problems, "read_dataset refuses the file but validate finds no problem"
    else:
        assert isinstance(outcome, Dataset)
        assert problems == [], "read_dataset accepts the file but validate finds problems"


@settings(SLOW, max_examples=40, suppress_health_check=[HealthCheck.filter_too_much])
@given(mutations=st.lists(PLAUSIBLE_MUTATIONS, min_size=1, max_size=3))
# Values that once passed validation and then broke the commands (found by probing this
# property's mutations by hand; random runs rarely draw them): nan, inf, integers beyond
# float range, and tiny values that make a derived figure infinite.
@example(mutations=[("set", ("cities", 0, "figures", "gdp", "value"), math.nan)])
@example(mutations=[("set", ("cities", 0, "figures", "gdp", "value"), math.inf)])
@example(mutations=[("set", ("cities", 0, "figures", "gdp", "value"), 10**400)])
@example(mutations=[("set", ("cities", 0, "figures", "population", "value"), 1e-307)])  # GDP per capita: inf
def test_a_dataset_that_validates_can_be_served(
    tmp_path_factory: pytest.TempPathFactory, mutations: list[Mutation]
) -> None:
    # Beyond "load or DataError": whatever validation lets through, the commands must serve.
    # (The cache stays on: this call validates the new content, the CLI calls then reuse it.)
    path = mutated_file(mutations, tmp_path_factory.mktemp("served"))
    try:
        dataset = read_dataset(path)
    except DataError:
        assume(False)
    ids = [city.id for city in dataset.cities]
    calls = [
        ["list", "--json"],
        ["list", "--sort", "gdp", "--desc"],
        ["rank", "--json", "--explain"],
        ["show", ids[0]],
        ["show", ids[-1], "--json"],
        ["regions", "--json"],
        ["sectors", "--format", "csv"],
    ]
    if len(ids) >= 2:
        calls.append(["compare", ids[0], ids[1], "--json"])
    for call in calls:
        result = run_cli("--data", str(path), *call)
        assert result.exit_code == 0, f"{call}: {result.stderr}"


# --- 3. Ranking is a permutation -------------------------------------------------------------

POSITIVE_WEIGHTS = st.floats(min_value=0.0, exclude_min=True, allow_nan=False, allow_infinity=False)


@QUICK
@given(
    cities=st.lists(st.sampled_from(CITY_IDS), min_size=1, unique=True),
    weights=st.dictionaries(st.sampled_from(INDICATOR_IDS), POSITIVE_WEIGHTS, min_size=1),
)
# Found by this property: a weight so large that weight * 100 points (or the sum of the
# weights) overflowed made the score inf or NaN; weights are now scaled before use.
@example(cities=["beijing"], weights={"population": 1.797693134862316e306})
def test_ranking_is_a_permutation_best_first(catalog: Catalog, cities: list[str], weights: dict[str, float]) -> None:
    for policy in ("zero", "skip"):
        ranked = rank(catalog, [catalog.cities[i] for i in cities], weights, policy)
        assert sorted(entry.city.id for entry in ranked) == sorted(cities)
        positions = [entry.position for entry in ranked if entry.position is not None]
        assert positions == list(range(1, len(positions) + 1))
        assert all(entry.position is None for entry in ranked[len(positions) :])  # the unranked come last
        scores = [entry.score for entry in ranked[: len(positions)]]
        assert all(s is not None and math.isfinite(s) and 0.0 <= s <= 100.0 for s in scores), scores
        for before, after in itertools.pairwise(ranked[: len(positions)]):
            assert before.score is not None
            assert after.score is not None
            assert before.score >= after.score, scores
            if before.score == after.score:
                assert before.city.id < after.city.id
        assert all(0.0 <= entry.coverage <= 1.0 for entry in ranked)
        assert all(entry.coverage >= 0.5 for entry in ranked[: len(positions)])


@QUICK
@given(
    cities=st.lists(st.sampled_from(CITY_IDS), min_size=2, unique=True),
    weights=st.dictionaries(st.sampled_from(INDICATOR_IDS), POSITIVE_WEIGHTS, min_size=2),
)
@example(cities=CITY_IDS, weights={"gdp": 1e-321, "population": 3e-321, "services_share": 1e300})
def test_a_city_position_never_depends_on_a_value_it_lacks(
    catalog: Catalog, cities: list[str], weights: dict[str, float]
) -> None:
    """Under the default policy a city's score is the same whether or not an indicator it has no
    data for is in the weights; so among the cities that lack it, the order does not change.

    Found by this property: with weights scaled by the largest of all of them, a huge weight on
    an indicator a city lacks made its other weights underflow, and its score drifted."""
    chosen = [catalog.cities[i] for i in cities]
    full = {entry.city.id: entry for entry in rank(catalog, chosen, weights, min_coverage=0.0)}
    for name in weights:
        lacking = [i for i in cities if full[i].score is not None and name in full[i].missing]
        if not lacking:
            continue
        fewer = {
            entry.city.id: entry
            for entry in rank(catalog, chosen, {k: w for k, w in weights.items() if k != name}, min_coverage=0.0)
        }
        for city_id in lacking:
            assert fewer[city_id].score == full[city_id].score, (city_id, name)
        for a, b in itertools.combinations(lacking, 2):
            score_a, score_b = full[a].score or 0.0, full[b].score or 0.0
            if abs(score_a - score_b) > 0.05:  # clearly apart (scores are rounded to 0.01)
                before = (full[a].position or 0) < (full[b].position or 0)
                assert before == ((fewer[a].position or 0) < (fewer[b].position or 0)), (a, b, name)


def _full_city(catalog: Catalog) -> Any:
    """A made-up city with a figure for every stored indicator (taken from cities that have one)."""
    from pilotcli.records import replace as replace_record

    figures = {}
    for city in catalog.dataset.cities:
        for key, stored in city.figures.items():
            if stored.value is not None and key not in figures:
                figures[key] = stored
    return replace_record(catalog.cities["beijing"], id="zz-full", name="Full", name_zh="全", figures=figures)


@QUICK
@given(
    cities=st.lists(st.sampled_from(CITY_IDS), min_size=1, unique=True),
    weights=st.dictionaries(st.sampled_from(INDICATOR_IDS), POSITIVE_WEIGHTS, min_size=1),
    policy=st.sampled_from(["skip", "zero"]),
)
def test_adding_a_city_with_full_data_never_lowers_another_coverage(
    catalog: Catalog, cities: list[str], weights: dict[str, float], policy: str
) -> None:
    from pilotcli.records import replace as replace_record

    full = _full_city(catalog)
    # The yes/no indicators that measures create name their cities: the made-up city is named too.
    measures = [replace_record(m, cities=(*m.cities, full.id)) if m.creates else m for m in catalog.dataset.measures]
    catalog = Catalog(replace_record(catalog.dataset, measures=tuple(measures)), catalog.path)
    chosen = [catalog.cities[i] for i in cities]
    before = {entry.city.id: entry.coverage for entry in rank(catalog, chosen, weights, policy)}  # type: ignore[arg-type]
    after = {entry.city.id: entry.coverage for entry in rank(catalog, [*chosen, full], weights, policy)}  # type: ignore[arg-type]
    assert after.pop("zz-full") == 1.0
    for city_id, coverage in before.items():
        assert after[city_id] >= coverage


# --- 4. Filters never add rows --------------------------------------------------------------


def _subset_of(values: list[Any], max_size: int) -> st.SearchStrategy[tuple[Any, ...]]:
    return st.lists(st.sampled_from(values), max_size=max_size, unique=True).map(tuple)


def city_filters(real_only: bool = False) -> st.SearchStrategy[CityFilter]:
    fake: list[str] = [] if real_only else ["no-such-id"]
    return st.builds(
        CityFilter,
        sectors=_subset_of(SECTOR_IDS + fake, 3),
        all_sectors=st.booleans(),
        regions=_subset_of(REGION_IDS + fake, 2),
        coastal=st.none() | st.booleans(),
        batches=_subset_of(BATCH_NUMBERS + ([] if real_only else [99]), 2),
        provinces=st.lists(st.sampled_from(PROVINCES).flatmap(_mixed_case), max_size=2).map(tuple),
        ftz=st.none() | st.booleans(),
        where=st.just(Where()),  # --where has its own properties (test_where.py)
        measures=st.just(()),  # --measure: tests/test_measures_command.py
        applying=st.none(),
    )


def test_city_filters_are_values() -> None:
    # Library users compare and hash filters, as they could when CityFilter was a NamedTuple.
    assert CityFilter(coastal=True, sectors=("finance",)) == CityFilter(sectors=("finance",), coastal=True)
    assert CityFilter(coastal=True) != CityFilter(coastal=False)
    assert CityFilter() != ("not", "a", "filter")
    assert len({CityFilter(batches=(4,)), CityFilter(batches=(4,)), CityFilter()}) == 2
    assert replaced(CityFilter(), ftz=True) == CityFilter(ftz=True)


@st.composite
def narrower(draw: st.DrawFn, base: CityFilter) -> CityFilter:
    """The filter with one more condition: never a filter that may let more cities through."""
    options: list[CityFilter] = [replaced(base, all_sectors=True)]
    if base.all_sectors:
        options.append(replaced(base, sectors=(*base.sectors, draw(st.sampled_from(SECTOR_IDS)))))
    if base.coastal is None:
        options.append(replaced(base, coastal=draw(st.booleans())))
    if base.ftz is None:
        options.append(replaced(base, ftz=draw(st.booleans())))
    for name, values in (
        ("sectors", SECTOR_IDS),
        ("regions", REGION_IDS),
        ("batches", BATCH_NUMBERS),
        ("provinces", PROVINCES),
    ):
        current: tuple[Any, ...] = getattr(base, name)
        if name == "sectors" and base.all_sectors:
            continue  # narrowed above: with --all-sectors, one more sector is one more condition
        change: dict[str, Any] = {}
        if not current:
            change[name] = (draw(st.sampled_from(values)),)
        elif len(current) >= 2:
            dropped = draw(st.integers(0, len(current) - 1))  # fewer alternatives in an any-of list
            change[name] = current[:dropped] + current[dropped + 1 :]
        if change:
            options.append(replaced(base, **change))
    return draw(st.sampled_from(options))


@QUICK
@given(data=st.data(), city_filter=city_filters())
def test_a_filter_never_adds_rows(catalog: Catalog, data: st.DataObject, city_filter: CityFilter) -> None:
    order = {city_id: index for index, city_id in enumerate(catalog.cities)}
    rows = [city.id for city in query.select(catalog, city_filter)]
    assert set(rows) <= set(order)
    assert [order[i] for i in rows] == sorted(order[i] for i in rows)  # file order, no duplicates
    assert len(set(rows)) == len(rows)

    stricter = data.draw(narrower(city_filter), label="stricter")
    narrowed = [city.id for city in query.select(catalog, stricter)]
    assert set(narrowed) <= set(rows), (stricter, narrowed, rows)

    all_of = {city.id for city in query.select(catalog, replaced(city_filter, all_sectors=True))}
    any_of = {city.id for city in query.select(catalog, replaced(city_filter, all_sectors=False))}
    assert all_of <= any_of


# --- 5. --limit keeps a prefix ----------------------------------------------------------------


@settings(QUICK, max_examples=80)
@given(
    limit=st.integers(0, 25),
    sort=st.none() | st.sampled_from(FIELD_NAMES),
    descending=st.booleans(),
)
def test_limit_is_a_prefix_of_the_unlimited_list(limit: int, sort: str | None, descending: bool) -> None:
    args = ["list", "--json", *(["--sort", sort] if sort else []), *(["--desc"] if descending else [])]
    full = run_cli(*args)
    limited = run_cli(*args, "--limit", str(limit))
    assert full.exit_code == 0, full.stderr
    assert limited.exit_code == 0, limited.stderr
    assert limited.json() == full.json()[:limit]


# --- 6. Export then load is the identity ----------------------------------------------------


def filter_flags(city_filter: CityFilter) -> list[str]:
    """The `pilot list`/`export` options that express this filter."""
    args: list[str] = []
    for sector in city_filter.sectors:
        args += ["--sector", sector]
    if city_filter.all_sectors:
        args.append("--all-sectors")
    for region in city_filter.regions:
        args += ["--region", region]
    if city_filter.coastal is not None:
        args.append("--coastal" if city_filter.coastal else "--inland")
    for batch in city_filter.batches:
        args += ["--batch", str(batch)]
    for province in city_filter.provinces:
        args += ["--province", province]
    if city_filter.ftz is not None:
        args.append("--ftz" if city_filter.ftz else "--no-ftz")
    return args


@SLOW
@given(city_filter=city_filters(real_only=True))
# A filter that matches no city: pilot refuses a dataset without cities, so export must
# refuse to write one (found by this property, when export still wrote it).
@example(city_filter=CityFilter(provinces=("Shanxi",)))
def test_export_then_load_is_the_identity(
    catalog: Catalog, tmp_path_factory: pytest.TempPathFactory, city_filter: CityFilter
) -> None:
    cities = query.select(catalog, city_filter)
    if not cities:
        with pytest.raises(PilotError, match="no city matches"):
            export.subset(catalog, cities)
        target = tmp_path_factory.mktemp("empty") / "none.toml"
        refused = run_cli("export", "-o", str(target), *filter_flags(city_filter))
        assert refused.exit_code == 1
        assert not target.exists()
        return
    subset = export.subset(catalog, cities)
    # A new file per example: load() keeps one Catalog per path for the whole process.
    path = tmp_path_factory.mktemp("export") / "subset.toml"
    path.write_text(export.to_toml(subset), encoding="utf-8")

    assert read_dataset(path) == subset
    assert load(path).dataset == subset

    exported = run_cli("--data", str(path), "list", "--json")
    assert exported.exit_code == 0, exported.stderr
    ids = {city.id for city in cities}
    shipped = run_cli("list", "--json").json()
    assert exported.json() == [row for row in shipped if row["id"] in ids]
    filtered = run_cli("list", "--json", *filter_flags(city_filter))
    assert filtered.exit_code == 0, filtered.stderr
    assert exported.stdout == filtered.stdout


# --- 7. Hostile text: limits, escapes, names ------------------------------------------------------

_HIDDEN_CHARACTERS = st.one_of(
    st.characters(categories=["Cf"]),  # format characters: bidirectional controls, zero-width ones
    st.sampled_from(["\u200b", "\u200d", "\u202e", "\u2066", "\ufeff", "\u00ad", "\u3164", "\u2028"]),
)


@settings(QUICK, max_examples=30)
@given(
    index=st.integers(0, len(CITY_IDS) - 1),
    field=st.sampled_from(["name", "name_zh", "aliases"]),
    hidden=_HIDDEN_CHARACTERS,
    position=st.integers(0, 20),
)
def test_a_hidden_character_anywhere_in_a_city_name_is_refused(
    index: int, field: str, hidden: str, position: int
) -> None:
    from pilotcli.loading import parse_toml
    from pilotcli.validation import validate

    document = copy.deepcopy(RAW)
    target = document["cities"][index]
    name = target[field][0] if field == "aliases" and target.get("aliases") else target.get("name", "x")
    changed = name[:position] + hidden + name[position:]
    if field == "aliases":
        target["aliases"] = [changed]
    else:
        target[field] = changed
    text = tomli_w.dumps(document)
    _, problems = validate(parse_toml(text, "hidden.toml"), text, "hidden.toml")
    assert any(p.city == target["id"] and p.field == field and "invisible" in p.message for p in problems), problems


# Look-alikes from other scripts for the letters of the shipped English names.
_HOMOGLYPHS = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "i": "і", "j": "ј", "s": "ѕ"}


@settings(QUICK, max_examples=30)
@given(data=st.data(), owner=st.integers(0, len(CITY_IDS) - 1), taker=st.integers(0, len(CITY_IDS) - 1))
def test_a_name_made_of_look_alike_letters_never_passes_for_another_citys(
    data: st.DataObject, owner: int, taker: int
) -> None:
    from pilotcli.loading import parse_toml
    from pilotcli.validation import validate

    assume(owner != taker)
    document = copy.deepcopy(RAW)
    original = document["cities"][owner]["name"]
    swappable = [i for i, char in enumerate(original) if char.lower() in _HOMOGLYPHS]
    assume(swappable)
    chosen = data.draw(st.sets(st.sampled_from(swappable), min_size=1), label="swapped")
    forged = "".join(
        _HOMOGLYPHS[char.lower()] if i in chosen and char.islower() else char for i, char in enumerate(original)
    )
    assume(forged != original)
    document["cities"][taker]["aliases"] = [forged]
    text = tomli_w.dumps(document)
    _, problems = validate(parse_toml(text, "alike.toml"), text, "alike.toml")
    taker_id = document["cities"][taker]["id"]
    assert any(p.city == taker_id and "look-alike" in p.message for p in problems), (forged, problems)


@settings(QUICK, max_examples=100)
@given(text=st.text(st.characters(codec="utf-8"), max_size=60))
def test_any_string_in_the_data_is_written_safely_in_every_format(text: str) -> None:
    # Whatever a string holds, a table or Markdown never carries a control, bidirectional or
    # invisible character; CSV no control character but tab and newline; JSON reads back the same.
    import json

    from pilotcli.render.text import json_safe, render_csv
    from pilotcli.view import clean

    shown = clean(text)
    assert not re.search(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]", shown)
    cell = render_csv([{"x": text}]).split("\n", 1)[1]
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", cell)
    written = json_safe(json.dumps({"x": text}, ensure_ascii=False))
    assert not re.search(r"[\x80-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]", written)
    assert json.loads(written) == {"x": text}


@settings(QUICK, max_examples=300)
@given(text=st.text(st.characters(codec="utf-8"), max_size=20))
@example(text="北京\u200b")
@example(text="\u202eabc")
@example(text="\xad\u061c\u180e\u2065\ufff9")
@example(text="tag\U000e0041")
@example(text="a\tb\u3000c\xa0")
def test_clean_gives_what_its_full_substitution_gives(text: str) -> None:
    # `clean` skips its substitution for printable text: that must never let a character
    # through that the substitution would have escaped.
    from pilotcli.view import _CONTROL, clean, escaped

    slow = re.sub(_CONTROL, lambda m: escaped(m.group()), text.replace("\n", " ").replace("\t", " "))
    assert clean(text) == slow


_TOML_STRINGS = st.text(st.characters(codec="utf-8", exclude_characters="\r"), max_size=40)


@settings(QUICK, max_examples=100)
@given(
    values=st.lists(st.one_of(_TOML_STRINGS, st.lists(_TOML_STRINGS, max_size=3)), min_size=1, max_size=5),
    depth=st.integers(0, 40),
)
def test_the_limits_see_structure_never_string_content(values: list[Any], depth: int) -> None:
    # Strings full of brackets, quotes, dots and '#' never count towards a limit, and an array
    # nested `depth` deep is refused exactly when it is deeper than the limit.
    from pilotcli import bounds

    nested: Any = 1
    for _ in range(depth):
        nested = [nested]
    document = {"values": values, "nested": nested, "keys": {f"k{i}": v for i, v in enumerate(values)}}
    text = tomli_w.dumps(document)
    if depth <= bounds.MAX_NESTING:
        bounds.check(text, "t.toml")
        assert tomllib.loads(text)["nested"] == nested
    else:
        with pytest.raises(DataError, match="nested more than 32 deep"):
            bounds.check(text, "t.toml")
