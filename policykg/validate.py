"""SHACL validation of the store against the policykg shapes, with a readable report."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from pyshacl import validate as shacl_validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from policykg.graph.store import PREFIXES, Store
from policykg.ontology import ontology_graph, shapes_graph
from policykg.ontology.instances import SHAPES

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


#: Focus nodes validated together by :func:`validate_store`: big enough that pyshacl's fixed
#: cost per run is small, small enough that a chunk's triples stay a few hundred MB.
CHUNK_NODES = 20_000


def validate_graph(data: Graph) -> list[Violation]:
    """Validate ``data`` (with the ontology's class hierarchy) and return the violations."""
    return _validate(data, None)


def _validate(data: Graph, focus: set[Node] | None) -> list[Violation]:
    """The violations of ``data``, only those whose focus node is in ``focus`` unless None."""
    # The ontology is added to the data so that sh:class sees subclasses and the typed
    # individuals (pkg:Appropriated a pkg:FundingStage).
    merged = Graph()
    for prefix, ns in data.namespaces():
        merged.bind(prefix, ns)
    merged.bind("pkgsh", SHAPES)
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
        if focus is not None and report.value(result, SH.focusNode) not in focus:
            continue
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


def validate_store(store: Store, chunk_nodes: int = CHUNK_NODES) -> list[Violation]:
    """Validate the union of every source in the store, without copying the whole store.

    Every shape targets a class and checks a node's own triples, plus the classes of the nodes
    they point to (``sh:class``). So the typed nodes are validated a chunk at a time, each
    chunk in a graph of the chunk's triples, its objects' types and every ``rdfs:subClassOf``
    of the store; results about other nodes (an object is a target too, but its own triples are
    not there) are left to that node's chunk. The answer is the one for the whole union.
    """
    hierarchy = list(store.triples(p=RDFS.subClassOf))
    violations: list[Violation] = []
    for chunk in _chunks(_focus_nodes(store), chunk_nodes):
        data = Graph()
        for prefix, iri in PREFIXES.items():
            data.bind(prefix, iri)
        for triple in hierarchy:
            data.add(triple)
        objects: set[Node] = set()
        for node in chunk:
            for triple in store.triples(s=node):
                data.add(triple)
                if not isinstance(triple[2], Literal):
                    objects.add(triple[2])
        for node in objects - chunk:
            for triple in store.triples(s=node, p=RDF.type):
                data.add(triple)
        violations += _validate(data, chunk)
    return sorted(violations, key=lambda v: (v.focus, v.shape, v.path, v.message))


def _focus_nodes(store: Store) -> Iterator[Node]:
    """Each node that can be a shape's target once: the ontology's typed individuals first (the
    ontology is part of every chunk, so they are judged in the first), then the store's."""
    seen: set[Node] = set()
    typed = (s for s, _, _ in ontology_graph().triples((None, RDF.type, None)))
    stored = (s for s, _, _ in store.triples(p=RDF.type))
    for source in (typed, stored):
        for node in source:
            if node not in seen:
                seen.add(node)
                yield node


def _chunks(nodes: Iterator[Node], size: int) -> Iterator[set[Node]]:
    chunk: set[Node] = set()
    for node in nodes:
        chunk.add(node)
        if len(chunk) >= size:
            yield chunk
            chunk = set()
    if chunk:
        yield chunk
