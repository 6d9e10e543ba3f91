"""Researchers' own SPARQL and Cypher: parameters are data, writes are refused, errors are short."""

from __future__ import annotations

import json
from typing import Any

import neo4j
import pytest
from click.testing import CliRunner

from policykg.cli import cli
from policykg.queries import sparql_form
from tests.neo4j_fixtures import dump_graph
from tests.queries.conftest import quad_count

NASTY = [
    'Peña "Nieto"',
    "it's } { braces",
    "$name and $$ and ${x}",
    "// not a comment /* nor this */",
    "line one\nline two\r\nthree",
    "'}) MATCH (n) DETACH DELETE n //",
    '" } ; DROP ALL ; INSERT DATA { <urn:a> <urn:b> "c" } #',
    "SELECT * WHERE { ?s ?p ?o } UNION CREATE (x)",
    "\\u0022 backslash \\ and unicode ☃",
]


@pytest.fixture
def store_cli(tmp_path: Any) -> Any:
    """Run the CLI against a store with examples/; returns (invoke, store path)."""
    from tests.queries.conftest import load_examples

    path = tmp_path / "store"
    load_examples(path).close()
    runner = CliRunner()

    def invoke(*args: str) -> Any:
        return runner.invoke(cli, ["--store", str(path), *args], catch_exceptions=False)

    return invoke, path


# ---------------------------------------------------------------- SPARQL


