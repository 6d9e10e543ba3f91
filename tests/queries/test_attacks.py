"""Attacks on the read-only guards of ``policykg cypher`` and ``policykg sparql``.

Every attack names a URL on a local HTTP listener (a thread on 127.0.0.1); the listener must
receive no request and the graph must not change. Control tests show that the listener does
receive a request once the guard is switched off (``--write``, ``--allow-service``), so a
silent listener proves something.
"""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import neo4j
import pytest
from click.testing import CliRunner

from policykg.cli import cli
from policykg.graph.store import OxigraphStore
from policykg.queries import (
    READ_PROCEDURES,
    QueryError,
    cypher_plan_refusal,
    load_queries,
    run_sparql,
    sparql_refusal,
)
from tests.neo4j_fixtures import dump_graph
from tests.queries.conftest import load_examples, quad_count


class Listener:
    """An HTTP server on a free local port that records the paths it was asked for."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        hits = self.hits

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self) -> None:
                hits.append(self.path)
                body = b"a,b\n1,2\n"
                self.send_response(200)
                self.send_header("Content-Type", "text/csv")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer  # noqa: N815 - http.server's naming

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


# ---------------------------------------------------------------- Cypher on a real Neo4j


CYPHER_ATTACKS = [
    # the bypasses of issue 12
    "WITH 1 AS `x\\` LOAD CSV FROM '{url}/backtick' AS row RETURN row // `",
    "WITH 1 AS x // a comment ended by CR\rLOAD CSV FROM '{url}/cr' AS row RETURN row",
    "CALL `apoc`.`cypher`.`doIt`('LOAD CSV FROM \"{url}/apoc\" AS r RETURN r', {{}})",
    # spellings
    "load csv from '{url}/lower' as row return row",
    "LoAd CsV wItH hEaDeRs FrOm '{url}/mixed' AS row RETURN row",
    "WITH 1 AS x \\u004cOAD CSV FROM '{url}/unicode' AS row RETURN row",
    "/* a */ LOAD /* b */ CSV /* c */ FROM /* d */ '{url}/block' /* e */ AS row RETURN row",
    "// first line\nLOAD CSV FROM '{url}/line' AS row RETURN row // last",
    "WITH 1 AS x /* \n */ LOAD CSV FROM '{url}/multiline' AS row RETURN row",
    "RETURN '\\'' AS q UNION LOAD CSV FROM '{url}/quote' AS q RETURN q",
    "LOAD CSV FROM $url AS row RETURN row",
    # prefixes and clauses around it
    "EXPLAIN LOAD CSV FROM '{url}/explain' AS row RETURN row",
    "PROFILE LOAD CSV FROM '{url}/profile' AS row RETURN row",
    "CYPHER runtime=slotted LOAD CSV FROM '{url}/cypher-option' AS row RETURN row",
    "USE neo4j LOAD CSV FROM '{url}/use' AS row RETURN row",
    # subqueries
    "CALL {{ LOAD CSV FROM '{url}/call' AS row RETURN row }} RETURN row",
    "MATCH (n:Person) WITH n LIMIT 1 CALL (n) {{ LOAD CSV FROM '{url}/scoped' AS row "
    "RETURN row }} RETURN row",
    "UNWIND [1] AS x CALL (x) {{ LOAD CSV FROM '{url}/tx' AS row RETURN row }} "
    "IN TRANSACTIONS RETURN row",
    "MATCH (n:Person) WHERE EXISTS {{ LOAD CSV FROM '{url}/exists' AS row RETURN row }} "
    "RETURN n",
    "RETURN COUNT {{ LOAD CSV FROM '{url}/count' AS row RETURN row }} AS c",
    "RETURN COLLECT {{ LOAD CSV FROM '{url}/collect' AS row RETURN row }} AS c",
    "MATCH (n:Person) RETURN n.prefLabel AS x UNION LOAD CSV FROM '{url}/union' AS row "
    "RETURN row[0] AS x",
    # server files
    "LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row",
    "LOAD CSV FROM 'file:///../../../../../etc/passwd' AS row RETURN row",
    "LOAD CSV WITH HEADERS FROM 'file:///import.csv' AS row RETURN row",
    # procedures, however spelled
    "CALL dbms.listConfig()",
    "CALL `dbms`.`listConfig`() YIELD name RETURN name",
    "CALL \\u0064bms.listConfig()",
    "CALL db.stats.clear('QUERIES')",
    "CALL `db`.`clearQueryCaches`()",
    "CALL db.createLabel('Hacked')",
    "CALL tx.setMetaData({{x: 1}})",
    "CALL apoc.load.json('{url}/apoc-load')",
    "CALL {{ CALL dbms.components() YIELD name RETURN name }} RETURN name",
    # updates hidden in subqueries, FOREACH, odd spellings
    "CALL {{ CREATE (:Hacked) }}",
    "MATCH (n:Person) WITH n LIMIT 1 FOREACH (x IN [1] | SET n.hacked = true)",
    "MATCH (n:Person) CALL (n) {{ SET n.hacked = 1 }} IN TRANSACTIONS",
    "CrEaTe (:`Hacked` {{x: 1}})",
    "MATCH (n:Person) WITH n LIMIT 1 \\u0053ET n.hacked = 1",
    # admin and introspection commands
    "SHOW SETTINGS",
    "SHOW TRANSACTIONS",
    "TERMINATE TRANSACTIONS 'neo4j-transaction-1'",
    "CREATE INDEX hacked IF NOT EXISTS FOR (n:Person) ON (n.hacked)",
]


@pytest.mark.neo4j
@pytest.mark.parametrize("attack", CYPHER_ATTACKS)
def test_cypher_attack_refused(cypher_cli: Any, example_graph: neo4j.Driver, listener: Listener,
                               attack: str) -> None:
    before = dump_graph(example_graph)
    result = cypher_cli(attack.format(url=listener.url), "-p", f"url={listener.url}/param")
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:"), result.output
    assert "root:" not in result.output  # nothing of /etc/passwd
    time.sleep(0.05)  # a request in flight would have arrived by now
    assert listener.hits == []
    assert dump_graph(example_graph) == before


@pytest.mark.neo4j
def test_cypher_refusals_name_the_reason(cypher_cli: Any, listener: Listener) -> None:
    out = cypher_cli(CYPHER_ATTACKS[0].format(url=listener.url)).output
    assert out.startswith("Error: refused: LOAD CSV"), out
    out = cypher_cli("CALL `dbms`.`listConfig`() YIELD name RETURN name").output
    assert out.startswith("Error: refused: procedure dbms.listConfig is not on the"), out
    out = cypher_cli("SHOW SETTINGS").output
    assert out.startswith("Error: refused: the query's plan has a ShowSettings step"), out


@pytest.mark.neo4j
def test_listener_sees_load_csv_when_allowed(cypher_cli: Any, listener: Listener) -> None:
    """The control: with --write the same LOAD CSV reaches the listener."""
    result = cypher_cli("--write", CYPHER_ATTACKS[0].format(url=listener.url), "--format", "json")
    assert result.exit_code == 0, result.output
    assert listener.hits == ["/backtick"]


READS = [
    "CALL db.labels()",
    "CALL `db`.`labels`() YIELD label RETURN label",
    "CALL db.schema.visualization()",
    "MATCH (n:Person) WHERE EXISTS { (n)-->() } RETURN count(n) AS c",
    "MATCH (n:Person) RETURN n.prefLabel AS name, COUNT { (n)-->() } AS degree "
    "ORDER BY name LIMIT 3",
    "MATCH p = shortestPath((a:Person)-[*..4]-(b:Person)) WHERE a <> b RETURN length(p) "
    "LIMIT 1",
    "MATCH (a:Resource {uri: $uri}) RETURN a.prefLabel AS name",
    "UNWIND range(1, 5) AS x WITH x WHERE x > 2 RETURN DISTINCT x % 2 AS odd, collect(x) AS xs",
]


@pytest.mark.neo4j
@pytest.mark.parametrize("text", READS)
def test_cypher_reads_pass(cypher_cli: Any, text: str) -> None:
    result = cypher_cli(text, "-p", "uri=urn:none", "--format", "json")
    assert result.exit_code == 0, result.output


@pytest.mark.neo4j
def test_every_canned_cypher_form_is_a_pure_read(example_graph: neo4j.Driver) -> None:
    """The operator allow-list is wide enough for the project's own queries."""
    from policykg.queries.definitions import _fragments

    texts = {name: q.cypher for name, q in load_queries().items() if q.cypher}
    texts.update({f"fragment {n}": f["cypher"] for n, f in _fragments().items()
                  if f.get("cypher")})
    assert len(texts) > 5
    with example_graph.session() as session:
        for name, text in texts.items():
            plan = session.run("EXPLAIN " + text).consume().plan
            assert cypher_plan_refusal(plan) is None, name


