"""Caches of the canned queries: the same answers as without them, and never stale.

Name indexes (fuzzy actor names), the graph of direct relationships and centrality scores are
kept per state of the data; a write through the store, run_sparql or the mirror must show.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from rdflib import RDF, Literal, URIRef
from rdflib.namespace import SKOS

from policykg.exceptions import QueryError
from policykg.graph.store import OxigraphStore
from policykg.identity import normalize_name
from policykg.lookup import find_entity, name_index
from policykg.queries import (
    EmbeddedBackend,
    Neo4jBackend,
    clear_caches,
    ensure_indexes,
    run_query,
    run_sparql,
)
from tests.queries.conftest import load_examples

PKG = "https://w3id.org/policykg/ns#"
ID = "https://w3id.org/policykg/id/"
TRUMP = ID + "person/donald-trump"
BELIZE = ID + "place/belize"
EXTRA = URIRef("urn:policykg:test:extra")


@pytest.fixture
def store() -> Iterator[OxigraphStore]:
    """A fresh in-memory store with examples/ (tests here write to it)."""
    fresh = load_examples()
    yield fresh
    fresh.close()


def _outcome(function: Any, text: str) -> tuple[str, Any]:
    try:
        return ("ok", function(text))
    except (QueryError, ValueError) as exc:  # find_entity raises ValueError on a bad IRI
        return (type(exc).__name__, str(exc))


def _spellings(example_store: OxigraphStore) -> list[str]:
    texts = {"Jorge", "Jorje Bustamente", "pena nieto", "MEXICO", "nobody at all", "", "U.S.",
             TRUMP, ID + "person/nobody", "https://example.org/not here"}
    for entry in name_index(example_store):
        folded = normalize_name(entry.name)
        texts |= {entry.name, entry.name.upper(), folded, *folded.split()[-1:]}
    return sorted(texts)


def test_resolution_matches_find_entity(example_store: OxigraphStore) -> None:
    backend = EmbeddedBackend(example_store)
    for text in _spellings(example_store):
        expected = _outcome(lambda t: find_entity(example_store, t), text)
        assert _outcome(backend.resolve, text) == expected, text


def test_names_follow_store_writes(store: OxigraphStore) -> None:
    with pytest.raises(QueryError, match="no entity named"):
        run_query(store, "profile", actor="zorro magnifico")  # builds the name index
    store.replace_graph(EXTRA, [(URIRef(TRUMP), SKOS.altLabel, Literal("Zorro Magnífico"))])
    rows = run_query(store, "profile", actor="zorro magnifico")
    assert ("alias", "Zorro Magnífico") in {(r["field"], r["value"]) for r in rows}
    store.remove_graph(EXTRA)
    with pytest.raises(QueryError, match="no entity named"):
        run_query(store, "profile", actor="zorro magnifico")


def test_names_follow_sparql_updates(store: OxigraphStore) -> None:
    with pytest.raises(QueryError):
        run_query(store, "profile", actor="zorro magnifico")
    run_sparql(store, f'INSERT DATA {{ GRAPH <{EXTRA}> {{ <{TRUMP}> '
                      f'<{SKOS.altLabel}> "Zorro Magnífico" }} }}', write=True)
    assert run_query(store, "profile", actor="zorro magnifico")


def _belize_hub() -> list[tuple[URIRef, URIRef, Any]]:
    triples: list[tuple[URIRef, URIRef, Any]] = []
    for i in range(12):
        fact = URIRef(f"urn:policykg:test:statement-{i}")
        triples += [(fact, RDF.type, URIRef(PKG + "Statement")),
                    (fact, URIRef(PKG + "speaker"), URIRef(TRUMP)),
                    (fact, URIRef(PKG + "about"), URIRef(BELIZE))]
    return triples


@pytest.mark.parametrize("measure", ["degree", "pagerank", "betweenness"])
def test_centrality_follows_store_writes(store: OxigraphStore, measure: str) -> None:
    before = run_query(store, "central", measure=measure, limit=5)
    assert run_query(store, "central", measure=measure, limit=5) == before  # cached
    store.replace_graph(EXTRA, _belize_hub())
    after = run_query(store, "central", measure=measure, limit=5)
    assert after != before
    clear_caches()
    assert run_query(store, "central", measure=measure, limit=5) == after
    store.remove_graph(EXTRA)
    assert run_query(store, "central", measure=measure, limit=5) == before


def test_state_key_changes_with_writes(store: OxigraphStore) -> None:
    backend = EmbeddedBackend(store)
    first = backend.state()
    assert backend.state() == first
    store.replace_graph(EXTRA, _belize_hub())
    second = backend.state()
    assert second != first
    store.replace_graph(EXTRA, _belize_hub()[:3])  # same graphs, other content
    assert backend.state() != second


@pytest.mark.neo4j
def test_neo4j_caches_follow_the_mirror(neo4j_db: Any) -> None:
    from policykg.graph.mirror import mirror

    store = load_examples()
    try:
        mirror(store, neo4j_db.driver, neo4j_db.database, full=True)
        assert ensure_indexes(neo4j_db.driver, neo4j_db.database) == []
        assert ensure_indexes(neo4j_db.driver, neo4j_db.database) == []  # idempotent
        backend = Neo4jBackend(neo4j_db.driver, database=neo4j_db.database)
        state = backend.state()
        before = run_query(backend, "central", measure="degree", limit=5)
        assert before == run_query(store, "central", measure="degree", limit=5)
        with pytest.raises(QueryError):
            run_query(backend, "profile", actor="zorro magnifico")
        store.replace_graph(EXTRA, [*_belize_hub(), (URIRef(TRUMP), SKOS.altLabel,
                                                     Literal("Zorro Magnífico"))])
        mirror(store, neo4j_db.driver, neo4j_db.database)
        assert backend.state() != state
        after = run_query(backend, "central", measure="degree", limit=5)
        assert after != before
        assert after == run_query(store, "central", measure="degree", limit=5)
        assert run_query(backend, "profile", actor="zorro magnifico") == run_query(
            store, "profile", actor="zorro magnifico")
    finally:
        store.close()
