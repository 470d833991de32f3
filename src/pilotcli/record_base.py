"""What every generated record class (`pilotcli.records`) shares: equality, repr,
conversion to plain data, and copying with some fields changed."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, TypeVar

R = TypeVar("R", bound="Record")


class Record:
    """Base of the records: field-wise equality and a readable repr."""

    __slots__ = ()
    FIELDS: ClassVar[tuple[str, ...]] = ()

    def __eq__(self, other: object) -> bool:
        # Of one class, or one a subclass of the other (a dataset read from the cache).
        if not (isinstance(other, type(self)) or isinstance(self, type(other))):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self.FIELDS)

    __hash__ = None  # type: ignore[assignment]  # like the records' dict fields: not hashable

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.FIELDS)
        return f"{type(self).__name__}({fields})"


def replace(record: R, **changes: Any) -> R:
    """A copy of `record` with some fields changed (records are treated as read-only)."""
    unknown = set(changes) - set(record.FIELDS)
    if unknown:
        raise TypeError(f"{type(record).__name__} has no field {', '.join(sorted(unknown))}")
    return type(record)(**{name: changes.get(name, getattr(record, name)) for name in record.FIELDS})


def as_data(value: Any, *, json: bool = True, drop_none: bool = False) -> Any:
    """A record (or a tuple or dict of them) as dicts and lists, in field order.
    json: dates as ISO strings; drop_none: leave out fields that are None."""
    if isinstance(value, Record):
        data = {name: getattr(value, name) for name in value.FIELDS}
        return {
            name: as_data(item, json=json, drop_none=drop_none)
            for name, item in data.items()
            if not (drop_none and item is None)
        }
    if isinstance(value, tuple):
        return [as_data(item, json=json, drop_none=drop_none) for item in value]
    if isinstance(value, dict):
        return {key: as_data(item, json=json, drop_none=drop_none) for key, item in value.items()}
    if json and isinstance(value, dt.date):
        return value.isoformat()
    return value
