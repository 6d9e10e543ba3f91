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
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Any, NamedTuple

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SDO, SKOS, XSD
from rdflib.term import Node

from policykg.exceptions import QueryError, StoreError
from policykg.graph.terms import Triple, from_ox, to_ox
from policykg.ontology.namespace import PKG

__all__ = [
    "Store",
    "OxigraphStore",
    "MemoryStore",
    "NativeContent",
    "open_store",
    "default_store_path",
    "PREFIXES",
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
    ox.NamedNode("https://w3id.org/policykg/ns#record"),
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


class _Scratch:
    """A throw-away directory beside the store: a scratch Oxigraph store and dump files.

    Its Oxigraph store is in memory when the real one is (then the directory is a temporary
    one and holds only dumps).
    """

    def __init__(self, beside: Path | None) -> None:
        if beside is None:
            self.path = Path(tempfile.mkdtemp(prefix="policykg-scratch-"))
            self._store = ox.Store()
        else:
            self.path = beside.parent / f".{beside.name}.scratch-{uuid.uuid4().hex}"
            self.path.mkdir()
            self._store = ox.Store(str(self.path / "store"))

    def close(self) -> None:
        del self._store
        shutil.rmtree(self.path, ignore_errors=True)


def _pending_in(graph: ox.NamedNode) -> ox.Quad:
    return ox.Quad(_PENDING.subject, _PENDING.predicate, _PENDING.object, graph)


def _write(owner: OxigraphStore | _Scratch, graph: ox.NamedNode, triples: Iterable[Triple]) -> int:
    """Bulk-write ``triples`` into ``graph`` of ``owner``'s store; return how many were written.

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
    return _count(owner._store, graph) if native else written


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


def _moved(quads: Iterable[ox.Quad], graph: ox.NamedNode) -> Iterator[ox.Quad]:
    for quad in quads:
        yield ox.Quad(quad.subject, quad.predicate, quad.object, graph)


Bindings = Mapping[str, Node]
Row = dict[str, Node]


def default_store_path() -> Path:
    """``$POLICYKG_STORE`` or ``./.policykg``."""
    return Path(os.environ.get("POLICYKG_STORE") or ".policykg")


class Store(ABC):
    """A quad store with one named graph per source."""

    backend: str = "abstract"

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
    def quads(self) -> Iterator[tuple[Node, Node, Node, URIRef]]:
        """Every quad of every named graph."""

    @abstractmethod
    def select(self, query: str, bindings: Bindings | None = None) -> list[Row]:
        """Run a SPARQL SELECT over the union of graphs; unbound variables are left out of rows."""

    @abstractmethod
    def ask(self, query: str, bindings: Bindings | None = None) -> bool:
        """Run a SPARQL ASK over the union of graphs."""

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
        for qs, qp, qo, _ in self.quads():
            if (s is None or qs == s) and (p is None or qp == p) and (o is None or qo == o):
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
    """pyoxigraph store, persistent when given a directory, in memory otherwise."""

    backend = "oxigraph"

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else None
        try:
            if self.path is None:
                self._store = ox.Store()
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(self.path))
        except OSError as exc:
            msg = f"cannot open the store at {self.path}: {exc}"
            raise StoreError(msg) from exc
        self._drop_leftover_staging()

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

    def replace_graphs(self, items: Iterable[tuple[URIRef, Iterable[Triple]]]) -> list[int]:
        # Nothing a reader (or a reopened store) treats as loaded changes before the one commit
        # update at the end, so a failure or a kill at any moment leaves the store as it was:
        # * a new graph is bulk-written in place under a pending mark, removed only at commit;
        # * an existing graph is bulk-written into a scratch store outside this one (deleting a
        #   big staging graph would cost as much as the rewrite), compared with the stored graph
        #   in index order, and only the difference is staged here, in two small graphs;
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
                    # The stored graph is dumped while the new content is written: pyoxigraph
                    # releases the GIL, so the two overlap.
                    old = scratch.path / f"old-{len(counts)}.nt"
                    dumped = dumper.submit(self._store.dump, str(old),
                                           format=ox.RdfFormat.N_TRIPLES, from_graph=target)
                    counts.append(_write(scratch, target, triples))
                    dumped.result()
                    changes.append(self._stage_change(target, scratch, old))
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

    def _stage_change(self, target: ox.NamedNode, scratch: _Scratch, old: Path) -> _Change:
        """Stage what turns ``target`` (dumped to ``old``) into its new content in ``scratch``."""
        new = old.with_name("new-" + old.name)
        scratch._store.dump(str(new), format=ox.RdfFormat.N_TRIPLES, from_graph=target)
        removed, added = _difference(
            old, new, lambda q: q in self._store, lambda q: q in scratch._store, target)
        change = _Change(target, ox.NamedNode(_STAGING + uuid.uuid4().hex),
                         ox.NamedNode(_STAGING + uuid.uuid4().hex))
        self._store.bulk_extend(_moved(removed, change.removed))
        self._store.bulk_extend(_moved(added, change.added))
        return change

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

    def remove_graph(self, graph: URIRef) -> int:
        node = ox.NamedNode(str(graph))
        if not self._store.contains_named_graph(node):
            return 0
        count = _count(self._store, node)
        self._store.remove_graph(node)
        return count

    def graphs(self) -> list[URIRef]:
        return sorted(
            URIRef(g.value) for g in self._store.named_graphs() if isinstance(g, ox.NamedNode)
        )

    def graph_triples(self, graph: URIRef) -> Iterator[tuple[Node, Node, Node]]:
        node = ox.NamedNode(str(graph))
        for q in self._store.quads_for_pattern(None, None, None, node):
            yield from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)

    def quads(self) -> Iterator[tuple[Node, Node, Node, URIRef]]:
        for q in self._store.quads_for_pattern(None, None, None, None):
            if isinstance(q.graph_name, ox.NamedNode):
                yield (
                    from_ox(q.subject),
                    from_ox(q.predicate),
                    from_ox(q.object),
                    URIRef(q.graph_name.value),
                )

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
            key = (q.subject, q.predicate, q.object)
            if key not in seen:
                seen.add(key)
                yield from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)

    def _run(self, query: str, bindings: Bindings | None) -> Any:
        substitutions = {ox.Variable(k): to_ox(v) for k, v in (bindings or {}).items()}
        try:
            return self._store.query(
                query,
                use_default_graph_as_union=True,
                prefixes=PREFIXES,
                substitutions=substitutions or None,
            )
        except SyntaxError as exc:
            msg = f"SPARQL syntax error: {_one_line(str(exc))}"
            raise QueryError(msg) from exc
        except OSError as exc:
            msg = f"SPARQL query failed: {_one_line(str(exc))}"
            raise QueryError(msg) from exc

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

    def load_native(self, graph: URIRef, quads: Iterable[ox.Quad]) -> int:
        """Bulk path for pyoxigraph quads already addressed to ``graph`` (used by benchmarks)."""
        return self.replace_graph(graph, ((q.subject, q.predicate, q.object) for q in quads))

    def __len__(self) -> int:
        return len(self._store)

    def close(self) -> None:
        if self.path is not None:
            self._store.flush()
        del self._store


class MemoryStore(Store):
    """An rdflib ``Dataset`` in memory: the reference backend for the contract tests."""

    backend = "rdflib-memory"

    def __init__(self) -> None:
        self._ds = Dataset(default_union=True)
        for prefix, iri in PREFIXES.items():
            self._ds.bind(prefix, iri)

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

    def quads(self) -> Iterator[tuple[Node, Node, Node, URIRef]]:
        for graph in self.graphs():
            for s, p, o in self._ds.graph(graph).triples((None, None, None)):
                yield s, p, o, graph

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

    def __len__(self) -> int:
        return sum(1 for _ in self.quads())


def _one_line(text: str, limit: int = 160) -> str:
    """Oxigraph's parser lists every expected character class: keep the position, cut the rest."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def from_native(term: Any) -> Node:
    """rdflib terms pass through; pyoxigraph terms are converted."""
    if isinstance(term, ox.NamedNode | ox.BlankNode | ox.Literal):
        return from_ox(term)
    return term  # type: ignore[no-any-return]


def open_store(path: Path | str | None = None, *, backend: str = "oxigraph") -> Store:
    """Open the store at ``path`` (default: :func:`default_store_path`)."""
    if backend == "memory":
        return MemoryStore()
    if backend != "oxigraph":
        msg = f"unknown store backend {backend!r} (choose oxigraph or memory)"
        raise StoreError(msg)
    return OxigraphStore(path if path is not None else default_store_path())


def destroy_store(path: Path) -> None:
    """Delete an on-disk store (used by ``policykg init --force``)."""
    if path.exists():
        shutil.rmtree(path)
