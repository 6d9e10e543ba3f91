"""One contract, every backend: each test runs against each store (see conftest.any_store)."""

from __future__ import annotations

from collections.abc import Iterator
from io import BytesIO

import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, XSD

from policykg.exceptions import QueryError
from policykg.graph.store import CAPABILITIES, Store

G1 = URIRef("https://example.org/g1")
G2 = URIRef("https://example.org/g2")
S = URIRef("https://example.org/s")
P = URIRef("https://example.org/p")


def triples(*objects: object) -> list[tuple[URIRef, URIRef, Literal]]:
    return [(S, P, Literal(o)) for o in objects]


def test_replace_graph_replaces_only_that_graph(any_store: Store) -> None:
    any_store.replace_graph(G1, triples("a", "b"))
    any_store.replace_graph(G2, triples("c"))
    any_store.replace_graph(G1, triples("z"))
    assert sorted(str(o) for _, _, o in any_store.graph_triples(G1)) == ["z"]
    assert sorted(str(o) for _, _, o in any_store.graph_triples(G2)) == ["c"]
    assert any_store.graphs() == [G1, G2]
    assert len(any_store) == 2


def test_failed_replace_leaves_everything_as_it_was(any_store: Store) -> None:
    any_store.replace_graph(G1, triples("a"))

    def broken() -> Iterator[tuple[URIRef, URIRef, Literal]]:
        yield (S, P, Literal("half"))
        raise RuntimeError("loader died")

    with pytest.raises(RuntimeError):
        any_store.replace_graphs([(G1, triples("new")), (G2, broken())])
    assert any_store.graphs() == [G1]
    assert [str(o) for _, _, o in any_store.graph_triples(G1)] == ["a"]
    assert len(any_store) == 1


def test_remove_graph_counts_and_removes(any_store: Store) -> None:
    any_store.replace_graph(G1, triples("a", "b"))
    any_store.replace_graph(G2, triples("a"))
    assert any_store.remove_graph(G1) == 2
    assert any_store.remove_graph(G1) == 0
    # The triple shared with G2 survives: removal is per source.
    assert list(any_store.triples(S, P, None)) == [(S, P, Literal("a"))]


def test_union_reads_deduplicate(any_store: Store) -> None:
    any_store.replace_graph(G1, triples("a"))
    any_store.replace_graph(G2, triples("a"))
    assert len(list(any_store.triples())) == 1
    assert len(any_store.union_graph()) == 1
    assert len(any_store) == 2


def test_literals_keep_datatype_and_language(any_store: Store) -> None:
    lits = [Literal("Mexique", lang="fr"), Literal("2017-01-25", datatype=XSD.date),
            Literal("75000000.5", datatype=XSD.decimal), Literal("plain")]
    any_store.replace_graph(G1, [(S, P, lit) for lit in lits])
    assert {o for _, _, o in any_store.graph_triples(G1)} == set(lits)


def test_select_binds_parameters_as_terms(any_store: Store) -> None:
    nasty = 'x" } ; DROP ALL ; SELECT * WHERE { ?s ?p "'
    any_store.replace_graph(G1, triples("a", nasty))
    rows = any_store.select("SELECT ?o WHERE { ?s ?p ?o }", {"o": Literal(nasty)})
    assert rows == [{"o": Literal(nasty)}]
    assert any_store.ask("ASK { ?s ?p ?o }", {"o": Literal(nasty)})
    assert not any_store.ask("ASK { ?s ?p ?o }", {"o": Literal("missing")})
    assert len(any_store) == 2


def test_a_bound_variable_need_not_be_selected(any_store: Store) -> None:
    # ``policykg sparql -p name=...`` binds what the query filters on, selected or not.
    any_store.replace_graph(G1, triples("a", "b"))
    rows = any_store.select("SELECT ?s WHERE { ?s ?p ?o }", {"o": Literal("b")})
    assert rows == [{"s": S}]


def test_select_reports_syntax_errors_on_one_line(any_store: Store) -> None:
    with pytest.raises(QueryError) as info:
        any_store.select("SELECT ?n WHERE { ?n ")
    assert "\n" not in str(info.value)
    assert len(str(info.value)) < 300


def test_replace_with_a_small_change_gives_exactly_the_new_content(any_store: Store) -> None:
    # Many triples in common, some gone, some new, blank nodes on both sides, a literal with
    # characters that must survive a text round trip: the graph ends holding exactly the new set.
    keep = [(URIRef(f"https://example.org/s{i}"), P, Literal(f"v{i}")) for i in range(500)]
    old_node, new_node = BNode(), BNode()
    tricky = Literal('quote " back \\ brace } line\nend', lang="en")
    old = keep + [(S, P, Literal("gone")), (old_node, P, Literal("old blank"))]
    new = keep[:-3] + [(S, P, tricky), (new_node, P, Literal("new blank")), (S, P, new_node)]
    any_store.replace_graph(G2, triples("other"))
    any_store.replace_graph(G1, old)
    assert any_store.replace_graph(G1, new) == len(new)
    got = Graph()
    for triple in any_store.graph_triples(G1):
        got.add(triple)
    want = Graph()
    for triple in new:
        want.add(triple)
    assert isomorphic(got, want)
    assert [str(o) for _, _, o in any_store.graph_triples(G2)] == ["other"]
    assert any_store.graphs() == [G1, G2]


def test_replace_to_empty_and_back(any_store: Store) -> None:
    any_store.replace_graph(G1, triples("a", "b"))
    assert any_store.replace_graph(G1, []) == 0
    assert any_store.graphs() == [G1]
    assert list(any_store.graph_triples(G1)) == []
    any_store.replace_graph(G1, triples("c"))
    assert [str(o) for _, _, o in any_store.graph_triples(G1)] == ["c"]
    assert any_store.graph_size(G1) == 1


def test_failed_replace_of_several_existing_and_new_graphs(any_store: Store) -> None:
    g3 = URIRef("https://example.org/g3")
    any_store.replace_graphs([(G1, triples("a")), (G2, triples("b"))])

    def broken() -> Iterator[tuple[URIRef, URIRef, Literal]]:
        yield (S, P, Literal("half"))
        raise RuntimeError("loader died")

    with pytest.raises(RuntimeError):
        any_store.replace_graphs([(G1, triples("a", "new")), (g3, triples("fresh")),
                                  (G2, broken())])
    assert any_store.graphs() == [G1, G2]
    assert sorted(str(o) for _, _, o in any_store.graph_triples(G1)) == ["a"]
    assert sorted(str(o) for _, _, o in any_store.graph_triples(G2)) == ["b"]
    assert len(any_store) == 2


# ------------------------------------------------------------- what callers use beyond loads

O1 = URIRef("https://example.org/o1")
Q = URIRef("https://example.org/q")


def _sample(store: Store) -> list[tuple[object, ...]]:
    """Two graphs sharing a triple, IRI and literal objects; returns every quad written."""
    store.replace_graph(G1, [(S, P, Literal("a")), (S, Q, O1), (O1, P, Literal("b", lang="en"))])
    store.replace_graph(G2, [(S, P, Literal("a")), (O1, Q, S)])
    return [(S, P, Literal("a"), G1), (S, Q, O1, G1), (O1, P, Literal("b", lang="en"), G1),
            (S, P, Literal("a"), G2), (O1, Q, S, G2)]


@pytest.mark.parametrize("pattern", [
    (None, None, None, None), (S, None, None, None), (None, P, None, None),
    (None, None, O1, None), (None, None, Literal("a"), None), (None, None, None, G2),
    (S, P, None, G1), (O1, Q, S, G1), (O1, Q, S, G2),
])
def test_quads_match_a_pattern(any_store: Store, pattern: tuple[object, ...]) -> None:
    written = _sample(any_store)
    expected = sorted(q for q in written
                      if all(want is None or want == got for want, got in zip(pattern, q, strict=True)))
    assert sorted(any_store.quads(*pattern)) == expected  # type: ignore[arg-type]


def test_construct_builds_the_triples_of_the_union(any_store: Store) -> None:
    _sample(any_store)
    graph = any_store.construct("CONSTRUCT { ?o ?p ?s } WHERE { ?s ?p ?o FILTER(isIRI(?o)) }")
    assert set(graph) == {(O1, Q, S), (S, Q, O1)}
    bound = any_store.construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", {"s": O1})
    assert set(bound) == {(O1, P, Literal("b", lang="en")), (O1, Q, S)}
    with pytest.raises(QueryError):
        any_store.construct("SELECT * WHERE { ?s ?p ?o }")


def test_update_writes_named_graphs_and_moves_the_token(any_store: Store) -> None:
    _sample(any_store)
    before = any_store.change_token()
    any_store.update(f"DELETE {{ GRAPH <{G1}> {{ ?s ?p ?o }} }} "
                     f"WHERE {{ GRAPH <{G1}> {{ ?s ?p ?o FILTER(isLiteral(?o)) }} }} ; "
                     f"INSERT DATA {{ GRAPH <{G2}> {{ <{S}> <{P}> \"new\" }} }}")
    assert sorted(any_store.graph_triples(G1)) == [(S, Q, O1)]
    assert (S, P, Literal("new")) in set(any_store.graph_triples(G2))
    assert any_store.change_token() != before
    with pytest.raises(QueryError):
        any_store.update("INSERT DATA { this is not sparql }")


def test_bulk_load_of_many_triples_counts_and_sizes(any_store: Store) -> None:
    many = [(URIRef(f"https://example.org/s{i}"), P, Literal(i)) for i in range(3000)]
    assert any_store.replace_graphs([(G1, iter(many)), (G2, iter(many[:10]))]) == [3000, 10]
    assert any_store.graph_size(G1) == 3000
    assert any_store.graph_size(G2) == 10
    assert len(list(any_store.triples(None, P, Literal(1999)))) == 1


def test_dump_writes_nquads_that_parse_back(any_store: Store) -> None:
    written = _sample(any_store)
    out = BytesIO()
    any_store.dump(out)
    parsed = Dataset()
    parsed.parse(data=out.getvalue().decode("utf-8"), format="nquads")  # rdflib, not ours
    assert sorted(parsed.quads((None, None, None, None))) == sorted(written)  # type: ignore[arg-type]
    only = BytesIO()
    any_store.dump(only, "ntriples", graphs=[G2])
    assert set(Graph().parse(data=only.getvalue().decode("utf-8"), format="nt")) == {
        (S, P, Literal("a")), (O1, Q, S)}


def test_change_token_moves_on_writes_only(any_store: Store) -> None:
    first = any_store.change_token()
    assert any_store.change_token() == first
    any_store.replace_graph(G1, triples("a"))
    second = any_store.change_token()
    assert second != first
    list(any_store.quads())
    any_store.select("SELECT * WHERE { ?s ?p ?o }")
    assert any_store.change_token() == second
    any_store.remove_graph(G1)
    assert any_store.change_token() != second


def test_select_plain_gives_strings_for_iris_and_text(any_store: Store) -> None:
    any_store.replace_graph(G1, [(S, P, Literal("x", lang="fr")), (S, Q, Literal(3)),
                                 (S, P, O1), (S, Q, Literal("2017-01-25", datatype=XSD.date))])
    rows = any_store.select_plain("SELECT ?s ?o WHERE { ?s ?p ?o }")
    assert sorted(map(str, (r["o"] for r in rows))) == sorted(["x", "3", str(O1), "2017-01-25"])
    assert {type(r["s"]) for r in rows} == {str}
    # rdflib terms are str subclasses: only the exact type tells a plain value from a term.
    assert [r["o"] for r in rows if type(r["o"]) is not str] == [Literal(3)]


def test_select_plain_rows_stream_the_same_rows(any_store: Store) -> None:
    any_store.replace_graph(G1, [(S, P, O1), (S, Q, Literal(3)), (O1, P, Literal("y"))])
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    rows = any_store.select_plain_rows(query)
    first = next(rows)  # an iterator, not a list: the caller takes one row at a time
    streamed = [first, *rows]
    key = repr
    assert sorted(streamed, key=key) == sorted(any_store.select_plain(query), key=key)
    assert len(streamed) == 3 and {type(r["s"]) for r in streamed} == {str}


def test_capabilities_are_known_names(any_store: Store) -> None:
    assert any_store.capabilities <= CAPABILITIES
    assert "read_only" not in any_store.capabilities


def test_plain_quads_are_the_quads_in_plain_form(any_store: Store) -> None:
    any_store.replace_graph(G1, [(S, P, Literal("b", lang="en")), (S, Q, Literal(2)),
                                 (S, P, BNode("x1")), (BNode("x1"), Q, O1)])
    rows = sorted(any_store.plain_quads(), key=repr)
    assert (str(S), str(P), ("b", str(RDF.langString), "en"), str(G1)) in rows
    assert (str(S), str(Q), ("2", str(XSD.integer), None), str(G1)) in rows
    bnodes = [o for _, _, o, _ in rows if isinstance(o, BNode)]
    assert len(bnodes) == 1 and len(rows) == 4
    # A blank node read back is usable as a pattern: it names the same node.
    assert [(p, o) for _, p, o, _ in any_store.plain_quads(bnodes[0])] == [(str(Q), str(O1))]
    assert [o for _, _, o, _ in any_store.plain_quads(None, P, None, G1)
            if isinstance(o, tuple)] == [("b", str(RDF.langString), "en")]


def test_update_binds_parameters_as_terms(any_store: Store) -> None:
    """A bound value is one term, whatever text it holds: never SPARQL."""
    _sample(any_store)
    hostile = Literal('a" } } ; DROP ALL ; INSERT DATA { GRAPH <urn:x> { <urn:a> <urn:b> "c')
    any_store.update(f"INSERT {{ GRAPH <{G1}> {{ ?s <{Q}> ?text }} }} "
                     f"WHERE {{ GRAPH <{G1}> {{ ?s <{P}> \"a\" }} }}", {"text": hostile})
    assert (S, Q, hostile) in set(any_store.graph_triples(G1))
    assert set(any_store.graphs()) == {G1, G2}
    any_store.update(f"DELETE {{ GRAPH <{G2}> {{ ?s ?p ?o }} }} "
                     f"WHERE {{ GRAPH <{G2}> {{ ?s ?p ?o }} }}", {"s": O1})
    assert sorted(any_store.graph_triples(G2)) == [(S, P, Literal("a"))]


@pytest.mark.parametrize("update", [
    'INSERT DATA { GRAPH <https://example.org/g1> { <urn:a> <urn:b> "c" } }',
    "DELETE WHERE { ?s ?p ?o } ; INSERT { ?s ?p ?o } WHERE { ?s ?p ?o }",
])
def test_update_refuses_bindings_it_could_only_partly_apply(any_store: Store,
                                                           update: str) -> None:
    _sample(any_store)
    with pytest.raises(QueryError, match="parameters can only be bound"):
        any_store.update(update, {"o": Literal("x")})
    assert any_store.graph_size(G1) == 3


def test_outgoing_and_incoming_list_each_iri_in_plain_form(any_store: Store) -> None:
    _sample(any_store)
    iris = [str(O1), "not an iri", str(S), "https://example.org/none"]
    out = dict(any_store.outgoing(iris))
    assert list(out) == iris
    assert sorted(out[str(S)], key=repr) == sorted([
        (str(P), ("a", str(XSD.string), None), str(G1)), (str(Q), str(O1), str(G1)),
        (str(P), ("a", str(XSD.string), None), str(G2))], key=repr)
    assert out["not an iri"] == [] and out["https://example.org/none"] == []
    back = dict(any_store.incoming([str(S), str(O1)]))
    assert back[str(S)] == [(str(O1), str(Q), str(G2))]
    assert back[str(O1)] == [(str(S), str(Q), str(G1))]


@pytest.mark.parametrize(("fmt", "syntax"), [("nquads", "nquads"), ("trig", "trig"),
                                             ("ntriples", "nt"), ("turtle", "turtle"),
                                             ("jsonld", "json-ld")])
def test_dump_of_subjects_and_extra_in_every_format(any_store: Store, fmt: str,
                                                    syntax: str) -> None:
    written = _sample(any_store)
    extra = [(URIRef("urn:x:a"), P, Literal("kept beside"), URIRef("urn:x:log"))]
    whole, part = BytesIO(), BytesIO()
    any_store.dump(whole, fmt, extra=extra)
    any_store.dump(part, fmt, subjects=[str(S)])
    parsed_whole, parsed_part = Dataset(), Dataset()
    parsed_whole.parse(data=whole.getvalue().decode("utf-8"), format=syntax)
    parsed_part.parse(data=part.getvalue().decode("utf-8"), format=syntax)
    if fmt in ("nquads", "trig"):
        assert set(parsed_whole.quads((None, None, None, None))) == {*written, *extra}
        assert set(parsed_part.quads((None, None, None, None))) == {
            q for q in written if q[0] == S}
    else:
        assert {q[:3] for q in parsed_whole.quads((None, None, None, None))} == {
            q[:3] for q in [*written, *extra]}
        # A subject's triple stated by both graphs is written once.
        assert part.getvalue().count(b"\"a\"") == 1
        assert {q[:3] for q in parsed_part.quads((None, None, None, None))} == {
            (S, P, Literal("a")), (S, Q, O1)}