def test_plan_refusal_of_plugin_functions() -> None:
    """A plugin function (none on the test server) is refused wherever its call appears."""
    plan = {"operatorType": "ProduceResults@neo4j", "args": {"Details": "x"}, "children": [
        {"operatorType": "Projection@neo4j",
         "args": {"Details": "apoc.util.fetch($autostring_0) AS x"}, "children": []}]}
    assert cypher_plan_refusal(plan) is None
    refusal = cypher_plan_refusal(plan, ["apoc.util.fetch"])
    assert refusal and refusal.startswith("refused: plugin function apoc.util.fetch")
    assert cypher_plan_refusal(plan, ["util.fetch"]) is None  # a suffix is not the name
    assert "db.labels" in READ_PROCEDURES and "dbms.listConfig" not in READ_PROCEDURES


@pytest.mark.neo4j
def test_cypher_row_cap(cypher_cli: Any, example_graph: neo4j.Driver) -> None:
    total = example_graph.execute_query("MATCH (n:Resource) RETURN count(n) AS c")[0][0]["c"]
    assert total > 5
    result = cypher_cli("MATCH (n:Resource) RETURN n.uri AS uri", "--max-rows", "5",
                    "--format", "json")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == 5
    assert result.stderr.strip() == ("note: stopped at 5 rows; --limit N shows more, "
                                     "--limit 0 all")
    result = cypher_cli("MATCH (n:Resource) RETURN n.uri AS uri", "--limit", "0", "--format", "json")
    assert len(json.loads(result.stdout)) == total and result.stderr == ""


