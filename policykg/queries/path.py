"""The Python half of ``path``: every shortest path between two actors."""

from __future__ import annotations

import itertools
from collections import defaultdict
from typing import TYPE_CHECKING, Any

import networkx as nx

from policykg.queries.central import _role_nodes
from policykg.queries.graphs import _edge_key, fact_details, fetch_links, node_labels

if TYPE_CHECKING:
    from policykg.queries import QueryContext

_MAX_PATHS_SCANNED = 10_000


def path(ctx: QueryContext) -> list[dict[str, Any]]:
    """``path``: every shortest path (up to ``max_paths``) by bidirectional breadth-first search.

    Each side expands the nodes it reached last; once the two sides meet, every edge of every
    shortest path has been fetched, and networkx lists the paths over those edges. The search
    fetches edges without details; names and details are fetched for the paths listed only.
    """
    source, target = ctx.params["source"], ctx.params["target"]
    max_hops = int(ctx.params.get("max_hops") or 4)
    max_paths = int(ctx.params.get("max_paths") or 10)
    if source == target:
        return []
    # Generic roles ("President (Nigeria)") are no bridge between actors unless asked for.
    barred = _role_nodes(ctx) - {source, target}
    dist = [{source: 0}, {target: 0}]
    frontier: list[list[str]] = [[source], [target]]
    edges: dict[tuple[Any, ...], dict[str, Any]] = {}
    expanded = [0, 0]
    while sum(expanded) < max_hops and not (dist[0].keys() & dist[1].keys()):
        side = 0 if len(frontier[0]) <= len(frontier[1]) else 1
        if not frontier[side]:
            return []
        following: set[str] = set()
        for link in fetch_links(ctx, frontier[side]):
            if link.get("src") in barred or link.get("dst") in barred:
                continue
            edges[_edge_key(link)] = link
            for node in (link.get("src"), link.get("dst")):
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
    for key in sorted(edges):
        edge = edges[key]
        graph.add_edge(edge["src"], edge["dst"])
        by_pair[frozenset((edge["src"], edge["dst"]))].append(edge)
    found = list(itertools.islice(nx.all_shortest_paths(graph, source, target),
                                  _MAX_PATHS_SCANNED))
    names = node_labels(ctx, {n for p in found for n in p})
    found.sort(key=lambda p: ([str(names.get(n) or "") for n in p], p))
    listed = found[:max_paths]
    hops = {frozenset(pair) for nodes in listed for pair in itertools.pairwise(nodes)}
    details = fact_details(ctx, (e.get("fact") for pair in hops for e in by_pair[pair]))
    rows = []
    for number, nodes in enumerate(listed, start=1):
        for hop, (u, v) in enumerate(itertools.pairwise(nodes), start=1):
            for edge in by_pair[frozenset((u, v))]:
                if u == v:
                    continue
                detail = details.get(str(edge.get("fact")), {})
                rows.append({
                    "path": number, "hop": hop, "from_name": names.get(u),
                    "relation": edge.get("relation"), "to_name": names.get(v),
                    "direction": "->" if edge["src"] == u else "<-",
                    "date": detail.get("date"), "start": detail.get("start"),
                    "end": detail.get("end"), "sources": detail.get("sources") or [],
                    "from_uri": u, "to_uri": v, "fact": edge.get("fact"),
                })
    return rows
