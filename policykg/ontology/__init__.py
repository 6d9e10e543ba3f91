"""The policykg vocabulary (OWL/RDFS in Turtle), its SHACL shapes and the closed namespace."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from rdflib import Graph

from policykg.exceptions import InvalidOntology

__all__ = ["ONTOLOGY_FILE", "SHAPES_FILE", "ontology_graph", "parse_turtle", "shapes_graph"]

ONTOLOGY_FILE = Path(__file__).with_name("policykg.ttl")
SHAPES_FILE = Path(__file__).with_name("shapes.ttl")


def parse_turtle(path: Path) -> Graph:
    """An ontology or shapes file as a Graph; a broken file raises InvalidOntology."""
    try:
        return Graph().parse(path, format="turtle")
    except Exception as exc:  # rdflib raises several parser exception types
        msg = f"{path.name}: cannot parse: {exc}"
        raise InvalidOntology(msg) from exc


@cache
def ontology_graph() -> Graph:
    """The ontology as an rdflib Graph (cached; do not modify)."""
    return parse_turtle(ONTOLOGY_FILE)


@cache
def shapes_graph() -> Graph:
    """The SHACL shapes as an rdflib Graph (cached; do not modify)."""
    return parse_turtle(SHAPES_FILE)
