"""The Cypher script recreates the view in a real Neo4j; --cypher selects from Neo4j."""

from __future__ import annotations

import json

import networkx as nx
import pytest

from policykg.export import render
from policykg.export.formats import CYPHER_LABEL, ExportContext
from policykg.export.select import GraphReader
from tests.conftest import CLI
from tests.neo4j_fixtures import Neo4jDB, neo4j_db, neo4j_server  # noqa: F401

from .conftest import NASTY_TEXT, XSS_NAME

pytestmark = pytest.mark.neo4j


def run_script(db: Neo4jDB, script: str) -> None:
    for line in script.splitlines():
        if line and not line.startswith("//"):
            db.run(line.rstrip(";"))


def test_cypher_script_recreates_the_view(neo4j_db: Neo4jDB, whole: nx.MultiDiGraph,  # noqa: F811
                                          reader: GraphReader) -> None:
    data = render(whole, "cypher", ExportContext(reader=reader))
    assert isinstance(data, bytes)
    run_script(neo4j_db, data.decode("utf-8"))
    run_script(neo4j_db, data.decode("utf-8"))  # idempotent
    nodes = neo4j_db.run(f"MATCH (n:{CYPHER_LABEL}) RETURN n.uri AS uri, n.label AS label")
    assert {r["uri"] for r in nodes} == set(whole.nodes)
    assert XSS_NAME in {r["label"] for r in nodes}
    rels = neo4j_db.run(f"MATCH (a:{CYPHER_LABEL})-[r]->(b:{CYPHER_LABEL}) "
                        "RETURN a.uri AS a, type(r) AS t, b.uri AS b, r.text AS text, "
                        "r.evidence AS evidence, r.amount AS amount")
    assert len(rels) == whole.number_of_edges()
    assert {(r["a"], r["b"], r["t"]) for r in rels} == \
        {(u, v, d["type"]) for u, v, d in whole.edges(data=True)}
    assert NASTY_TEXT in {r["text"] for r in rels}
    assert 75000000.0 in {r["amount"] for r in rels}
    assert all(isinstance(json.loads(r["evidence"]), list) for r in rels if r["evidence"])
    person = neo4j_db.run("MATCH (n:Person {uri: $u}) RETURN n.types AS types",
                          u="https://w3id.org/policykg/id/person/donald-trump")
    assert person[0]["types"] == ["Person", "Actor"]


def test_export_from_a_cypher_selection(neo4j_db: Neo4jDB, kg: CLI) -> None:  # noqa: F811
    kg("load", "examples/")
    script = kg("export-subgraph", "--format", "cypher").stdout
    run_script(neo4j_db, script)
    result = kg("export-subgraph", "--from-neo4j", "--cypher",
                f"MATCH (n:{CYPHER_LABEL}:Person) WHERE n.label STARTS WITH $prefix RETURN n",
                "--param", "prefix=Jorge", "--format", "json")
    data = json.loads(result.stdout)
    assert {n["label"] for n in data["nodes"]} == {"Jorge Bustamante", "Jorge Castañeda"}
    refused = kg("export-subgraph", "--from-neo4j", "--cypher", "MATCH (n) DETACH DELETE n",
                 "--format", "json", ok=False)
    assert refused.exit_code == 1
    assert neo4j_db.run("MATCH (n) RETURN count(n) AS c")[0]["c"] > 0