@pytest.mark.neo4j
def test_cypher_timeout(cypher_cli: Any) -> None:
    started = time.monotonic()
    result = cypher_cli("UNWIND range(1, 2000000000) AS x WITH x WHERE x % 7 = 12 "
                    "RETURN count(*) AS c", "--timeout", "0.5")
    assert time.monotonic() - started < 30
    assert result.exit_code == 1, result.output
    assert result.output.strip() == ("Error: stopped: the query ran longer than the 0.5 s "
                                     "timeout (--timeout to change)")


# ---------------------------------------------------------------- SPARQL on the embedded store


@pytest.fixture(scope="module")
def sparql_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("attacks") / "store"
    load_examples(path).close()
    return path


@pytest.fixture
def sparql(sparql_store: Path) -> Any:
    runner = CliRunner()
    return lambda *args: runner.invoke(cli, ["--store", str(sparql_store), "sparql", *args],
                                       catch_exceptions=False)


SPARQL_ATTACKS = [
    "SELECT * WHERE {{ SERVICE <{url}/plain> {{ ?s ?p ?o }} }}",
    "select * where {{ service <{url}/lower> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ SeRvIcE\tSILENT\n<{url}/silent> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ SERVICE # a comment\n <{url}/comment> # another\n {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE <{url}/subquery> {{ ?s ?p ?o }} }} }} }}",
    "SELECT * WHERE {{ ?s a pkg:Person OPTIONAL {{ SERVICE <{url}/optional> {{ ?s ?p ?o }} }} }}",
    "SELECT * WHERE {{ {{ ?s ?p ?o }} UNION {{ SERVICE <{url}/union> {{ ?s ?p ?o }} }} }}",
    "SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ SERVICE <{url}/exists> {{ ?s ?p ?o }} }} }}",
    "SELECT * WHERE {{ ?s ?p ?o MINUS {{ SERVICE <{url}/minus> {{ ?s ?p ?o }} }} }}",
    "SELECT * WHERE {{ GRAPH ?g {{ SERVICE <{url}/graph> {{ ?s ?p ?o }} }} }}",
    "SELECT * WHERE {{ VALUES ?e {{ <{url}/variable> }} SERVICE ?e {{ ?s ?p ?o }} }}",
    "PREFIX remote: <{url}/> SELECT * WHERE {{ SERVICE remote:prefixed {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ BIND(1 AS ?x) LATERAL {{ SERVICE <{url}/lateral> {{ ?s ?p ?o }} }} }}",
    "SELECT * WHERE {{ \\u0053ERVICE <{url}/escaped> {{ ?s ?p ?o }} }}",
    "ASK {{ SERVICE <{url}/ask> {{ ?s ?p ?o }} }}",
    "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}/construct> {{ ?s ?p ?o }} }}",
    "DESCRIBE ?s WHERE {{ SERVICE <{url}/describe> {{ ?s ?p ?o }} }}",
]


