"""The store interface and its backends.

A store holds quads: every triple lives in the named graph of the source it came from, so a
source can be replaced or removed as a unit. Reads see the union of all source graphs.

Backends:

* :class:`OxigraphStore` (default): pyoxigraph, on disk (RocksDB) or in memory. Chosen by
  measurement, see ``bench/RESULTS.md``.
* :class:`MemoryStore`: an rdflib ``Dataset`` in memory; slower, kept as the reference
  implementation the contract tests compare against.

Capabilities every backend promises (``tests/graph/test_store_contract.py`` checks them):

* ``replace_graphs`` is atomic: if any triple iterator raises, the store is unchanged; on disk,
  a process killed at any moment of it leaves, once the store reopens, either every graph
  replaced or none (``tests/graph/test_load_recovery.py`` kills loads at several moments).
* ``select``/``ask`` bind parameters as RDF terms, never by pasting text into the query.
* ``triples`` and ``quads`` yield rdflib terms.
* ``change_token`` changes whenever the content changes, also by another process's write: every
  cache of derived data keys on it.
* ``capabilities`` names what differs between backends: ``native_bulk_load`` (RDF files are
  parsed by the backend itself), ``transactions`` (an update is all-or-nothing),
  ``lateral`` (SPARQL 1.2 ``LATERAL``), ``read_only`` (this handle refuses writes).

Backends register by name (:func:`register_store`, or an entry point of the group
``policykg.stores``); :func:`open_store` picks one from a path or a URL.

Concurrency of the on-disk Oxigraph store: one writer at a time (a lock file beside the store
names its holder; a second writer waits ``wait`` seconds or fails with a one-line "busy"
message), any number of read-only handles at any time, also while a writer runs. A read-only
handle sees the store as it was when it opened (a snapshot): reopen to see later writes. A load
still running when a reader opens may be partly visible to that reader's SPARQL queries (its
graphs are hidden from ``graphs`` and ``quads``, not from queries over the union).
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import operator
import os
import re
import shutil
import tempfile
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from importlib.metadata import entry_points
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Concatenate, NamedTuple, ParamSpec, TypeVar

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SDO, SKOS, XSD
from rdflib.term import Node

from policykg.exceptions import PluginUnavailable, QueryError, StoreError
from policykg.graph.store_lock import StoreLock
from policykg.graph.store_terms import Triple, from_ox, to_ox
from policykg.ontology.namespace import PKG
from policykg.plugins import load_object

__all__ = [
    "Store",
    "OxigraphStore",
    "MemoryStore",
    "NativeContent",
    "open_store",
    "register_store",
    "store_backend",
    "default_store_path",
    "default_store_location",
    "CAPABILITIES",
    "PREFIXES",
    "PlainTerm",
    "Outgoing",
    "Incoming",
    "plain_term",
    "is_iri",
]

PREFIXES: dict[str, str] = {
    prefix: str(namespace) for prefix, namespace in (
        ("pkg", PKG), ("org", ORG), ("foaf", FOAF), ("prov", PROV), ("schema", SDO),
        ("dcterms", DCTERMS), ("skos", SKOS), ("rdf", RDF), ("rdfs", RDFS), ("xsd", XSD),
        ("owl", OWL))
}

_STAGING = "urn:policykg:staging:"
#: Marks a graph whose bulk load has not finished; such graphs are dropped when the store opens.
_PENDING = ox.Quad(
    ox.NamedNode("urn:policykg:load"),
    ox.NamedNode(str(PKG.record)),
    ox.Literal("pending"),
)


class NativeContent:
    """Triples plus RDF files that a backend may bulk-load natively (no Python per triple).

    Iterating yields everything as triples, so any backend can consume it; the Oxigraph backend
    instead parses the files in Rust straight into the graph.
    """

    def __init__(self, triples: Iterable[Triple], files: list[tuple[Path, ox.RdfFormat]]) -> None:
        self.triples = triples
        self.files = files

    def __iter__(self) -> Iterator[Triple]:
        yield from self.triples
        for path, fmt in self.files:
            try:
                for quad in ox.parse(path=str(path), format=fmt):
                    yield quad.subject, quad.predicate, quad.object
            except SyntaxError as exc:
                raise _syntax_error(path, exc) from exc


def _syntax_error(path: Path, exc: SyntaxError) -> Exception:
    from policykg.exceptions import LoaderError

    return LoaderError(f"RDF syntax error: {exc}", path=str(path))


class _Change(NamedTuple):
    """A staged replacement: quads to take out of ``target`` and quads to put in."""

    target: ox.NamedNode
    removed: ox.NamedNode
    added: ox.NamedNode


#: A changed graph of at most this many quads is rewritten into an in-memory scratch store
#: (about 600 bytes a quad, so at most ~300 MB): a bulk write and a dump in memory cost a third
#: of what they cost on disk. Bigger graphs go to a scratch store on disk, bounded in memory.
_MEMORY_SCRATCH_QUADS = 500_000
#: Bytes of N-Triples per quad, to guess the size of new content from its files.
_BYTES_PER_QUAD = 100


class _Scratch:
    """A throw-away directory beside the store, for dump files and scratch Oxigraph stores.

    Beside an on-disk store it is a dot-folder the store removes when it reopens, so a kill
    leaves nothing behind; beside an in-memory store it is a temporary folder.
    """

    def __init__(self, beside: Path | None) -> None:
        if beside is None:
            self.path = Path(tempfile.mkdtemp(prefix="policykg-scratch-"))
        else:
            self.path = beside.parent / f".{beside.name}.scratch-{uuid.uuid4().hex}"
            self.path.mkdir()

    _store: ox.Store  # set by open_store; one scratch store at a time

    def open_store(self, in_memory: bool) -> None:
        """A fresh scratch store, in memory or in a folder of its own."""
        self.drop_store()
        self.in_memory = in_memory
        self._store = ox.Store() if in_memory else ox.Store(str(self.path / "store"))

    def drop_store(self) -> None:
        """Free the scratch store: its memory, or its folder (never deleted quad by quad)."""
        if hasattr(self, "_store"):
            del self._store
        shutil.rmtree(self.path / "store", ignore_errors=True)

    def close(self) -> None:
        self.drop_store()
        shutil.rmtree(self.path, ignore_errors=True)


def _pending_in(graph: ox.NamedNode) -> ox.Quad:
    return ox.Quad(_PENDING.subject, _PENDING.predicate, _PENDING.object, graph)


def _write(owner: OxigraphStore | _Scratch, graph: ox.NamedNode, triples: Iterable[Triple],
           *, count: bool = True) -> int:
    """Bulk-write ``triples`` into ``graph`` of ``owner``'s store; return how many were written
    (-1 for native files when not asked to ``count``: the caller learns it otherwise).

    Bulk writes are not transactional, and they keep memory low where one transaction of
    millions of quads would hold them all: callers make the result invisible until commit.
    (The owner is passed, not its pyoxigraph store: a loader error's traceback keeps this frame
    alive, and a frame holding the store itself would keep its lock after ``close``.)
    """
    native = triples.files if isinstance(triples, NativeContent) else []
    own = triples.triples if isinstance(triples, NativeContent) else triples
    written = 0

    def quads() -> Iterator[ox.Quad]:
        nonlocal written
        for s, p, o in own:
            written += 1
            yield ox.Quad(to_ox(s), to_ox(p), to_ox(o), graph)

    owner._store.bulk_extend(quads())
    for path, fmt in native:
        try:
            owner._store.bulk_load(path=str(path), format=fmt, to_graph=graph)
        except SyntaxError as exc:
            raise _syntax_error(path, exc) from exc
    owner._store.add_graph(graph)  # an empty source is still a source
    if not native:
        return written
    return _count(owner._store, graph) if count else -1


def _count(store: ox.Store, graph: ox.NamedNode) -> int:
    rows = store.query(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
        substitutions={ox.Variable("g"): graph},
    )
    assert isinstance(rows, ox.QuerySolutions)
    for row in rows:
        count = row["n"]
        if isinstance(count, ox.Literal):
            return int(count.value)
    return 0


def _difference(
    old: Path, new: Path, in_old: Callable[[ox.Quad], bool], in_new: Callable[[ox.Quad], bool],
    graph: ox.NamedNode,
) -> tuple[list[ox.Quad], list[ox.Quad]]:
    """The quads of N-Triples dump ``old`` not in ``new``, and those of ``new`` not in ``old``.

    Both dumps list one graph in Oxigraph's index order, which sorts by encoded terms: the same
    order in both stores, so a merge walk compares neighbouring lines (text, no Python object
    per triple) and parses and looks up a triple only where the two differ. Each triple is
    classified by equality or by a lookup, never by the order, so the answer holds even if the
    orders disagreed (it would only be slower).
    """
    def quad(line: bytes) -> ox.Quad:
        triple = next(iter(ox.parse(line, format=ox.RdfFormat.N_TRIPLES)))
        return ox.Quad(triple.subject, triple.predicate, triple.object, graph)

    removed: list[ox.Quad] = []
    added: list[ox.Quad] = []
    with old.open("rb") as old_lines, new.open("rb") as new_lines:
        a = next(old_lines, None)
        b = next(new_lines, None)
        while a is not None and b is not None:
            if a == b:
                a, b = next(old_lines, None), next(new_lines, None)
                continue
            qa, qb = quad(a), quad(b)
            if not in_new(qa):
                removed.append(qa)
                a = next(old_lines, None)
            elif not in_old(qb):
                added.append(qb)
                b = next(new_lines, None)
            else:  # each is present on the other side: the orders disagree here
                a, b = next(old_lines, None), next(new_lines, None)
        if a is not None:
            removed += [q for q in map(quad, itertools.chain([a], old_lines)) if not in_new(q)]
        if b is not None:
            added += [q for q in map(quad, itertools.chain([b], new_lines)) if not in_old(q)]
    return removed, added


def _difference_unordered(old: Path, new: Path, graph: ox.NamedNode,
                          ) -> tuple[list[ox.Quad], list[ox.Quad], int]:
    """Like :func:`_difference`, for dumps in different orders: ``new`` is held as a set of lines.

    Used only for graphs small enough for the in-memory scratch store, whose dump order is not
    the disk store's; also returns how many lines ``new`` has. Equal lines are equal triples;
    a triple written differently by the two stores would be removed and added again, still
    right. Blank nodes never compare equal, so their triples are replaced, as by
    :func:`_difference`.
    """
    def quad(line: bytes) -> ox.Quad:
        triple = next(iter(ox.parse(line, format=ox.RdfFormat.N_TRIPLES)))
        return ox.Quad(triple.subject, triple.predicate, triple.object, graph)

    with new.open("rb") as new_lines:
        unseen = set(new_lines)
    size = len(unseen)
    removed: list[ox.Quad] = []
    with old.open("rb") as old_lines:
        for line in old_lines:
            if line in unseen:
                unseen.discard(line)
            else:
                removed.append(quad(line))
    return removed, [quad(line) for line in unseen], size


def _moved(quads: Iterable[ox.Quad], graph: ox.NamedNode) -> Iterator[ox.Quad]:
    for quad in quads:
        yield ox.Quad(quad.subject, quad.predicate, quad.object, graph)


Bindings = Mapping[str, Node]
Row = dict[str, Node]

#: Every capability name a backend may list in :attr:`Store.capabilities`.
CAPABILITIES = frozenset({"native_bulk_load", "transactions", "lateral", "read_only"})

#: Formats of :meth:`Store.dump`; every one streams from every backend.
DUMP_FORMATS: dict[str, ox.RdfFormat] = {
    "nquads": ox.RdfFormat.N_QUADS,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "trig": ox.RdfFormat.TRIG,
    "turtle": ox.RdfFormat.TURTLE,
    "jsonld": ox.RdfFormat.JSON_LD,
}
#: Dump formats without graphs: a dump in one of them writes triples.
_TRIPLE_FORMATS = frozenset({ox.RdfFormat.N_TRIPLES, ox.RdfFormat.TURTLE, ox.RdfFormat.JSON_LD})

#: A term in plain form: an IRI ``str``, a blank node (rdflib ``BNode``, which is a ``str``
#: too: test it first) or a literal ``(lexical form, datatype IRI, language or None)``, the
#: datatype of a language-tagged literal being ``rdf:langString``.
PlainTerm = str | BNode | tuple[str, str, str | None]
#: What :meth:`Store.outgoing` lists for a subject: ``(predicate IRI, object, graph IRI)``.
Outgoing = tuple[str, PlainTerm, str]
#: What :meth:`Store.incoming` lists for an object: ``(subject, predicate IRI, graph IRI)``.
Incoming = tuple[PlainTerm, str, str]
_RDF_LANGSTRING = str(RDF.langString)
_XSD_STRING = str(XSD.string)

_LEXICAL_LITERALS = frozenset(str(XSD) + name for name in (
    "string", "date", "dateTime", "gYear", "gYearMonth", "anyURI"))

_P = ParamSpec("_P")
_R = TypeVar("_R")
_S = TypeVar("_S", bound="Store")


def _writes(method: Callable[Concatenate[_S, _P], _R]) -> Callable[Concatenate[_S, _P], _R]:
    """Mark a method that changes content: refused on a read-only handle, counted otherwise."""
    @functools.wraps(method)
    def counted(self: _S, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        if "read_only" in self.capabilities:
            msg = f"the {self.backend} store {self.location} is open read-only"
            raise StoreError(msg)
        try:
            return method(self, *args, **kwargs)
        finally:
            self._write_count += 1
    return counted  # type: ignore[return-value]


def default_store_location() -> str:
    """``$POLICYKG_STORE`` (a folder or a URL) or ``.policykg``."""
    return os.environ.get("POLICYKG_STORE") or ".policykg"


def default_store_path() -> Path:
    """``$POLICYKG_STORE`` or ``./.policykg``, as a folder."""
    return Path(default_store_location())


class Store(ABC):
    """A quad store with one named graph per source."""

    backend: str = "abstract"
    #: What this backend (or this handle) can do, names from :data:`CAPABILITIES`.
    capabilities: frozenset[str] = frozenset()
    #: Writes through this handle so far (part of :meth:`change_token`).
    _write_count: int = 0

    @classmethod
    def open(cls, location: str, *, read_only: bool = False, wait: float | None = None) -> Store:
        """Open the store at ``location`` (what :func:`open_store` calls on a registered class)."""
        msg = f"the {cls.backend} store cannot be opened at a location"
        raise StoreError(msg)

    @property
    def location(self) -> str:
        """Where the store lives, for messages."""
        return "(in memory)"

    def change_token(self) -> str:
        """An opaque text that changes whenever the content changes (the key of every cache)."""
        return f"{id(self):x}:{self._write_count}"

    @abstractmethod
    def replace_graphs(self, items: Iterable[tuple[URIRef, Iterable[Triple]]]) -> list[int]:
        """Atomically make each graph hold exactly its triples; return how many each got.

        Either every graph is replaced or, if any iterator raises, none is.
        """

    def replace_graph(self, graph: URIRef, triples: Iterable[Triple]) -> int:
        """Atomically make ``graph`` hold exactly ``triples``; return how many were written."""
        return self.replace_graphs([(graph, triples)])[0]

    @abstractmethod
    def remove_graph(self, graph: URIRef) -> int:
        """Drop ``graph``; return how many quads it held (0 if it did not exist)."""

    @abstractmethod
    def graphs(self) -> list[URIRef]:
        """The named graphs, sorted."""

    @abstractmethod
    def graph_triples(self, graph: URIRef) -> Iterator[tuple[Node, Node, Node]]:
        """The triples of one named graph."""

    def graph_size(self, graph: URIRef) -> int:
        """Number of triples in one named graph."""
        return sum(1 for _ in self.graph_triples(graph))

    @abstractmethod
    def quads(
        self, subject: Node | None = None, predicate: Node | None = None,
        object: Node | None = None, graph: URIRef | None = None,  # noqa: A002 - RDF's word
    ) -> Iterator[tuple[Node, Node, Node, URIRef]]:
        """The quads of the named graphs matching the pattern (None matches anything)."""

    @abstractmethod
    def select(self, query: str, bindings: Bindings | None = None) -> list[Row]:
        """Run a SPARQL SELECT over the union of graphs; unbound variables are left out of rows."""

    @abstractmethod
    def ask(self, query: str, bindings: Bindings | None = None) -> bool:
        """Run a SPARQL ASK over the union of graphs."""

    def select_plain_rows(self, query: str) -> Iterator[dict[str, Any]]:
        """:meth:`select_plain` one row at a time, for answers too big to hold twice (every
        direct edge of a big store); backends that can stream their solutions do."""
        yield from self.select_plain(query)

    @abstractmethod
    def construct(self, query: str, bindings: Bindings | None = None) -> Graph:
        """Run a SPARQL CONSTRUCT or DESCRIBE over the union of graphs."""

    @abstractmethod
    def update(self, query: str, bindings: Bindings | None = None) -> None:
        """Run a SPARQL update. ``bindings`` fix variables as terms (never pasted text) in an
        update of one operation with a WHERE clause; any other update with bindings is refused
        with a :class:`QueryError` (every backend, see ``store_remote.bind_update``)."""

    def plain_quads(
        self, subject: Node | None = None, predicate: Node | None = None,
        object: Node | None = None, graph: URIRef | None = None,  # noqa: A002 - RDF's word
    ) -> Iterator[tuple[PlainTerm, str, PlainTerm, str]]:
        """:meth:`quads` with terms in plain form (see :data:`PlainTerm`); predicate and graph
        as IRI strings. Backends build no rdflib term for IRIs and literals: for readers that
        walk much of the store (the Neo4j mirror)."""
        for s, p, o, g in self.quads(subject, predicate, object, graph):
            yield plain_term(s), str(p), plain_term(o), str(g)

    def select_plain(self, query: str) -> list[dict[str, Any]]:
        """SELECT rows where IRIs, blank nodes and text-like literals come as ``str``.

        Text-like: plain, language-tagged, dates, times and ``anyURI`` (their lexical form is
        their value); other literals stay rdflib terms. Backends answer without building an
        rdflib term for the ``str`` values, which makes name indexes and listings cheap.
        """
        return [{name: _plain(value) for name, value in row.items()}
                for row in self.select(query)]

    def outgoing(self, iris: Iterable[str]) -> Iterator[tuple[str, list[Outgoing]]]:
        """Each IRI of ``iris`` with the statements it is the subject of (plain terms, see
        :data:`Outgoing`), in the order given; an IRI the store cannot hold has none.

        The read of an export or a view: backends answer many subjects per round trip."""
        for iri in iris:
            node = _iri_node(iri)
            yield iri, [] if node is None else [
                (p, o, g) for _, p, o, g in self.plain_quads(URIRef(iri))]

    def incoming(self, iris: Iterable[str]) -> Iterator[tuple[str, list[Incoming]]]:
        """Each IRI of ``iris`` with the statements it is the object of (see :data:`Incoming`)."""
        for iri in iris:
            node = _iri_node(iri)
            yield iri, [] if node is None else [
                (s, p, g) for s, p, _, g in self.plain_quads(None, None, URIRef(iri))]

    def dump(self, out: IO[bytes], format: str = "nquads",  # noqa: A002 - the usual word
             graphs: list[URIRef] | None = None, *, subjects: Iterable[str] | None = None,
             extra: Iterable[tuple[Node, Node, Node, URIRef]] = ()) -> None:
        """Write the quads of ``graphs`` (default: all) to ``out`` (see :data:`DUMP_FORMATS`),
        then the quads of ``extra`` (graphs kept beside the store, such as the judgement log).

        ``subjects``: only the statements of these IRIs, each triple once in the formats without
        graphs (an export's selection). Otherwise a triple held by two of the graphs is written
        twice in those formats (keeping it once would need a set of every triple). Every format
        streams: memory does not grow with the store. One writer serves every backend (Oxigraph's
        serializer); backends only differ in how they read (:meth:`_dump_quads`).
        """
        fmt = _dump_format(format)
        chosen = self.graphs() if graphs is None else graphs
        quads = itertools.chain(self._dump_quads(chosen, subjects, fmt in _TRIPLE_FORMATS),
                                (ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.NamedNode(str(g)))
                                 for s, p, o, g in extra))
        if fmt in _TRIPLE_FORMATS:
            ox.serialize(map(_TO_TRIPLE, quads), out, format=fmt, prefixes=PREFIXES)
        else:
            ox.serialize(quads, out, format=fmt, prefixes=PREFIXES)

    def _dump_quads(self, graphs: list[URIRef], subjects: Iterable[str] | None,
                    distinct: bool) -> Iterator[ox.Quad]:
        """What :meth:`dump` writes, as Oxigraph quads: each graph's, or each subject's in
        ``graphs`` (grouped by graph, and each triple once when ``distinct``)."""
        if subjects is None:
            for graph in graphs:
                node = ox.NamedNode(str(graph))
                for s, p, o, _ in self.quads(graph=graph):
                    yield ox.Quad(to_ox(s), to_ox(p), to_ox(o), node)
            return
        wanted = {str(g) for g in graphs}
        names: dict[str, ox.NamedNode] = {}
        for iri, statements in self.outgoing(subjects):
            subject = ox.NamedNode(iri)
            seen: set[tuple[str, PlainTerm]] = set()
            for predicate, value, name in sorted(
                    (st for st in statements if st[2] in wanted), key=_BY_GRAPH):
                if distinct:
                    if (predicate, value) in seen:
                        continue
                    seen.add((predicate, value))
                node = names.get(name) or names.setdefault(name, ox.NamedNode(name))
                yield ox.Quad(subject, ox.NamedNode(predicate), _ox_from_plain(value), node)

    def flush(self) -> None:  # noqa: B027 - optional hook, most backends need nothing
        """Make every write visible to other processes that open the store."""

    @abstractmethod
    def __len__(self) -> int:
        """Number of quads."""

    def close(self) -> None:  # noqa: B027 - optional hook, most backends need nothing
        """Release the backend's resources."""

    def triples(
        self, s: Node | None = None, p: Node | None = None, o: Node | None = None
    ) -> Iterator[tuple[Node, Node, Node]]:
        """Distinct triples of the union graph matching the pattern."""
        seen: set[tuple[Node, Node, Node]] = set()
        for qs, qp, qo, _ in self.quads(s, p, o):
            triple = (qs, qp, qo)
            if triple not in seen:
                seen.add(triple)
                yield triple

    def union_graph(self) -> Graph:
        """The distinct triples of all graphs as an rdflib Graph (for validation and export)."""
        graph = Graph()
        for prefix, iri in PREFIXES.items():
            graph.bind(prefix, iri)
        for s, p, o, _ in self.quads():
            graph.add((s, p, o))
        return graph

    def dataset(self) -> Dataset:
        """All graphs as an rdflib Dataset (for TriG/N-Quads export)."""
        ds = Dataset()
        for prefix, iri in PREFIXES.items():
            ds.bind(prefix, iri)
        for s, p, o, g in self.quads():
            ds.graph(g).add((s, p, o))
        return ds

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class OxigraphStore(Store):
    """pyoxigraph store, persistent when given a directory, in memory otherwise.

    On disk, a writer holds the lock beside the folder until :meth:`close` (``wait`` seconds
    to get it, else :class:`~policykg.exceptions.StoreBusyError`); ``read_only=True`` takes no
    lock and sees the store as it was when opened.
    """

    backend = "oxigraph"

    def __init__(self, path: Path | str | None = None, *, read_only: bool = False,
                 wait: float | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self.capabilities = frozenset({"native_bulk_load", "transactions", "lateral"})
        self._lock: StoreLock | None = None
        #: Graphs a read-only handle does not show: a load was unfinished when it opened.
        self._hidden: frozenset[ox.NamedNode] = frozenset()
        try:
            if self.path is None:
                if read_only:
                    msg = "an in-memory store cannot be opened read-only"
                    raise StoreError(msg)
                self._store = ox.Store()
            elif read_only:
                if not (self.path / "CURRENT").exists():  # nothing to read yet: create it
                    OxigraphStore(self.path, wait=wait).close()
                self._store = ox.Store.read_only(str(self.path))
                self.capabilities |= {"read_only"}
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self._lock = StoreLock(self.path)
                self._lock.acquire(wait)
                self._store = ox.Store(str(self.path))
        except OSError as exc:
            self._release_lock()
            msg = f"cannot open the store at {self.path}: {_one_line(str(exc))}"
            raise StoreError(msg) from exc
        except BaseException:
            self._release_lock()
            raise
        if read_only:
            self._hidden = frozenset(self._unfinished_graphs())
        else:
            self._drop_leftover_staging()

    @classmethod
    def open(cls, location: str, *, read_only: bool = False,
             wait: float | None = None) -> OxigraphStore:
        return cls(Path(location), read_only=read_only, wait=wait)

    @property
    def location(self) -> str:
        return str(self.path) if self.path is not None else "(in memory)"

    def _release_lock(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def change_token(self) -> str:
        own = super().change_token()
        if self.path is None or "read_only" not in self.capabilities:
            return own  # a writer holds the lock: no other process writes, its count suffices
        # Another process's write shows in the folder: RocksDB appends to its log or adds table
        # files (a background compaction also does: only a needless rebuild of a cache). Its
        # diagnostic logs (LOG*) change on every open, and LOCK never changes.
        state = hashlib.blake2b(digest_size=12)
        with os.scandir(self.path) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                if entry.name.startswith(("LOG", "LOCK")) or not entry.is_file():
                    continue
                info = entry.stat()
                state.update(f"{entry.name}:{info.st_size}:{info.st_mtime_ns};".encode())
        return f"{own}:{state.hexdigest()}"

    def _unfinished_graphs(self) -> Iterator[ox.NamedNode]:
        """Staging graphs and graphs still marked pending: a load was running or was killed."""
        for graph in self._store.named_graphs():
            if isinstance(graph, ox.NamedNode) and graph.value.startswith(_STAGING):
                yield graph
        for quad in self._store.quads_for_pattern(
                _PENDING.subject, _PENDING.predicate, _PENDING.object, None):
            if isinstance(quad.graph_name, ox.NamedNode):
                yield quad.graph_name

    def _drop_leftover_staging(self) -> None:
        # A process killed during a load leaves graphs still marked pending, staging graphs and
        # a scratch store behind, never a committed part of that load: dropping them restores
        # the store as it was before that load.
        for graph in list(self._store.named_graphs()):
            if isinstance(graph, ox.NamedNode) and graph.value.startswith(_STAGING):
                self._store.remove_graph(graph)
        for quad in list(self._store.quads_for_pattern(
                _PENDING.subject, _PENDING.predicate, _PENDING.object, None)):
            if isinstance(quad.graph_name, ox.NamedNode):
                self._store.remove_graph(quad.graph_name)
        if self.path is not None:
            for scratch in self.path.parent.glob(f".{self.path.name}.scratch-*"):
                shutil.rmtree(scratch, ignore_errors=True)

    @_writes
    def replace_graphs(self, items: Iterable[tuple[URIRef, Iterable[Triple]]]) -> list[int]:
        # Nothing a reader (or a reopened store) treats as loaded changes before the one commit
        # update at the end, so a failure or a kill at any moment leaves the store as it was:
        # * a new graph is bulk-written in place under a pending mark, removed only at commit;
        # * an existing graph is bulk-written into a scratch store outside this one (deleting a
        #   big staging graph would cost as much as the rewrite), in memory when small enough,
        #   compared with the stored graph's dump, and only the difference is staged here, in
        #   two small graphs;
        # * the commit is one SPARQL update (one transaction): it applies every difference,
        #   drops the staging graphs and clears every pending mark.
        created: list[ox.NamedNode] = []
        changes: list[_Change] = []
        counts: list[int] = []
        scratch: _Scratch | None = None
        dumper = ThreadPoolExecutor(max_workers=1)
        try:
            for graph, triples in items:
                target = ox.NamedNode(str(graph))
                if self._store.contains_named_graph(target):
                    scratch = scratch or _Scratch(self.path)
                    scratch.open_store(self._fits_in_memory(target, triples))
                    # The stored graph is dumped while the new content is written: pyoxigraph
                    # releases the GIL, so the two overlap.
                    old = scratch.path / f"old-{len(counts)}.nt"
                    dumped = dumper.submit(self._store.dump, str(old),
                                           format=ox.RdfFormat.N_TRIPLES, from_graph=target)
                    count = _write(scratch, target, triples, count=not scratch.in_memory)
                    dumped.result()
                    change, new_size = self._stage_change(target, scratch, old)
                    changes.append(change)
                    counts.append(new_size if count < 0 else count)
                    scratch.drop_store()
                else:
                    self._store.add(_pending_in(target))  # before any content, see above
                    created.append(target)
                    count = _write(self, target, triples)
                    counted_mark = isinstance(triples, NativeContent) and bool(triples.files)
                    counts.append(count - 1 if counted_mark else count)
            self._commit(created, changes)
        except BaseException as exc:
            for node in created + [g for c in changes for g in (c.removed, c.added)]:
                if self._store.contains_named_graph(node):
                    self._store.remove_graph(node)
            if isinstance(exc, OSError):
                msg = f"cannot write to the store: {exc}"
                raise StoreError(msg) from exc
            raise
        finally:
            dumper.shutdown(wait=True)
            if scratch is not None:
                scratch.close()
        return counts

    def _fits_in_memory(self, target: ox.NamedNode, triples: Iterable[Triple]) -> bool:
        """Whether the new content of ``target`` is small enough for an in-memory scratch store.

        Only the new content is held (the stored graph is streamed from its dump). RDF files
        tell their size; other content is guessed from the stored graph's, which costs a count
        but only for loaders that build every triple in Python anyway.
        """
        if isinstance(triples, NativeContent):
            new_bytes = sum(path.stat().st_size for path, _ in triples.files)
            return new_bytes <= _MEMORY_SCRATCH_QUADS * _BYTES_PER_QUAD
        return _count(self._store, target) <= _MEMORY_SCRATCH_QUADS

    def _stage_change(self, target: ox.NamedNode, scratch: _Scratch, old: Path,
                      ) -> tuple[_Change, int]:
        """Stage what turns ``target`` (dumped to ``old``) into its new content in ``scratch``;
        return the change and the new content's size when known (-1 otherwise)."""
        new = old.with_name("new-" + old.name)
        scratch._store.dump(str(new), format=ox.RdfFormat.N_TRIPLES, from_graph=target)
        if scratch.in_memory:
            removed, added, size = _difference_unordered(old, new, target)
        else:
            size = -1
            removed, added = _difference(
                old, new, lambda q: q in self._store, lambda q: q in scratch._store, target)
        change = _Change(target, ox.NamedNode(_STAGING + uuid.uuid4().hex),
                         ox.NamedNode(_STAGING + uuid.uuid4().hex))
        self._store.bulk_extend(_moved(removed, change.removed))
        self._store.bulk_extend(_moved(added, change.added))
        return change, size

    def _commit(self, created: list[ox.NamedNode], changes: list[_Change]) -> None:
        """The commit point: one update, so one transaction, whatever is killed when."""
        # The IRIs are written by Oxigraph's own serializer from validated NamedNodes: no text
        # from a source reaches the update unescaped.
        operations = []
        for change in changes:
            operations += [
                f"DELETE {{ GRAPH {change.target} {{ ?s ?p ?o }} }} "
                f"WHERE {{ GRAPH {change.removed} {{ ?s ?p ?o }} }}",
                f"INSERT {{ GRAPH {change.target} {{ ?s ?p ?o }} }} "
                f"WHERE {{ GRAPH {change.added} {{ ?s ?p ?o }} }}",
                f"DROP SILENT GRAPH {change.removed}",
                f"DROP SILENT GRAPH {change.added}",
            ]
        if created:
            mark = ox.Triple(_PENDING.subject, _PENDING.predicate, _PENDING.object)
            marks = " ".join(f"GRAPH {graph} {{ {mark} }}" for graph in created)
            operations.append(f"DELETE DATA {{ {marks} }}")
        if operations:
            self._store.update(" ;\n".join(operations))

    def graph_size(self, graph: URIRef) -> int:
        return _count(self._store, ox.NamedNode(str(graph)))

    @_writes
    def remove_graph(self, graph: URIRef) -> int:
        node = ox.NamedNode(str(graph))
        if not self._store.contains_named_graph(node):
            return 0
        count = _count(self._store, node)
        self._store.remove_graph(node)
        return count

    def graphs(self) -> list[URIRef]:
        return sorted(
            URIRef(g.value) for g in self._store.named_graphs()
            if isinstance(g, ox.NamedNode) and g not in self._hidden
        )

    def graph_triples(self, graph: URIRef) -> Iterator[tuple[Node, Node, Node]]:
        node = ox.NamedNode(str(graph))
        for q in self._store.quads_for_pattern(None, None, None, node):
            yield from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)

    def quads(
        self, subject: Node | None = None, predicate: Node | None = None,
        object: Node | None = None, graph: URIRef | None = None,  # noqa: A002 - RDF's word
    ) -> Iterator[tuple[Node, Node, Node, URIRef]]:
        for q in self._matching(subject, predicate, object, graph):
            yield (from_ox(q.subject), from_ox(q.predicate), from_ox(q.object),
                   URIRef(q.graph_name.value))  # type: ignore[union-attr] # see _matching

    def triples(
        self, s: Node | None = None, p: Node | None = None, o: Node | None = None
    ) -> Iterator[tuple[Node, Node, Node]]:
        seen: set[tuple[Any, Any, Any]] = set()
        pattern = (
            None if s is None else to_ox(s),
            None if p is None else to_ox(p),
            None if o is None else to_ox(o),
        )
        for q in self._store.quads_for_pattern(*pattern, None):
            if not isinstance(q.graph_name, ox.NamedNode) or q.graph_name in self._hidden:
                continue
            key = (q.subject, q.predicate, q.object)
            if key not in seen:
                seen.add(key)
                yield from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)

    def _run(self, query: str, bindings: Bindings | None) -> Any:
        return query_oxigraph(self._store, query, bindings)

    def select(self, query: str, bindings: Bindings | None = None) -> list[Row]:
        result = self._run(query, bindings)
        if not isinstance(result, ox.QuerySolutions):
            msg = "expected a SELECT query"
            raise QueryError(msg)
        names = [v.value for v in result.variables]
        rows: list[Row] = []
        for solution in result:
            row: Row = {}
            for name in names:
                value = solution[name]
                if value is not None:
                    row[name] = from_ox(value)
            rows.append(row)
        return rows

    def ask(self, query: str, bindings: Bindings | None = None) -> bool:
        result = self._run(query, bindings)
        if not isinstance(result, ox.QueryBoolean):
            msg = "expected an ASK query"
            raise QueryError(msg)
        return bool(result)

    def construct(self, query: str, bindings: Bindings | None = None) -> Graph:
        """Run a CONSTRUCT or DESCRIBE query and return its triples."""
        result = self._run(query, bindings)
        if not isinstance(result, ox.QueryTriples):
            msg = "expected a CONSTRUCT or DESCRIBE query"
            raise QueryError(msg)
        graph = Graph()
        for t in result:
            graph.add((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)))
        return graph

    @_writes
    def update(self, query: str, bindings: Bindings | None = None) -> None:
        """Run a SPARQL update; ``bindings`` fix variables of its (first) WHERE group.

        pyoxigraph binds no parameters in updates, so the bound terms go into a ``VALUES``
        block, written by Oxigraph's serializer from validated terms (as the SPARQL store does):
        a bound text is always one literal. An update with no WHERE group (``INSERT DATA``) or
        of several operations is refused with bindings: they would bind only part of it.
        """
        if bindings:
            from policykg.graph.store_remote import bind_update

            query = bind_update(query, bindings)
        with _sparql_errors("update"):
            self._store.update(query, prefixes=PREFIXES)

    def plain_quads(
        self, subject: Node | None = None, predicate: Node | None = None,
        object: Node | None = None, graph: URIRef | None = None,  # noqa: A002 - RDF's word
    ) -> Iterator[tuple[PlainTerm, str, PlainTerm, str]]:
        for q in self._matching(subject, predicate, object, graph):
            yield (_ox_plain_term(q.subject), q.predicate.value, _ox_plain_term(q.object),
                   q.graph_name.value)  # type: ignore[union-attr] # named, see _matching

    def _matching(self, *pattern: Node | None) -> Iterator[ox.Quad]:
        """The backend's quads matching ``pattern``, in the named graphs this handle shows."""
        named = ox.NamedNode
        for q in self._store.quads_for_pattern(*(None if t is None else to_ox(t) for t in pattern)):
            name = q.graph_name
            if type(name) is named and name not in self._hidden \
                    and not name.value.startswith(_STAGING):
                yield q

    def select_plain(self, query: str) -> list[dict[str, Any]]:
        return list(self.select_plain_rows(query))

    def select_plain_rows(self, query: str) -> Iterator[dict[str, Any]]:
        result = self._run(query, None)
        if not isinstance(result, ox.QuerySolutions):
            msg = "expected a SELECT query"
            raise QueryError(msg)
        names = [v.value for v in result.variables]
        for solution in result:
            row = {}
            for index, name in enumerate(names):
                value = solution[index]
                if value is not None:
                    row[name] = _ox_plain(value)
            yield row

    def outgoing(self, iris: Iterable[str]) -> Iterator[tuple[str, list[Outgoing]]]:
        # The fast path of exports: pattern reads, objects in plain form, no rdflib term.
        pattern = self._store.quads_for_pattern
        named = ox.NamedNode
        hidden = self._hidden
        plain = _ox_plain_term
        for iri in iris:
            node = _iri_node(iri)
            if node is None:
                yield iri, []
                continue
            yield iri, [(q.predicate.value, o.value if type(o) is named else plain(o), g.value)
                        for q in pattern(node, None, None, None)
                        for o, g in ((q.object, q.graph_name),)
                        if type(g) is named and g not in hidden]

    def incoming(self, iris: Iterable[str]) -> Iterator[tuple[str, list[Incoming]]]:
        pattern = self._store.quads_for_pattern
        named = ox.NamedNode
        hidden = self._hidden
        for iri in iris:
            node = _iri_node(iri)
            if node is None:
                yield iri, []
                continue
            # Subjects are IRIs or blank nodes (no RDF-star triple terms are stored).
            yield iri, [(s.value if type(s) is named
                         else BNode(s.value),  # type: ignore[union-attr]
                         q.predicate.value, g.value)
                        for q in pattern(None, None, node, None)
                        for s, g in ((q.subject, q.graph_name),)
                        if type(g) is named and g not in hidden]

    def dump(self, out: IO[bytes], format: str = "nquads",  # noqa: A002 - the usual word
             graphs: list[URIRef] | None = None, *, subjects: Iterable[str] | None = None,
             extra: Iterable[tuple[Node, Node, Node, URIRef]] = ()) -> None:
        fmt = _dump_format(format)
        chosen = self.graphs() if graphs is None else graphs
        if len(chosen) == 1 and fmt in _TRIPLE_FORMATS and subjects is None and not extra:
            # One graph as triples: Oxigraph writes it without a Python object per quad.
            self._store.dump(out, format=fmt, from_graph=ox.NamedNode(str(chosen[0])),
                             prefixes=PREFIXES)
            return
        super().dump(out, format, chosen, subjects=subjects, extra=extra)

    def _dump_quads(self, graphs: list[URIRef], subjects: Iterable[str] | None,
                    distinct: bool) -> Iterator[ox.Quad]:
        pattern = self._store.quads_for_pattern
        if subjects is None:
            for graph in graphs:
                yield from pattern(None, None, None, ox.NamedNode(str(graph)))
            return
        wanted = {ox.NamedNode(str(g)) for g in graphs}
        for iri in subjects:
            node = _iri_node(iri)
            if node is None:
                continue
            found = [q for q in pattern(node, None, None, None) if q.graph_name in wanted]
            names = dict.fromkeys(q.graph_name for q in found)
            if len(names) < 2:  # one graph (most subjects): passed on as read
                yield from found
            elif distinct:  # the same triple in two graphs is one triple
                yield from dict.fromkeys(ox.Quad(q.subject, q.predicate, q.object)
                                         for q in found)
            else:
                for name in names:
                    yield from (q for q in found if q.graph_name == name)

    def flush(self) -> None:
        if self.path is not None and "read_only" not in self.capabilities:
            self._store.flush()

    def load_native(self, graph: URIRef, quads: Iterable[ox.Quad]) -> int:
        """Bulk path for pyoxigraph quads already addressed to ``graph`` (used by benchmarks)."""
        return self.replace_graph(graph, ((q.subject, q.predicate, q.object) for q in quads))

    def __len__(self) -> int:
        return len(self._store)

    def close(self) -> None:
        if not hasattr(self, "_store"):
            return  # closed already
        self.flush()
        del self._store
        self._release_lock()


