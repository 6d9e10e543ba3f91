"""Finding entities by IRI, name or alias, forgiving case and accents but never guessing.

"Pena Nieto" finds "Enrique Peña Nieto" through the alias "Peña Nieto"; a bare surname shared by two
people is reported as ambiguous, with the candidates, rather than resolved to either.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass

from rdflib import URIRef

from policykg.exceptions import AmbiguousName, QueryError
from policykg.graph.store import Store
from policykg.identity import normalize_name
from policykg.ontology.model import default_model, local_name

__all__ = ["NameEntry", "name_index", "find_entity", "label_of", "local_name"]

#: Type names too broad to show when a more specific one is known (classes others are below).
_GENERIC_TYPES = default_model().generic_types

_NAMES_QUERY = """
SELECT DISTINCT ?s ?name ?kind ?type WHERE {
  { ?s skos:prefLabel ?name . BIND("name" AS ?kind) }
  UNION { ?s skos:altLabel ?name . BIND("alias" AS ?kind) }
  OPTIONAL { ?s a ?type . FILTER(STRSTARTS(STR(?type), STR(pkg:))) }
}
"""


@dataclass(frozen=True)
class NameEntry:
    """One name or alias of an entity."""

    iri: str
    name: str
    kind: str  # "name" or "alias"
    type: str


def name_index(store: Store) -> list[NameEntry]:
    """Every name and alias in the store."""
    entries: dict[tuple[str, str, str], NameEntry] = {}
    for row in store.select(_NAMES_QUERY):
        iri, name, kind = str(row["s"]), str(row["name"]), str(row["kind"])
        type_name = local_name(str(row["type"])) if "type" in row else ""
        key = (iri, name, kind)
        # Keep the most specific type name we see: one no other class is below.
        if key not in entries or (type_name and type_name not in _GENERIC_TYPES):
            entries[key] = NameEntry(iri, name, kind, type_name)
    return list(entries.values())


def label_of(store: Store, iri: str) -> str:
    """The preferred name of an entity, or its local name."""
    rows = store.select("SELECT ?s ?name WHERE { ?s skos:prefLabel ?name }", {"s": URIRef(iri)})
    return str(rows[0]["name"]) if rows else local_name(iri)


def find_entity(store: Store, text: str, *, types: set[str] | None = None) -> str:
    """Resolve ``text`` to one entity IRI.

    Order: an IRI present in the store; an exact name; an exact alias; a name or alias equal after
    folding case, accents and punctuation. ``types`` restricts candidates to these class names.

    Raises:
        AmbiguousName: several entities match at the best level (candidates attached).
        QueryError: nothing matches; the message suggests the closest names.
    """
    text = text.strip()
    if text.startswith(("http://", "https://", "urn:", "bnode://")) and store.ask(
        "ASK { ?s ?p ?o }", {"s": URIRef(text)}
    ):
        return text
    entries = name_index(store)
    if types:
        entries = [e for e in entries if e.type in types]
    folded = normalize_name(text)
    tokens = set(folded.split())
    levels: list[Callable[[NameEntry], bool]] = [
        lambda e: e.kind == "name" and e.name == text,
        lambda e: e.kind == "alias" and e.name == text,
        lambda e: normalize_name(e.name) == folded,
        # Every word given appears in the name ("Bustamante", "Pena Nieto"): accepted only when
        # it singles out one entity; two people sharing a surname are reported as ambiguous.
        lambda e: bool(tokens) and tokens <= set(normalize_name(e.name).split()),
    ]
    for matches_level in levels:
        hits: dict[str, NameEntry] = {}
        for entry in entries:
            if matches_level(entry):
                hits.setdefault(entry.iri, entry)
        if len(hits) == 1:
            return next(iter(hits))
        if len(hits) > 1:
            candidates = sorted(
                (iri, _preferred(entries, iri), e.type) for iri, e in hits.items()
            )
            listing = "; ".join(f"{label} ({kind}) <{iri}>" for iri, label, kind in candidates)
            msg = f"{text!r} is ambiguous: {listing}"
            raise AmbiguousName(msg, candidates)
    names = sorted({e.name for e in entries})
    by_fold = {normalize_name(n): n for n in names}
    close = difflib.get_close_matches(folded, list(by_fold), n=5, cutoff=0.6)
    close += [by_fold[k] for k in by_fold if folded and folded in k and by_fold[k] not in close]
    suggestions = list(dict.fromkeys(by_fold.get(c, c) for c in close))[:5]
    hint = f"; did you mean: {', '.join(suggestions)}?" if suggestions else ""
    msg = f"no entity named {text!r}{hint}"
    raise QueryError(msg)


def _preferred(entries: list[NameEntry], iri: str) -> str:
    for entry in entries:
        if entry.iri == iri and entry.kind == "name":
            return entry.name
    return local_name(iri)
