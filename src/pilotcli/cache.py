"""A cache of validated datasets, keyed by the file's content hash.

Validation is the dearest part of a call (parsing TOML, building and running
the pydantic validators). A file whose exact bytes were validated before, by
the same code of pilot, is loaded from the cache instead: the checks are paid
once per content, never skipped for new content.

An entry is the validated dataset as nested tuples of plain values
(`records.to_plain`) in the `marshal` format, one marshal blob per section (sources,
cities, measures, ...), after its BLAKE2b digest (`digest`) and the blobs' sizes: Python
reads it with no import (pickle costs one, and more per object) and the records are
rebuilt from it directly, without the pydantic models. A section is rebuilt when a
command first uses it (`_CachedDataset`): `pilot list` never builds the sources or the
measures (2 M instructions a table call; bench/README.md).

The cache is a trust boundary: marshal data is unsafe to read from anyone else, and the
digest in front of it detects damage, not forgery. So pilot uses a cache folder only if
the current user owns it and neither its group nor others may write in it, creates it
0700 and its entries 0600, and reads an entry only if it is a regular file (never a
symbolic link) that the user owns and only the user may write. A folder that fails
these checks is neither read nor written; `notice` (set by the command line) is told
once why. Every check is made on open file descriptors, so a name swapped between the
check and the use cannot slip anything in.

Where: $PILOT_CACHE_DIR, else $XDG_CACHE_HOME/pilot (when absolute, as the XDG spec asks),
else ~/.cache/pilot. Off: PILOT_NO_CACHE set to anything but "", 0, false, no or off.
Housekeeping, after each write: entries of another version of pilot's code, entries
older than MAX_AGE_DAYS and temporary files older than an hour are deleted, then the
oldest entries until the entries fit in MAX_TOTAL_BYTES (the newest is always kept).
Any other failure to read or write the cache is ignored: it only costs speed.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import stat
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pilotcli import __version__, records

if TYPE_CHECKING:
    from pilotcli import models

MAX_AGE_DAYS = 28
MAX_TOTAL_BYTES = 256 * 1024 * 1024
_TEMPORARY_AGE = 3600
_DIGEST_SIZE = 32
"""An entry is the BLAKE2b digest of its payload (32 bytes), then the payload."""
_SECTIONS = records.Dataset.FIELDS
_SIZE_BYTES = 4
"""The payload starts with the size of each section's blob, 4 bytes little-endian each."""
_SUFFIX = ".marshal"

notice: Callable[[str], None] | None = None
"""Told, once per process, why a cache folder is not used (the command line says it on stderr)."""
_noticed: set[str] = set()


def _builtin_blake2b() -> Callable[..., Any]:
    """BLAKE2b from Python's own module: importing hashlib loads OpenSSL, which costs about
    5% of a warm call (bench/README.md). BLAKE2b is also the cheapest strong hash Python has
    without OpenSSL: 14 instructions a byte against 48 for its own SHA-256, which made hashing
    the dataset file and the entry a tenth of a warm call once the file reached 333 kB."""
    try:
        from _blake2 import blake2b
    except ImportError:  # a Python built without its own BLAKE2
        from hashlib import blake2b
    return blake2b


_blake2b = _builtin_blake2b()


def digest(data: bytes | memoryview) -> bytes:
    """The 32-byte BLAKE2b digest of `data` (the same as `hashlib.blake2b(data, digest_size=32)`)."""
    result: bytes = _blake2b(data, digest_size=_DIGEST_SIZE).digest()
    return result


