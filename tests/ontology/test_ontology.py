from __future__ import annotations

import pytest
from rdflib import OWL, RDF, RDFS, URIRef

from policykg.ontology import ontology_graph, shapes_graph
from policykg.ontology.generate import MODULE_PATH, NAMESPACE_IRI, render_namespace_module
from policykg.ontology.namespace import PKG


def test_namespace_module_is_generated_from_the_turtle() -> None:
    assert MODULE_PATH.read_text(encoding="utf-8") == render_namespace_module(), (
        "namespace.py is out of date: run python -m policykg.ontology.generate"
    )


def test_namespace_is_closed() -> None:
    assert PKG.Person == URIRef(NAMESPACE_IRI + "Person")
    with pytest.raises(AttributeError):
        PKG.Persn  # noqa: B018 - the typo must fail


def test_every_term_has_a_comment() -> None:
    graph = ontology_graph()
    terms = {s for s in graph.subjects() if isinstance(s, URIRef) and s.startswith(NAMESPACE_IRI)}
    assert len(terms) > 80
    missing = sorted(t for t in terms if graph.value(t, RDFS.comment) is None)
    assert missing == []


@pytest.mark.parametrize(
    "cls",
    ["Person", "GovernmentAgency", "Legislature", "PoliticalParty", "NGO", "ResearchInstitute",
     "Company", "MediaOutlet", "InternationalOrganization", "Country", "Membership", "Post",
     "Law", "ExecutiveOrder", "Agreement", "Program", "FundingFlow", "Statement", "Event",
     "Observation", "Source", "Evidence"],
)
def test_required_classes_exist(cls: str) -> None:
    assert (PKG[cls], RDF.type, OWL.Class) in ontology_graph()


def test_nary_classes_declare_their_direct_relationship() -> None:
    graph = ontology_graph()
    nary = set(graph.subjects(RDFS.subClassOf, PKG.NaryFact))
    assert {PKG.Membership, PKG.FundingFlow, PKG.Statement, PKG.Relationship} <= nary
    for cls in nary:
        assert graph.value(cls, PKG.edgeSource) is not None, cls
        assert graph.value(cls, PKG.edgeTarget) is not None, cls
        assert (graph.value(cls, PKG.edgeType) or graph.value(cls, PKG.edgeTypeFrom)) is not None


def test_reused_vocabularies() -> None:
    graph = ontology_graph()
    assert (PKG.Membership, RDFS.subClassOf, URIRef("http://www.w3.org/ns/org#Membership")) in graph
    assert (PKG.Person, RDFS.subClassOf, URIRef("http://xmlns.com/foaf/0.1/Person")) in graph
    assert (PKG.Evidence, RDFS.subClassOf, URIRef("http://www.w3.org/ns/prov#Entity")) in graph


def test_every_shape_has_a_comment() -> None:
    shapes = shapes_graph()
    node_shapes = set(shapes.subjects(RDF.type, URIRef("http://www.w3.org/ns/shacl#NodeShape")))
    assert len(node_shapes) >= 8
    assert all(shapes.value(s, RDFS.comment) for s in node_shapes)
