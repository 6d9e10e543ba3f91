"""networkx helpers the Python parts of canned queries share, and any result as a graph.

The graph here is the graph of direct relationships, the same on both backends: actors (and
policies a statement or relation points at) as nodes; memberships (MEMBER_OF), funding flows
(FUNDS), statements (COMMENTED_ON) and typed relations (COOPERATES_WITH, THREATENS ...) as
edges, each edge one fact. The functions here (and the canned queries' own modules: ``path``,
``central``, ``cooperation``, ``relations``, ``funding``, ``profile``, ``names``) fetch through a
:class:`~policykg.queries.QueryContext`, so the embedded store and Neo4j go through the same code.

Example:
    >>> rows = [{"from_uri": "urn:a", "to_uri": "urn:b", "relation": "FUNDS", "fact": "urn:f"}]
    >>> graph = to_networkx(rows)
    >>> list(graph.edges(keys=True))
    [('urn:a', 'urn:b', 'urn:f')]
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import networkx as nx

from policykg.exceptions import QueryError
from policykg.ontology.model import current_model, upper_snake
from policykg.ontology.namespace import PKG as PKG_NAMESPACE
from policykg.queries.names import _BATCH, display_names

if TYPE_CHECKING:
    from policykg.queries import QueryContext

__all__ = [
    "PKG",
    "pkg_classes",
    "superclasses",
    "subclasses",
    "upper_snake",
    "fetch_edges",
    "fetch_links",
    "fact_details",
    "node_labels",
    "to_networkx",
]

PKG = str(PKG_NAMESPACE)


# ---------------------------------------------------------------- ontology helpers


def _hierarchy() -> dict[str, frozenset[str]]:
    """pkg class local name → local names of its pkg superclasses, from the current model."""
    model = current_model()
    return {name: frozenset(a[len(PKG):] for a in model.pkg_ancestors(PKG + name))
            for name in model.pkg_class_names()}


def pkg_classes() -> frozenset[str]:
    """Local names of the classes of the policykg ontology."""
    return current_model().pkg_class_names()


def superclasses(name: str) -> frozenset[str]:
    """The pkg superclasses of a class (transitive, without itself)."""
    return frozenset(a[len(PKG):] for a in current_model().pkg_ancestors(PKG + name))


def subclasses(name: str) -> frozenset[str]:
    """A class and its pkg subclasses; unknown names raise QueryError with the known ones."""
    hierarchy = _hierarchy()
    if name not in hierarchy:
        msg = f"unknown class {name!r}; known: {', '.join(sorted(hierarchy))}"
        raise QueryError(msg)
    return frozenset({name} | {c for c, supers in hierarchy.items() if name in supers})


# ---------------------------------------------------------------- fetching edges


def fetch_links(ctx: QueryContext, nodes: Iterable[str]) -> list[dict[str, Any]]:
    """Direct edges touching any of ``nodes`` without details: fact, relation, src, dst."""
    ordered = sorted(set(nodes))
    found: dict[tuple[Any, ...], dict[str, Any]] = {}
    for start in range(0, len(ordered), _BATCH):
        for link in ctx.fetch("links", node=ordered[start:start + _BATCH]):
            found[_edge_key(link)] = link
    return [found[k] for k in sorted(found)]


def fact_details(ctx: QueryContext, facts: Iterable[Any]) -> dict[str, dict[str, Any]]:
    """Dates, amount, currency, program, role and sources of each fact, by fact IRI."""
    return _details(ctx, facts, ())[0]


def node_labels(ctx: QueryContext, nodes: Iterable[Any]) -> dict[str, Any]:
    """The name each node is shown with in every canned query: its :func:`display_names`."""
    return dict(display_names(ctx, nodes))


def _details(ctx: QueryContext, facts: Iterable[Any], nodes: Iterable[Any]
             ) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Details of ``facts`` and names of ``nodes``, fetched together (one round trip a batch).

    Where a fact has several values of one detail, the same row is kept on both backends.
    """
    fact_list = sorted({f for f in facts if isinstance(f, str)})
    node_list = sorted({n for n in nodes if isinstance(n, str)})
    rows: list[dict[str, Any]] = []
    for start in range(0, max(len(fact_list), len(node_list)), _BATCH):
        rows += ctx.fetch("details", fact=fact_list[start:start + _BATCH],
                          uri=node_list[start:start + _BATCH])
    details: dict[str, dict[str, Any]] = {}
    labels: dict[str, Any] = {}
    for row in sorted(rows, key=_row_order):
        if row.get("fact") is not None:
            details.setdefault(str(row["fact"]), row)
        elif row.get("uri") is not None and row.get("label") is not None:
            labels.setdefault(str(row["uri"]), row["label"])
    return details, labels


