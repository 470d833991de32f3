"""Names that could pass for other names: the checks that keep every name a city can be
looked up by plainly its own.

- A name may not hold invisible characters (zero-width spaces and joiners, bidirectional
  controls, other format characters): it would look like another name, or like nothing.
  (Control characters are shown escaped, \x1b, wherever pilot writes a name: visible.)
- Two cities' names may not differ only by look-alike characters: the compatibility
  forms NFKC folds (full-width letters) and the confusables of Unicode's UTS #39
  (Cyrillic 'е' for Latin 'e', '0' for 'O'), compared by their skeletons.
- A name may not be another city's name with an administrative suffix (北京市, "Hefei
  City"): `pilot show 北京市` must find Beijing, whose documented forms those are.

Imported only when a file is validated.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path

from pilotcli.dataset import _without_suffix as without_suffix
from pilotcli.dataset import normalise
from pilotcli.loading import Loc
from pilotcli.records import Dataset

Found = Iterator[tuple[Loc, str]]

_INVISIBLE_CATEGORIES = ("Cf", "Co", "Cn", "Zl", "Zp")
# Default-ignorable code points outside those categories: they show as nothing.
_IGNORABLE = {0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x3164, 0xFFA0, *range(0x180B, 0x1810)}
_IGNORABLE |= {*range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)}


def invisible(char: str) -> bool:
    """A character that shows as nothing, or changes how the text around it shows."""
    return unicodedata.category(char) in _INVISIBLE_CATEGORIES or ord(char) in _IGNORABLE


def invisible_in(name: str) -> str | None:
    """The first invisible character of a name, described (U+200B ZERO WIDTH SPACE), if any."""
    for char in name:
        if invisible(char):
            return f"U+{ord(char):04X} {unicodedata.name(char, 'unassigned')}"
    return None


@cache
def _prototypes() -> dict[str, str]:
    table = Path(__file__).with_name("data") / "confusables.txt"
    prototypes = {}
    for line in table.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            source, *target = line.split()
            prototypes[chr(int(source, 16))] = "".join(chr(int(code, 16)) for code in target)
    return prototypes


def skeleton(name: str) -> str:
    """What a name looks like: NFKC, invisible characters dropped, each character replaced
    by its UTS #39 prototype, then folded as lookups fold names (case, accents, spaces)."""
    prototypes = _prototypes()
    text = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", name))
    shown = "".join(prototypes.get(char, char) for char in text if not invisible(char))
    return normalise(unicodedata.normalize("NFD", shown))


def check_names(dataset: Dataset) -> Found:
    """Invisible characters in any name; cities whose names look alike or take another's."""
    for kind, records in (("cities", dataset.cities), ("sectors", dataset.sectors), ("regions", dataset.regions)):
        for index, record in enumerate(records):
            for field, name in _names(record):
                found = invisible_in(name)
                if found is not None:
                    yield (kind, index, field), f"name {name!r} holds an invisible character ({found})"
    yield from _look_alike_cities(dataset)
    yield from _suffix_forms(dataset)


def _names(record: object) -> Iterable[tuple[str, str]]:
    for field in ("name", "name_zh"):
        name = getattr(record, field, None)
        if isinstance(name, str):
            yield field, name
    for alias in getattr(record, "aliases", ()):
        yield "aliases", alias


def _look_alike_cities(dataset: Dataset) -> Found:
    # Skeletons keep case ('I' looks like 'l', 'i' does not): compare the names in capitals and
    # in small letters, so that ΗΑΙΝΑΝ (Greek) meets HAINAN and Веijing (Cyrillic) meets Beijing.
    owner: dict[str, tuple[str, str]] = {}
    for city in dataset.cities:
        for shape in _shapes(city.id):
            owner.setdefault(shape, (city.id, city.id))
    for index, city in enumerate(dataset.cities):
        for field, name in _names(city):
            for shape in _shapes(name):
                other_id, other_name = owner.setdefault(shape, (city.id, name))
                # Names that fold to the same key are "also used by" (checks.city_names).
                if other_id != city.id and normalise(name) != normalise(other_name):
                    message = f"name {name!r} looks like {other_name!r} of city '{other_id}' (look-alike characters)"
                    yield ("cities", index, field), message
                    break


def _shapes(name: str) -> set[str]:
    return {skeleton(name.upper()), skeleton(name.lower())}


def _suffix_forms(dataset: Dataset) -> Found:
    owner: dict[str, str] = {}
    for city in dataset.cities:
        for name in (city.id, *(name for _, name in _names(city))):
            owner.setdefault(normalise(name), city.id)
    for index, city in enumerate(dataset.cities):
        for field, name in _names(city):
            key = normalise(name)
            bare = without_suffix(key)
            other = owner.get(bare)
            if bare != key and other is not None and other != city.id:
                message = (
                    f"name {name!r} is city '{other}''s name with a suffix: 'pilot show {name}' must find '{other}'"
                )
                yield ("cities", index, field), message
