"""Files written by `pilot export`: permissions as a plain write would give them."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import run_cli
from pilotcli import export


@pytest.fixture
def umask_022() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_a_new_export_gets_0666_less_the_umask(tmp_path: Path, umask_022: None) -> None:
    target = tmp_path / "out.toml"
    export.write_atomic(target, "x = 1\n", force=False)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    result = run_cli("export", "--batch", "2015", "-o", str(tmp_path / "cli.toml"))
    assert result.exit_code == 0, result.stderr
    assert stat.S_IMODE((tmp_path / "cli.toml").stat().st_mode) == 0o644


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_an_overwritten_export_keeps_its_mode(tmp_path: Path, umask_022: None) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o640)
    result = run_cli("export", "--format", "csv", "-o", str(target), "--force")
    assert result.exit_code == 0, result.stderr
    assert target.read_text(encoding="utf-8") != "old\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
