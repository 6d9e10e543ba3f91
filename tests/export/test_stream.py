"""The streamed RDF export parses back to the store's exact content, in every format."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from policykg.export.stream import write_rdf
from policykg.graph.store import OxigraphStore
from policykg.load import load_paths

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
G1 = URIRef("https://example.org/graph/one")
G2 = URIRef("https://example.org/graph/two")
P = URIRef("https://w3id.org/policykg/ns#note")


def _exported(store: OxigraphStore, fmt: str) -> bytes:
    out = io.BytesIO()
    write_rdf(store, fmt, out)
    return out.getvalue()


def _check(store: OxigraphStore) -> None:
    union = store.union_graph()
    for fmt, syntax in (("nt", "nt"), ("ttl", "turtle")):
        assert isomorphic(Graph().parse(data=_exported(store, fmt), format=syntax), union), fmt
    for fmt, syntax in (("nq", "nquads"), ("trig", "trig")):
        parsed = Dataset()
        parsed.parse(data=_exported(store, fmt), format=syntax)
        for graph in store.graphs():
            want = Graph()
            for triple in store.graph_triples(graph):
                want.add(triple)
            assert isomorphic(parsed.graph(graph), want), (fmt, graph)


def test_examples_round_trip_in_every_format(tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path / "store")
    load_paths(store, [EXAMPLES])
    # Local names a prefixed name cannot carry, a triple in two graphs, a blank node.
    node = BNode()
    store.replace_graph(G1, [(URIRef("https://w3id.org/policykg/ns#a.b/c"), P, Literal("x")),
                             (node, P, Literal("y", lang="en"))])
    store.replace_graph(G2, [(URIRef("https://w3id.org/policykg/ns#a.b/c"), P, Literal("x"))])
    _check(store)
    store.close()


text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(st.one_of(text.map(Literal), st.integers().map(Literal),
                                 st.tuples(text, st.sampled_from(["en", "es-MX"])).map(
                                     lambda t: Literal(t[0], lang=t[1]))), min_size=1, max_size=8))
def test_any_literal_round_trips(values: list[Literal]) -> None:
    store = OxigraphStore()
    subjects = [URIRef(f"https://example.org/s{i % 3}") for i in range(len(values))]
    store.replace_graph(G1, list(zip(subjects, [P] * len(values), values, strict=True)))
    _check(store)
    store.close()


@pytest.mark.parametrize("fmt", ["nt", "ttl", "nq", "trig"])
def test_empty_store_exports_a_valid_document(fmt: str) -> None:
    store = OxigraphStore()
    assert len(Graph().parse(data=_exported(store, fmt), format="trig")) == 0
    store.close()