def _row_order(row: Mapping[str, Any]) -> str:
    """Rows in an order that does not depend on the backend (unbound and null alike)."""
    return json.dumps([row.get(k) for k in _ROW_KEYS], ensure_ascii=False, default=str)


_DETAILS = ("date", "start", "end", "amount", "currency", "program", "role", "sources")
_ROW_KEYS = ("fact", "uri", "label", *_DETAILS)


def _with_details(ctx: QueryContext, links: Sequence[Mapping[str, Any]]
                  ) -> list[dict[str, Any]]:
    """Links completed with their facts' details and their ends' names (as ``fetch_edges``)."""
    details = fact_details(ctx, (link.get("fact") for link in links))
    labels = node_labels(ctx, (n for link in links for n in (link.get("src"), link.get("dst"))))
    edges = []
    for link in links:
        detail = details.get(str(link.get("fact")), {})
        edge = dict(link)
        edge.update({k: detail.get(k) for k in _DETAILS})
        edge["sources"] = edge["sources"] or []
        edge["src_label"] = labels.get(str(link.get("src")))
        edge["dst_label"] = labels.get(str(link.get("dst")))
        edges.append(edge)
    return edges


def fetch_edges(ctx: QueryContext, nodes: Iterable[str]) -> list[dict[str, Any]]:
    """Direct edges touching any of ``nodes`` with details and names, deduplicated, sorted."""
    return _with_details(ctx, fetch_links(ctx, nodes))


def _edge_key(edge: Mapping[str, Any]) -> tuple[str, str, str, str]:
    return (str(edge.get("src")), str(edge.get("dst")), str(edge.get("relation")),
            str(edge.get("fact")))


def _edge_row(edge: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
    row = {
        "from_name": edge.get("src_label"), "relation": edge.get("relation"),
        "to_name": edge.get("dst_label"), "date": edge.get("date"), "start": edge.get("start"),
        "end": edge.get("end"), "amount": edge.get("amount"), "currency": edge.get("currency"),
        "program": edge.get("program"), "role": edge.get("role"),
        "sources": edge.get("sources") or [], "from_uri": edge.get("src"),
        "to_uri": edge.get("dst"), "fact": edge.get("fact"),
    }
    row.update(extra)
    return row


def to_networkx(rows: Sequence[Mapping[str, Any]]) -> nx.MultiDiGraph:
    """Rows with ``from_uri``/``to_uri`` (or ``src``/``dst``) as a MultiDiGraph.

    Each row becomes an edge keyed by its ``fact`` (or its position), carrying the row's other
    columns; node names come from ``from_name``/``to_name``. Rows of one actor (``uri`` and
    ``name``, as from ``central``) become nodes with their columns as attributes.
    """
    graph = nx.MultiDiGraph()
    for index, row in enumerate(rows):
        src = row.get("from_uri", row.get("src"))
        dst = row.get("to_uri", row.get("dst"))
        if src is None or dst is None:
            uri = row.get("uri")
            if uri is not None:
                graph.add_node(uri, **{k: v for k, v in row.items() if k != "uri"})
            continue
        for node, name in ((src, row.get("from_name", row.get("src_label"))),
                           (dst, row.get("to_name", row.get("dst_label")))):
            if node not in graph:
                graph.add_node(node, name=name)
        key = row.get("fact") or index
        attrs = {k: v for k, v in row.items()
                 if k not in ("from_uri", "to_uri", "src", "dst", "fact")}
        graph.add_edge(src, dst, key=key, **attrs)
    return graph
