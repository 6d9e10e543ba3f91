"""The whole store as RDF text, written as it is read: memory does not grow with the store.

The writing is :meth:`Store.dump`'s, the one streaming RDF writer of every backend; this module
only maps the ``export`` command's format names onto it. A triple that several sources hold
appears once per source in the union formats (N-Triples, Turtle): the document still parses to
the same set of triples, and keeping it once would need a set of every triple.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import BinaryIO

from rdflib import URIRef
from rdflib.term import Node

from policykg.graph.store import Store

__all__ = ["STREAMED_FORMATS", "write_rdf"]

#: ``export --format`` name -> :data:`~policykg.graph.store.DUMP_FORMATS` name.
_DUMP_NAMES = {"nt": "ntriples", "nq": "nquads", "ttl": "turtle", "trig": "trig"}
STREAMED_FORMATS = frozenset(_DUMP_NAMES)


def write_rdf(store: Store, fmt: str, out: BinaryIO,
              extra: Iterable[tuple[Node, Node, Node, URIRef]] = ()) -> None:
    """Write every quad of ``store``, then ``extra``, to ``out`` in ``fmt``.

    ``fmt`` is one of :data:`STREAMED_FORMATS`; ``extra`` carries graphs that live beside the
    store rather than in it (the judgement log of a backup).
    """
    store.dump(out, _DUMP_NAMES[fmt], extra=extra)