class MemoryStore(Store):
    """An rdflib ``Dataset`` in memory: the reference backend for the contract tests."""

    backend = "rdflib-memory"

    def __init__(self) -> None:
        self._ds = Dataset(default_union=True)
        for prefix, iri in PREFIXES.items():
            self._ds.bind(prefix, iri)

    @classmethod
    def open(cls, location: str, *, read_only: bool = False,
             wait: float | None = None) -> MemoryStore:
        return cls()

    @_writes
    def replace_graphs(self, items: Iterable[tuple[URIRef, Iterable[Triple]]]) -> list[int]:
        staged: list[tuple[URIRef, Graph]] = []
        for graph, triples in items:  # consume everything before touching the dataset
            staging = Graph()
            for s, p, o in triples:
                staging.add((from_native(s), from_native(p), from_native(o)))
            staged.append((graph, staging))
        for graph, staging in staged:
            self._ds.remove_graph(self._ds.graph(graph))
            target = self._ds.graph(graph)
            for triple in staging:
                target.add(triple)
        return [len(staging) for _, staging in staged]

    @_writes
    def remove_graph(self, graph: URIRef) -> int:
        if graph not in set(self.graphs()):
            return 0
        count = len(self._ds.graph(graph))
        self._ds.remove_graph(self._ds.graph(graph))
        return count

    def graphs(self) -> list[URIRef]:
        return sorted(
            URIRef(g.identifier)
            for g in self._ds.graphs()
            if isinstance(g.identifier, URIRef) and str(g.identifier) != "urn:x-rdflib:default"
        )

    def graph_triples(self, graph: URIRef) -> Iterator[tuple[Node, Node, Node]]:
        yield from self._ds.graph(graph).triples((None, None, None))

    def quads(
        self, subject: Node | None = None, predicate: Node | None = None,
        object: Node | None = None, graph: URIRef | None = None,  # noqa: A002 - RDF's word
    ) -> Iterator[tuple[Node, Node, Node, URIRef]]:
        chosen = self.graphs() if graph is None else [g for g in self.graphs() if g == graph]
        for name in chosen:
            for s, p, o in self._ds.graph(name).triples((subject, predicate, object)):
                yield s, p, o, name

    def _run(self, query: str, bindings: Bindings | None) -> Any:
        init: dict[str, Any] = {k: v for k, v in (bindings or {}).items()}
        try:
            return self._ds.query(query, initNs=PREFIXES, initBindings=init)
        except Exception as exc:  # rdflib raises pyparsing errors and others
            msg = f"SPARQL query failed: {exc}"
            raise QueryError(msg) from exc

    def select(self, query: str, bindings: Bindings | None = None) -> list[Row]:
        result = self._run(query, bindings)
        if result.type != "SELECT":
            msg = "expected a SELECT query"
            raise QueryError(msg)
        names = [str(v) for v in result.vars or []]
        rows: list[Row] = []
        for solution in result:
            row: Row = {}
            for name in names:
                value = solution[name]
                if value is not None:
                    row[name] = value
            rows.append(row)
        return rows

    def ask(self, query: str, bindings: Bindings | None = None) -> bool:
        result = self._run(query, bindings)
        if result.type != "ASK":
            msg = "expected an ASK query"
            raise QueryError(msg)
        return bool(result.askAnswer)

    def construct(self, query: str, bindings: Bindings | None = None) -> Graph:
        result = self._run(query, bindings)
        if result.type not in ("CONSTRUCT", "DESCRIBE") or result.graph is None:
            msg = "expected a CONSTRUCT or DESCRIBE query"
            raise QueryError(msg)
        graph = Graph()
        for triple in result.graph:
            graph.add(triple)
        return graph

    @_writes
    def update(self, query: str, bindings: Bindings | None = None) -> None:
        if bindings:  # bound as on every other backend (rdflib's own binding is looser)
            from policykg.graph.store_remote import bind_update

            query = bind_update(query, bindings)
        try:
            self._ds.update(query, initNs=PREFIXES)
        except Exception as exc:  # rdflib raises pyparsing errors and others
            msg = f"SPARQL update failed: {exc}"
            raise QueryError(msg) from exc

    def __len__(self) -> int:
        return sum(1 for _ in self.quads())


