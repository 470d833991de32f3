"""A cache of validated datasets, keyed by the file's content hash.

Validation is the dearest part of a call (parsing TOML, building and running
the pydantic validators). A file whose exact bytes were validated before, by
the same version of pilot, is loaded from a pickle of the validated models
instead: the checks are paid once per content, never skipped for new content.

Where: $PILOT_CACHE_DIR, else $XDG_CACHE_HOME/pilot, else ~/.cache/pilot.
Off: PILOT_NO_CACHE=1. Any failure to read or write the cache is ignored.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path
from typing import TYPE_CHECKING

from pilotcli import __version__

if TYPE_CHECKING:
    from pilotcli.models import Dataset


def directory() -> Path | None:
    if os.environ.get("PILOT_NO_CACHE"):
        return None
    explicit = os.environ.get("PILOT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pilot"


def _code_stamp() -> str:
    # The models and the checks decide what is valid: a change to either (even in
    # a source checkout without a new version number) must miss the cache.
    here = Path(__file__).parent
    parts = [__version__]
    for name in ("models.py", "dataset.py", "loading.py"):
        try:
            stat = (here / name).stat()
            parts.append(f"{stat.st_size}:{stat.st_mtime_ns}")
        except OSError:
            parts.append("?")
    return "|".join(parts)


def _entry(data: bytes) -> Path | None:
    folder = directory()
    if folder is None:
        return None
    digest = hashlib.sha256(_code_stamp().encode() + b"\0")
    digest.update(data)
    return folder / f"{digest.hexdigest()}.pickle"


def get(data: bytes) -> Dataset | None:
    """The validated dataset for a file with exactly these bytes, if pilot saw it before."""
    entry = _entry(data)
    if entry is None:
        return None
    try:
        with entry.open("rb") as handle:
            dataset = pickle.load(handle)  # our own file, written by put() below
    except Exception:  # a missing, stale or corrupt entry is a cache miss
        return None
    from pilotcli.models import Dataset

    return dataset if isinstance(dataset, Dataset) else None


def put(data: bytes, dataset: Dataset) -> None:
    import tempfile

    entry = _entry(data)
    if entry is None:
        return
    temporary: str | None = None
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=entry.parent, suffix=".tmp", delete=False) as handle:
            temporary = handle.name
            pickle.dump(dataset, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, entry)
    except Exception:  # a read-only or full disk only costs speed
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
