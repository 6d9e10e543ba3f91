"""Counts and first-look summaries of the store."""

from __future__ import annotations

from typing import Any

from rdflib import URIRef
from rdflib.namespace import RDF, SKOS

from policykg.graph.store import PREFIXES, Store
from policykg.lookup import local_name
from policykg.output import Totals

__all__ = ["stats", "entity_facts", "STATS_TOTALS"]

#: The store's totals (quads, sources) are the rows of kind ``total``, shown apart.
STATS_TOTALS = Totals("kind", "total", ("name", "count"), ("kind", "name", "count"))


def stats(store: Store) -> list[dict[str, Any]]:
    """Entities per class, links per relationship (object property) and facts per source."""
    rows: list[dict[str, Any]] = []
    for row in store.select(
        "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n) ?c"
    ):
        rows.append({"kind": "class", "name": local_name(str(row["c"])),
                     "count": int(str(row["n"]))})
    for row in store.select(
        """SELECT ?p (COUNT(*) AS ?n) WHERE {
             { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o FILTER(isIRI(?o) && ?p != rdf:type) } }
           } GROUP BY ?p ORDER BY DESC(?n) ?p"""
    ):
        rows.append({"kind": "relationship", "name": local_name(str(row["p"])),
                     "count": int(str(row["n"]))})
    rows.append({"kind": "total", "name": "quads", "count": len(store)})
    rows.append({"kind": "total", "name": "sources", "count": len(store.graphs())})
    return rows


def entity_facts(store: Store, iri: URIRef) -> list[dict[str, Any]]:
    """The entity's own triples and the triples pointing at it, with the sources stating each."""
    graph_keys = {
        str(row["g"]): str(row["key"])
        for row in store.select("SELECT ?g ?key WHERE { GRAPH ?g { ?g pkg:record ?key } }")
    }
    facts: dict[tuple[str, str, str], dict[str, Any]] = {}
    out = store.select(
        """SELECT ?s ?p ?o ?g ?label WHERE { GRAPH ?g { ?s ?p ?o }
             OPTIONAL { ?o skos:prefLabel ?label } }""",
        {"s": iri},
    )
    incoming = store.select(
        """SELECT ?o ?p ?s ?g ?label WHERE { GRAPH ?g { ?s ?p ?o }
             OPTIONAL { ?s skos:prefLabel ?label } }""",
        {"o": iri},
    )
    for direction, rows, other in (("out", out, "o"), ("in", incoming, "s")):
        for row in rows:
            value = row[other]
            key = (direction, str(row["p"]), str(value))
            entry = facts.setdefault(key, {
                "direction": direction,
                "predicate": _short(str(row["p"])),
                "value": str(value) if direction == "out" or "label" not in row else str(value),
                "label": str(row["label"]) if "label" in row else "",
                "sources": [],
            })
            source = graph_keys.get(str(row["g"]), str(row["g"]))
            if source not in entry["sources"]:
                entry["sources"].append(source)
    ordered = sorted(facts.values(), key=lambda f: (f["direction"] != "out",
                                                    f["predicate"] != _short(str(RDF.type)),
                                                    f["predicate"] != _short(str(SKOS.prefLabel)),
                                                    f["predicate"], f["value"]))
    return ordered


def _short(iri: str) -> str:
    for prefix in ("pkg", "org", "skos", "rdf", "schema", "dcterms", "owl"):
        namespace = PREFIXES[prefix]
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri
