"""The SPARQL-server store beyond the shared contract: binding safety, what callers use
(construct, update, dump, the change token), staging graphs, kills, errors and credentials."""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Literal, URIRef

from policykg.exceptions import QueryError, StoreError
from policykg.graph.store_remote import STAGING, SparqlStore, bind_query
from tests.sparql_fixtures import KINDS, emptied_store, empty

G1 = URIRef("https://example.org/g1")
G2 = URIRef("https://example.org/g2")
S = URIRef("https://example.org/s")
P = URIRef("https://example.org/p")

hostile = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40) | \
    st.sampled_from(['" } ; DROP ALL ; #', "' } DELETE WHERE { ?s ?p ?o } #", '\\" }', '"""',
                     "}} VALUES ?x { 1 } {", "\n#\n}", "<urn:x> } ; CLEAR ALL"])


@settings(max_examples=200, deadline=None)
@given(text=hostile, lang=st.sampled_from([None, "en", "fr-BE"]))
def test_bound_hostile_strings_are_one_literal(text: str, lang: str | None) -> None:
    # Run the rewritten query on an in-memory Oxigraph holding exactly that literal: it must
    # parse, find the literal as the bound value, and nothing else may match.
    value = Literal(text, lang=lang)
    memory = ox.Store()
    target = ox.Literal(text, language=lang) if lang else ox.Literal(text)
    memory.add(ox.Quad(ox.NamedNode(str(S)), ox.NamedNode(str(P)), target))
    query = bind_query("SELECT ?o (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?o", {"o": value})
    rows = list(memory.query(query))
    assert len(rows) == 1
    assert rows[0]["o"] == target
    assert rows[0]["n"].value == "1"
    assert bool(memory.query(bind_query("ASK { ?s ?p ?o }", {"o": value})))
    other = Literal(text + "x", lang=lang)
    assert not bool(memory.query(bind_query("ASK { ?s ?p ?o }", {"o": other})))
    assert len(memory) == 1


def test_bind_query_refuses_bad_names_and_terms() -> None:
    with pytest.raises(QueryError):
        bind_query("SELECT ?o WHERE { ?s ?p ?o }", {"o } DROP ALL {": Literal("x")})
    with pytest.raises(QueryError):
        bind_query("SELECT ?o WHERE { ?s ?p ?o }", {"o": URIRef("bad iri> } DROP ALL")})


def test_bind_query_finds_the_where_group_past_strings_comments_and_templates() -> None:
    tricky = bind_query('CONSTRUCT { ?s ?p "WHERE {" } # WHERE {\n{ ?s ?p ?o }', {"o": Literal("x")})
    assert tricky.endswith('{ VALUES (?o) { ("x") } ?s ?p ?o }')


@pytest.fixture(params=KINDS)
def remote(request: pytest.FixtureRequest, sparql_servers: dict[str, str]) -> Iterator[SparqlStore]:
    store = emptied_store(sparql_servers[request.param])
    yield store
    store.close()


@settings(max_examples=25, deadline=None)
@given(text=hostile)
def test_hostile_strings_round_trip_on_a_server(sparql_servers: dict[str, str], text: str) -> None:
    empty(sparql_servers["oxigraph-server"])  # the session's server: other tests' graphs out
    store = SparqlStore(sparql_servers["oxigraph-server"])
    store.replace_graph(G1, [(S, P, Literal(text)), (S, P, Literal("other"))])
    assert store.select("SELECT ?s WHERE { ?s ?p ?o }", {"o": Literal(text)}) == [{"s": S}]
    assert store.graph_size(G1) == (1 if text == "other" else 2)
    assert store.graphs() == [G1]


def test_construct_update_dump_and_change_token(remote: SparqlStore) -> None:
    before = remote.change_token()
    remote.replace_graph(G1, [(S, P, Literal("a")), (S, P, Literal("b"))])
    after_load = remote.change_token()
    assert after_load != before
    built = remote.construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", {"o": Literal("a")})
    assert set(built) == {(S, P, Literal("a"))}
    remote.update("INSERT { GRAPH ?g { ?s ?p 'c' } } WHERE { GRAPH ?g { ?s ?p ?o } }",
                  {"o": Literal("b")})
    assert remote.change_token() not in (before, after_load)
    assert sorted(str(o) for _, _, o in remote.graph_triples(G1)) == ["a", "b", "c"]
    out = io.BytesIO()
    remote.dump(out)
    lines = sorted(out.getvalue().decode().splitlines())
    assert len(lines) == 3 and all(line.endswith(f"<{G1}> .") for line in lines)
    assert [q for q in remote.quads(None, None, Literal("c"))] == [(S, P, Literal("c"), G1)]