def directory() -> Path | None:
    """The cache folder pilot would use, or None when the cache is off or there is no home."""
    if os.environ.get("PILOT_NO_CACHE", "").strip().lower() not in ("", "0", "false", "no", "off"):
        return None
    explicit = os.environ.get("PILOT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # unset, empty or relative: the XDG spec says to ignore it
        try:
            base = str(Path.home() / ".cache")
        except (RuntimeError, KeyError):  # no HOME and no entry in the password database
            return None
    return Path(base) / "pilot"


_stamp: str | None = None


def code_stamp() -> str:
    """Names this version of pilot's code: its version, Python's marshal format, and the size
    and time of every module in the package. Whatever decides what is valid or how it is
    stored is in some module, so any change to any of them (even in a source checkout
    without a new version number) misses the cache."""
    global _stamp
    if _stamp is None:
        parts = [__version__, sys.implementation.cache_tag or "", str(marshal.version)]
        parts += sorted(_module_stamps(Path(__file__).parent, ""))
        _stamp = digest("|".join(parts).encode()).hex()[:16]
    return _stamp


def _module_stamps(folder: Path, prefix: str) -> list[str]:
    found = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.endswith(".py") and entry.is_file():
                    info = entry.stat()
                    found.append(f"{prefix}{entry.name}:{info.st_size}:{info.st_mtime_ns}")
                elif entry.is_dir() and not entry.name.startswith((".", "__")):
                    found += _module_stamps(Path(entry.path), f"{prefix}{entry.name}/")
    except OSError:
        found.append(f"{prefix}?")
    return found


def entry_name(data: bytes) -> str:
    """The file name of the entry for a dataset file with exactly these bytes."""
    return _entry_name(digest(data))


def _entry_name(data_digest: bytes) -> str:
    return f"{code_stamp()}-{data_digest.hex()}{_SUFFIX}"


def _say_once(message: str) -> None:
    if notice is not None and message not in _noticed:
        _noticed.add(message)
        notice(message)


def _open_folder(*, create: bool) -> int | None:
    """A descriptor of the cache folder if it can be trusted (made, 0700, when `create` is set)."""
    folder = directory()
    if folder is None:
        return None
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC
    try:
        descriptor = os.open(folder, flags)
    except FileNotFoundError:
        if not create:
            return None
        try:
            folder.parent.mkdir(parents=True, exist_ok=True)
            os.mkdir(folder, 0o700)
        except FileExistsError:
            pass  # made by another pilot meanwhile: checked below like any other
        except OSError:
            return None
        try:
            descriptor = os.open(folder, flags)
        except OSError:
            return None
    except OSError:
        return None
    info = os.fstat(descriptor)
    if info.st_uid != os.geteuid():
        problem = "belongs to another user"
    elif info.st_mode & 0o022:
        problem = "may be written by others"
    else:
        return descriptor
    os.close(descriptor)
    _say_once(
        f"cache folder {folder} {problem}: not used, so every call validates the data "
        "(set PILOT_CACHE_DIR to a folder of your own)"
    )
    return None


def get(data_digest: bytes, rebuild: Callable[[], records.Dataset]) -> records.Dataset | None:
    """The validated dataset for a file whose bytes have this `digest`, if pilot saw it before.

    Its sections are read when first used; `rebuild` (validating the file) stands in for
    a section that cannot be read, so a wrong entry costs time, never the call."""
    folder = _open_folder(create=False)
    if folder is None:
        return None
    try:
        stored = _read_entry(folder, _entry_name(data_digest))
        if stored is None:
            return None
        payload = memoryview(stored)[_DIGEST_SIZE:]
        # A damaged entry must never reach marshal (which trusts its input) or the commands.
        if digest(payload) != stored[:_DIGEST_SIZE]:
            return None
        return _CachedDataset.read(payload, rebuild)
    except Exception:  # an unreadable entry, or one of the wrong shape, is a cache miss
        return None
    finally:
        os.close(folder)


class _CachedDataset(records.Dataset):
    """A dataset read from a cache entry: each section is unmarshalled and rebuilt on first use.

    A section not yet used is an unset slot; reading it raises AttributeError, which Python
    turns into a call of `__getattr__`, which sets the slot. Once set, a section is read as
    fast as any other attribute."""

    __slots__ = ("_blobs", "_rebuild")

    _blobs: tuple[memoryview, ...]
    _rebuild: Callable[[], records.Dataset]

    @classmethod
    def read(cls, payload: memoryview, rebuild: Callable[[], records.Dataset]) -> records.Dataset | None:
        """The dataset of a payload whose digest was checked, None if it is not of this shape."""
        header = len(_SECTIONS) * _SIZE_BYTES
        sizes = [int.from_bytes(payload[at : at + _SIZE_BYTES], "little") for at in range(0, header, _SIZE_BYTES)]
        if header + sum(sizes) != len(payload):
            return None
        blobs, start = [], header
        for size in sizes:
            blobs.append(payload[start : start + size])
            start += size
        dataset = cls.__new__(cls)
        dataset._blobs = tuple(blobs)
        dataset._rebuild = rebuild
        return dataset

    def __getattr__(self, name: str) -> Any:
        if name not in _SECTIONS:
            raise AttributeError(name)
        index = _SECTIONS.index(name)
        try:
            section = records.SECTION_DECODERS[index](marshal.loads(self._blobs[index]))
        except Exception:  # an entry of the wrong shape (its digest only says it is undamaged)
            rebuilt = self._rebuild()  # the file validated anew: DataError if it changed meanwhile
            for other in _SECTIONS:  # the sections not read yet come from the file too
                setattr(self, other, getattr(rebuilt, other))
            section = getattr(rebuilt, name)
        setattr(self, name, section)
        return section

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled and deep-copied as the plain dataset it stands for (a memoryview cannot be).
        return records.Dataset, tuple(getattr(self, name) for name in _SECTIONS)

    def __repr__(self) -> str:
        return repr(records.Dataset(*(getattr(self, name) for name in _SECTIONS)))


def encode(dataset: models.Dataset | records.Dataset) -> bytes:
    """The payload of a cache entry for a validated dataset (see `_CachedDataset.read`)."""
    blobs = [marshal.dumps(section) for section in records.to_plain(dataset)]
    return b"".join([*(len(blob).to_bytes(_SIZE_BYTES, "little") for blob in blobs), *blobs])


def _read_entry(folder: int, name: str) -> bytes | None:
    """The entry's bytes, if it is a regular file of the user's that only the user may write."""
    try:
        # O_NOFOLLOW: a symbolic link fails to open; O_NONBLOCK: a FIFO cannot block the open.
        descriptor = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=folder)
    except OSError:
        return None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o022:
            return None
        chunks = []
        while chunk := os.read(descriptor, 1 << 24):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(descriptor)


