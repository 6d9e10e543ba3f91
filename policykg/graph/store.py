"""The store interface and its backends.

A store holds quads: every triple lives in the named graph of the source it came from, so a
source can be replaced or removed as a unit. Reads see the union of all source graphs.

Backends:

* :class:`OxigraphStore` (default): pyoxigraph, on disk (RocksDB) or in memory. Chosen by
  measurement, see ``bench/RESULTS.md``.
* :class:`MemoryStore`: an rdflib ``Dataset`` in memory; slower, kept as the reference
  implementation the contract tests compare against.

Capabilities every backend promises (``tests/graph/test_store_contract.py`` checks them):

* ``replace_graph`` is atomic: if the triple iterator raises, the store is unchanged.
* ``select``/``ask`` bind parameters as RDF terms, never by pasting text into the query.
* ``triples`` and ``quads`` yield rdflib terms.
"""

from __future__ import annotations

import os
import shutil
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef
from rdflib.term import Node

from policykg.exceptions import QueryError, StoreError
from policykg.graph.terms import Triple, from_ox, to_ox

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
    "pkg": "https://w3id.org/policykg/ns#",
    "org": "http://www.w3.org/ns/org#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "https://schema.org/",
    "dcterms": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
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
        # A process killed between staging and swapping leaves a staging graph behind, and one
        # killed during a bulk load leaves a new graph still marked pending: both are dropped,
        # which restores the store as it was before that load.
        for graph in list(self._store.named_graphs()):
            if isinstance(graph, ox.NamedNode) and graph.value.startswith(_STAGING):
                self._store.remove_graph(graph)
        for quad in list(self._store.quads_for_pattern(
                _PENDING.subject, _PENDING.predicate, _PENDING.object, None)):
            if isinstance(quad.graph_name, ox.NamedNode):
                self._store.remove_graph(quad.graph_name)

    def replace_graphs(self, items: Iterable[tuple[URIRef, Iterable[Triple]]]) -> list[int]:
        # A graph that exists is rewritten through a staging graph: extend() is one transaction,
        # so a loader that raises half-way leaves only staging graphs, which are dropped; then
        # one SPARQL update (one transaction) swaps every staged graph in. A graph that does not
        # exist yet is written in place (no copy), and dropped again if a later one fails.
        swaps: list[tuple[ox.NamedNode, ox.NamedNode]] = []
        created: list[ox.NamedNode] = []
        counts: list[int] = []
        try:
            for graph, triples in items:
                target = ox.NamedNode(str(graph))
                if self._store.contains_named_graph(target):
                    into = ox.NamedNode(_STAGING + uuid.uuid4().hex)
                    swaps.append((target, into))
                else:
                    into = target
                    created.append(target)
                counts.append(self._extend(into, triples))
                if into == target:
                    self._store.add_graph(target)  # an empty source is still a source
            operations = []
            for target, staging in swaps:
                operations += [
                    f"DROP SILENT GRAPH <{target.value}>",
                    f"CREATE SILENT GRAPH <{target.value}>",
                    f"ADD SILENT <{staging.value}> TO <{target.value}>",
                    f"DROP SILENT GRAPH <{staging.value}>",
                ]
            if operations:
                self._store.update(" ;\n".join(operations))
        except BaseException as exc:
            for node in [staging for _, staging in swaps] + created:
                if self._store.contains_named_graph(node):
                    self._store.remove_graph(node)
            if isinstance(exc, OSError):
                msg = f"cannot write to the store: {exc}"
                raise StoreError(msg) from exc
            raise
        return counts

    def _extend(self, graph: ox.NamedNode, triples: Iterable[Triple]) -> int:
        # Bulk writes are not transactional, so the graph is marked pending first and the mark
        # removed last: a process killed in between leaves a pending graph, dropped on reopen;
        # an exception is handled by replace_graphs, which drops the graph at once. Bulk writes
        # keep memory low where one transaction of millions of quads would hold them all.
        pending = ox.Quad(_PENDING.subject, _PENDING.predicate, _PENDING.object, graph)
        self._store.add(pending)
        native = triples.files if isinstance(triples, NativeContent) else []
        own = triples.triples if isinstance(triples, NativeContent) else triples
        counter = 0

        def quads() -> Iterator[ox.Quad]:
            nonlocal counter
            for s, p, o in own:
                counter += 1
                yield ox.Quad(to_ox(s), to_ox(p), to_ox(o), graph)

        self._store.bulk_extend(quads())
        for path, fmt in native:
            try:
                self._store.bulk_load(path=str(path), format=fmt, to_graph=graph)
            except SyntaxError as exc:
                raise _syntax_error(path, exc) from exc
        self._store.remove(pending)
        if not native:
            return counter
        rows = self._store.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
            substitutions={ox.Variable("g"): graph},
        )
        total = 0
        assert isinstance(rows, ox.QuerySolutions)
        for row in rows:
            count = row["n"]
            if isinstance(count, ox.Literal):
                total += int(count.value)
        return total

    def remove_graph(self, graph: URIRef) -> int:
        node = ox.NamedNode(str(graph))
        if not self._store.contains_named_graph(node):
            return 0
        count = sum(1 for _ in self._store.quads_for_pattern(None, None, None, node))
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
