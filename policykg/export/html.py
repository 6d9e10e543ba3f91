"""A self-contained HTML page that draws a view graph as SVG, offline.

Besides the view the page embeds one more ring of neighbours (``embed_neighbours``, at most
``EXPAND_LIMIT`` nodes, under the same filters), hidden until a click on a node expands it; the
script draws parallel facts apart, collapses large groups, filters by type, source and time
(see ``view.js``).

The layout is computed here (a force-directed layout in pure Python, seeded, so the same view
gives the same picture; networkx's own layouts need numpy, which policykg does not depend on;
above ``FORCE_LAYOUT_LIMIT`` nodes, one disc per type).
The page embeds its data as JSON in ``<script type="application/json">`` with ``<``, ``>``, ``&``
and U+2028/2029 escaped, its script (``view.js``) and style (``view.css``) inline, and a
Content-Security-Policy that allows only those two, by hash: nothing is loaded from anywhere.
The script puts every name into the page with ``textContent``.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import random
from collections import Counter
from importlib import resources
from typing import Any

import networkx as nx

from policykg.export.formats import ExportContext, type_colour
from policykg.export.select import Filters, GraphReader, gc_paused, walk_neighbours

__all__ = ["layout", "write_html", "page_json", "embed_neighbours", "LABEL_LIMIT",
           "FORCE_LAYOUT_LIMIT", "EXPAND_LIMIT", "EXPAND_PER_NODE"]

WIDTH = 1600.0
HEIGHT = 1000.0
#: Up to this many nodes every label is drawn; above it only search matches are labelled.
LABEL_LIMIT = 400
#: At most this many nodes beyond the view are embedded for expanding; views larger than this
#: embed none (the page would be slow to open, and the view is already more than one can read).
EXPAND_LIMIT = 1500
#: Without ``--max-degree``, at most this many hidden neighbours are embedded per node.
EXPAND_PER_NODE = 60
_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{css}</style>
</head>
<body>
<header>
  <h1>{title}</h1>
  <input id="search" type="search" placeholder="Search by name…" aria-label="Search by name"
         autocomplete="off">
  <span id="search-status" role="status"></span>
  <span id="summary"></span>
  <button id="reset" type="button">Reset</button>
  <div id="time" class="control"><span>Dates</span>
    <input id="time-from" type="range" aria-label="From date">
    <input id="time-to" type="range" aria-label="To date">
    <output id="time-label"></output></div>
  <details class="control"><summary>Sources</summary><ul id="source-filters"></ul></details>
  <ul id="legend" aria-label="Node types (untick to hide)"></ul>
</header>
<main>
  <svg id="canvas" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="graph"></svg>
</main>
<aside id="panel" aria-live="polite"><p>Click a node to open its neighbours and see its
properties; click a relationship for its evidence and sources; click a group or a thick line to
open it. Filter with the dates, sources and types above; search with the box, or open this page
with <code>#q=name</code>.</p>
</aside>
<script id="graph-data" type="application/json">{data}</script>
<script>{js}</script>
</body>
</html>
"""


def _asset(name: str) -> str:
    return resources.files("policykg.export").joinpath(name).read_text(encoding="utf-8")


# ------------------------------------------------------------------------------------ layout


