"""Export a (filtered) dataset as TOML, JSON or CSV, and write files atomically."""

from __future__ import annotations

import json
import os
import stat
import tempfile
from pathlib import Path
from typing import Any

from pilotcli.dataset import Catalog
from pilotcli.errors import DataError, PilotError, Problem
from pilotcli.records import City, Dataset, as_data, replace


def subset(catalog: Catalog, cities: list[City]) -> Dataset:
    """The dataset with only these cities; sources, sectors and regions are kept whole."""
    if not cities:
        # pilot refuses a dataset without cities, so it must not write one.
        raise PilotError("no city matches these filters, and a dataset needs at least one city")
    return replace(catalog.dataset, cities=tuple(cities))


def dataset_document(dataset: Dataset) -> dict[str, Any]:
    # TOML has no null: a missing optional value is left out, as in the hand-edited file.
    document: dict[str, Any] = as_data(dataset, json=False, drop_none=True)
    return document


def to_toml(dataset: Dataset) -> str:
    import tomli_w

    header = "# pilot dataset, exported by `pilot export`; validate with `pilot validate FILE`.\n"
    return header + tomli_w.dumps(dataset_document(dataset))


def to_json(dataset: Dataset) -> str:
    return json.dumps(as_data(dataset), ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def write_atomic(path: Path, text: str, *, force: bool, bom: bool = False) -> None:
    """Write via a temporary file in the same folder, then rename: never half-written.

    An existing file is left alone unless `force` is set. The file gets the permissions a
    plain `open()` would give it: an overwritten file keeps its own, a new one gets 0o666
    less the umask (a temporary file alone would be 0o600).
    """
    shown = str(path)
    try:
        if path.is_dir():
            raise DataError([Problem(shown, "is a directory")])
        if path.exists() and not force:
            raise DataError([Problem(shown, "file exists")], hint="add --force to overwrite it")
        mode = _mode_for(path)
        folder = path.parent if str(path.parent) else Path(".")
        if not folder.is_dir():
            raise DataError([Problem(shown, f"no such folder '{folder}'")])
    except OSError as error:  # e.g. a file name too long for the file system
        raise DataError([Problem(shown, f"cannot write the file: {error.strerror or error}")]) from None
    data = (("\ufeff" if bom else "") + text).encode("utf-8")
    temporary: str | None = None
    try:
        with tempfile.NamedTemporaryFile(
            "wb", dir=folder, prefix=f".{path.name}.", suffix=".tmp", delete=False
        ) as handle:
            temporary = handle.name
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
        temporary = None
    except PermissionError:
        raise DataError([Problem(shown, "permission denied")]) from None
    except OSError as error:
        raise DataError([Problem(shown, f"cannot write the file: {error.strerror or error}")]) from None
    finally:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)


def _mode_for(path: Path) -> int:
    """The permission bits for `path`: its own if it exists, else 0o666 less the umask."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        pass
    mask = os.umask(0)  # the only way to read the umask; set it back at once
    os.umask(mask)
    return 0o666 & ~mask
