"""The Python API for notebooks and scripts: ``kg = policykg.open()`` and its methods.

A :class:`KnowledgeGraph` wraps one store and does what the command line does, returning
Python values instead of printing them: rows of canned queries as dicts (the rows of
``--format json``), DataFrames, typed SPARQL / Cypher rows, networkx subgraphs with the
attributes of the exports. Loads replay the store's judgements and key sources relative to
the folder holding the store, exactly as ``policykg load`` does.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from rdflib import BNode, Literal, URIRef

from policykg.exceptions import PolicyKGError, QueryError
from policykg.graph.store import OxigraphStore, Store, open_store
from policykg.load import LoadResult, Project, load_paths, project_of
from policykg.loaders.article.loader import article_resources
from policykg.resolution.judgements import STORE_LOG, LogLocation, current_rewrites

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["KnowledgeGraph", "open_graph"]


class KnowledgeGraph:
    """One store, opened for reading and loading; close it (or use ``with``) when done."""

    def __init__(self, store: Store, folder: Path | None) -> None:
        self.store = store
        self._closed = False
        #: The store's folder (None in memory): holds the judgements, anchors source keys.
        self.folder = folder

    # ------------------------------------------------------------------ loading

    def load(self, *paths: str | Path, format: str | None = None,  # noqa: A002 - CLI's name
             source_id: str | None = None,
             resources: Sequence[str | Path] = ()) -> list[LoadResult]:
        """Load files or folders, all or nothing, replaying the store's judgements.

        Articles are read with the domain packs in ``resources`` (folders of YAML files)
        added to the shipped ones, and with every entity already in the store as a known name.
        """
        files = [Path(p) for p in paths]
        if source_id is not None and len(files) != 1:
            msg = "source_id names one file: give exactly one"
            raise PolicyKGError(msg)
        rewrites = current_rewrites(self.judgements_path)
        with article_resources(self.store, resources):
            return load_paths(self.store, files, format_name=format, rewrite=rewrites,
                              project=self.project,
                              source_ids={files[0]: source_id} if source_id else None)

    @property
    def project(self) -> Project:
        """What source keys are relative to: the folder holding the store, or each file's
        project folder on a SPARQL store (as the CLI does)."""
        if self.folder is not None:
            return self.folder.resolve().parent
        return project_of if self._remote else Path.cwd()

    @property
    def judgements_path(self) -> LogLocation:
        """The judgement log kept with the store (on the server for a SPARQL store)."""
        from policykg.resolution.judgements import DEFAULT_LOG, ServerLog

        if self.folder is not None:
            return self.folder / STORE_LOG
        if self._remote:
            return ServerLog(self.store.location, self.store)
        return Path(DEFAULT_LOG)

    @property
    def _remote(self) -> bool:
        return self.store.backend == "sparql"

    # ------------------------------------------------------------------ questions

    def query(self, name: str, /, **params: Any) -> list[dict[str, Any]]:
        """The rows of the canned query ``name`` (as ``policykg query NAME --format json``)."""
        from policykg.queries import run_query

        return run_query(self.store, name, **params)

    def frame(self, name: str, /, **params: Any) -> Any:
        """The rows of a canned query as a pandas DataFrame, columns in the query's order; total
        rows are not in it (a column's ``sum()`` is the total) but in ``frame.attrs["totals"]``
        (typed ``Any``: pandas is an optional extra without stubs here)."""
        try:
            pandas = importlib.import_module("pandas")
        except ModuleNotFoundError:
            msg = "kg.frame needs pandas: pip install 'policykg[frames]'"
            raise PolicyKGError(msg) from None
        from policykg.queries import get_query

        query = get_query(name)
        rows: list[dict[str, Any]] = self.query(name, **params)
        totals: list[Any] = []
        if query.totals is not None:  # a sum over a column must not count the totals again
            data, totals = query.totals.split(rows)
            rows = [dict(r) for r in data]
        frame = pandas.DataFrame(rows, columns=list(query.columns))
        frame.attrs["totals"] = [dict(t) for t in totals]
        return frame

    def sparql(self, text: str, /, **params: Any) -> list[dict[str, Any]]:
        """Rows of your own read-only SPARQL, with Python values (dates as dates).

        Parameters are bound as terms: a string starting with ``<`` and ending with ``>`` is
        an IRI, other values literals. Updates and SERVICE are refused.
        """
        from policykg.queries import sparql_form, sparql_refusal

        refusal = sparql_refusal(text)
        if refusal:
            raise QueryError(refusal)
        form = sparql_form(text)
        if form == "ASK":
            return [{"result": self.store.ask(text, _bindings(params))}]
        if form != "SELECT":
            msg = f"kg.sparql runs SELECT and ASK queries, not {form}"
            raise QueryError(msg)
        rows = self.store.select(text, _bindings(params))
        return [{str(k): python_value(v) for k, v in row.items()} for row in rows]

    def cypher(self, text: str, /, **params: Any) -> list[dict[str, Any]]:
        """Rows of your own read-only Cypher on the Neo4j mirror (credentials from NEO4J_*),
        with Python values as :meth:`sparql` gives them: dates as ``datetime.date``, numbers
        as numbers, IRIs as strings."""
        from policykg.graph.neo4j import Neo4jConfig, connect
        from policykg.queries import run_cypher

        config = Neo4jConfig.from_env()
        driver = connect(config)
        try:
            return list(run_cypher(driver, text, params, database=config.database,
                                   native=True))
        finally:
            driver.close()

    def subgraph(self, actor: str | None = None, *, depth: int = 1, since: str | None = None,
                 until: str | None = None, max_nodes: int = 5000, max_degree: int | None = None,
                 exclude_sources: Sequence[str] = ()) -> nx.MultiDiGraph:
        """The neighbourhood of ``actor`` (a name or IRI; everything without one) as a
        networkx MultiDiGraph with the attributes of ``export-subgraph``; ``max_degree`` and
        ``exclude_sources`` (globs on source keys) as its ``--max-degree`` and
        ``--exclude-source``."""
        from policykg.export.select import Filters, GraphReader, parse_bound, run_selection

        filters = Filters(since=parse_bound(since, end=False) if since else None,
                          until=parse_bound(until, end=True) if until else None,
                          max_nodes=max_nodes, max_degree=max_degree,
                          exclude_sources=tuple(exclude_sources))
        reader = GraphReader(self.store)
        if actor is None:
            return run_selection(reader, filters=filters)
        return run_selection(reader, actor=actor, depth=depth, filters=filters)

    def export(self, graph: nx.MultiDiGraph, format: str, path: str | Path,  # noqa: A002
               *, title: str = "policykg graph") -> Path:
        """Write a subgraph in an ``export-subgraph`` format (gexf, graphml, json, html...)."""
        from policykg.export import render, write_export
        from policykg.export.formats import ExportContext
        from policykg.export.select import GraphReader

        data = render(graph, format, ExportContext(reader=GraphReader(self.store), title=title))
        write_export(data, Path(path))
        return Path(path)

    # ------------------------------------------------------------------ lifetime

    def close(self) -> None:
        """Close the store (its folder is unlocked for other processes); again: nothing."""
        if not self._closed:
            self._closed = True
            self.store.close()

    def __enter__(self) -> KnowledgeGraph:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()


def open_graph(store: str | Path | Store | None = None) -> KnowledgeGraph:
    """Open a knowledge graph: a store folder, ``":memory:"``, an open Store, or None for the
    default store (``$POLICYKG_STORE`` or ``.policykg``)."""
    if isinstance(store, Store):
        folder = getattr(store, "path", None)
        return KnowledgeGraph(store, Path(folder) if folder is not None else None)
    if store == ":memory:":
        return KnowledgeGraph(OxigraphStore(), None)
    opened = open_store(store)  # a folder or a server's URL, like ``--store``
    folder = getattr(opened, "path", None)
    return KnowledgeGraph(opened, Path(folder) if folder is not None else None)


def _bindings(params: Mapping[str, Any]) -> dict[str, Any]:
    terms: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, str) and value.startswith("<") and value.endswith(">"):
            terms[key] = URIRef(value[1:-1])
        elif isinstance(value, URIRef | Literal):
            terms[key] = value
        else:
            terms[key] = Literal(value)
    return terms


def python_value(term: Any) -> Any:
    """An RDF term as a plain Python value: IRIs as strings, numbers as numbers, dates as
    ``datetime.date`` (a partial date such as ``2017`` stays a string)."""
    if isinstance(term, URIRef | BNode):
        return str(term)
    if not isinstance(term, Literal):
        return term
    value = term.toPython()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, bool | int | float | dt.date | dt.time):
        return value
    return str(term)
