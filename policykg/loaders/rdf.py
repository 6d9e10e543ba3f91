"""RDF files (Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML), loaded as they are.

Parsing uses the store backend's streaming parsers (``policykg.graph.store_rdf``), so large
N-Triples files load at store speed. The graphs of a TriG or N-Quads file are merged into the
source's one named graph. Blank nodes are replaced by stable ``bnode://`` IRIs (numbered in order
of appearance within the source), so the same file always yields the same graph and the Neo4j
mirror can key them.

RDF/XML with a DOCTYPE is refused before parsing (no entity expansion); an empty file, a
corrupt gzip file and a line over the parser's 16 MiB buffer are errors naming the file.
"""

from __future__ import annotations

import mmap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from policykg.exceptions import LimitExceeded, LoaderError
from policykg.graph.store_rdf import native_format, parse_triples
from policykg.graph.terms import Triple
from policykg.identity import stable_hash
from policykg.loaders.base import BOM, LoadContext, Loader, open_input, refuse_dtd

__all__ = ["RDFLoader", "FORMATS", "PARSER_BUFFER"]

#: pyoxigraph's parsers refuse a line or token longer than this many bytes.
PARSER_BUFFER = 16 << 20

#: File extension -> RDF syntax (a word of ``policykg.graph.store_rdf.SYNTAXES``).
FORMATS: dict[str, str] = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".nt": "ntriples",
    ".ntriples": "ntriples",
    ".nq": "nquads",
    ".nquads": "nquads",
    ".trig": "trig",
    ".jsonld": "jsonld",
    ".json-ld": "jsonld",
    ".rdf": "rdfxml",
    ".owl": "rdfxml",
    ".xml": "rdfxml",
}


def _format_of(path: Path) -> str | None:
    name = path.name.lower().removesuffix(".gz")
    for ext, fmt in FORMATS.items():
        if name.endswith(ext):
            return fmt
    return None


class RDFLoader(Loader):
    """RDF in any of the W3C syntaxes, optionally gzip-compressed."""

    name = "rdf"
    version = "0.1"
    extensions = tuple(FORMATS) + tuple(ext + ".gz" for ext in FORMATS)
    description = "RDF files: Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML (.gz too)"

    def sniff(self, path: Path, head: bytes) -> bool:
        fmt = _format_of(path)
        if fmt is None:
            return False
        if fmt == "rdfxml" and path.name.lower().removesuffix(".gz").endswith(".xml"):
            return b"rdf:RDF" in head or b"w3.org/1999/02/22-rdf-syntax-ns" in head
        return True

    def native_files(self, path: Path) -> list[tuple[Path, Any]] | None:
        # N-Triples without blank nodes need no per-triple work: Oxigraph bulk-loads them.
        # An empty file, a BOM or a line over the parser's buffer go through load() instead,
        # which reports them by name.
        if _format_of(path) != "ntriples" or path.name.lower().endswith(".gz"):
            return None
        if path.stat().st_size == 0:
            return None
        with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
            if data[:3] == BOM or data.find(b"_:") >= 0:
                return None
            if len(data) > PARSER_BUFFER and _longest_line(data) > PARSER_BUFFER:
                return None
        return [(path, native_format("ntriples"))]

    def load(self, path: Path, context: LoadContext) -> Iterator[Triple]:
        fmt = _format_of(path)
        if fmt is None:
            raise LoaderError("unknown RDF file extension", path=str(path))
        prefix = f"bnode://{stable_hash(context.source)[:12]}/"
        if fmt == "rdfxml":
            refuse_dtd(path, context.limits)  # entities live in the DTD: none, no bomb
        with open_input(path, context.limits) as fh:
            if not fh.peek(1):
                raise LoaderError("empty file (no RDF in it)", path=str(path))
            try:
                base = path.resolve().as_uri()
                yield from parse_triples(fh, fmt, base, prefix)
            except SyntaxError as exc:
                raise LoaderError(f"RDF syntax error: {exc}", path=str(path)) from exc
            except MemoryError as exc:
                if "buffer maximal size" not in str(exc):
                    raise
                raise LimitExceeded(
                    f"a line or token is longer than {PARSER_BUFFER >> 20} MiB, the RDF "
                    "parser's own limit", path=str(path)) from None


def _longest_line(data: mmap.mmap) -> int:
    """The length of the longest line, read in large chunks (C speed per chunk)."""
    longest = carry = 0
    for start in range(0, len(data), 1 << 26):
        chunk = data[start:start + (1 << 26)]
        parts = chunk.split(b"\n")
        if len(parts) == 1:
            carry += len(chunk)
            continue
        longest = max(longest, carry + len(parts[0]), max(map(len, parts[1:-1]), default=0))
        carry = len(parts[-1])
    return max(longest, carry)