def test_another_client_write_moves_the_token(remote: SparqlStore) -> None:
    other = SparqlStore(remote.url)
    token = remote.change_token()
    other.replace_graph(G2, [(S, P, Literal("x"))])
    assert remote.change_token() != token


def test_a_load_sees_what_it_staged_before_as_the_embedded_store_does(
        remote: SparqlStore) -> None:
    # The article loader looks up names while its triples are read: an article loaded with
    # the records naming its people must find them on every backend alike.
    from policykg.graph.store import OxigraphStore

    def objects(store: OxigraphStore | SparqlStore) -> list[str]:
        return sorted(str(r["o"]) for r in store.select(f"SELECT ?o WHERE {{ ?s <{P}> ?o }}"))

    seen = []
    for store in (OxigraphStore(), remote):
        def second(store: OxigraphStore | SparqlStore = store,
                   ) -> Iterator[tuple[URIRef, URIRef, Literal]]:
            seen.append(objects(store))
            yield S, P, Literal("second")
        store.replace_graphs([(G1, iter([(S, P, Literal("first"))])), (G2, second())])
        assert objects(store) == ["first", "second"]
    assert seen == [["first"], ["first"]]
    assert remote.graphs() == [G1, G2]  # and nothing staged shows afterwards


def test_staging_graphs_are_invisible_and_dropped_when_abandoned(remote: SparqlStore) -> None:
    remote.replace_graph(G1, [(S, P, Literal("a"))])
    # A staging graph no live writer has claimed, as a killed client leaves it.
    remote._update(f"INSERT DATA {{ GRAPH <{STAGING}left> {{ <{S}> <{P}> 'ghost' }} }}")
    assert remote.select("SELECT ?o WHERE { ?s ?p ?o }") == [{"o": Literal("a")}]
    assert remote.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }") == [{"g": G1}]
    assert len(remote) == 1
    SparqlStore(remote.url)  # the next open by a writer cleans up
    rows = remote._rows("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", dataset=False)
    assert not any(str(r["g"]).startswith(STAGING) for r in rows)


def test_a_client_killed_mid_load_leaves_the_graphs_as_before(remote: SparqlStore) -> None:
    remote.replace_graph(G1, [(S, P, Literal("old"))])
    before = sorted(remote.quads())
    script = textwrap.dedent(f"""
        import sys, time
        from rdflib import Literal, URIRef
        from policykg.graph.store_remote import SparqlStore
        store = SparqlStore({remote.url!r})
        def slow():
            for i in range(10**9):
                if i == 5000:
                    print("streaming", flush=True)
                yield URIRef("https://example.org/s{{}}".format(i)), URIRef({str(P)!r}), Literal(i)
                if i > 5000:
                    time.sleep(0.001)
        store.replace_graphs([(URIRef({str(G1)!r}), slow()), (URIRef({str(G2)!r}), [])])
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "streaming"
    time.sleep(1)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert sorted(remote.quads()) == before
    assert remote.graphs() == [G1]
    assert len(remote) == 1
    reopened = SparqlStore(remote.url)  # the dead client's staging graph goes
    reopened.replace_graph(G2, [(S, P, Literal("new"))])
    rows = remote._rows("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", dataset=False)
    assert not any(str(r["g"]).startswith(STAGING) for r in rows)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_server_down_is_one_line_without_credentials() -> None:
    url = f"http://ana:s3cret-pw@127.0.0.1:{_closed_port()}"
    with pytest.raises(StoreError) as info:
        SparqlStore(url, timeout=5)
    message = str(info.value)
    assert "\n" not in message and "s3cret-pw" not in message and "ana:" not in message
    assert "cannot reach" in message


def test_http_errors_are_one_line(sparql_servers: dict[str, str]) -> None:
    with pytest.raises(StoreError) as info:
        SparqlStore(sparql_servers["fuseki"].rsplit("/", 1)[0] + "/nosuchdataset")
    assert "answered 40" in str(info.value) and "\n" not in str(info.value)
    read_only = SparqlStore(sparql_servers["oxigraph-server"], read_only=True)
    assert "read_only" in read_only.capabilities
    with pytest.raises(StoreError, match="read-only"):
        read_only.replace_graph(G1, [])


def test_credentials_from_the_environment_are_sent(sparql_servers: dict[str, str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # The test servers ignore auth; check the header is built and never appears in repr.
    monkeypatch.setenv("POLICYKG_STORE_USER", "ana")
    monkeypatch.setenv("POLICYKG_STORE_PASSWORD", "pw-from-env")
    store = SparqlStore(sparql_servers["oxigraph-server"])
    assert store._auth is not None and store._auth.startswith("Basic ")
    assert "pw-from-env" not in repr(store)