def _one_line(text: str, limit: int = 160) -> str:
    """Oxigraph's parser lists every expected character class: keep the position, cut the rest."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def query_oxigraph(store: ox.Store, query: str, bindings: Bindings | None) -> Any:
    """Oxigraph's answer to ``query`` with ``bindings`` fixed, errors as one-line QueryErrors.

    Oxigraph substitutes only projected variables; a SPARQL server binds any variable (a VALUES
    block opening the WHERE group), and so does this then. Shared by the store and the
    read-only child process of the researcher's own queries.
    """
    substitutions = {ox.Variable(k): to_ox(v) for k, v in (bindings or {}).items()}
    with _sparql_errors("query"):
        try:
            return store.query(query, use_default_graph_as_union=True, prefixes=PREFIXES,
                               substitutions=substitutions or None)
        except RuntimeError as exc:
            if not substitutions or "SELECT projection" not in str(exc):
                raise
    from policykg.graph.store_remote import bind_query

    with _sparql_errors("query"):
        return store.query(bind_query(query, bindings), use_default_graph_as_union=True,
                           prefixes=PREFIXES)


@contextmanager
def _sparql_errors(action: str) -> Iterator[None]:
    """Oxigraph's errors as one-line QueryErrors."""
    try:
        yield
    except SyntaxError as exc:
        msg = f"SPARQL syntax error: {_one_line(str(exc))}"
        raise QueryError(msg) from exc
    except OSError as exc:
        msg = f"SPARQL {action} failed: {_one_line(str(exc))}"
        raise QueryError(msg) from exc


