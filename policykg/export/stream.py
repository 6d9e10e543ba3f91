"""The whole store as RDF text, written as it is read: memory does not grow with the store.

N-Triples, N-Quads, Turtle and TriG are written quad by quad from :meth:`Store.quads`, in the
store's order (by graph, then subject), one statement per subject run. A triple that several
sources hold appears once per source in the union formats (N-Triples, Turtle): the document
still parses to the same set of triples, and keeping it once would need a set of every triple.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import chain
from typing import BinaryIO

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from policykg.graph.store import PREFIXES, Store

__all__ = ["STREAMED_FORMATS", "write_rdf"]

STREAMED_FORMATS = frozenset({"nt", "nq", "ttl", "trig"})
_BUFFER_LINES = 10_000
#: Characters a quoted literal cannot hold as they are, in N-Triples and Turtle alike.
_ESCAPES = {ord("\\"): "\\\\", ord('"'): '\\"', ord("\n"): "\\n", ord("\r"): "\\r",
            **{c: f"\\u{c:04X}" for c in [*range(0x20), 0x7F] if c not in (0x0A, 0x0D)}}


def _literal(term: Literal) -> str:
    quoted = '"' + str(term).translate(_ESCAPES) + '"'
    if term.language:
        return f"{quoted}@{term.language}"
    if term.datatype is not None and term.datatype != XSD.string:
        return f"{quoted}^^<{term.datatype}>"
    return quoted


class _Names:
    """Terms as Turtle text: prefixed names where a bound prefix fits, else full syntax."""

    def __init__(self, short: bool) -> None:
        self.short = short
        graph = Graph(bind_namespaces="none")
        for prefix, iri in PREFIXES.items():
            graph.bind(prefix, iri)
        self._manager = graph.namespace_manager

    def __call__(self, term: Node) -> str:
        if self.short and isinstance(term, URIRef):
            name = self._manager.normalizeUri(term)
            # A prefixed name only when its local part needs no escaping in Turtle.
            local = name.partition(":")[2]
            if not name.startswith("<") and local and all(c.isalnum() or c in "_-"
                                                          for c in local):
                return name
            return term.n3()
        if isinstance(term, Literal):
            return _literal(term)
        return str(term.n3())


def _lines(quads: Iterable[tuple[Node, Node, Node, URIRef]], fmt: str) -> Iterator[str]:
    short = fmt in ("ttl", "trig")
    name = _Names(short)
    if short:
        for prefix, iri in PREFIXES.items():
            yield f"@prefix {prefix}: <{iri}> .\n"
    graph: URIRef | None = None
    subject: Node | None = None
    for s, p, o, g in quads:
        if fmt == "nt":
            yield f"{name(s)} {name(p)} {name(o)} .\n"
        elif fmt == "nq":
            yield f"{name(s)} {name(p)} {name(o)} {g.n3()} .\n"
        else:
            if fmt == "trig" and g != graph:
                if subject is not None:
                    yield " .\n"
                yield ("}\n" if graph is not None else "") + f"\n{g.n3()} {{\n"
                graph, subject = g, None
            if s == subject:
                yield f" ;\n    {name(p)} {name(o)}"
            else:
                yield (" .\n" if subject is not None else "") + f"{name(s)} {name(p)} {name(o)}"
                subject = s
    if fmt in ("ttl", "trig") and subject is not None:
        yield " .\n"
    if fmt == "trig" and graph is not None:
        yield "}\n"


def write_rdf(store: Store, fmt: str, out: BinaryIO,
              extra: Iterable[tuple[Node, Node, Node, URIRef]] = ()) -> None:
    """Write every quad of ``store``, then ``extra``, to ``out`` in ``fmt``.

    ``fmt`` is one of :data:`STREAMED_FORMATS`; ``extra`` carries graphs that live beside the
    store rather than in it (the judgement log of a backup).
    """
    buffer: list[str] = []
    for line in _lines(chain(store.quads(), extra), fmt):
        buffer.append(line)
        if len(buffer) >= _BUFFER_LINES:
            out.write("".join(buffer).encode("utf-8"))
            buffer.clear()
    out.write("".join(buffer).encode("utf-8"))
