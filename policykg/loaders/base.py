"""What a loader is, the context it reads from while it yields triples, and bounded input.

A loader turns one file into triples. It never writes to a store: the load pipeline
(:mod:`policykg.load`) collects what it yields into the source's named graph, atomically.

Every loader reads its file through the helpers here, which hold the input guarantees: a cap on
decompressed bytes, on line length and on JSON nesting depth (:class:`Limits`, raised with
``policykg load --max-bytes/--max-line/--max-depth``), XML DTDs refused before any parser sees
them, a leading UTF-8 byte-order mark dropped, and corrupt or truncated gzip reported by name.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import zlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, AnyStr
from xml.parsers import expat

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, XSD

from policykg.exceptions import LimitExceeded, LoaderError, UnsafeInput
from policykg.facts import evidence_node
from policykg.graph.terms import Triple
from policykg.loaders.records import canonical_decimal
from policykg.ontology.namespace import PKG

__all__ = [
    "Loader",
    "LoadContext",
    "LoadWarning",
    "Limits",
    "open_input",
    "read_lines",
    "parse_json",
    "refuse_dtd",
    "BOM",
]

BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Limits:
    """Resource limits of one load; each is raised with the ``policykg load`` option named."""

    #: Decompressed bytes read from one gzip file (``--max-bytes``).
    max_bytes: int = 2 << 30
    #: Bytes in one line of a line-oriented file: FtM, Wikidata dump, GDELT (``--max-line``).
    max_line: int = 16 << 20
    #: Nesting depth of JSON arrays and objects (``--max-depth``).
    max_depth: int = 200


@dataclass(frozen=True)
class LoadWarning:
    """A recoverable problem in a record that was skipped or repaired (``--lenient``)."""

    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


@dataclass
class LoadContext:
    """What a loader may know about the load it is part of."""

    #: IRI (and named graph) of the source being loaded.
    source: URIRef
    #: Turn recoverable record errors into warnings instead of failing the whole file.
    lenient: bool = False
    #: Fail the whole file on any bad record (open-data loaders skip bad records by default).
    strict: bool = False
    #: Answers whether an entity IRI exists already (in the store or earlier in this load).
    exists: Callable[[URIRef], bool] = lambda iri: False
    warnings: list[LoadWarning] = field(default_factory=list)
    #: Records skipped because they were bad, by reason.
    skipped: dict[str, int] = field(default_factory=dict)
    #: Entity IRIs this load defines, so later files in the same load can refer to them.
    defined: set[URIRef] = field(default_factory=set)
    #: Finds an entity already in the store by name or alias (case/accent-insensitive) and
    #: optional class local names; returns None when there is no single match.
    match_entity: Callable[[str, frozenset[str] | None], URIRef | None] = (
        lambda name, types: None
    )
    #: Caps on what the loader reads.
    limits: Limits = field(default_factory=Limits)

    def warn(self, location: str, message: str, *, reason: str | None = None) -> None:
        """Record a warning; ``reason`` also counts the record as skipped."""
        self.warnings.append(LoadWarning(location, message))
        if reason is not None:
            self.skipped[reason] = self.skipped.get(reason, 0) + 1

    def evidence(
        self,
        fact: URIRef,
        *,
        extractor: str,
        version: str,
        record: str | None = None,
        start: int | None = None,
        end: int | None = None,
        confidence: float = 1.0,
        quote: str | None = None,
    ) -> Iterator[Triple]:
        """Triples attaching one evidence node (this source, span or record) to ``fact``."""
        node = evidence_node(fact, self.source, record, start, end)
        yield fact, PKG.evidence, node
        yield node, RDF.type, PKG.Evidence
        yield node, PKG.source, self.source
        yield node, PKG.extractor, Literal(extractor)
        yield node, PKG.extractorVersion, Literal(version)
        yield node, PKG.confidence, Literal(canonical_decimal(round(confidence, 3)),
                                            datatype=XSD.decimal)
        if record is not None:
            yield node, PKG.record, Literal(record)
        if start is not None and end is not None:
            yield node, PKG.charStart, Literal(start)
            yield node, PKG.charEnd, Literal(end)
        if quote:
            yield node, PKG.quote, Literal(quote)


class Loader(ABC):
    """Reads one kind of file into policykg triples."""

    #: Short name used by ``--format`` and in provenance.
    name: str = ""
    #: Version recorded in evidence; bump when the mapping changes.
    version: str = "0.1"
    #: File name endings this loader claims (lowercase, with the dot).
    extensions: tuple[str, ...] = ()
    #: One line for ``policykg formats``.
    description: str = ""

    def sniff(self, path: Path, head: bytes) -> bool:
        """Whether this loader reads ``path``; ``head`` is its first bytes (decompressed)."""
        name = path.name.lower()
        return any(name.endswith(ext) for ext in self.extensions)

    @abstractmethod
    def load(self, path: Path, context: LoadContext) -> Iterator[Triple]:
        """Yield the triples of ``path``; raise :class:`~policykg.exceptions.LoaderError`."""

    def native_files(self, path: Path) -> list[tuple[Path, Any]] | None:
        """Files the store may bulk-load natively instead of calling :meth:`load`.

        Returns (path, pyoxigraph RdfFormat) pairs, or None to go through :meth:`load`.
        """
        return None

    def describe_source(self, path: Path) -> Iterator[Triple]:
        """Extra triples about the source document (title, url...); none by default."""
        return iter(())


# ---------------------------------------------------------------------------- bounded input


def _size(n: int) -> str:
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= factor and n % factor == 0:
            return f"{n // factor} {unit}"
    return f"{n} bytes"


class _CheckedGzip(io.RawIOBase):
    """Decompresses a gzip file, counting bytes against the cap and naming the file on damage."""

    def __init__(self, raw: IO[bytes], path: Path, max_bytes: int) -> None:
        self._gzip = gzip.GzipFile(fileobj=raw, mode="rb")
        self._raw = raw
        self._path = path
        self._max = max_bytes
        self._count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            data = self._gzip.read(len(buffer))
        except EOFError:
            msg = "truncated gzip file (the compressed data ends early)"
            raise LoaderError(msg, path=str(self._path)) from None
        except (zlib.error, gzip.BadGzipFile, OSError) as exc:
            raise LoaderError(f"corrupt gzip data: {exc}", path=str(self._path)) from None
        self._count += len(data)
        if self._count > self._max:
            raise LimitExceeded(
                f"decompresses to more than {_size(self._max)} "
                "(raise the limit with --max-bytes)", path=str(self._path))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._gzip.close()
        self._raw.close()
        super().close()


def open_input(path: Path, limits: Limits | None = None) -> io.BufferedReader:
    """Open a file for reading bytes: gzip (by magic bytes) decompressed under the byte cap,
    a leading UTF-8 byte-order mark skipped."""
    limits = limits or Limits()
    fh = path.open("rb")
    if fh.peek(2)[:2] == b"\x1f\x8b":
        fh = io.BufferedReader(_CheckedGzip(fh, path, limits.max_bytes), buffer_size=1 << 16)
    if fh.peek(3)[:3] == BOM:
        fh.read(3)
    return fh


def read_lines(fh: IO[AnyStr], path: Path, limits: Limits | None = None) -> Iterator[AnyStr]:
    """The lines of ``fh``, refusing one longer than the line cap before holding all of it."""
    cap = (limits or Limits()).max_line
    number = 0
    while True:
        line = fh.readline(cap + 1)
        if not line:
            return
        number += 1
        if len(line) > cap and line[-1:] not in ("\n", b"\n"):
            raise LimitExceeded(f"line longer than {_size(cap)} "
                                "(raise the limit with --max-line)", path=str(path), line=number)
        yield line


_JSON_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def json_depth(data: bytes) -> int:
    """How deep arrays and objects nest in JSON text (brackets inside strings ignored)."""
    depth = deepest = 0
    for byte in _JSON_STRING.sub(b"", data).translate(None, _NOT_BRACKETS):
        if byte in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def parse_json(data: bytes | str, path: Path, limits: Limits | None = None,
               line: int | None = None) -> Any:
    """``json.loads`` under the nesting cap; raises :class:`ValueError` on malformed JSON and
    :class:`LimitExceeded` naming the file (and line) when it nests deeper than allowed."""
    cap = (limits or Limits()).max_depth
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    # The count of brackets bounds the depth: only suspicious text pays for the exact scan.
    if raw.count(b"[") + raw.count(b"{") > cap and json_depth(raw) > cap:
        raise LimitExceeded(f"JSON nests deeper than {cap} levels "
                            "(raise the limit with --max-depth)", path=str(path), line=line)
    try:
        value = json.loads(data.removeprefix("\ufeff") if isinstance(data, str)
                           else data.removeprefix(BOM))
    except RecursionError:
        raise LimitExceeded("JSON nests too deeply for the JSON parser",
                            path=str(path), line=line) from None
    if _SURROGATE.search(raw) and _has_lone_surrogate(value):
        msg = "a string holds a lone UTF-16 surrogate (\\ud800-\\udfff): not Unicode text"
        raise ValueError(msg)
    return value


# A surrogate escape, or the bytes of an encoded surrogate (json reads bytes as surrogatepass).
_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]")


def _has_lone_surrogate(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


class _PrologDone(Exception):
    """The first element started: no DTD can follow."""


def refuse_dtd(path: Path, limits: Limits | None = None) -> None:
    """Raise :class:`UnsafeInput` if the XML file declares a DTD (where entities live).

    Reads only the prolog, with expat, so every encoding XML allows is covered; without a DTD an
    XML parser has no entity to expand and no external resource to fetch. Malformed XML is left
    to the real parser, which reports it with its line.
    """
    parser = expat.ParserCreate()

    def refuse(*args: object) -> None:
        line = parser.CurrentLineNumber
        msg = "XML with a DOCTYPE (DTD) is refused: entity declarations can expand without bound"
        raise UnsafeInput(msg, path=str(path), line=line)

    def done(*args: object) -> None:
        raise _PrologDone

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = done
    with open_input(path, limits) as fh:
        while True:
            chunk = fh.read(1 << 16)
            try:
                parser.Parse(chunk, not chunk)
            except _PrologDone:
                return
            except expat.ExpatError:
                return
            if not chunk:
                return
