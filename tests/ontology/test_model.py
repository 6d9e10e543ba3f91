"""The ontology model: checked against the Turtle read here with rdflib, and a fact class added to
a copy of the ontology reaching the mirror, every export view and the graph queries."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from rdflib import OWL, RDF, RDFS, Graph, URIRef

from policykg.exceptions import InvalidOntology
from policykg.export import format_names, render
from policykg.export.formats import ExportContext
from policykg.export.select import GraphReader, run_selection
from policykg.graph.mirror import mirror
from policykg.graph.store import OxigraphStore
from policykg.load import load_paths
from policykg.ontology import ONTOLOGY_FILE
from policykg.ontology.model import (
    current_model,
    default_model,
    load_model,
    upper_snake,
    use_model,
)
from policykg.queries import run_query

if TYPE_CHECKING:
    from tests.neo4j_fixtures import Neo4jDB

PKG = "https://w3id.org/policykg/ns#"


def _turtle() -> Graph:
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


# ----------------------------------------------------------------------------- the packaged model


def test_every_annotated_class_is_a_fact_class_with_its_annotations() -> None:
    turtle = _turtle()
    model = default_model()
    annotated = set(turtle.subjects(URIRef(PKG + "edgeSource"), None))
    assert annotated, "the ontology declares direct relationships"
    for cls in annotated:
        rel = model.relationship(str(cls))
        assert rel is not None, cls
        assert rel.source == str(turtle.value(cls, URIRef(PKG + "edgeSource")))
        assert rel.target == str(turtle.value(cls, URIRef(PKG + "edgeTarget")))
        fixed = turtle.value(cls, URIRef(PKG + "edgeType"))
        type_from = turtle.value(cls, URIRef(PKG + "edgeTypeFrom"))
        assert rel.edge_type == (str(fixed) if fixed is not None else None)
        assert rel.type_from == (str(type_from) if type_from is not None else None)
    # Every class the model calls a fact is annotated itself or below an annotated class.
    for cls in model.facts:
        line = {cls, *(str(c) for c in turtle.transitive_objects(URIRef(cls), RDFS.subClassOf))}
        assert line & {str(c) for c in annotated}, cls


def test_nodes_and_hidden_classes_follow_the_turtle() -> None:
    turtle = _turtle()
    model = default_model()
    classes = {str(c) for c in turtle.subjects(RDF.type, OWL.Class)}
    assert model.classes == classes
    prov = {str(c) for c in classes
            if URIRef("http://www.w3.org/ns/prov#Entity")
            in set(turtle.transitive_objects(URIRef(c), RDFS.subClassOf))}
    vocabularies = {str(o) for s, o in turtle.subject_objects(RDF.type)
                    if str(o) in classes and (s, RDF.type, OWL.Class) not in turtle}
    assert prov == {PKG + "Source", PKG + "Evidence"}
    assert prov | vocabularies | {PKG + "NaryFact"} <= model.hidden_classes
    assert not model.node_classes & (model.hidden_classes | set(model.facts))
    pkg_classes = {c for c in classes if c.startswith(PKG)}
    assert model.node_classes | model.hidden_classes | set(model.facts) >= pkg_classes
    assert {PKG + n for n in ("Person", "Country", "Program", "Event", "Observation")} <= (
        model.node_classes)


def test_families_and_organization_types_follow_the_turtle() -> None:
    turtle = _turtle()
    model = default_model()
    declared = {str(s)[len(PKG):]: str(o) for s, o in turtle.subject_objects(
        URIRef(PKG + "iriFamily"))}
    assert declared["Organization"] == "org"
    for cls in turtle.subjects(RDF.type, OWL.Class):
        name = str(cls)[len(PKG):]
        line = [str(c)[len(PKG):] for c in turtle.transitive_objects(cls, RDFS.subClassOf)]
        expected = next((declared[c] for c in line if c in declared), name.casefold())
        assert model.family_of(name) == expected, name
    organizations = {str(c)[len(PKG):] for c in turtle.transitive_subjects(
        RDFS.subClassOf, URIRef(PKG + "Organization"))}
    assert model.organization_types == organizations
    assert "Country" not in organizations and "GovernmentAgency" in organizations


def test_record_sections_are_the_documented_ones_in_turtle_order() -> None:
    turtle = _turtle()
    ranked = sorted((int(turtle.value(s, URIRef(PKG + "recordSectionOrder"))), str(o))
                    for s, o in turtle.subject_objects(URIRef(PKG + "recordSection")))
    assert default_model().record_sections == tuple(name for _, name in ranked)
    # The table in docs/records.md, read on its own, lists every section but the source block.
    docs = (Path(__file__).parents[2] / "docs" / "records.md").read_text(encoding="utf-8")
    table = docs.split("| section | fields |", 1)[1].split("\n\n", 1)[0]
    documented = [row.split("|")[1].strip() for row in table.splitlines()[2:]]
    assert ("source", *documented) == default_model().record_sections


def test_resolution_families_leave_role_nodes_out() -> None:
    turtle = _turtle()
    families = default_model().resolution_families
    ranked = sorted((int(o), str(turtle.value(s, URIRef(PKG + "iriFamily"))))
                    for s, o in turtle.subject_objects(URIRef(PKG + "resolutionOrder")))
    assert families == tuple(name for _, name in ranked)
    assert "role" not in families and default_model().family_of("RoleActor") == "role"
    assert {"person", "org", "place"} <= set(families)


def test_a_family_given_a_resolution_order_takes_part(tmp_path: Path) -> None:
    path = tmp_path / "roles.ttl"
    path.write_text(ONTOLOGY_FILE.read_text(encoding="utf-8")
                    + "\npkg:RoleActor pkg:resolutionOrder 9 .\n", encoding="utf-8")
    assert load_model(path).resolution_families[-1] == "role"
    path.write_text(ONTOLOGY_FILE.read_text(encoding="utf-8")
                    + '\npkg:Actor pkg:resolutionOrder "first" .\n', encoding="utf-8")
    with pytest.raises(InvalidOntology, match=r"roles\.ttl: .*Actor has resolutionOrder"):
        load_model(path)


@pytest.mark.parametrize(("name", "expected"), [
    ("cancelledMeetingWith", "CANCELLED_MEETING_WITH"), ("subOrganizationOf", "SUB_ORGANIZATION_OF"),
    ("memberOf", "MEMBER_OF"), ("HTTPLink", "HTTP_LINK"), ("a-b c", "A_B_C"),
    ("cooperates_with", "COOPERATES_WITH"), ("COOPERATES_WITH", "COOPERATES_WITH"),
    (PKG + "cooperatesWith", "COOPERATES_WITH"), ("x`) DETACH DELETE n //", "X_DETACH_DELETE_N")])
def test_upper_snake(name: str, expected: str) -> None:
    assert upper_snake(name) == expected


def test_a_broken_fact_class_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.ttl"
    path.write_text(ONTOLOGY_FILE.read_text(encoding="utf-8") + (
        '\npkg:Loan a owl:Class ; rdfs:subClassOf pkg:NaryFact ; pkg:edgeSource pkg:lender ;\n'
        '    rdfs:comment "no target" .\n'), encoding="utf-8")
    with pytest.raises(InvalidOntology, match=r"broken\.ttl: fact class .*Loan"):
        load_model(path)


# ----------------------------------------------------------------------------- a new fact class

LOAN_CLASS = """
pkg:Loan a owl:Class ; rdfs:subClassOf pkg:NaryFact ;
    rdfs:comment "Money lent by one actor to another, to be paid back." ;
    pkg:edgeSource pkg:lender ; pkg:edgeTarget pkg:borrower ; pkg:edgeType "LENDS_TO" .
