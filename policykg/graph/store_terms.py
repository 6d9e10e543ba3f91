"""Conversion between rdflib terms (the loaders' currency) and pyoxigraph terms (the store's)."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

__all__ = ["Triple", "to_ox", "from_ox", "triple_to_ox", "is_native", "sparql_term"]

#: A triple as loaders yield it: rdflib terms, or pyoxigraph terms from the fast RDF-file path.
Triple = tuple[Any, Any, Any]

_XSD_STRING = str(XSD.string)


def is_native(term: object) -> bool:
    """True for pyoxigraph terms, which pass through the store without conversion."""
    return isinstance(term, ox.NamedNode | ox.BlankNode | ox.Literal)


def to_ox(term: Any) -> Any:
    """Convert an rdflib term to pyoxigraph; pyoxigraph terms pass through unchanged."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if is_native(term):
        return term
    msg = f"not an RDF term: {term!r}"
    raise TypeError(msg)


def from_ox(term: Any) -> Node:
    """Convert a pyoxigraph term to rdflib; plain strings come back without a datatype."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    msg = f"unsupported pyoxigraph term: {term!r}"
    raise TypeError(msg)


def triple_to_ox(triple: Triple) -> tuple[Any, Any, Any]:
    """Convert the three terms of a triple."""
    s, p, o = triple
    return to_ox(s), to_ox(p), to_ox(o)


def sparql_term(term: Any) -> str:
    """``term`` written as SPARQL text by the backend's serializer (IRIs checked, literals escaped).

    Raises ValueError for an IRI the store would refuse.
    """
    return str(to_ox(term))
