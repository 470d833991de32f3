"""A cache of validated datasets, keyed by the file's content hash.

Validation is the dearest part of a call (parsing TOML, building and running
the pydantic validators). A file whose exact bytes were validated before, by
the same version of pilot, is loaded from the cache instead: the checks are paid
once per content, never skipped for new content.

An entry is the validated dataset as nested tuples of plain values
(`records.to_plain`) in the `marshal` format, after its SHA-256: Python reads it with no import
(pickle costs one, and more per object) and the records are rebuilt from it
directly, without the pydantic models.

Where: $PILOT_CACHE_DIR, else $XDG_CACHE_HOME/pilot, else ~/.cache/pilot.
Off: PILOT_NO_CACHE=1. Any failure to read or write the cache is ignored.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pilotcli import __version__

if TYPE_CHECKING:
    from pilotcli import models, records


_DIGEST_SIZE = 32
"""An entry is the SHA-256 of its payload, then the payload."""


def directory() -> Path | None:
    if os.environ.get("PILOT_NO_CACHE"):
        return None
    explicit = os.environ.get("PILOT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pilot"


def _code_stamp() -> str:
    # The models and the checks decide what is valid, and the records how it is stored:
    # a change to any (even in a source checkout without a new version number) must
    # miss the cache, as must another Python (marshal's format is Python's own).
    here = Path(__file__).parent
    parts = [__version__, sys.implementation.cache_tag or "", str(marshal.version)]
    for name in ("models.py", "checks.py", "validation.py", "names.py", "dataset.py", "loading.py", "records.py"):
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
    return folder / f"{digest.hexdigest()}.marshal"


def get(data: bytes) -> records.Dataset | None:
    """The validated dataset for a file with exactly these bytes, if pilot saw it before."""
    entry = _entry(data)
    if entry is None:
        return None
    from pilotcli.records import from_plain

    try:
        stored = entry.read_bytes()
        digest, payload = stored[:_DIGEST_SIZE], stored[_DIGEST_SIZE:]
        # A damaged entry must never reach marshal (which trusts its input) or the commands.
        if hashlib.sha256(payload).digest() != digest:
            return None
        return from_plain(marshal.loads(payload))
    except Exception:  # a missing or unreadable entry is a cache miss
        return None


def put(data: bytes, dataset: models.Dataset | records.Dataset) -> None:
    import tempfile

    entry = _entry(data)
    if entry is None:
        return
    temporary: str | None = None
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=entry.parent, suffix=".tmp", delete=False) as handle:
            temporary = handle.name
            from pilotcli.records import to_plain

            payload = marshal.dumps(to_plain(dataset))
            handle.write(hashlib.sha256(payload).digest() + payload)
        os.replace(temporary, entry)
    except Exception:  # a read-only or full disk only costs speed
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
