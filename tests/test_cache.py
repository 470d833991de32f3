"""The validated-dataset cache and the records the commands work on.

A cache entry stands in for validation, so it must give back exactly what
validation gives, never serve content it was not written for, and be ignored
when it cannot be read. The records must carry the models' fields, and a call
on a warm cache must not need the pydantic models at all (that is its point).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DATA, ROOT
from pilotcli import models, records
from pilotcli.dataset import read_dataset
from pilotcli.errors import DataError


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.marshal")) if folder.is_dir() else []


@pytest.fixture
def cache_dir() -> Path:
    return Path(os.environ["PILOT_CACHE_DIR"])


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "cities.toml"
    target.write_bytes(DATA.read_bytes())
    return target


def test_a_cached_dataset_equals_a_freshly_validated_one(copy: Path, cache_dir: Path) -> None:
    fresh = read_dataset(copy)
    assert len(entries(cache_dir)) == 1
    cached = read_dataset(copy)
    assert len(entries(cache_dir)) == 1  # read, not written again
    assert cached == fresh
    assert cached is not fresh
    assert isinstance(cached, records.Dataset)
    assert [city.id for city in cached.cities][:3] == ["beijing", "tianjin", "shanghai"]
    hefei = next(city for city in cached.cities if city.id == "hefei")
    assert hefei.joined.isoformat() == "2025-04-11"
    assert hefei.figures["gdp"].unit == "billion CNY"


def test_the_cache_is_keyed_by_content(copy: Path, cache_dir: Path) -> None:
    read_dataset(copy)
    text = copy.read_text(encoding="utf-8")
    copy.write_text(text.replace('name = "Hefei"', 'name = "Hefei Test"', 1), encoding="utf-8")
    changed = read_dataset(copy)
    assert len(entries(cache_dir)) == 2
    assert next(city.name for city in changed.cities if city.id == "hefei") == "Hefei Test"


@pytest.mark.parametrize("damage", ["empty", "garbage", "truncated", "one byte changed", "header changed"])
def test_a_damaged_entry_is_a_miss_and_is_rewritten(copy: Path, cache_dir: Path, damage: str) -> None:
    fresh = read_dataset(copy)
    [entry] = entries(cache_dir)
    good = entry.read_bytes()
    middle = len(good) // 2
    damaged = {
        "empty": b"",
        "garbage": b"\x00garbage",
        "truncated": good[:middle],
        "one byte changed": good[:middle] + bytes([good[middle] ^ 1]) + good[middle + 1 :],
        # A marshal header that claims a huge tuple: must not be read at all.
        "header changed": good[:32] + b"\xa9\xff\xff\xff\x7f" + good[37:],
    }[damage]
    entry.write_bytes(damaged)
    assert read_dataset(copy) == fresh
    assert entry.read_bytes() == good


def test_an_entry_of_the_wrong_shape_is_a_miss(copy: Path, cache_dir: Path) -> None:
    import marshal

    fresh = read_dataset(copy)
    [entry] = entries(cache_dir)
    import hashlib

    payload = marshal.dumps(("not", "a", "dataset"))
    entry.write_bytes(hashlib.sha256(payload).digest() + payload)
    assert read_dataset(copy) == fresh


def test_an_invalid_file_is_never_cached(tmp_path: Path, cache_dir: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(DATA.read_text(encoding="utf-8").replace("schema_version = 1", "schema_version = 2"), "utf-8")
    with pytest.raises(DataError):
        read_dataset(bad)
    assert entries(cache_dir) == []


def test_no_cache_writes_nothing(copy: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PILOT_NO_CACHE", "1")
    read_dataset(copy)
    assert entries(cache_dir) == []


def test_an_unwritable_cache_only_costs_speed(copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("PILOT_CACHE_DIR", str(blocker / "cache"))
    assert len(read_dataset(copy).cities) == 20


def test_every_model_has_a_record_with_the_same_fields() -> None:
    model_classes = [
        value
        for value in vars(models).values()
        if isinstance(value, type) and issubclass(value, models.Record) and value is not models.Record
    ]
    assert models.Dataset in model_classes
    assert set(models.list_sections().values()) <= set(model_classes)
    for model in model_classes:
        record = getattr(records, model.__name__)
        assert tuple(model.model_fields) == record.FIELDS, model.__name__


def test_records_py_is_generated_from_the_current_models() -> None:
    check = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_records.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stderr


def test_records_compare_by_value_and_show_their_fields() -> None:
    ftz = records.FreeTradeZone("Hefei FTZ", 2020, "s1", "high", None)
    assert ftz == records.FreeTradeZone("Hefei FTZ", 2020, "s1", "high", None)
    assert ftz != records.FreeTradeZone("Hefei FTZ", 2021, "s1", "high", None)
    assert repr(ftz) == "FreeTradeZone(name='Hefei FTZ', since=2020, source='s1', confidence='high', note=None)"
    assert records.as_data(ftz) == {
        "name": "Hefei FTZ",
        "since": 2020,
        "source": "s1",
        "confidence": "high",
        "note": None,
    }
    assert records.as_data(ftz, drop_none=True) == {
        "name": "Hefei FTZ",
        "since": 2020,
        "source": "s1",
        "confidence": "high",
    }


def test_a_warm_call_needs_neither_the_models_nor_pickle(tmp_path: Path) -> None:
    program = (
        "import sys; from pilotcli.cli import run; code = run(sys.argv[1:]);"
        " print('\\n' + ' '.join(m for m in ('pilotcli.models', 'pickle', 'rich') if m in sys.modules))"
    )
    env = {**os.environ, "PILOT_CACHE_DIR": str(tmp_path / "cache")}
    argv = [sys.executable, "-c", program, "show", "hefei", "--json"]
    cold = subprocess.run(argv, capture_output=True, text=True, env=env, check=True)
    warm = subprocess.run(argv, capture_output=True, text=True, env=env, check=True)
    assert cold.stdout.splitlines()[-1] == "pilotcli.models"  # the first call validates
    assert warm.stdout.splitlines()[-1] == ""
    assert json.loads(warm.stdout.rsplit("\n", 2)[0]) == json.loads(cold.stdout.rsplit("\n", 2)[0])
