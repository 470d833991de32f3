"""Shared fixtures: the shipped dataset, an in-process CLI runner, a private cache."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import factories
from pilotcli import cache, cli
from pilotcli.cli import run
from pilotcli.dataset import Catalog, load
from pilotcli.loading import shipped_dataset_path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "cities.toml"


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    # Every test gets its own validated-dataset cache and no stray configuration.
    monkeypatch.setenv("PILOT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    for name in ("PILOT_DATA", "PILOT_NO_CACHE", "NO_COLOR", "PILOT_DEBUG", "TERM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "100")
    # A terminal would beat COLUMNS (pytest run in one): in-process calls draw for COLUMNS; the
    # terminal's own width is tested on a real pty (test_screen.py).
    monkeypatch.setattr(cli, "terminal", lambda: None)
    # Each test is a new call: the cache may say again why it does not use a folder.
    monkeypatch.setattr(cache, "notice", None)
    monkeypatch.setattr(cache, "_noticed", set())


@pytest.fixture(scope="session")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    # Built before the per-test environment: keep it away from the user's own cache.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PILOT_CACHE_DIR", str(tmp_path_factory.mktemp("session-cache")))
        return load(shipped_dataset_path())


@pytest.fixture
def gaps(tmp_path: Path) -> str:
    """A copy of the shipped data with the gaps that tests about missing values name, made here.

    Hainan has no population, GDP, growth or services share (so no GDP per capita either), and
    Hefei no services share, whatever the shipped data has found since. Everything else is as
    shipped.
    """
    raw = factories.shipped_raw()
    factories.without_values(raw, "hainan", "population", "gdp", "gdp_growth", "services_share")
    factories.without_values(raw, "hefei", "services_share")
    return str(factories.write_raw(raw, tmp_path / "gaps.toml"))


@dataclass(frozen=True)
class Result:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def run_cli(*args: str) -> Result:
    """Run `pilot ARGS` in-process through the console script's own entry point."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = run(list(args))
    return Result(code, out.getvalue(), err.getvalue())


class CompletionContext:
    """The little of a click Context that pilot's completion functions use: no parameters given yet."""

    def __init__(self) -> None:
        self.params: dict[str, object] = {}

    def find_root(self) -> CompletionContext:
        return self