def _plain(value: Node) -> Any:
    """What :meth:`Store.select_plain` gives for an rdflib term."""
    if isinstance(value, URIRef | BNode):
        return str(value)
    if isinstance(value, Literal) and (
            value.language or value.datatype is None or str(value.datatype) in _LEXICAL_LITERALS):
        return str(value)
    return value


def _ox_plain(term: Any) -> Any:
    """What :meth:`Store.select_plain` gives for a pyoxigraph term, without an rdflib term."""
    if isinstance(term, ox.NamedNode | ox.BlankNode):
        return term.value
    if isinstance(term, ox.Literal) and (
            term.language or term.datatype.value in _LEXICAL_LITERALS):
        return term.value
    return from_ox(term)


def plain_term(term: Node) -> PlainTerm:
    """An rdflib term in plain form (see :data:`PlainTerm`)."""
    if isinstance(term, BNode):
        return term
    if isinstance(term, Literal):
        if term.language:
            return (str(term), _RDF_LANGSTRING, term.language)
        return (str(term), str(term.datatype) if term.datatype else _XSD_STRING, None)
    return str(term)


def _ox_plain_term(term: Any) -> PlainTerm:
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.Literal):
        language = term.language
        return (term.value, _RDF_LANGSTRING if language else term.datatype.value, language)
    return BNode(term.value)


