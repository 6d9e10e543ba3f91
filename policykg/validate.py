"""SHACL validation of the store against the policykg shapes, with a readable report."""

from __future__ import annotations

from dataclasses import dataclass

from pyshacl import validate as shacl_validate
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from policykg.graph.store import Store
from policykg.ontology import ontology_graph, shapes_graph

__all__ = ["Violation", "validate_graph", "validate_store"]


@dataclass(frozen=True)
class Violation:
    """One SHACL result: which node broke which shape, on which path, and why."""

    focus: str
    shape: str
    path: str
    message: str
    severity: str
    value: str

    def as_dict(self) -> dict[str, str]:
        return {"focus": self.focus, "shape": self.shape, "path": self.path,
                "message": self.message, "severity": self.severity, "value": self.value}


def _short(term: Node | None, graph: Graph) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        try:
            return graph.namespace_manager.normalizeUri(term)
        except Exception:  # noqa: BLE001 - fall back to the full IRI
            return str(term)
    return str(term)


def validate_graph(data: Graph) -> list[Violation]:
    """Validate ``data`` (with the ontology's class hierarchy) and return the violations."""
    # The ontology is added to the data so that sh:class sees subclasses and the typed
    # individuals (pkg:Appropriated a pkg:FundingStage).
    merged = Graph()
    for prefix, ns in data.namespaces():
        merged.bind(prefix, ns)
    merged.bind("pkgsh", "https://w3id.org/policykg/shapes#")
    for triple in data:
        merged.add(triple)
    for triple in ontology_graph():
        merged.add(triple)
    shapes = shapes_graph()
    conforms, report, _ = shacl_validate(
        merged,
        shacl_graph=shapes,
        inference="none",
        allow_warnings=True,
    )
    violations = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        source_shape = report.value(result, SH.sourceShape)
        # Property shapes are blank nodes: name the node shape that holds them.
        holder = shapes.value(predicate=SH.property, object=source_shape) or source_shape
        shape_name = _short(holder, merged)
        violations.append(
            Violation(
                focus=_short(report.value(result, SH.focusNode), data),
                shape=shape_name,
                path=_short(report.value(result, SH.resultPath), data),
                message=str(report.value(result, SH.resultMessage) or ""),
                severity=_short(report.value(result, SH.resultSeverity), report).split("#")[-1]
                .replace("sh:", ""),
                value=_short(report.value(result, SH.value), data),
            )
        )
    return sorted(violations, key=lambda v: (v.focus, v.shape, v.path, v.message))


def validate_store(store: Store) -> list[Violation]:
    """Validate the union of every source in the store."""
    return validate_graph(store.union_graph())
