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
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import networkx as nx

from policykg.exceptions import QueryError
from policykg.ontology.model import current_model, upper_snake

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
    "profile_types",
    "funding_totals",
    "display_name",
    "display_names",
    "relations",
    "path",
    "cooperation",
    "central",
    "pagerank",
    "DirectGraph",
]

PKG = "https://w3id.org/policykg/ns#"
_BATCH = 500
_MAX_PATHS_SCANNED = 10_000
_EXACT_BETWEENNESS_NODES = 2000
_BETWEENNESS_PIVOTS = 500


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


# ---------------------------------------------------------------- query functions


def profile_types(ctx: QueryContext) -> list[dict[str, Any]]:
    """``profile``: list every pkg class of the actor, with superclasses (as Neo4j labels do)."""
    rows = ctx.fetch()
    classes = pkg_classes()
    types = {r["value"] for r in rows if r.get("field") == "type" and r.get("value") in classes}
    closure = set(types).union(*(superclasses(t) for t in types)) if types else set()
    out = [r for r in rows if r.get("field") != "type" and r.get("fact") is None
           and not isinstance(r.get("value"), list)]
    # Neo4j holds several preferred names as one list property: one row per name, as in SPARQL.
    out += [{**r, "value": v} for r in rows if isinstance(r.get("value"), list)
            for v in r["value"]]
    out += _funding_per_flow([r for r in rows if r.get("fact") is not None], ctx)
    actor = ctx.params.get("actor")
    out += [{"actor": actor, "field": "type", "value": t, "detail": None, "start": None,
             "end": None, "sources": []} for t in sorted(closure)]
    return out


def display_name(names: Iterable[tuple[str, bool]]) -> str | None:
    """The one name an actor is shown with, from its ``(name, stated by a curated record)`` pairs.

    A name a researcher wrote in a curated record wins over names from other sources (open
    data, articles); within the chosen group the shortest wins, then the first in code-point
    order, so the choice never depends on the backend or the order of loading.

    Example:
        >>> display_name([("U.S. Government - Department of State", False),
        ...               ("Department of State", False)])
        'Department of State'
        >>> display_name([("Department of State", False), ("U.S. State Department", True)])
        'U.S. State Department'
    """
    pairs = [(str(n), bool(c)) for n, c in names if n]
    if not pairs:
        return None
    curated = [n for n, c in pairs if c]
    pool = curated or [n for n, _ in pairs]
    return min(pool, key=lambda n: (len(n), n))


def _prov_positions(prov: Any, key: str) -> dict[int, list[int]]:
    """From a mirrored node's ``_prov`` list: value index → positions in its ``_sources``."""
    out: dict[int, list[int]] = {}
    for entry in prov if isinstance(prov, list) else []:
        parts = str(entry).split("\t")
        if len(parts) == 3 and parts[0] == key:
            out[int(parts[1])] = [int(i) for i in parts[2].split(",") if i]
    return out


def display_names(ctx: QueryContext, nodes: Iterable[Any]) -> dict[str, str]:
    """The display name (:func:`display_name`) of each node that has a preferred name.

    The embedded store tells which named graphs state a name; the Neo4j mirror tells it through
    the node's ``_sources`` and ``_prov`` (see docs/neo4j-mapping.md), so both backends choose
    the same name.
    """
    ordered = sorted({n for n in nodes if isinstance(n, str)})
    names: dict[str, list[tuple[str, bool]]] = defaultdict(list)
    for start in range(0, len(ordered), _BATCH):
        for row in ctx.fetch("display_labels", uri=ordered[start:start + _BATCH]):
            uri = str(row["uri"])
            if "labels" not in row:  # embedded: one row per name
                names[uri].append((str(row["label"]), row.get("curated") is True))
                continue
            labels = row["labels"] if isinstance(row["labels"], list) else [row["labels"]]
            graphs = row.get("graphs") or []
            curated = set(row.get("curated_graphs") or [])
            positions = _prov_positions(row.get("prov"), "prefLabel")
            for index, label in enumerate(labels):
                stated_by = ([graphs[i] for i in positions[index] if i < len(graphs)]
                             if index in positions else graphs)
                names[uri].append((str(label), bool(curated.intersection(stated_by))))
    return {uri: name for uri, pairs in names.items()
            if (name := display_name(pairs)) is not None}


def _exact_sum(amounts: Iterable[int | float]) -> int | float:
    total = sum((Decimal(str(a)) for a in amounts), Decimal(0))
    return int(total) if total == total.to_integral_value() else float(total)


def _joined(names: Iterable[str | None]) -> str | None:
    present = sorted({n for n in names if n})
    return "; ".join(present) if present else None


def _funding_per_flow(rows: Sequence[Mapping[str, Any]], ctx: QueryContext
                      ) -> list[dict[str, Any]]:
    """``profile``'s funding given and received: one row per flow, named as in ``funding``."""
    by_flow: dict[tuple[Any, Any], list[Mapping[str, Any]]] = defaultdict(list)
    for row in rows:
        by_flow[(row.get("field"), row["fact"])].append(row)
    names = display_names(ctx, {r.get(k) for r in rows for k in ("other", "prog")})
    out = []
    for (_, _), group in sorted(by_flow.items(), key=lambda kv: json.dumps(kv[0], default=str)):
        first = dict(min(group, key=lambda r: json.dumps(r, sort_keys=True, default=str)))
        first["value"] = _joined(names.get(r["other"], r["other"]) for r in group
                                 if r.get("other") is not None)
        first["detail"] = _joined(names.get(r["prog"], r["prog"]) for r in group
                                  if r.get("prog") is not None)
        first["sources"] = sorted({s for r in group for s in r.get("sources") or []})
        out.append(first)
    return out