_TO_TRIPLE = operator.attrgetter("triple")


#: Sort key of an :data:`Outgoing` statement: its graph.
_BY_GRAPH = operator.itemgetter(2)


def is_iri(text: str) -> bool:
    """Whether ``text`` is an IRI a store can hold (checked by Oxigraph's parser)."""
    return _iri_node(text) is not None


def _iri_node(iri: str) -> ox.NamedNode | None:
    """``iri`` as a node, or None when it is not an IRI the store could hold."""
    try:
        return ox.NamedNode(iri)
    except ValueError:
        return None


def _ox_from_plain(term: PlainTerm) -> Any:
    """A plain term (see :data:`PlainTerm`) as a pyoxigraph term."""
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, str):
        return ox.NamedNode(term)
    value, datatype, language = term
    if language:
        return ox.Literal(value, language=language)
    return ox.Literal(value, datatype=ox.NamedNode(datatype))


def _dump_format(name: str) -> ox.RdfFormat:
    fmt = DUMP_FORMATS.get(name)
    if fmt is None:
        msg = f"unknown dump format {name!r} (choose {', '.join(DUMP_FORMATS)})"
        raise StoreError(msg)
    return fmt


def from_native(term: Any) -> Node:
    """rdflib terms pass through; pyoxigraph terms are converted."""
    if isinstance(term, ox.NamedNode | ox.BlankNode | ox.Literal):
        return from_ox(term)
    return term  # type: ignore[no-any-return]


