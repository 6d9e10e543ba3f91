"""RDF syntaxes and the streaming parser of the embedded backend, for the RDF loader.

Loaders name syntaxes by word (``"turtle"``, ``"ntriples"``...); only this module knows the
backend's own format objects, so a loader never imports pyoxigraph.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import pyoxigraph as ox

__all__ = ["SYNTAXES", "parse_triples", "native_format"]

#: Syntax word -> the backend's format.
SYNTAXES: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}


def native_format(syntax: str) -> Any:
    """What ``Loader.native_files`` pairs with a path: the format the backend bulk-loads."""
    return SYNTAXES[syntax]


def parse_triples(source: IO[bytes], syntax: str, base_iri: str,
                  blank_prefix: str) -> Iterator[tuple[Any, Any, Any]]:
    """The triples of ``source`` (graphs of quads merged), each blank node replaced by the IRI
    ``blank_prefix`` + its number in order of appearance, so a file always gives one graph.

    Raises SyntaxError for bad RDF and MemoryError for a token over the parser's buffer.
    """
    labels: dict[str, ox.NamedNode] = {}

    def skolem(term: Any) -> Any:
        if isinstance(term, ox.BlankNode):
            node = labels.get(term.value)
            if node is None:
                node = ox.NamedNode(f"{blank_prefix}{len(labels)}")
                labels[term.value] = node
            return node
        return term

    for quad in ox.parse(source, SYNTAXES[syntax], base_iri=base_iri):
        yield skolem(quad.subject), quad.predicate, skolem(quad.object)
