"""The validated-dataset cache and the records the commands work on.

A cache entry stands in for validation, so it must give back exactly what
validation gives, never serve content it was not written for, and be ignored
when it cannot be read. The records must carry the models' fields, and a call
on a warm cache must not need the pydantic models at all (that is its point).
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import DATA, ROOT, run_cli
from pilotcli import cache, models, records
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
        # Section sizes that claim a huge section: must not be read at all.
        "header changed": good[:32] + b"\xff\xff\xff\x7f" + good[36:],
    }[damage]
    entry.write_bytes(damaged)
    assert read_dataset(copy) == fresh
    assert entry.read_bytes() == good


def test_an_entry_of_the_wrong_shape_is_a_miss(copy: Path, cache_dir: Path) -> None:
    import marshal

    fresh = read_dataset(copy)
    [entry] = entries(cache_dir)
    payload = marshal.dumps(("not", "a", "dataset"))
    entry.write_bytes(cache.digest(payload) + payload)
    assert read_dataset(copy) == fresh


def write_wrong_section(entry: Path, dataset: records.Dataset, name: str) -> None:
    """An entry whose section `name` is of the wrong shape, undamaged as far as its digest tells."""
    import marshal

    sections = [marshal.dumps(section) for section in records.to_plain(dataset)]
    sections[records.Dataset.FIELDS.index(name)] = marshal.dumps(("not", "a", "section"))
    payload = b"".join([*(len(blob).to_bytes(4, "little") for blob in sections), *sections])
    entry.write_bytes(cache.digest(payload) + payload)


def test_an_entry_whose_sections_are_of_the_wrong_shape_is_rebuilt_from_the_file(copy: Path, cache_dir: Path) -> None:
    fresh = read_dataset(copy)
    [entry] = entries(cache_dir)
    good = entry.read_bytes()
    write_wrong_section(entry, fresh, "cities")
    cached = read_dataset(copy)
    assert cached.cities == fresh.cities
    assert cached == fresh
    assert entry.read_bytes() == good  # and the entry was written anew


def test_a_rebuild_never_mixes_two_versions_of_the_file(copy: Path, cache_dir: Path) -> None:
    fresh = read_dataset(copy)
    [entry] = entries(cache_dir)
    write_wrong_section(entry, fresh, "sources")
    cached = read_dataset(copy)
    assert cached.cities == fresh.cities  # read from the entry
    copy.write_text(copy.read_text(encoding="utf-8").replace('name = "Hefei"', 'name = "Hefei Changed"', 1), "utf-8")
    with pytest.raises(DataError, match="the file changed while pilot read it"):
        cached.sources  # noqa: B018  # the entry's sources cannot be read, and the file is no longer the same


def test_a_cached_dataset_pickles_copies_and_shows_as_a_dataset(copy: Path) -> None:
    import copy as copying
    import pickle

    fresh = read_dataset(copy)
    cached = read_dataset(copy)
    assert type(cached) is not records.Dataset  # read from the cache
    assert pickle.loads(pickle.dumps(cached)) == fresh
    assert copying.deepcopy(cached) == fresh
    assert repr(cached) == repr(fresh)


def built_sections(dataset: records.Dataset) -> list[str]:
    """The sections of a dataset that were rebuilt from its cache entry so far."""
    built = []
    for name in records.Dataset.FIELDS:
        try:
            records.Dataset.__dict__[name].__get__(dataset)  # the slot itself, not __getattr__
        except AttributeError:
            continue
        built.append(name)
    return built


def test_a_cached_dataset_builds_only_the_sections_a_command_uses(copy: Path, cache_dir: Path) -> None:
    from pilotcli import query
    from pilotcli.dataset import Catalog
    from pilotcli.views.listing import list_view

    fresh = read_dataset(copy)
    cached = read_dataset(copy)
    assert built_sections(fresh) == list(records.Dataset.FIELDS)
    assert built_sections(cached) == []
    catalog = Catalog(cached, str(copy))
    view = list_view(catalog, query.list_cities(catalog, query.CityFilter(), None, False, None), None)
    assert view.tables  # the table is built (it is built when first asked for)
    assert "sources" not in built_sections(cached)
    assert "measures" not in built_sections(cached)  # the default columns are quantities, not flags
    assert [source.id for source in cached.sources] == [source.id for source in fresh.sources]
    assert "sources" in built_sections(cached)
    assert cached == fresh


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
    ftz = records.FreeTradeZone("Hefei FTZ", 2020, None, "s1", "high", None)
    assert ftz == records.FreeTradeZone("Hefei FTZ", 2020, None, "s1", "high", None)
    assert ftz != records.FreeTradeZone("Hefei FTZ", 2021, None, "s1", "high", None)
    assert repr(ftz) == (
        "FreeTradeZone(name='Hefei FTZ', since=2020, zone_since=None, source='s1', confidence='high', note=None)"
    )
    assert records.as_data(ftz) == {
        "name": "Hefei FTZ",
        "since": 2020,
        "zone_since": None,
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


def test_a_warm_call_needs_neither_the_models_nor_pickle_nor_openssl(tmp_path: Path) -> None:
    program = (
        "import sys; from pilotcli.cli import run; code = run(sys.argv[1:]);"
        " print('\\n' + ' '.join(m for m in ('pilotcli.models', 'pickle', 'rich', 'hashlib') if m in sys.modules))"
    )
    env = {**os.environ, "PILOT_CACHE_DIR": str(tmp_path / "cache")}
    argv = [sys.executable, "-c", program, "show", "hefei", "--json"]
    cold = subprocess.run(argv, capture_output=True, text=True, env=env, check=True)
    warm = subprocess.run(argv, capture_output=True, text=True, env=env, check=True)
    assert "pilotcli.models" in cold.stdout.splitlines()[-1].split()  # the first call validates
    assert warm.stdout.splitlines()[-1] == ""
    assert json.loads(warm.stdout.rsplit("\n", 2)[0]) == json.loads(cold.stdout.rsplit("\n", 2)[0])


def test_the_cache_hashes_with_standard_blake2b() -> None:
    import hashlib

    for data in (b"", b"abc", bytes(range(256)) * 1000):
        assert cache.digest(data) == hashlib.blake2b(data, digest_size=32).digest()


# --- The cache is a trust boundary ------------------------------------------------------------------


def forge(folder: Path, data: bytes) -> Path:
    """A correctly framed entry for a file with bytes `data`, as anyone could write one: the
    shipped dataset with Hefei renamed "Hefei Forged". Served, it would show that name."""

    from pilotcli.loading import parse_toml
    from pilotcli.validation import validate

    text = DATA.read_text(encoding="utf-8").replace('name = "Hefei"', 'name = "Hefei Forged"', 1)
    forged, problems = validate(parse_toml(text, "forged"), text, "forged")
    assert forged is not None
    assert not problems
    payload = cache.encode(forged)
    entry = folder / cache.entry_name(data)
    entry.write_bytes(cache.digest(payload) + payload)
    return entry


def hefei_name(path: Path) -> str:
    return next(city.name for city in read_dataset(path).cities if city.id == "hefei")


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o1777], ids=["world-writable", "group-writable", "sticky-tmp"])
def test_a_forged_entry_in_a_folder_others_may_write_is_never_served(
    copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: int
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(mode)
    monkeypatch.setenv("PILOT_CACHE_DIR", str(shared))
    entry = forge(shared, copy.read_bytes())
    result = run_cli("--data", str(copy), "show", "hefei", "--json")
    assert result.json()["name"] == "Hefei"
    assert result.stderr == (
        f"pilot: cache folder {shared} may be written by others: not used, so every call validates the data"
        " (set PILOT_CACHE_DIR to a folder of your own)\n"
    )
    assert hefei_name(copy) == "Hefei"
    assert sorted(shared.iterdir()) == [entry]  # and nothing was written there


def test_a_folder_of_another_user_is_not_used(copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    theirs = tmp_path / "theirs"
    theirs.mkdir(mode=0o700)
    entry = forge(theirs, copy.read_bytes())
    os.chown(theirs, 65534, 65534)  # nobody's (the tests run as root, who may do this)
    monkeypatch.setenv("PILOT_CACHE_DIR", str(theirs))
    assert hefei_name(copy) == "Hefei"
    assert sorted(theirs.iterdir()) == [entry]


@pytest.mark.parametrize("kind", ["symlink", "other-owner", "group-writable", "fifo"])
def test_only_a_regular_entry_of_the_user_is_read(copy: Path, cache_dir: Path, tmp_path: Path, kind: str) -> None:
    data = copy.read_bytes()
    cache_dir.mkdir(mode=0o700, exist_ok=True)
    name = cache.entry_name(data)
    if kind == "symlink":
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir()
        (cache_dir / name).symlink_to(forge(elsewhere, data))
    elif kind == "fifo":
        os.mkfifo(cache_dir / name)
    else:
        entry = forge(cache_dir, data)
        if kind == "other-owner":
            os.chown(entry, 65534, 65534)
        else:
            entry.chmod(0o660)
    assert hefei_name(copy) == "Hefei"
    # The entry was rewritten as pilot's own: a regular file, 0600, served from now on.
    entry = cache_dir / name
    assert not entry.is_symlink()
    info = entry.stat()
    assert (stat.S_ISREG(info.st_mode), stat.S_IMODE(info.st_mode), info.st_uid) == (True, 0o600, os.geteuid())
    assert hefei_name(copy) == "Hefei"


def test_the_folder_is_made_0700_and_entries_0600(copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "new" / "cache"
    monkeypatch.setenv("PILOT_CACHE_DIR", str(folder))
    previous = os.umask(0)  # the most permissive umask: the modes must not depend on it
    try:
        read_dataset(copy)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    [entry] = entries(folder)
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600


def test_the_code_stamp_covers_every_module() -> None:
    # Any module may decide what is valid or how it is stored (bounds.py did not exist when the
    # stamp named four files): every one is in it, so a change to any misses the cache.
    package = Path(cache.__file__).parent
    modules = sorted(
        str(path.relative_to(package)) for path in package.rglob("*.py") if "__pycache__" not in path.parts
    )
    stamped = sorted(part.split(":")[0] for part in cache._module_stamps(package, ""))
    assert stamped == modules
    assert {"bounds.py", "dataset.py", "loading.py", "models.py", "records.py", "cache.py"} <= set(stamped)


def test_touching_any_module_misses_the_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    before = cache.code_stamp()
    original = cache._module_stamps
    monkeypatch.setattr(cache, "_stamp", None)
    monkeypatch.setattr(cache, "_module_stamps", lambda folder, prefix: [*original(folder, prefix), "bounds.py:1:2"])
    assert cache.code_stamp() != before


# --- Housekeeping ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "on"),
    [("", True), ("0", True), ("false", True), ("no", True), ("off", True), ("1", False), ("yes", False)],
)
def test_pilot_no_cache(monkeypatch: pytest.MonkeyPatch, value: str, on: bool) -> None:
    monkeypatch.setenv("PILOT_NO_CACHE", value)
    assert (cache.directory() is not None) is on


def test_a_relative_xdg_cache_home_is_ignored(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("PILOT_CACHE_DIR")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    assert cache.directory() == tmp_path / ".cache" / "pilot"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.directory() == tmp_path / "xdg" / "pilot"


def test_stale_entries_are_pruned_and_the_total_is_bounded(
    copy: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache_dir.mkdir(mode=0o700, exist_ok=True)
    day = 86400
    now = time.time()

    def planted(name: str, age_days: float, size: int = 10) -> Path:
        path = cache_dir / name
        path.write_bytes(b"x" * size)
        os.utime(path, (now - age_days * day, now - age_days * day))
        return path

    written = cache_dir / cache.entry_name(copy.read_bytes())
    read_dataset(copy)
    entry_size = written.stat().st_size
    written.unlink()
    stamp = cache.code_stamp()
    other_version = planted(f"{'0' * 16}-{'a' * 64}.marshal", 0)
    too_old = planted(f"{stamp}-{'b' * 64}.marshal", cache.MAX_AGE_DAYS + 1)
    stale_temporary = planted(f".{stamp}-{'c' * 64}.marshal.1234.tmp", 1)
    oldest = planted(f"{stamp}-{'d' * 64}.marshal", 3, size=600)
    newer = planted(f"{stamp}-{'e' * 64}.marshal", 2, size=600)
    not_pilots = planted("notes.txt", 400)
    fresh_temporary = planted(f".{stamp}-{'f' * 64}.marshal.5678.tmp", 0)
    total_bound = entry_size + 700
    monkeypatch.setattr(cache, "MAX_TOTAL_BYTES", total_bound)
    read_dataset(copy)  # a miss: writes its entry, then prunes
    left = set(cache_dir.iterdir())
    assert not {other_version, too_old, stale_temporary} & left
    assert {written, newer, not_pilots, fresh_temporary} <= left
    assert oldest not in left  # the oldest entry went to keep the total under the bound
    assert sum(p.stat().st_size for p in left if p.name.endswith(".marshal")) <= total_bound


def test_the_newest_entry_is_kept_even_beyond_the_bound(
    copy: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "MAX_TOTAL_BYTES", 1)
    read_dataset(copy)
    assert [p.name for p in entries(cache_dir)] == [cache.entry_name(copy.read_bytes())]