def _component_layout(size: int, edges: list[tuple[int, int]], rng: random.Random,
                      iterations: int) -> tuple[list[float], list[float]]:
    """Fruchterman-Reingold with grid-limited repulsion, ideal edge length 1."""
    if size == 1:
        return [0.0], [0.0]
    side = math.sqrt(size) * 1.6
    xs = [rng.uniform(0, side) for _ in range(size)]
    ys = [rng.uniform(0, side) for _ in range(size)]
    cell = 2.0
    temperature = side / 8
    cooling = (0.02 / 8) ** (1 / max(iterations, 1))
    centre = side / 2
    for _ in range(iterations):
        dx = [0.0] * size
        dy = [0.0] * size
        grid: dict[tuple[int, int], list[int]] = {}
        for i in range(size):
            grid.setdefault((int(xs[i] // cell), int(ys[i] // cell)), []).append(i)
        for (cx, cy), members in grid.items():
            near = [j for ox in (-1, 0, 1) for oy in (-1, 0, 1)
                    for j in grid.get((cx + ox, cy + oy), ())]
            for i in members:
                xi, yi = xs[i], ys[i]
                fx = fy = 0.0
                for j in near:
                    if j == i:
                        continue
                    ddx, ddy = xi - xs[j], yi - ys[j]
                    d2 = ddx * ddx + ddy * ddy
                    if d2 < 4.0:
                        if d2 < 1e-6:
                            ddx, ddy, d2 = rng.uniform(-0.01, 0.01), 0.01, 1e-4
                        fx += ddx / d2
                        fy += ddy / d2
                dx[i] += fx
                dy[i] += fy
        for i, j in edges:
            ddx, ddy = xs[i] - xs[j], ys[i] - ys[j]
            d = math.sqrt(ddx * ddx + ddy * ddy)
            fx, fy = ddx * d, ddy * d
            dx[i] -= fx
            dy[i] -= fy
            dx[j] += fx
            dy[j] += fy
        for i in range(size):
            gx, gy = dx[i] + (centre - xs[i]) * 0.05, dy[i] + (centre - ys[i]) * 0.05
            length = math.sqrt(gx * gx + gy * gy)
            if length > 0:
                step = min(length, temperature) / length
                xs[i] += gx * step
                ys[i] += gy * step
        temperature *= cooling
    return xs, ys


def _sunflower(size: int) -> tuple[list[float], list[float]]:
    """``size`` points on a golden-angle spiral, about one unit apart, the first at the centre."""
    golden = math.pi * (3 - math.sqrt(5))
    radii = [math.sqrt(i + 0.5) * 0.6 for i in range(size)]
    return ([r * math.cos(i * golden) for i, r in enumerate(radii)],
            [r * math.sin(i * golden) for i, r in enumerate(radii)])


def _type_groups(view: nx.MultiDiGraph,
                 nodes: list[Any]) -> list[tuple[list[Any], list[float], list[float], float]]:
    """One disc per type (largest first), its best-connected nodes at the centre."""
    degree = dict(view.degree())
    groups: dict[str, list[Any]] = {}
    for n in nodes:
        groups.setdefault(str(view.nodes[n].get("type", "")), []).append(n)
    placed = []
    for _, members in sorted(groups.items(), key=lambda tm: (-len(tm[1]), tm[0])):
        members.sort(key=lambda n: -degree.get(n, 0))  # stable: ties keep the view's order
        xs, ys = _sunflower(len(members))
        minx, miny = min(xs), min(ys)
        xs = [x - minx for x in xs]
        ys = [y - miny for y in ys]
        placed.append((members, xs, ys, max(max(xs), max(ys), 1.0)))
    return placed


#: Above this many nodes the force layout would get 3 iterations or fewer (its work is bounded),
#: which leaves nodes where they started: a random square. Bigger views are laid out by type
#: instead (one disc per type, best-connected nodes at its centre), in well under a second.
FORCE_LAYOUT_LIMIT = 20_000


def layout(view: nx.MultiDiGraph, *, seed: int = 42) -> dict[Any, tuple[float, float]]:
    """Positions in a ``WIDTH`` x ``HEIGHT`` box: each connected component laid out on its own,
    largest first, packed in rows; iterations shrink as the graph grows (bounded work). Above
    ``FORCE_LAYOUT_LIMIT`` nodes, one disc per type instead (see there)."""
    nodes = list(view.nodes)
    if not nodes:
        return {}
    if len(nodes) > FORCE_LAYOUT_LIMIT:
        return _pack(_type_groups(view, nodes))
    rng = random.Random(seed)
    undirected = nx.Graph()
    undirected.add_nodes_from(nodes)
    undirected.add_edges_from((u, v) for u, v in view.edges() if u != v)
    order = {n: i for i, n in enumerate(nodes)}
    components = sorted((sorted(c, key=order.__getitem__)
                         for c in nx.connected_components(undirected)),
                        key=lambda c: (-len(c), order[c[0]]))
    total = len(nodes)
    iterations = max(3, min(120, 1_500_000 // (total * 25)))
    placed: list[tuple[list[Any], list[float], list[float], float]] = []
    singles: list[Any] = []
    for comp in components:
        if len(comp) == 1:
            singles.append(comp[0])
            continue
        index = {n: i for i, n in enumerate(comp)}
        edges = [(index[u], index[v]) for u, v in undirected.subgraph(comp).edges()]
        xs, ys = _component_layout(len(comp), edges, rng, iterations)
        minx, miny = min(xs), min(ys)
        xs = [x - minx for x in xs]
        ys = [y - miny for y in ys]
        placed.append((comp, xs, ys, max(max(xs), max(ys), 1.0)))
    if singles:
        cols = max(1, math.ceil(math.sqrt(len(singles))))
        xs = [float(i % cols) * 1.5 for i in range(len(singles))]
        ys = [float(i // cols) * 1.5 for i in range(len(singles))]
        placed.append((singles, xs, ys, max(max(xs), max(ys), 1.0)))
    return _pack(placed)


def _pack(placed: list[tuple[list[Any], list[float], list[float], float]]
          ) -> dict[Any, tuple[float, float]]:
    """Boxes of laid-out nodes packed in rows, scaled into the page."""
    # Shelf packing: rows of boxes, row width about the square root of the total area.
    area = sum((extent + 2) ** 2 for *_, extent in placed)
    row_width = max(math.sqrt(area) * 1.2, max(extent + 2 for *_, extent in placed))
    positions: dict[Any, tuple[float, float]] = {}
    x_off = y_off = row_height = 0.0
    for comp, xs, ys, extent in placed:
        box = extent + 2
        if x_off > 0 and x_off + box > row_width:
            x_off, y_off, row_height = 0.0, y_off + row_height, 0.0
        for n, x, y in zip(comp, xs, ys, strict=True):
            positions[n] = (x + x_off + 1, y + y_off + 1)
        x_off += box
        row_height = max(row_height, box)
    maxx = max(p[0] for p in positions.values()) + 1
    maxy = max(p[1] for p in positions.values()) + 1
    scale = min((WIDTH - 80) / maxx, (HEIGHT - 80) / maxy)
    return {n: (round(40 + x * scale, 2), round(40 + y * scale, 2))
            for n, (x, y) in positions.items()}


# -------------------------------------------------------------------------------------- page


def page_json(data: Any) -> str:
    """JSON safe inside ``<script>``: ``<``, ``>``, ``&``, U+2028 and U+2029 escaped."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode() + "'"


def embed_neighbours(view: nx.MultiDiGraph, reader: GraphReader, filters: Filters | None,
                     limit: int = EXPAND_LIMIT) -> nx.MultiDiGraph:
    """The view plus the neighbours of its nodes (one ring, under ``filters``, at most
    ``limit`` new nodes; per node at most ``--max-degree`` or ``EXPAND_PER_NODE``), with the
    edges that touch them. The view's own nodes and edges are kept as they are; a node whose
    neighbours were not all embedded says how many are missing in ``omittedNeighbours``."""
    if view.number_of_nodes() == 0 or view.number_of_nodes() > limit:
        return view
    base = filters or Filters()
    walk = Filters(since=base.since, until=base.until, keep_undated=base.keep_undated,
                   node_types=base.node_types, rel_types=base.rel_types,
                   max_degree=base.max_degree or EXPAND_PER_NODE,
                   exclude_sources=base.exclude_sources)
    seen = set(view.nodes)
    omitted: dict[str, int] = {}
    extra: list[str] = []
    with gc_paused():
        for node in list(view.nodes):
            for other in walk_neighbours(reader, node, walk, seen, omitted):
                if len(extra) >= limit:
                    omitted[node] = omitted.get(node, 0) + 1
                    continue
                seen.add(other)
                extra.append(other)
        wider = view.copy()
        for node, count in omitted.items():
            wider.nodes[node]["omittedNeighbours"] = count
        if not extra:
            return wider
        reader.describe(extra)
        for iri in extra:
            wider.add_node(iri, **reader.node_attrs(iri), embedded=True)
        added = set(extra)
        for u, v, key, attrs in reader.edges_among(extra, seen, touching=True):
            # A fact between two of the view's nodes is already drawn (perhaps under another
            # key: a fact's edge keys count the ends present), so only edges to new nodes.
            if ((u in added or v in added) and not wider.has_edge(u, v, key)
                    and walk.edge_ok(attrs)):
                wider.add_edge(u, v, key=key, embedded=True, **attrs)
        cited = {s for _, d in wider.nodes(data=True) for s in d.get("sources", ())}
        cited |= {s for _, _, d in wider.edges(data=True) for s in d.get("sources", ())}
        wider.graph["sources"] = sorted((s for s in reader.sources().values()
                                         if s["key"] in cited), key=lambda s: str(s["key"]))
    return wider


def _page_data(view: nx.MultiDiGraph, ctx: ExportContext) -> dict[str, Any]:
    shown = [n for n, d in view.nodes(data=True) if not d.get("embedded")]
    positions = layout(view.subgraph(shown)) if len(shown) < view.number_of_nodes() \
        else layout(view)
    index = {n: i for i, n in enumerate(view.nodes)}
    degree = dict(view.degree())
    hidden = ("evidence", "uri", "label", "embedded", "sources")
    nodes = []
    for n, d in view.nodes(data=True):
        x, y = positions.get(n, (None, None))
        names = d.get("altLabel", [])
        nodes.append({
            "id": str(n), "uri": str(d.get("uri", n)), "label": str(d.get("label", n)),
            "type": str(d.get("type", "")), "colour": type_colour(str(d.get("type", ""))),
            "x": x, "y": y, "r": round(4 + min(math.sqrt(degree.get(n, 0)) * 1.5, 12), 1),
            "shown": not d.get("embedded", False), "sources": d.get("sources", []),
            "omitted": int(d.get("omittedNeighbours", 0)),
            "names": names if isinstance(names, list) else [names],
            "evidence": d.get("evidence", []),
            "props": {k: v for k, v in d.items() if k not in hidden},
        })
    edges = [{"s": index[u], "t": index[v], "key": str(k), "type": str(d.get("type", "")),
              "start": d.get("start"), "end": d.get("end"), "sources": d.get("sources", []),
              "evidence": d.get("evidence", []),
              "props": {key: val for key, val in d.items()
                        if key not in ("evidence", "embedded", "sources")}}
             for u, v, k, d in view.edges(keys=True, data=True)]
    counts = Counter(str(d.get("type", "")) for _, d in view.nodes(data=True))
    types = [{"type": t, "colour": type_colour(t), "count": c}
             for t, c in sorted(counts.items(), key=lambda tc: (-tc[1], tc[0]))]
    return {"title": ctx.title, "selection": view.graph.get("selection", ""),
            "truncated": bool(view.graph.get("truncated", False)),
            "width": WIDTH, "height": HEIGHT, "labelLimit": LABEL_LIMIT,
            "nodes": nodes, "edges": edges, "types": types,
            "sources": view.graph.get("sources", [])}


def write_html(view: nx.MultiDiGraph, ctx: ExportContext) -> bytes:
    """The self-contained page (see the module docstring)."""
    if ctx.reader is not None:
        view = embed_neighbours(view, ctx.reader, ctx.filters)
    js, css = _asset("view.js"), _asset("view.css")
    csp = "; ".join([
        "default-src 'none'",
        f"script-src {_csp_hash(js)}",
        f"style-src {_csp_hash(css)}",
        "img-src data:",
        "base-uri 'none'",
        "form-action 'none'",
    ])
    page = _TEMPLATE.format(csp=html.escape(csp, quote=False), title=html.escape(ctx.title),
                            css=css, js=js, data=page_json(_page_data(view, ctx)))
    return page.encode("utf-8")
