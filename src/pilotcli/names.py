"""Looking a name up: one rule, everywhere, for "no such name; did you mean ...".

Cities, sectors and regions have richer indexes (aliases, Chinese names, prefixes:
`dataset.NameIndex`); they too suggest through `suggestions`, so every unknown name
is answered the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pilotcli.errors import NotFoundError

SIMILARITY = 0.6
"""difflib's ratio a known name needs to be suggested (0.6: 'gpd' finds 'gdp', 'xyz' finds nothing)."""
MAX_SUGGESTIONS = 3


def suggestions(query: str, known: Iterable[str], *, limit: int = MAX_SUGGESTIONS) -> list[str]:
    """The known names closest to `query`, closest first."""
    import difflib

    return difflib.get_close_matches(query, list(known), n=limit, cutoff=SIMILARITY)


def did_you_mean(query: str, known: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for a problem message, or '' when nothing is close."""
    close = suggestions(query, sorted(known), limit=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def lookup(kind: str, query: str, known: Sequence[str], *, list_all: bool = False) -> str:
    """`query` among `known`, exactly or ignoring case; NotFoundError with the closest names
    otherwise (and, with `list_all`, every valid name: for short closed sets like fields)."""
    if query in known:
        return query
    folded = [name for name in known if name.casefold() == query.casefold()]
    if len(folded) == 1:
        return folded[0]
    close = suggestions(query, known)
    valid = [*close, *(name for name in known if name not in close)] if list_all else []
    raise NotFoundError(kind, query, suggestions=close, valid=valid)
