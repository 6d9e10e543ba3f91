"""networkx helpers: the Python parts of canned queries, and any result as a graph.

The graph here is the graph of direct relationships, the same on both backends: actors (and
policies a statement or relation points at) as nodes; memberships (MEMBER_OF), funding flows
(FUNDS), statements (COMMENTED_ON) and typed relations (COOPERATES_WITH, THREATENS ...) as
edges, each edge one fact. The functions below fetch through a
:class:`~policykg.queries.QueryContext`, so the embedded store and Neo4j go through the same code.

Example:
    >>> rows = [{"from_uri": "urn:a", "to_uri": "urn:b", "relation": "FUNDS", "fact": "urn:f"}]
    >>> graph = to_networkx(rows)
    >>> list(graph.edges(keys=True))
    [('urn:a', 'urn:b', 'urn:f')]
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

import networkx as nx
from rdflib import RDF, RDFS, URIRef

from policykg.exceptions import QueryError

if TYPE_CHECKING:
    from policykg.queries import QueryContext

__all__ = [
    "PKG",
    "pkg_classes",
    "superclasses",
    "subclasses",
    "upper_snake",
    "fetch_edges",
    "to_networkx",
    "profile_types",
    "funding_totals",
    "relations",
    "path",
    "cooperation",
    "central",
    "pagerank",
]

PKG = "https://w3id.org/policykg/ns#"
_BATCH = 500
_MAX_PATHS_SCANNED = 10_000
_EXACT_BETWEENNESS_NODES = 2000
_BETWEENNESS_PIVOTS = 500


# ---------------------------------------------------------------- ontology helpers


@cache
def _hierarchy() -> dict[str, frozenset[str]]:
    from policykg.ontology import ontology_graph

    onto = ontology_graph()
    classes = {str(c)[len(PKG):] for c in onto.subjects(RDF.type, URIRef(
        "http://www.w3.org/2002/07/owl#Class")) if str(c).startswith(PKG)}
    result: dict[str, frozenset[str]] = {}
    for name in classes:
        supers = {str(s)[len(PKG):] for s in onto.transitive_objects(URIRef(PKG + name),
                                                                     RDFS.subClassOf)
                  if str(s).startswith(PKG)}
        result[name] = frozenset(supers - {name})
    return result


def pkg_classes() -> frozenset[str]:
    """Local names of the classes of the policykg ontology."""
    return frozenset(_hierarchy())


def superclasses(name: str) -> frozenset[str]:
    """The pkg superclasses of a class (transitive, without itself)."""
    return _hierarchy().get(name, frozenset())


def subclasses(name: str) -> frozenset[str]:
    """A class and its pkg subclasses; unknown names raise QueryError with the known ones."""
    hierarchy = _hierarchy()
    if name not in hierarchy:
        msg = f"unknown class {name!r}; known: {', '.join(sorted(hierarchy))}"
        raise QueryError(msg)
    return frozenset({name} | {c for c, supers in hierarchy.items() if name in supers})


def upper_snake(name: str) -> str:
    """``cooperatesWith``, ``cooperates_with`` and ``COOPERATES_WITH`` all give COOPERATES_WITH."""
    name = re.sub(r"[\s\-]+", "_", name.strip())
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).upper()


# ---------------------------------------------------------------- fetching edges


def fetch_edges(ctx: QueryContext, nodes: Iterable[str]) -> list[dict[str, Any]]:
    """Direct edges touching any of ``nodes``, in batches, deduplicated by fact and ends."""
    ordered = sorted(set(nodes))
    found: dict[tuple[Any, ...], dict[str, Any]] = {}
    for start in range(0, len(ordered), _BATCH):
        for edge in ctx.fetch("edges", node=ordered[start:start + _BATCH]):
            found[_edge_key(edge)] = edge
    return [found[k] for k in sorted(found)]


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


# ---------------------------------------------------------------- query functions


def profile_types(ctx: QueryContext) -> list[dict[str, Any]]:
    """``profile``: list every pkg class of the actor, with superclasses (as Neo4j labels do)."""
    rows = ctx.fetch()
    classes = pkg_classes()
    types = {r["value"] for r in rows if r.get("field") == "type" and r.get("value") in classes}
    closure = set(types).union(*(superclasses(t) for t in types)) if types else set()
    out = [r for r in rows if r.get("field") != "type"]
    actor = ctx.params.get("actor")
    out += [{"actor": actor, "field": "type", "value": t, "detail": None, "start": None,
             "end": None, "sources": []} for t in sorted(closure)]
    return out


def funding_totals(ctx: QueryContext) -> list[dict[str, Any]]:
    """``funding``: the flows, then one total row per currency."""
    flows = ctx.fetch()
    totals: dict[Any, list[Any]] = defaultdict(list)
    for flow in sorted(flows, key=lambda r: str(r.get("flow"))):
        flow["kind"] = "flow"
        if isinstance(flow.get("amount"), int | float):
            totals[flow.get("currency")].append(flow["amount"])
    rows = list(flows)
    for currency, amounts in totals.items():
        total = sum(amounts)
        rows.append({"kind": "total", "currency": currency, "flows": len(amounts),
                     "amount": int(total) if float(total).is_integer() else total,
                     "sources": []})
    return rows


def relations(ctx: QueryContext) -> list[dict[str, Any]]:
    """``relations``: breadth-first over direct edges, up to ``depth`` steps from the actor."""
    actor = ctx.params["actor"]
    wanted = upper_snake(ctx.params["type"]) if ctx.params.get("type") else None
    seen = {actor}
    frontier = [actor]
    rows: dict[tuple[Any, ...], dict[str, Any]] = {}
    for depth in range(1, int(ctx.params.get("depth") or 1) + 1):
        if not frontier:
            break
        following: set[str] = set()
        for edge in fetch_edges(ctx, frontier):
            if wanted and edge.get("relation") != wanted:
                continue
            key = _edge_key(edge)
            if key in rows:
                continue
            rows[key] = _edge_row(edge, depth=depth)
            for node in (edge.get("src"), edge.get("dst")):
                if isinstance(node, str) and node not in seen:
                    seen.add(node)
                    following.add(node)
        frontier = sorted(following)
    return list(rows.values())


def path(ctx: QueryContext) -> list[dict[str, Any]]:
    """``path``: every shortest path (up to ``max_paths``) by bidirectional breadth-first search.

    Each side expands the nodes it reached last; once the two sides meet, every edge of every
    shortest path has been fetched, and networkx lists the paths over those edges.
    """
    source, target = ctx.params["source"], ctx.params["target"]
    max_hops = int(ctx.params.get("max_hops") or 4)
    max_paths = int(ctx.params.get("max_paths") or 10)
    if source == target:
        return []
    dist = [{source: 0}, {target: 0}]
    frontier: list[list[str]] = [[source], [target]]
    edges: dict[tuple[Any, ...], dict[str, Any]] = {}
    expanded = [0, 0]
    while sum(expanded) < max_hops and not (dist[0].keys() & dist[1].keys()):
        side = 0 if len(frontier[0]) <= len(frontier[1]) else 1
        if not frontier[side]:
            return []
        following: set[str] = set()
        for edge in fetch_edges(ctx, frontier[side]):
            edges[_edge_key(edge)] = edge
            for node in (edge.get("src"), edge.get("dst")):
                if isinstance(node, str) and node not in dist[side]:
                    dist[side][node] = expanded[side] + 1
                    following.add(node)
        frontier[side] = sorted(following)
        expanded[side] += 1
    meet = dist[0].keys() & dist[1].keys()
    if not meet or min(dist[0][m] + dist[1][m] for m in meet) > max_hops:
        return []
    graph = nx.Graph()
    by_pair: dict[frozenset[str], list[dict[str, Any]]] = defaultdict(list)
    names: dict[str, Any] = {}
    for key in sorted(edges):
        edge = edges[key]
        src, dst = edge["src"], edge["dst"]
        names.setdefault(src, edge.get("src_label"))
        names.setdefault(dst, edge.get("dst_label"))
        graph.add_edge(src, dst)
        by_pair[frozenset((src, dst))].append(edge)
    found = list(itertools.islice(nx.all_shortest_paths(graph, source, target),
                                  _MAX_PATHS_SCANNED))
    found.sort(key=lambda p: ([str(names.get(n) or "") for n in p], p))
    rows = []
    for number, nodes in enumerate(found[:max_paths], start=1):
        for hop, (u, v) in enumerate(itertools.pairwise(nodes), start=1):
            for edge in by_pair[frozenset((u, v))]:
                if u == v:
                    continue
                rows.append({
                    "path": number, "hop": hop, "from_name": names.get(u),
                    "relation": edge.get("relation"), "to_name": names.get(v),
                    "direction": "->" if edge["src"] == u else "<-",
                    "date": edge.get("date"), "start": edge.get("start"), "end": edge.get("end"),
                    "sources": edge.get("sources") or [], "from_uri": u, "to_uri": v,
                    "fact": edge.get("fact"),
                })
    return rows


_HOW_ORDER = {"self": 0, "agency": 1, "part": 2, "member": 3}


def _side(ctx: QueryContext, actor: str) -> dict[str, str]:
    side: dict[str, str] = {actor: "self"}
    for row in ctx.fetch("side", actor=actor):
        uri, how = row["uri"], row["how"]
        if uri not in side or _HOW_ORDER[how] < _HOW_ORDER[side[uri]]:
            side[uri] = how
    return side


def cooperation(ctx: QueryContext) -> list[dict[str, Any]]:
    """``cooperation``: direct edges between A's side and B's side (self, agencies, officials)."""
    sides = (_side(ctx, ctx.params["a"]), _side(ctx, ctx.params["b"]))
    rows = []
    for edge in fetch_edges(ctx, sides[0]):
        src, dst = edge.get("src"), edge.get("dst")
        if src == dst:
            continue
        for first, second, names in ((0, 1, ("A", "B")), (1, 0, ("B", "A"))):
            if src in sides[first] and dst in sides[second]:
                rows.append(_edge_row(edge, from_side=f"{names[0]} {sides[first][src]}",
                                      to_side=f"{names[1]} {sides[second][dst]}"))
                break
    return rows


def central(ctx: QueryContext) -> list[dict[str, Any]]:
    """``central``: pagerank, betweenness or degree over the direct-relationship graph."""
    measure = ctx.params.get("measure") or "pagerank"
    limit = int(ctx.params.get("limit") or 20)
    edges = sorted(ctx.fetch("all_edges"), key=_edge_key)
    multi = nx.MultiDiGraph()
    for edge in edges:
        multi.add_edge(edge["src"], edge["dst"], key=edge.get("fact"))
    if multi.number_of_nodes() == 0:
        return []
    degree = dict(multi.degree())
    scores: dict[str, float]
    if measure == "pagerank":
        scores = pagerank(multi)
    else:
        simple = nx.Graph()
        simple.add_nodes_from(sorted(multi.nodes()))
        simple.add_edges_from(sorted((u, v) for u, v in multi.edges() if u != v))
        if measure == "degree":
            scores = nx.degree_centrality(simple)
        elif simple.number_of_nodes() > _EXACT_BETWEENNESS_NODES:
            scores = nx.betweenness_centrality(simple, k=_BETWEENNESS_PIVOTS, seed=42)
        else:
            scores = nx.betweenness_centrality(simple)
    candidates = list(scores)
    if ctx.params.get("type"):
        names = subclasses(str(ctx.params["type"]))
        typed = ctx.fetch("typed", type=[PKG + n for n in sorted(names)],
                          type_names=sorted(names))
        allowed = {r["uri"] for r in typed}
        candidates = [c for c in candidates if c in allowed]
    candidates.sort(key=lambda n: (-round(scores[n], 10), n))
    top = candidates[:limit]
    labels = {r["uri"]: r.get("label") for r in ctx.fetch("labels", uri=top)} if top else {}
    return [{"rank": rank, "name": labels.get(uri), "score": round(scores[uri], 8),
             "degree": degree.get(uri, 0), "uri": uri}
            for rank, uri in enumerate(top, start=1)]


def pagerank(graph: nx.MultiDiGraph, alpha: float = 0.85, tol: float = 1.0e-10,
             max_iter: int = 200) -> dict[str, float]:
    """PageRank in pure Python (parallel edges add weight; dangling nodes spread evenly).

    networkx's own ``pagerank`` needs scipy; this gives the same values without it.
    """
    nodes = sorted(graph.nodes())
    index = {n: i for i, n in enumerate(nodes)}
    count = len(nodes)
    out_weight = [0.0] * count
    weights: dict[tuple[int, int], float] = defaultdict(float)
    for u, v in graph.edges():
        weights[(index[u], index[v])] += 1.0
        out_weight[index[u]] += 1.0
    incoming: list[list[tuple[int, float]]] = [[] for _ in range(count)]
    for (u, v), w in sorted(weights.items()):
        incoming[v].append((u, w / out_weight[u]))
    dangling = [i for i in range(count) if out_weight[i] == 0]
    rank = [1.0 / count] * count
    for _ in range(max_iter):
        spread = alpha * sum(rank[i] for i in dangling) / count + (1.0 - alpha) / count
        new = [spread + alpha * sum(rank[u] * w for u, w in incoming[v]) for v in range(count)]
        error = sum(abs(a - b) for a, b in zip(new, rank, strict=True))
        rank = new
        if error < count * tol:
            break
    return {n: rank[i] for i, n in enumerate(nodes)}

