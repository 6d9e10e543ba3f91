"""Validating the store a chunk of nodes at a time finds exactly what validating it whole finds."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyshacl import validate as shacl_validate
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from policykg.graph.store import PREFIXES, OxigraphStore
from policykg.load import load_paths
from policykg.ontology import ontology_graph, shapes_graph
from policykg.validate import validate_graph, validate_store

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

# Violations whose evidence sits on other nodes: a funder typed through a subclass the data
# declares, an untyped funder, an issuer typed in another file, a blank-node member, a datatype
# and a pattern broken, a second name (a warning).
BAD = """\
@prefix pkg: <https://w3id.org/policykg/ns#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <https://example.org/> .
ex:Guild rdfs:subClassOf pkg:Organization .
ex:guild a ex:Guild ; skos:prefLabel "Guild" .
ex:flow1 a pkg:FundingFlow ; pkg:amount "five" ; pkg:currency "dollars" ; pkg:funder ex:nobody ;
    pkg:recipient ex:guild .
ex:flow2 a pkg:FundingFlow ; pkg:amount 3.0 ; pkg:currency "USD" ; pkg:funder ex:guild ;
    pkg:recipient ex:policy1 .
ex:policy1 a pkg:Policy ; skos:prefLabel "A policy" ; pkg:issuedBy ex:flow1 .
ex:m1 a pkg:Membership ; org:member [ a pkg:Person ] ; org:organization ex:guild .
ex:m2 a pkg:Membership ; org:member ex:flow2 ; org:organization ex:nobody .
ex:twice a pkg:Person ; skos:prefLabel "One", "Two" .
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> OxigraphStore:
    folder = tmp_path_factory.mktemp("validate")
    (folder / "bad.ttl").write_text(BAD, encoding="utf-8")
    kg = OxigraphStore(folder / "store")
    load_paths(kg, [EXAMPLES, folder / "bad.ttl"])
    return kg


@pytest.mark.parametrize("chunk_nodes", [1, 3, 1000])
def test_chunks_find_what_the_whole_union_finds(store: OxigraphStore, chunk_nodes: int) -> None:
    whole = validate_graph(store.union_graph())
    assert len({v.focus for v in whole}) >= 5  # the fixture does break shapes on many nodes
    assert validate_store(store, chunk_nodes=chunk_nodes) == whole


def _expand(name: str) -> str:
    if name.startswith("<"):
        return name[1:-1]
    prefix, _, rest = name.partition(":")
    return PREFIXES[prefix] + rest if prefix in PREFIXES else name


def test_chunks_agree_with_pyshacl_over_the_raw_file(store: OxigraphStore) -> None:
    # Independent of our loader and of the chunking: pyshacl over the file parsed by rdflib and
    # the ontology. Its findings about the file's nodes are exactly ours about them.
    raw = Graph().parse(data=BAD, format="turtle")
    raw += ontology_graph()
    _, report, _ = shacl_validate(raw, shacl_graph=shapes_graph(), inference="none",
                                  allow_warnings=True)
    ours_nodes = {URIRef(s) for s in raw.subjects() if str(s).startswith("https://example.org/")}
    want = set()
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        if focus in ours_nodes:
            want.add((str(focus), str(report.value(result, SH.resultPath))))
    got = {(_expand(v.focus), _expand(v.path)) for v in validate_store(store, chunk_nodes=2)
           if v.focus.startswith("<https://example.org/")}
    assert want and got == want