pkg:lender a owl:ObjectProperty ; rdfs:comment "Who lends." .
pkg:borrower a owl:ObjectProperty ; rdfs:comment "Who borrows." .
"""

LOAN_DATA = """
@prefix pkg: <https://w3id.org/policykg/ns#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix org: <https://w3id.org/policykg/id/org/> .
@prefix loan: <https://w3id.org/policykg/id/loan/> .

org:lender-bank a pkg:Organization ; skos:prefLabel "Lender Bank" .
org:borrower-town a pkg:GovernmentAgency ; skos:prefLabel "Borrower Town Council" .
loan:one a pkg:Loan ; pkg:lender org:lender-bank ; pkg:borrower org:borrower-town ;
    pkg:amount "1000000"^^xsd:decimal ; pkg:date "2019-05"^^xsd:gYearMonth .
"""


@pytest.fixture
def loan_world(tmp_path: Path) -> tuple[object, OxigraphStore, dict[str, str]]:
    ontology = tmp_path / "extended.ttl"
    ontology.write_text(ONTOLOGY_FILE.read_text(encoding="utf-8") + LOAN_CLASS, encoding="utf-8")
    data = tmp_path / "loans.ttl"
    data.write_text(LOAN_DATA, encoding="utf-8")
    # The ends and the type, read from the data file itself, not from our loader.
    raw = Graph().parse(data, format="turtle")
    fact = next(raw.subjects(RDF.type, URIRef(PKG + "Loan")))
    ends = {"fact": str(fact),
            "lender": str(raw.value(fact, URIRef(PKG + "lender"))),
            "borrower": str(raw.value(fact, URIRef(PKG + "borrower"))),
            "lender_name": str(raw.value(raw.value(fact, URIRef(PKG + "lender")),
                                         URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"))),
            "type": str(Graph().parse(ontology, format="turtle").value(
                URIRef(PKG + "Loan"), URIRef(PKG + "edgeType")))}
    store = OxigraphStore(tmp_path / "store")
    load_paths(store, [data])
    model = load_model(ontology)
    yield model, store, ends
    store.close()


def test_the_new_class_is_in_the_model_only_when_loaded(loan_world) -> None:  # type: ignore[no-untyped-def]
    model, _, ends = loan_world
    assert model.relationship(PKG + "Loan").edge_type == ends["type"] == "LENDS_TO"
    assert default_model().relationship(PKG + "Loan") is None
    assert current_model() is default_model()
    with use_model(model):
        assert current_model() is model
    assert current_model() is default_model()


def test_the_new_class_reaches_every_export_view(loan_world) -> None:  # type: ignore[no-untyped-def]
    model, store, ends = loan_world
    reader = GraphReader(store, model)
    view = run_selection(reader)
    edges = [(u, v, d) for u, v, d in view.edges(data=True) if d["type"] == ends["type"]]
    assert [(u, v, d["fact"]) for u, v, d in edges] == [
        (ends["lender"], ends["borrower"], ends["fact"])]
    assert edges[0][2]["factType"] == "Loan" and edges[0][2]["start"] == "2019-05-01"
    for name in format_names():
        data = render(view, name, ExportContext(reader=reader))
        parts = data.values() if isinstance(data, dict) else [data]
        text = b"".join(parts)
        assert ends["type"].encode() in text or ends["fact"].encode() in text, name
    # The packaged ontology knows no loans: the same data gives no edge (the test can fail).
    plain = run_selection(GraphReader(store))
    assert not [d for _, _, d in plain.edges(data=True) if d["type"] == ends["type"]]


def test_the_new_class_reaches_path_and_central_on_the_store(loan_world) -> None:  # type: ignore[no-untyped-def]
    model, store, ends = loan_world
    # With the packaged ontology a loan links nobody (so the test can fail).
    assert run_query(store, "path", source=ends["lender"], target=ends["borrower"]) == []
    assert run_query(store, "central", measure="degree") == []
    with use_model(model):
        hops = run_query(store, "path", source=ends["lender"], target=ends["borrower"])
        rows = run_query(store, "central", measure="degree")
        cooperation = run_query(store, "cooperation", a=ends["lender"], b=ends["borrower"])
    assert [(h["from_uri"], h["relation"], h["to_uri"], h["fact"]) for h in hops] == [
        (ends["lender"], ends["type"], ends["borrower"], ends["fact"])]
    assert {r["uri"] for r in rows} == {ends["lender"], ends["borrower"]}
    assert [(r["relation"], r["fact"]) for r in cooperation] == [(ends["type"], ends["fact"])]


@pytest.mark.neo4j
def test_the_new_class_reaches_the_mirror_and_path_on_neo4j(  # type: ignore[no-untyped-def]
        loan_world, neo4j_db: Neo4jDB) -> None:
    model, store, ends = loan_world
    mirror(store, neo4j_db.driver, neo4j_db.database, model=model)
    found = neo4j_db.run(
        "MATCH (a:Resource)-[r]->(b:Resource) WHERE r.fact = $fact "
        "RETURN a.uri AS a, type(r) AS t, b.uri AS b, r.amount AS amount", fact=ends["fact"])
    assert found == [{"a": ends["lender"], "t": ends["type"], "b": ends["borrower"],
                      "amount": 1000000.0}]
    with use_model(model):
        hops = run_query(neo4j_db.driver, "path", database=neo4j_db.database,
                         source=ends["lender_name"], target=ends["borrower"])
        on_store = run_query(store, "path", source=ends["lender_name"], target=ends["borrower"])
    assert hops == on_store
    assert [h["relation"] for h in hops] == [ends["type"]]
    assert json.dumps(hops, default=str)  # plain values on both backends
