"""The Neo4j mirror against a real server: mapping, sync, incremental, resume, pull, errors."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from policykg.graph.mirror import _Labels, neo4j_value, pull, pull_dataset, rdf_lexical
from policykg.graph.neo4j import Neo4jConfig, connect
from policykg.graph.store import OxigraphStore
from policykg.ontology.model import default_model, label_name, local_name, upper_snake

if TYPE_CHECKING:
    from tests.neo4j_fixtures import Neo4jDB

# The fixtures (neo4j_server, neo4j_auth_server, neo4j_db) come from tests/neo4j_fixtures.py,
# registered as a plugin in tests/conftest.py.

ROOT = Path(__file__).resolve().parents[2]
PKG = "https://w3id.org/policykg/ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"

LANG_TTL = """\
@prefix pkg: <https://w3id.org/policykg/ns#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix schema: <https://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

<https://example.org/id/sre> a pkg:GovernmentAgency ;
    skos:prefLabel "Secretariat of Foreign Affairs"@en, "Secrétariat des Affaires étrangères"@fr ;
    skos:altLabel "SRE", "Affaires étrangères"@fr ;
    pkg:date "2015"^^xsd:gYear, "2017-01-27"^^xsd:date ;
    pkg:period "2017-01"^^xsd:gYearMonth ;
    pkg:charStart 12 ;
    pkg:confidence 0.75 ;
    pkg:value "1.5"^^xsd:double ;
    schema:url "https://sre.gob.mx/"^^xsd:anyURI ;
    schema:dateModified "2017-01-27T10:00:00Z"^^xsd:dateTime ;
    <https://example.org/flag> true ;
    pkg:amount 12345678901234567890.125 ;
    pkg:evidence [ a pkg:Evidence ; pkg:record "sre.ttl:1" ] .