@pytest.mark.parametrize("value", NASTY)
def test_sparql_parameters_are_data(store_cli: Any, value: str) -> None:
    invoke, path = store_cli
    before = quad_count(path)
    result = invoke("sparql", "SELECT ?v (STRLEN(?v) AS ?n) WHERE {}", "-p",
                    f"v={json.dumps(value)}", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [{"v": value, "n": len(value)}]
    result = invoke("sparql", "SELECT ?s ?name WHERE { ?s skos:prefLabel ?name }", "-p",
                    f"name={value}", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == []
    assert quad_count(path) == before


def test_sparql_parameters_bind_terms(store_cli: Any) -> None:
    invoke, _ = store_cli
    out = invoke("sparql", "SELECT ?s ?name WHERE { ?s skos:prefLabel ?name }", "-p",
                 "name=Mexico", "--format", "json").output
    assert json.loads(out) == [{"s": "https://w3id.org/policykg/id/place/mexico",
                                "name": "Mexico"}]
    out = invoke("sparql", "SELECT ?s ?name WHERE { ?s skos:prefLabel ?name }", "-p",
                 "s=<https://w3id.org/policykg/id/place/mexico>", "--format", "csv").output
    assert out.splitlines()[1] == "https://w3id.org/policykg/id/place/mexico,Mexico"
    out = invoke("sparql", "SELECT ?n (?n + 1 AS ?m) WHERE {}", "-p", "n=41",
                 "--format", "json").output
    assert json.loads(out) == [{"n": 41, "m": 42}]


def test_sparql_forms(store_cli: Any, tmp_path: Any) -> None:
    invoke, _ = store_cli
    out = invoke("sparql", "ASK { ?s skos:prefLabel \"Mexico\" }", "--format", "json").output
    assert json.loads(out) == [{"result": True}]
    query = tmp_path / "q.rq"
    query.write_text("# a comment\nPREFIX ex: <http://example.org/>\n"
                     "CONSTRUCT { ?s ex:name ?n } WHERE { ?s skos:prefLabel ?n }")
    out = invoke("sparql", "-f", str(query), "--limit", "3", "--format", "json").stdout
    assert len(json.loads(out)) == 3
    out = invoke("sparql", "SELECT ?s WHERE { ?s a pkg:Person }", "--limit", "2",
                 "--format", "json").stdout
    assert len(json.loads(out)) == 2


WRITES = [
    'INSERT DATA { GRAPH <urn:x> { <urn:a> <urn:b> "c" } }',
    "DELETE WHERE { ?s ?p ?o }",
    "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "PREFIX ex: <http://example.org/>\n# comment\nCLEAR ALL",
    "DROP ALL",
    "LOAD <http://example.org/data.ttl>",
    "CREATE GRAPH <urn:g>",
    "ADD DEFAULT TO <urn:g>",
    "MOVE <urn:a> TO <urn:b>",
    "COPY <urn:a> TO <urn:b>",
    "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "SELECT * WHERE { ?s ?p ?o } ; DELETE WHERE { ?s ?p ?o }",
]


@pytest.mark.parametrize("text", WRITES)
def test_sparql_writes_refused(store_cli: Any, text: str) -> None:
    invoke, path = store_cli
    before = quad_count(path)
    result = invoke("sparql", text)
    assert result.exit_code == 1
    assert result.output.startswith("Error: ")
    assert len(result.output.strip().splitlines()) == 1
    assert quad_count(path) == before


def test_sparql_write_allowed(store_cli: Any) -> None:
    invoke, path = store_cli
    before = quad_count(path)
    result = invoke("sparql", "--write",
                    'INSERT DATA { GRAPH <urn:policykg:test> { <urn:a> skos:prefLabel "A" } }')
    assert result.exit_code == 0, result.output
    assert quad_count(path) == before + 1
    out = invoke("sparql", 'SELECT ?s WHERE { ?s skos:prefLabel "A" }', "--format",
                 "csv").output
    assert "urn:a" in out


def test_sparql_syntax_error_one_line(store_cli: Any) -> None:
    invoke, _ = store_cli
    result = invoke("sparql", "SELECT ?x WHERE {\n  ?x ?y \n}")
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert "SPARQL syntax error" in lines[0] and "at 3:" in lines[0]


def test_sparql_form_detection() -> None:
    assert sparql_form("PREFIX a: <urn:x#>\nSELECT * WHERE {}") == "SELECT"
    assert sparql_form('SELECT ("# INSERT" AS ?x) WHERE {}') == "SELECT"
    assert sparql_form("# SELECT\nINSERT DATA { <urn:a> <urn:b> <urn:c> }") == "UPDATE"


# ---------------------------------------------------------------- Cypher


@pytest.mark.neo4j
@pytest.mark.parametrize("value", NASTY)
def test_cypher_parameters_are_data(cypher_cli: Any, example_graph: neo4j.Driver,
                                    value: str) -> None:
    before = dump_graph(example_graph)
    result = cypher_cli("RETURN $v AS v, size($v) AS n", "-p", f"v={json.dumps(value)}",
                        "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [{"v": value, "n": len(value)}]
    result = cypher_cli("MATCH (n:Resource) WHERE n.prefLabel = $name RETURN n.uri AS uri",
                        "-p", f"name={value}", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == []
    assert dump_graph(example_graph) == before


@pytest.mark.neo4j
def test_cypher_reads(cypher_cli: Any) -> None:
    out = cypher_cli("MATCH (p:Person)-[r:MEMBER_OF]->(o) WHERE o.prefLabel = $org "
                     "RETURN p.prefLabel AS person, r.role AS role, r.startDate AS start",
                     "-p", "org=United States Department of Homeland Security",
                     "--format", "json").output
    assert json.loads(out) == [{"person": "John Kelly", "role": "Secretary of Homeland Security",
                                "start": "2017-01-20"}]
    out = cypher_cli("MATCH (n:Person) RETURN n.prefLabel AS name", "--limit", "2",
                     "--format", "json").stdout
    assert len(json.loads(out)) == 2


CYPHER_WRITES = [
    "CREATE (n:Hacked {x: 1})",
    "MERGE (n:Resource {uri: 'urn:hacked'})",
    "MATCH (n:Person) DETACH DELETE n",
    "MATCH (n:Person) SET n.hacked = true",
    "MATCH (n:Person) REMOVE n.prefLabel",
    "LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row",
    "CREATE INDEX hacked FOR (n:Person) ON (n.hacked)",
    "DROP CONSTRAINT policykg_resource_uri",
    "CREATE CONSTRAINT hacked FOR (n:Hacked) REQUIRE n.x IS UNIQUE",
    "CALL dbms.components() YIELD name RETURN name",
    "EXPLAIN CREATE (n:Hacked)",
    "MATCH (n) WITH n LIMIT 1 CALL (n) { SET n.hacked = 1 } RETURN count(*)",
    "// a comment\nCREATE (:Hacked)",
]


@pytest.mark.neo4j
@pytest.mark.parametrize("text", CYPHER_WRITES)
def test_cypher_writes_refused(cypher_cli: Any, example_graph: neo4j.Driver,
                               text: str) -> None:
    before = dump_graph(example_graph)
    result = cypher_cli(text)
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: refused"), result.output
    assert dump_graph(example_graph) == before


@pytest.mark.neo4j
def test_cypher_write_allowed(cypher_cli: Any, example_graph: neo4j.Driver) -> None:
    result = cypher_cli("--write", "CREATE (n:QueryTestNode {x: $x})", "-p", "x=1")
    assert result.exit_code == 0, result.output
    rows, _, _ = example_graph.execute_query("MATCH (n:QueryTestNode) RETURN n.x AS x")
    assert [r["x"] for r in rows] == [1]
    result = cypher_cli("--write", "MATCH (n:QueryTestNode) DELETE n")
    assert result.exit_code == 0, result.output


@pytest.mark.neo4j
def test_cypher_syntax_error_one_line(cypher_cli: Any) -> None:
    result = cypher_cli("MATCH (n:Person\nRETURN n")
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "Cypher syntax error at line 2, column" in lines[0]