def put(data_digest: bytes, dataset: models.Dataset | records.Dataset) -> None:
    """Keep the validated dataset of a file whose bytes have this `digest`."""
    folder = _open_folder(create=True)
    if folder is None:
        return
    name = _entry_name(data_digest)
    unfinished = f".{name}.{os.urandom(4).hex()}.tmp"
    temporary: str | None = unfinished
    try:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        handle = os.open(unfinished, flags, 0o600, dir_fd=folder)
        try:
            os.fchmod(handle, 0o600)  # whatever the umask
            payload = encode(dataset)
            view = memoryview(digest(payload) + payload)
            while view:
                view = view[os.write(handle, view) :]
        finally:
            os.close(handle)
        os.replace(unfinished, name, src_dir_fd=folder, dst_dir_fd=folder)
        temporary = None
        prune(folder, keep=name)
    except Exception:  # a read-only or full disk only costs speed
        pass
    finally:
        # Also on Ctrl-C, SIGTERM or SIGHUP (raised as exceptions by pilot's entry point).
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary, dir_fd=folder)
        os.close(folder)


def prune(folder: int, keep: str) -> None:
    """Delete stale entries and temporary files; then the oldest entries beyond the size bound.
    Only files named as pilot names them are touched."""
    now = time.time()
    current = code_stamp() + "-"
    kept: list[tuple[float, int, str]] = []
    with os.scandir(folder) as found:
        for entry in found:
            name = entry.name
            is_temporary = name.startswith(".") and name.endswith(".tmp")
            if not (is_temporary or name.endswith(_SUFFIX)) or name == keep:
                continue
            try:
                info = entry.stat(follow_symlinks=False)
                age = now - info.st_mtime
                if is_temporary:
                    stale = age > _TEMPORARY_AGE
                else:
                    stale = not name.startswith(current) or age > MAX_AGE_DAYS * 86400
                if stale:
                    os.unlink(name, dir_fd=folder)
                elif not is_temporary:
                    kept.append((info.st_mtime, info.st_size, name))
            except OSError:
                continue
    total = sum(size for _, size, _ in kept)
    with contextlib.suppress(OSError):
        total += os.stat(keep, dir_fd=folder, follow_symlinks=False).st_size
    for _, size, name in sorted(kept):  # oldest first
        if total <= MAX_TOTAL_BYTES:
            break
        try:
            os.unlink(name, dir_fd=folder)
            total -= size
        except OSError:
            continue
