"""Bound values in updates are terms, whatever their text (property-based, embedded store)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Literal, URIRef

from policykg.graph.store import OxigraphStore

G = URIRef("https://example.org/g")
S = URIRef("https://example.org/s")
P = URIRef("https://example.org/p")

text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=60, deadline=None)
@given(value=st.one_of(text.map(Literal), st.integers().map(Literal),
                       st.tuples(text, st.sampled_from(["en", "es-MX"])).map(
                           lambda t: Literal(t[0], lang=t[1]))))
def test_any_bound_literal_is_inserted_as_that_literal(value: Literal) -> None:
    store = OxigraphStore()
    store.replace_graph(G, [(S, P, Literal("seed"))])
    store.update(f"INSERT {{ GRAPH <{G}> {{ ?s <{P}> ?v }} }} "
                 f"WHERE {{ GRAPH <{G}> {{ ?s <{P}> \"seed\" }} }}", {"v": value})
    assert set(store.graph_triples(G)) == {(S, P, Literal("seed")), (S, P, value)}
    assert store.graphs() == [G]
    store.close()