@pytest.mark.parametrize("attack", SPARQL_ATTACKS)
def test_sparql_service_refused(sparql: Any, sparql_store: Path, listener: Listener,
                                attack: str) -> None:
    result = sparql(attack.format(url=listener.url))
    assert result.exit_code == 1, result.output
    assert result.output.strip() == ("Error: refused: SERVICE makes the machine fetch a remote "
                                     "endpoint; pass --allow-service to allow it")
    time.sleep(0.05)
    assert listener.hits == []


def test_sparql_service_refused_in_updates(sparql: Any, sparql_store: Path,
                                          listener: Listener) -> None:
    before = quad_count(sparql_store)
    result = sparql("--write", f"INSERT {{ GRAPH <urn:x> {{ ?s ?p ?o }} }} WHERE {{ SERVICE "
                               f"<{listener.url}/update> {{ ?s ?p ?o }} }}")
    assert result.exit_code == 1, result.output
    assert "refused: SERVICE" in result.output
    assert listener.hits == [] and quad_count(sparql_store) == before


def test_sparql_service_refused_in_process(listener: Listener) -> None:
    """The same guard on an in-memory store (the library path, no child process)."""
    store = OxigraphStore()
    with pytest.raises(QueryError, match="refused: SERVICE"):
        run_sparql(store, f"SELECT * WHERE {{ SERVICE <{listener.url}/mem> {{ ?s ?p ?o }} }}")
    assert listener.hits == []


def test_listener_sees_service_when_allowed(sparql: Any, listener: Listener) -> None:
    """The control: with --allow-service the query does reach the listener."""
    result = sparql("--allow-service",
                    f"SELECT * WHERE {{ SERVICE SILENT <{listener.url}/allowed> {{ ?s ?p ?o }} }}")
    assert result.exit_code == 0, result.output
    assert listener.hits == ["/allowed"] or listener.hits[0].startswith("/allowed")


@pytest.mark.parametrize("text", [
    'SELECT ?s WHERE { ?s skos:prefLabel "service" }',  # the word in a string
    "SELECT ?service WHERE { ?service a pkg:Person }",  # ... as a variable
    "# SERVICE <http://example.org/>\nSELECT ?s WHERE { ?s a pkg:Person }",  # ... in a comment
])
def test_sparql_service_word_is_not_service(text: str) -> None:
    assert sparql_refusal(text) is None


def test_sparql_row_cap(sparql: Any) -> None:
    result = sparql("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", "--max-rows", "7", "--format", "json")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == 7
    assert result.stderr.strip() == ("note: stopped at 7 rows; --limit N shows more, "
                                     "--limit 0 all")


def test_sparql_default_row_cap_on_a_cross_join(sparql: Any) -> None:
    from policykg.queries import DEFAULT_ROW_CAP

    started = time.monotonic()
    result = sparql("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }", "--format", "json")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == DEFAULT_ROW_CAP
    assert f"stopped at {DEFAULT_ROW_CAP} rows" in result.stderr
    assert time.monotonic() - started < 60


CROSS_JOIN_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def test_sparql_timeout(sparql: Any) -> None:
    started = time.monotonic()
    result = sparql(CROSS_JOIN_COUNT, "--timeout", "1")
    assert time.monotonic() - started < 20
    assert result.exit_code == 1, result.output
    assert result.output.strip() == ("Error: stopped: the query ran longer than the 1 s "
                                     "timeout (--timeout to change)")


def test_sparql_timeout_in_process(example_store: OxigraphStore) -> None:
    """In memory the rows stream in a thread that stops at its next row after the deadline."""
    started = time.monotonic()
    with pytest.raises(QueryError, match="longer than the 0.5 s timeout"):
        run_sparql(example_store, "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }", timeout=0.5)
    assert time.monotonic() - started < 10
