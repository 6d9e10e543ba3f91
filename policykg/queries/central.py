"""The Python half of ``central``: the most central actors over direct relationships."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import networkx as nx

from policykg.ontology.model import current_model
from policykg.queries.graphs import PKG, node_labels, subclasses

if TYPE_CHECKING:
    from policykg.queries import QueryContext

_EXACT_BETWEENNESS_NODES = 2000
_BETWEENNESS_PIVOTS = 500


class DirectGraph:
    """The graph of direct relationships as plain edges ``(src, dst, fact)``, deduplicated.

    Built once per state of the data (see :meth:`~policykg.queries.Backend.cached`); networkx
    graphs are made from it when a measure is computed.
    """

    def __init__(self, rows: Iterable[Mapping[str, Any]]) -> None:
        # Rows may stream from the store (every edge of it): each is reduced to its edge as it
        # comes, and a node's IRI is kept once however many edges it has.
        nodes: dict[str, str] = {}
        edges = set()
        for row in rows:
            src, dst = str(row["src"]), str(row["dst"])
            edges.add((nodes.setdefault(src, src), nodes.setdefault(dst, dst), row.get("fact")))
        self.edges: list[tuple[str, str, Any]] = sorted(edges, key=lambda e: (e[0], e[1],
                                                                              str(e[2])))

    def multigraph(self) -> nx.MultiDiGraph:
        multi = nx.MultiDiGraph()
        for src, dst, fact in self.edges:
            multi.add_edge(src, dst, key=fact)
        return multi

    def degree(self) -> dict[str, int]:
        """Edges at each node, parallel edges counted (a self-loop counts twice)."""
        degree: dict[str, int] = defaultdict(int)
        for src, dst, _ in self.edges:
            degree[src] += 1
            degree[dst] += 1
        return dict(degree)

    def scores(self, measure: str) -> dict[str, float]:
        """pagerank (directed, parallel edges add weight), betweenness or degree (undirected).

        Computed from the edge list itself: a networkx multigraph of every edge would be the
        biggest thing in memory on a big store.
        """
        if measure == "pagerank":
            return _pagerank_edges([(src, dst) for src, dst, _ in self.edges])
        simple = nx.Graph()
        simple.add_nodes_from(sorted({n for src, dst, _ in self.edges for n in (src, dst)}))
        simple.add_edges_from(sorted((u, v) for u, v, _ in self.edges if u != v))
        if measure == "degree":
            return dict(nx.degree_centrality(simple))
        if simple.number_of_nodes() > _EXACT_BETWEENNESS_NODES:
            return dict(nx.betweenness_centrality(simple, k=_BETWEENNESS_PIVOTS, seed=42))
        return dict(nx.betweenness_centrality(simple))


def _typed_nodes(ctx: QueryContext, type_name: str) -> frozenset[str]:
    """Nodes of a class and its subclasses, once per state of the data (both backends)."""
    names = subclasses(type_name)

    def typed() -> frozenset[str]:
        rows = ctx.fetch("typed", type=[PKG + n for n in sorted(names)],
                         type_names=sorted(names))
        return frozenset(str(r["uri"]) for r in rows)

    return ctx.backend.cached(("typed", names), typed)


def _role_nodes(ctx: QueryContext) -> frozenset[str]:
    """RoleActor nodes, unless the query's ``roles`` parameter says to include them."""
    if (ctx.params.get("roles") or "exclude") == "include":
        return frozenset()
    return _typed_nodes(ctx, "RoleActor")


def central(ctx: QueryContext) -> list[dict[str, Any]]:
    """``central``: pagerank, betweenness or degree over the direct-relationship graph.

    The graph, its degrees and each measure's scores are computed once per state of the data
    and cached (the first call fetches every edge: seconds at a million triples). Generic role
    nodes (RoleActor) and their edges are left out of the graph unless ``roles`` is include.
    """
    measure = ctx.params.get("measure") or "pagerank"
    limit = int(ctx.params.get("limit") or 20)
    backend = ctx.backend
    roles = _role_nodes(ctx)
    model = current_model()  # a model of another ontology has other edges
    everything = backend.cached(("direct graph", model),
                                lambda: DirectGraph(ctx.fetch_rows("all_edges")))
    graph = everything if not roles else backend.cached(
        ("direct graph", model, "without roles"), lambda: DirectGraph(
            {"src": src, "dst": dst, "fact": fact} for src, dst, fact in everything.edges
            if src not in roles and dst not in roles))
    if not graph.edges:
        return []
    variant = (model, "all" if graph is everything else "without roles")
    degree = backend.cached(("degree", variant), graph.degree)
    scores = backend.cached(("centrality", measure, variant), lambda: graph.scores(measure))
    candidates = backend.cached(("ranking", measure, variant), lambda: sorted(
        scores, key=lambda n: (-round(scores[n], 10), n)))
    if ctx.params.get("type"):
        allowed = _typed_nodes(ctx, str(ctx.params["type"]))
        top = list(itertools.islice((c for c in candidates if c in allowed), limit))
    else:
        top = candidates[:limit]
    labels = node_labels(ctx, top)
    return [{"rank": rank, "name": labels.get(uri), "score": round(scores[uri], 8),
             "degree": degree.get(uri, 0), "uri": uri}
            for rank, uri in enumerate(top, start=1)]


def pagerank(graph: nx.MultiDiGraph, alpha: float = 0.85, tol: float = 1.0e-10,
             max_iter: int = 200) -> dict[str, float]:
    """PageRank in pure Python (parallel edges add weight; dangling nodes spread evenly).

    networkx's own ``pagerank`` needs scipy; this gives the same values without it.
    """
    return _pagerank_edges(list(graph.edges()), alpha, tol, max_iter)


def _pagerank_edges(edges: Sequence[tuple[str, str]], alpha: float = 0.85,
                    tol: float = 1.0e-10, max_iter: int = 200) -> dict[str, float]:
    """:func:`pagerank` over a list of directed edges (repeated edges add weight)."""
    nodes = sorted({n for edge in edges for n in edge})
    index = {n: i for i, n in enumerate(nodes)}
    count = len(nodes)
    out_weight = [0.0] * count
    weights: dict[tuple[int, int], float] = defaultdict(float)
    for src, dst in edges:
        weights[(index[src], index[dst])] += 1.0
        out_weight[index[src]] += 1.0
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