#: Backend name -> ``"module:Class"`` or the class; URL schemes are names too.
_BACKENDS: dict[str, str | type[Store]] = {
    "oxigraph": "policykg.graph.store:OxigraphStore",
    "memory": "policykg.graph.store:MemoryStore",
    # Remote SPARQL 1.1 servers; http and https URLs open it.
    "sparql": "policykg.graph.store_remote:SparqlStore",
}
#: Entry-point group through which other packages add backends.
ENTRY_POINT_GROUP = "policykg.stores"
_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_WEB_SCHEMES = frozenset({"http", "https"})


def register_store(name: str, target: str | type[Store]) -> None:
    """Make ``name`` (a backend name or URL scheme) open ``target`` (``"module:Class"``).

    A string target is imported only when a store of that name is opened.
    """
    _BACKENDS[name] = target


def store_backend(name: str) -> type[Store]:
    """The class registered as ``name`` (registry first, then the entry points)."""
    target = _BACKENDS.get(name)
    if target is None:
        for point in entry_points(group=ENTRY_POINT_GROUP, name=name):
            target = point.value
            break
    if target is None:
        known = sorted({*_BACKENDS, *(p.name for p in entry_points(group=ENTRY_POINT_GROUP))})
        msg = f"unknown store backend {name!r} (known: {', '.join(known)})"
        raise StoreError(msg)
    if isinstance(target, str):
        try:
            found = load_object(target)
        except PluginUnavailable as exc:
            msg = f"store backend {name!r} is not available: {exc}"
            raise StoreError(msg) from exc
        if not (isinstance(found, type) and issubclass(found, Store)):
            msg = f"store backend {name!r}: {target} is not a Store class"
            raise StoreError(msg)
        target = found
    return target


def backend_name(location: str) -> str:
    """The registered name that opens ``location``: ``sparql`` for web URLs, else the scheme."""
    match = _URL.match(location)
    if match is None:
        return "oxigraph"
    scheme = match.group(1).lower()
    return "sparql" if scheme in _WEB_SCHEMES else scheme


def open_store(location: Path | str | None = None, *, read_only: bool = False,
               wait: float | None = None, backend: str | None = None) -> Store:
    """Open the store at ``location``: a folder or a URL (default :func:`default_store_location`).

    ``read_only`` handles never wait for a writer; a writer waits up to ``wait`` seconds for
    another writer to finish. ``backend`` names the backend instead of guessing it from the
    location (``"memory"``: a fresh in-memory store).
    """
    text = str(location) if location is not None else default_store_location()
    store_class = store_backend(backend or backend_name(text))
    return store_class.open(text, read_only=read_only, wait=wait)


def destroy_store(path: Path) -> None:
    """Delete an on-disk store (used by ``policykg init --force``)."""
    if path.exists():
        shutil.rmtree(path)
