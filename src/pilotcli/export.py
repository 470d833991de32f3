"""Export a (filtered) dataset as TOML, JSON or CSV, and write files atomically."""

from __future__ import annotations

import errno
import json
import os
import stat
import tempfile
from pathlib import Path
from typing import Any, NamedTuple

from pilotcli.dataset import Catalog
from pilotcli.errors import DataError, PilotError, Problem
from pilotcli.records import City, Dataset, as_data, replace


def subset(catalog: Catalog, cities: list[City]) -> Dataset:
    """The dataset with only these cities; sources, sectors and regions are kept whole.

    Measures keep only these cities in their lists; one left with none is dropped, unless
    it creates an indicator (its list then still says 'no' for the cities kept)."""
    if not cities:
        # pilot refuses a dataset without cities, so it must not write one.
        raise PilotError("no city matches these filters, and a dataset needs at least one city")
    kept = {city.id for city in cities}
    measures = []
    for measure in catalog.dataset.measures:
        if measure.scope == "cities":
            measure = replace(measure, cities=tuple(c for c in measure.cities if c in kept))
            if not measure.cities and measure.creates is None:
                continue
        measures.append(measure)
    return replace(catalog.dataset, cities=tuple(cities), measures=tuple(measures))


def dataset_document(dataset: Dataset) -> dict[str, Any]:
    # TOML has no null: a missing optional value is left out, as in the hand-edited file.
    document: dict[str, Any] = as_data(dataset, json=False, drop_none=True)
    return document


def to_toml(dataset: Dataset) -> str:
    import tomli_w

    header = "# pilot dataset, exported by `pilot export`; validate with `pilot validate FILE`.\n"
    return header + tomli_w.dumps(dataset_document(dataset))


def to_json(dataset: Dataset) -> str:
    from pilotcli.render.text import json_safe

    return json_safe(json.dumps(as_data(dataset), ensure_ascii=False, indent=2, allow_nan=False)) + "\n"


def write_atomic(target: str | Path, text: str, *, force: bool, bom: bool = False) -> str | None:
    """Write a regular file via a temporary file in the same folder: never half-written.

    Without `force` the target must not exist, and the file is put in place with a hard link,
    which fails if anything has taken the name meanwhile: of several writers racing for one
    name exactly one wins. With `force` an existing regular file is replaced (renamed over),
    and so is a symbolic link: the link itself, never what it points to. Directories, FIFOs,
    devices and sockets are refused either way. Returns a sentence for the user when a link
    was replaced.

    The file gets the permissions a plain `open()` would give it: an overwritten file keeps
    its own, a new one gets 0o666 less the umask (a temporary file alone would be 0o600).
    """
    shown = str(target)
    checked = _check_target(shown, force=force)
    data = (("\ufeff" if bom else "") + text).encode("utf-8")
    try:
        _write_in_place(checked, data)
    except FileExistsError:
        raise _refusal(shown, "file exists (created while pilot was writing)", "add --force to overwrite it") from None
    except PermissionError:
        raise _refusal(shown, "permission denied") from None
    except OSError as error:
        raise _refusal(shown, f"cannot write the file: {error.strerror or error}") from None
    return checked.note


class _Target(NamedTuple):
    path: Path
    existing: os.stat_result | None
    """What is at the name now (not followed if a link), None if nothing."""
    mode: int
    """The permission bits the written file gets."""
    note: str | None
    """What to tell the user (a symbolic link replaced), None if nothing."""


def _refusal(shown: str, message: str, hint: str | None = None) -> DataError:
    return DataError([Problem(shown, message)], hint=hint)


def _check_target(shown: str, *, force: bool) -> _Target:
    """What `write_atomic` may write at `shown`; DataError saying why not otherwise."""
    from pilotcli.loading import file_kind

    path = Path(shown)
    if not shown:
        raise _refusal(shown, "an empty file name", "give the file to write after -o")
    if os.path.basename(shown) in ("", ".", ".."):  # "out/", "out/.": a folder, not a file
        raise _refusal(shown, "names a folder, not a file", f"give a file name, e.g. {path / 'cities.toml'}")
    note: str | None = None
    try:
        existing = _lstat(path)
        if not path.parent.is_dir():
            raise _refusal(shown, f"no such folder '{path.parent}'")
        if existing is not None and stat.S_ISLNK(existing.st_mode):
            link = os.readlink(path)
            if not force:
                raise _refusal(
                    shown,
                    f"is a symbolic link (to '{link}')",
                    "add --force to replace the link itself with the file (what it points to is left alone)",
                )
            note = f"replaced the symbolic link {shown} (to '{link}') with the file; '{link}' was not touched"
        elif existing is not None and (kind := file_kind(existing.st_mode)) is not None:
            raise _refusal(shown, f"is {kind}; pilot writes only regular files")
        elif existing is not None and not force:
            raise _refusal(shown, "file exists", "add --force to overwrite it")
        mode = stat.S_IMODE(existing.st_mode) if existing is not None and note is None else _new_file_mode()
    except OSError as error:  # e.g. a file name too long for the file system
        raise _refusal(shown, f"cannot write the file: {error.strerror or error}") from None
    return _Target(path, existing, mode, note)


def _write_in_place(target: _Target, data: bytes) -> None:
    """Write `data` to a temporary file beside the target, then give it the target's name."""
    temporary: str | None = None
    try:
        with tempfile.NamedTemporaryFile(
            "wb", dir=target.path.parent, prefix=f".{target.path.name}.", suffix=".tmp", delete=False
        ) as handle:
            temporary = handle.name
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, target.mode)
        if target.existing is None:
            _link_without_replacing(temporary, target.path)
        else:
            os.replace(temporary, target.path)
            temporary = None
    finally:
        # Also on Ctrl-C, SIGTERM or SIGHUP (raised as exceptions by pilot's entry point).
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return path.lstat()
    except FileNotFoundError:
        return None


def _link_without_replacing(temporary: str, path: Path) -> None:
    """Give the finished file its name, failing with FileExistsError if the name is taken."""
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EMLINK, errno.ENOSYS):
            raise
        # A file system without hard links: claim the name with an exclusive create (fails if
        # it is taken), then rename the finished file over the empty one pilot just made.
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        os.replace(temporary, path)


def _new_file_mode() -> int:
    """0o666 less the umask: the permission bits `open()` gives a new file."""
    mask = os.umask(0)  # the only way to read the umask; set it back at once
    os.umask(mask)
    return 0o666 & ~mask
