"""The sources of the dataset and what cites them (pure: no printing)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any, NamedTuple

from pilotcli.dataset import Catalog
from pilotcli.errors import UsageError
from pilotcli.names import lookup
from pilotcli.query import cited_sources, city_texts
from pilotcli.records import City, Figure, Source, as_data


class Citation(NamedTuple):
    """One place in the dataset that gives a source: a city's field, or the programme's."""

    city: str | None
    """The city id; None for the programme, a region or a batch."""
    what: str
    """What rests on the source: an indicator id, "coordinates", "sector finance", ...; "text"
    when the source is only mentioned in a note or an evidence text."""


def _figure_sources(figure: Figure) -> Iterator[str]:
    for entry in (figure, *figure.history):
        yield entry.source
        yield from entry.also


def _city_citations(catalog: Catalog, city: City) -> Iterator[tuple[str, Citation]]:
    yield city.coordinates_source, Citation(city.id, "coordinates")
    yield city.focus_source, Citation(city.id, "pilot focus")
    if city.ftz is not None:
        yield city.ftz.source, Citation(city.id, "free trade zone")
    for growth in city.sectors:
        yield growth.source, Citation(city.id, f"sector {growth.sector}")
    for key, stored in city.figures.items():
        for source_id in _figure_sources(stored):
            yield source_id, Citation(city.id, key)
    for key in catalog.creators:  # the yes/no indicators derived from measures
        derived = catalog.created_figure(key, city.id)
        if derived is not None:
            for source_id in _figure_sources(derived):
                yield source_id, Citation(city.id, key)
    for source_id in cited_sources(catalog, city_texts(city)):
        yield source_id, Citation(city.id, "text")


def _programme_citations(catalog: Catalog) -> Iterator[tuple[str, Citation]]:
    program = catalog.dataset.program
    for batch in program.batches:
        yield batch.source, Citation(None, f"batch {batch.number}")
    for milestone in program.milestones:
        yield milestone.source, Citation(None, f"milestone {milestone.date.isoformat()}")
    for figure in program.figures:
        for source_id in _figure_sources(figure):
            yield source_id, Citation(None, f"programme figure {figure.id}")
    for region in catalog.dataset.regions:
        yield region.source, Citation(None, f"region {region.id}")
    for measure in catalog.dataset.measures:
        for source_id in (measure.source, *measure.also):
            yield source_id, Citation(None, f"measure {measure.id}")


def citations(catalog: Catalog) -> dict[str, list[Citation]]:
    """Every source id with the places that cite it, once each, in dataset order."""
    found: dict[str, dict[Citation, None]] = {source_id: {} for source_id in catalog.sources}
    cities = (pair for city in catalog.dataset.cities for pair in _city_citations(catalog, city))
    for source_id, citation in itertools.chain(_programme_citations(catalog), cities):
        if source_id in found:
            cited = found[source_id]
            # A text mention adds nothing where the city already cites the source by a field.
            if citation.what != "text" or not any(c.city == citation.city for c in cited):
                cited.setdefault(citation)
    return {source_id: list(cited) for source_id, cited in found.items()}


def kind_of(source: Source) -> str | None:
    """The source's kind (issue 11's `kind`), None while the dataset has none."""
    kind = getattr(source, "kind", None)
    return kind if isinstance(kind, str) else None


def source_record(source: Source, cited: list[Citation]) -> dict[str, Any]:
    data = as_data(source)
    record: dict[str, Any] = {
        "id": source.id,
        "kind": kind_of(source),
        "title": source.title,
        "publisher": source.publisher,
        "date": data.get("date"),
        "url": data.get("url"),
        "via": data.get("via"),
        "note": data.get("note"),
        "cities": list(dict.fromkeys(c.city for c in cited if c.city is not None)),
        "cited_by": [{"city": c.city, "what": c.what} for c in cited],
    }
    return record


def select_sources(
    catalog: Catalog, *, city: City | None = None, kind: str | None = None
) -> list[tuple[Source, list[Citation]]]:
    """The sources (dataset order) that `city` cites and that are of `kind`, with their citations."""
    cited = citations(catalog)
    chosen = list(catalog.dataset.sources)
    if kind is not None:
        kinds = sorted({k for s in chosen if (k := kind_of(s)) is not None})
        if not kinds:
            raise UsageError("the sources of this dataset have no kind", hint="list them without --kind")
        wanted = lookup("source kind", kind, kinds, list_all=True)
        chosen = [s for s in chosen if kind_of(s) == wanted]
    if city is not None:
        chosen = [s for s in chosen if any(c.city == city.id for c in cited[s.id])]
    return [(s, cited[s.id]) for s in chosen]


def source(catalog: Catalog, query: str) -> tuple[Source, list[Citation]]:
    """One source by id ("d31" or "[d31]", any case); NotFoundError with the closest ids."""
    source_id = lookup("source", query.strip().strip("[]"), list(catalog.sources))
    return catalog.sources[source_id], citations(catalog)[source_id]