"""


# ----------------------------------------------------------------------------- pure mapping


def test_names() -> None:
    assert local_name(PKG + "Membership") == "Membership"
    assert local_name("http://www.w3.org/ns/org#subOrganizationOf") == "subOrganizationOf"
    assert upper_snake("http://www.w3.org/ns/org#subOrganizationOf") == "SUB_ORGANIZATION_OF"
    assert upper_snake("http://www.w3.org/2002/07/owl#sameAs") == "SAME_AS"
    assert upper_snake(PKG + "relSubject") == "REL_SUBJECT"
    assert upper_snake(PKG + "cancelledMeetingWith") == "CANCELLED_MEETING_WITH"
    assert upper_snake("cooperates_with") == "COOPERATES_WITH"
    assert upper_snake("x`) DETACH DELETE n //") == "X_DETACH_DELETE_N"
    assert label_name("https://example.org/T y-pe`") == "T_y_pe"


def test_labels_and_facts_come_from_the_ontology() -> None:
    model = default_model()
    labels = _Labels(model)
    assert labels([PKG + "GovernmentAgency"]) == ("Actor", "GovernmentAgency", "Organization")
    assert labels([PKG + "Membership"]) == ("Membership",)  # NaryFact left out
    assert labels([PKG + "Country"]) == ("Actor", "Country", "Jurisdiction")
    spec, = model.relationships_of([PKG + "Relationship"])
    assert spec.type_from == PKG + "relationType" and spec.edge_type is None
    spec, = model.relationships_of([PKG + "Membership"])
    assert spec.edge_type == "MEMBER_OF"


@pytest.mark.parametrize(("lexical", "datatype", "expected"), [
    ("75000000", "decimal", 75000000.0),
    ("0.9", "decimal", 0.9),
    ("12345678901234567890.125", "decimal", "12345678901234567890.125"),  # not exact as float
    ("42", "integer", 42),
    ("1.5", "double", 1.5),
    ("true", "boolean", True),
    ("2015", "gYear", "2015"),
    ("2017-13-45", "date", "2017-13-45"),
])
def test_literal_values_are_native_only_when_exact(lexical: str, datatype: str,
                                                   expected: Any) -> None:
    value = neo4j_value(lexical, XSD + datatype)
    assert value == expected and type(value) is type(expected)
    assert rdf_lexical(value, XSD + datatype) == lexical


# ----------------------------------------------------------------------------- helpers


def _load_examples(kg: Any) -> None:
    kg("load", "examples/")


def _mirror(kg: Any, *args: str) -> dict[str, Any]:
    result = kg("mirror", "--format", "json", *args)
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows[0]


def _store(kg: Any) -> OxigraphStore:
    return OxigraphStore(kg.store)


def _person(db: Neo4jDB, name: str) -> dict[str, Any]:
    rows = db.run("MATCH (n:Resource {prefLabel: $name}) RETURN n.uri AS uri, labels(n) AS labels,"
                  " properties(n) AS props", name=name)
    assert len(rows) == 1, rows
    return rows[0]


# ----------------------------------------------------------------------------- mirror


@pytest.mark.neo4j
def test_mirror_examples(kg: Any, neo4j_db: Neo4jDB) -> None:
    _load_examples(kg)
    summary = _mirror(kg)
    assert summary["sources_sent"] == 3 and summary["sources_removed"] == 0
    assert summary["nodes"] > 100 and summary["relationships"] > 200

    epn = _person(neo4j_db, "Enrique Peña Nieto")
    assert {"Resource", "Person", "Actor"} <= set(epn["labels"])
    assert "NaryFact" not in epn["labels"]
    assert epn["props"]["altLabel"] == ["Enrique Pena Nieto", "Peña Nieto"]
    agency = _person(neo4j_db, "United States Department of Homeland Security")
    assert {"GovernmentAgency", "Organization", "Actor"} <= set(agency["labels"])
    ice = _person(neo4j_db, "U.S. Immigration and Customs Enforcement")
    assert ice["props"]["altLabel"] == ["ICE", "Immigration and Customs Enforcement"]

    rows = neo4j_db.run(
        "MATCH (p:Person {prefLabel: 'Enrique Peña Nieto'})-[r:MEMBER_OF]->(o) "
        "RETURN r.role AS role, r.startDate AS start, r.fact AS fact, r.sources AS sources, "
        "o.prefLabel AS org")
    assert len(rows) == 1
    assert rows[0]["role"] == "President of Mexico"
    assert type(rows[0]["start"]).__name__ == "Date" and str(rows[0]["start"]) == "2012-12-01"
    assert rows[0]["org"] == "Presidency of Mexico"
    assert rows[0]["sources"] and all(s.startswith("https://w3id.org/policykg/source/")
                                      for s in rows[0]["sources"])
    fact = neo4j_db.run("MATCH (f:Membership {uri: $uri})-[:MEMBER]->(p) "
                        "RETURN p.prefLabel AS p", uri=rows[0]["fact"])
    assert fact == [{"p": "Enrique Peña Nieto"}]

    funds = neo4j_db.run("MATCH (a)-[r:FUNDS]->(b:Country) WHERE r.amount IS NOT NULL "
                         "RETURN a.prefLabel AS a, r.amount AS amount, r.currency AS cur, "
                         "b.prefLabel AS b")
    assert funds == [{"a": "United States Department of State", "amount": 75000000.0,
                      "cur": "USD", "b": "Mexico"}]
    coop = neo4j_db.run("MATCH (:Country {prefLabel: 'Mexico'})-[r:COOPERATES_WITH]->"
                        "(:Country {prefLabel: 'United States'}) RETURN r.fact AS f")
    assert len(coop) == 1
    assert neo4j_db.run("MATCH ()-[r:CANCELLED_MEETING_WITH]->() RETURN count(r) AS c") == [
        {"c": 1}]
    commented = neo4j_db.run("MATCH (:Person {prefLabel: 'Jorge Bustamante'})"
                             "-[r:COMMENTED_ON]->(x) RETURN count(r) AS c")
    assert commented == [{"c": 5}]  # one per `about` value of his three statements
    # plain predicate relationships keep their IRI
    sub = neo4j_db.run("MATCH (a)-[r:SUB_ORGANIZATION_OF]->(b) RETURN r.predicate AS p LIMIT 1")
    assert sub == [{"p": "http://www.w3.org/ns/org#subOrganizationOf"}]
    # every policykg relationship is marked; the names index finds aliases
    assert neo4j_db.run("MATCH ()-[r]->() WHERE r._pkg IS NULL RETURN count(r) AS c") == [
        {"c": 0}]
    hits = neo4j_db.run("CALL db.index.fulltext.queryNodes('policykg_names', 'Videgaray') "
                        "YIELD node RETURN node.prefLabel AS name")
    assert {"name": "Luis Videgaray"} in hits


@pytest.mark.neo4j
def test_language_tags_and_datatypes(kg: Any, neo4j_db: Neo4jDB) -> None:
    (kg.cwd / "sre.ttl").write_text(LANG_TTL, encoding="utf-8")
    kg("load", "sre.ttl")
    _mirror(kg)
    props = neo4j_db.run("MATCH (n {uri: 'https://example.org/id/sre'}) "
                         "RETURN properties(n) AS p")[0]["p"]
    assert props["prefLabel@en"] == "Secretariat of Foreign Affairs"
    assert props["prefLabel@fr"] == "Secrétariat des Affaires étrangères"
    assert props["altLabel"] == ["SRE"]
    assert props["altLabel@fr"] == ["Affaires étrangères"]
    assert props["period"] == "2017-01" and props["charStart"] == 12
    assert props["confidence"] == 0.75 and props["flag"] is True
    assert sorted(props["date"]) == ["2015", "2017-01-27"]  # mixed types: lexical forms
    assert type(props["dateModified"]).__name__ == "DateTime"
    assert props["amount"] == "12345678901234567890.125"
    # the skolemized blank node is an ordinary Resource
    ev = neo4j_db.run("MATCH ({uri: 'https://example.org/id/sre'})-[:EVIDENCE]->(e:Evidence) "
                      "RETURN e.uri AS uri")
    assert ev and ev[0]["uri"].startswith("bnode://")
    store = _store(kg)
    try:
        assert isomorphic(pull(neo4j_db.driver, neo4j_db.database), store.union_graph())
    finally:
        store.close()


@pytest.mark.neo4j
def test_mirror_is_idempotent_and_incremental(kg: Any, neo4j_db: Neo4jDB) -> None:
    _load_examples(kg)
    _mirror(kg)
    first = neo4j_db.dump()
    again = _mirror(kg)
    assert again["sources_sent"] == 0 and again["sources_unchanged"] == 3
    assert again["nodes"] == 0 and again["relationships"] == 0
    assert neo4j_db.dump() == first
    full = _mirror(kg, "--full")
    assert full["sources_sent"] == 3
    assert neo4j_db.dump() == first


@pytest.mark.neo4j
def test_mirror_stays_in_sync(kg: Any, neo4j_db: Neo4jDB) -> None:
    _load_examples(kg)
    neo4j_db.run("CREATE (:Foreign {uri: 'x', note: 'not ours'})")
    _mirror(kg)
    statement = neo4j_db.run("MATCH (s:Statement) RETURN s.uri AS uri LIMIT 1")[0]["uri"]
    neo4j_db.run("MATCH (f:Foreign), (s {uri: $uri}) CREATE (f)-[:LIKES]->(s)", uri=statement)
    neo4j_db.run("MATCH (n:Resource {prefLabel: 'Mexico'}) SET n.pagerank = 0.5")

    kg("sources", "--remove", "examples/03-facts.yaml")
    summary = _mirror(kg)
    assert summary["sources_removed"] == 1 and summary["sources_sent"] == 0
    assert neo4j_db.run("MATCH ()-[r:FUNDS|COOPERATES_WITH|COMMENTED_ON]->() "
                        "RETURN count(r) AS c") == [{"c": 0}]
    assert neo4j_db.run("MATCH (n:Statement|FundingFlow|Relationship|Observation) "
                        "RETURN count(n) AS c") == [{"c": 0}]
    removed = [r["u"] for r in neo4j_db.run("MATCH (s:_PolicyKGSource) RETURN s.uri AS u")]
    assert not any("03-facts" in u for u in removed)
    # shared entities stay, with their own facts and foreign additions
    mexico = _person(neo4j_db, "Mexico")
    assert {"Country", "Actor"} <= set(mexico["labels"])
    assert mexico["props"]["pagerank"] == 0.5
    assert neo4j_db.run("MATCH ()-[r:MEMBER_OF]->() RETURN count(r) AS c") == [{"c": 10}]
    # what policykg did not write is untouched: the foreign node, its relationship, and the
    # node it points at (stripped of policykg's labels and properties, not deleted)
    assert neo4j_db.run("MATCH (f:Foreign {uri: 'x'})-[:LIKES]->(s) RETURN s.uri AS u, "
                        "labels(s) AS l, s._sources AS src, f.note AS note") == [
        {"u": statement, "l": ["Resource"], "src": None, "note": "not ours"}]

    # a reload that drops a row removes exactly that fact
    csv = kg.cwd / "examples" / "02-offices.memberships.csv"
    lines = csv.read_text(encoding="utf-8").splitlines(keepends=True)
    csv.write_text("".join(line for line in lines if not line.startswith("john-kelly")),
                   encoding="utf-8")
    kg("load", "examples/02-offices.memberships.csv")
    summary = _mirror(kg)
    assert summary["sources_sent"] == 1 and summary["sources_unchanged"] == 1
    assert neo4j_db.run("MATCH (:Person {prefLabel: 'John Kelly'})-[r:MEMBER_OF]->() "
                        "RETURN count(r) AS c") == [{"c": 0}]
    assert neo4j_db.run("MATCH ()-[r:MEMBER_OF]->() RETURN count(r) AS c") == [{"c": 9}]
    _person(neo4j_db, "John Kelly")

    # the end state equals a clean mirror of the same store (plus the foreign bits)
    after = neo4j_db.dump()
    neo4j_db.run("MATCH (f:Foreign) DETACH DELETE f")
    neo4j_db.run("MATCH (n {uri: $uri}) WHERE n._sources IS NULL AND NOT (n)--() DELETE n",
                 uri=statement)
    neo4j_db.run("MATCH (n:Resource {prefLabel: 'Mexico'}) REMOVE n.pagerank")
    stripped = neo4j_db.dump()
    neo4j_db.clear()
    _mirror(kg)
    assert neo4j_db.dump() == stripped
    assert after != stripped


@pytest.mark.neo4j
def test_pull_round_trip(kg: Any, neo4j_db: Neo4jDB, tmp_path: Path) -> None:
    _load_examples(kg)
    (kg.cwd / "sre.ttl").write_text(LANG_TTL, encoding="utf-8")
    kg("load", "sre.ttl")
    _mirror(kg)
    out = tmp_path / "pulled.nt"
    kg("pull", "--format", "nt", "-o", str(out))
    pulled = Graph().parse(out, format="nt")
    trig = tmp_path / "pulled.trig"
    kg("pull", "--format", "trig", "-o", str(trig))
    store = _store(kg)
    try:
        assert isomorphic(pulled, store.union_graph())
        # both sides go through TriG, whose number shorthands rdflib rewrites
        expected = Dataset().parse(data=store.dataset().serialize(format="trig"), format="trig")
        got = Dataset().parse(trig, format="trig")
        names = {str(g.identifier) for g in expected.graphs() if len(g)}
        assert names == {str(g.identifier) for g in got.graphs() if len(g)}
        for name in names:
            assert isomorphic(expected.graph(name), got.graph(name)), name
        direct, native = pull_dataset(neo4j_db.driver), store.dataset()
        for graph in store.graphs():
            assert isomorphic(direct.graph(graph), native.graph(graph)), graph
    finally:
        store.close()


# ----------------------------------------------------------------------------- resume


def _bench_module() -> Any:
    spec = importlib.util.spec_from_file_location("policykg_bench_mirror",
                                                  ROOT / "bench" / "mirror.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.neo4j
def test_killed_mirror_resumes_to_a_clean_state(tmp_path: Path, neo4j_db: Neo4jDB) -> None:
    store_path = tmp_path / "store"
    store = OxigraphStore(store_path)
    _bench_module().populate(store, 40_000, sources=4)
    store.close()
    env = {**os.environ, **neo4j_db.env()}
    command = [sys.executable, "-c", "from policykg.cli import cli; cli()",
               "--store", str(store_path), "mirror", "--batch-size", "500", "--format", "json"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    written = 0
    while time.monotonic() < deadline and process.poll() is None:
        written = neo4j_db.run("MATCH (n:Resource) RETURN count(n) AS c")[0]["c"]
        if written > 1500:
            break
        time.sleep(0.05)
    assert process.poll() is None, "the mirror finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait()
    pending = neo4j_db.run("MATCH (s:_PolicyKGSource) RETURN s.state AS state")
    assert pending and all(r["state"] == "pending" for r in pending)

    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    assert json.loads(done.stdout)[0]["sources_sent"] == 4
    resumed = neo4j_db.dump()
    neo4j_db.clear()
    subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    assert neo4j_db.dump() == resumed


# ----------------------------------------------------------------------------- errors


@pytest.mark.neo4j
def test_bad_password_is_one_clean_line(kg: Any, neo4j_auth_server: dict[str, Any],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    _load_examples(kg)
    secret = "wrong-Secret-4711"
    monkeypatch.setenv("NEO4J_URI", neo4j_auth_server["uri"])
    monkeypatch.setenv("NEO4J_USERNAME", neo4j_auth_server.get("user") or "neo4j")
    monkeypatch.setenv("NEO4J_PASSWORD", secret)
    result = kg("mirror", ok=False)
    assert result.exit_code == 1
    output = result.output.strip()
    assert len(output.splitlines()) == 1, output
    assert "rejected the credentials" in output and secret not in output
    assert "Traceback" not in output
    # and the right password works
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_auth_server["password"])
    assert _mirror(kg)["sources_sent"] == 3
    driver = connect(Neo4jConfig.from_env())
    try:
        with driver.session() as session:
            session.run("MATCH (n) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS").consume()
    finally:
        driver.close()


@pytest.mark.neo4j
@pytest.mark.parametrize("command", ["mirror", "pull", "neo4j-status"])
def test_unreachable_server_is_one_clean_line(kg: Any, command: str,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEO4J_PASSWORD", "do-not-print-me")
    result = kg(command, "--uri", "bolt://127.0.0.1:1", ok=False)
    assert result.exit_code == 1
    output = result.output.strip()
    assert len(output.splitlines()) == 1, output
    assert output.startswith("Error: cannot reach Neo4j at bolt://127.0.0.1:1")
    assert "do-not-print-me" not in output


def test_config_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD", "NEO4J_DATABASE"):
        monkeypatch.delenv(key, raising=False)
    config = Neo4jConfig.from_env()
    assert (config.uri, config.user, config.password, config.database) == (
        "bolt://localhost:7687", "neo4j", None, "neo4j")
    monkeypatch.setenv("NEO4J_URI", "neo4j+s://abc.databases.neo4j.io")
    monkeypatch.setenv("NEO4J_PASSWORD", "pw-secret")
    config = Neo4jConfig.from_env(database="other")
    assert config.uri == "neo4j+s://abc.databases.neo4j.io" and config.database == "other"
    assert "pw-secret" not in repr(config)