def funding_totals(ctx: QueryContext) -> list[dict[str, Any]]:
    """``funding``: one row per flow, then one total row per currency and stage.

    A flow with several funders, recipients or programs (an article naming two recipients)
    stays one row, the display names joined with "; ". Totals never add stages together.
    """
    fetched = ctx.fetch()
    by_flow: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in fetched:
        by_flow[str(row["flow"])].append(row)
    actors = {row.get(k) for row in fetched
              for k in ("funder_uri", "recipient_uri", "program_uri", "country_uri")}
    names = display_names(ctx, actors)

    def named(rows: list[dict[str, Any]], key: str) -> str | None:
        return _joined(names.get(r[key], r[key]) for r in rows if r.get(key) is not None)

    flows: list[dict[str, Any]] = []
    for flow, rows in sorted(by_flow.items()):
        first = min(rows, key=lambda r: json.dumps(r, sort_keys=True, default=str))
        flows.append({
            "kind": "flow", "flow": flow, "date": first.get("date"),
            "funder_name": named(rows, "funder_uri"),
            "recipient_name": named(rows, "recipient_uri"),
            "country_name": named(rows, "country_uri"),
            "program_name": named(rows, "program_uri"),
            "amount": first.get("amount"), "currency": first.get("currency"),
            "stage": first.get("stage_name"), "verification": first.get("verification_name"),
            "flows": None,
            "sources": sorted({s for r in rows for s in r.get("sources") or []}),
        })
    totals: dict[tuple[Any, Any], list[dict[str, Any]]] = defaultdict(list)
    for row in flows:
        if isinstance(row["amount"], int | float) and not isinstance(row["amount"], bool):
            totals[(row["currency"], row["stage"])].append(row)
    for (currency, stage), rows in totals.items():
        flows.append({"kind": "total", "currency": currency, "stage": stage,
                      "amount": _exact_sum(r["amount"] for r in rows), "flows": len(rows),
                      "sources": sorted({s for r in rows for s in r["sources"]})})
    return flows


def relations(ctx: QueryContext) -> list[dict[str, Any]]:
    """``relations``: breadth-first over direct edges, up to ``depth`` steps from the actor.

    The walk fetches only the edges (fact, relation, ends); details and names are fetched
    once at the end, for the edges listed.
    """
    actor = ctx.params["actor"]
    wanted = upper_snake(ctx.params["type"]) if ctx.params.get("type") else None
    seen = {actor}
    frontier = [actor]
    found: dict[tuple[Any, ...], tuple[dict[str, Any], int]] = {}
    for depth in range(1, int(ctx.params.get("depth") or 1) + 1):
        if not frontier:
            break
        following: set[str] = set()
        for link in fetch_links(ctx, frontier):
            if wanted and link.get("relation") != wanted:
                continue
            key = _edge_key(link)
            if key in found:
                continue
            found[key] = (link, depth)
            for node in (link.get("src"), link.get("dst")):
                if isinstance(node, str) and node not in seen:
                    seen.add(node)
                    following.add(node)
        frontier = sorted(following)
    keys = list(found)
    edges = _with_details(ctx, [found[k][0] for k in keys])
    return [_edge_row(edge, depth=found[k][1]) for k, edge in zip(keys, edges, strict=True)]


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
    matched: list[tuple[dict[str, Any], str, str]] = []
    for link in fetch_links(ctx, sides[0]):
        src, dst = link.get("src"), link.get("dst")
        if src == dst:
            continue
        for first, second, names in ((0, 1, ("A", "B")), (1, 0, ("B", "A"))):
            if src in sides[first] and dst in sides[second]:
                matched.append((link, f"{names[0]} {sides[first][src]}",
                                f"{names[1]} {sides[second][dst]}"))
                break
    edges = _with_details(ctx, [link for link, _, _ in matched])
    return [_edge_row(edge, from_side=from_side, to_side=to_side)
            for edge, (_, from_side, to_side) in zip(edges, matched, strict=True)]


class DirectGraph:
    """The graph of direct relationships as plain edges ``(src, dst, fact)``, deduplicated.

    Built once per state of the data (see :meth:`~policykg.queries.Backend.cached`); networkx
    graphs are made from it when a measure is computed.
    """

    def __init__(self, rows: Iterable[Mapping[str, Any]]) -> None:
        edges = {(str(r["src"]), str(r["dst"]), r.get("fact")) for r in rows}
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
        """pagerank (directed, parallel edges add weight), betweenness or degree (undirected)."""
        multi = self.multigraph()
        if measure == "pagerank":
            return pagerank(multi)
        simple = nx.Graph()
        simple.add_nodes_from(sorted(multi.nodes()))
        simple.add_edges_from(sorted((u, v) for u, v in multi.edges() if u != v))
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
                                lambda: DirectGraph(ctx.fetch("all_edges")))
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

