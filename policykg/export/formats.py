"""Writers: a view graph (see :mod:`policykg.export.select`) to bytes in one format.

Each writer takes the view graph and an :class:`ExportContext` and returns the file's bytes, or
``{file name: bytes}`` for formats that are several files (CSV). Lists and dictionaries (``types``,
``altLabel``, ``evidence``) become JSON text in formats whose attributes are scalars (GEXF, GraphML,
CSV, Cypher maps).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx
import pyoxigraph as ox

from policykg.export.select import GraphReader
from policykg.graph.store import PREFIXES

__all__ = [
    "ExportContext",
    "type_colour",
    "scalar",
    "write_gexf",
    "write_graphml",
    "write_cytoscape",
    "write_node_link",
    "write_csv",
    "write_dot",
    "write_turtle",
    "write_jsonld",
    "write_trig",
    "write_cypher",
    "cypher_string",
    "cypher_identifier",
    "rdf_quads",
]


@dataclass
class ExportContext:
    """What writers may need besides the view: the reader that built it (for RDF)."""

    reader: GraphReader | None = None
    title: str = "policykg subgraph"


# ------------------------------------------------------------------------------ shared helpers

#: Colours of the common types (colour-blind-friendly Okabe-Ito / Tol hues); others are hashed.
TYPE_COLOURS = {
    "Person": "#E69F00",
    "Organization": "#56B4E9",
    "GovernmentAgency": "#0072B2",
    "Legislature": "#332288",
    "PoliticalParty": "#AA4499",
    "NGO": "#009E73",
    "ResearchInstitute": "#44AA99",
    "Company": "#882255",
    "MediaOutlet": "#999933",
    "InternationalOrganization": "#117733",
    "Country": "#D55E00",
    "Jurisdiction": "#CC6677",
    "Policy": "#CC79A7",
    "Law": "#AA3377",
    "ExecutiveOrder": "#EE6677",
    "Agreement": "#BB5566",
    "Program": "#F0E442",
    "Event": "#88CCEE",
    "Observation": "#BBBBBB",
    "Post": "#DDCC77",
}


def type_colour(type_name: str) -> str:
    """A stable ``#rrggbb`` colour for a type name."""
    if type_name in TYPE_COLOURS:
        return TYPE_COLOURS[type_name]
    digest = hashlib.sha256(type_name.encode()).digest()
    r, g, b = (64 + digest[i] % 160 for i in range(3))
    return f"#{r:02X}{g:02X}{b:02X}"


def scalar(value: Any) -> Any:
    """A scalar for formats without lists: lists and dicts become JSON text."""
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def _attribute_types(items: Iterable[Mapping[str, Any]]) -> dict[str, type]:
    """One Python type per attribute (int+float -> float; any other mix -> str)."""
    seen: dict[str, set[type]] = {}
    for data in items:
        for k, v in data.items():
            seen.setdefault(k, set()).add(type(scalar(v)))
    result: dict[str, type] = {}
    for k, kinds in seen.items():
        if len(kinds) == 1:
            result[k] = next(iter(kinds))
        elif kinds <= {int, float}:
            result[k] = float
        else:
            result[k] = str
    return result


def _coerce(value: Any, kind: type) -> Any:
    value = scalar(value)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if kind is str and not isinstance(value, str):
        return json.dumps(value) if isinstance(value, bool) else str(value)
    return value


def _flat_copy(view: nx.MultiDiGraph, *, rename_edge: Mapping[str, str] | None = None,
               skip_node: Iterable[str] = (), skip_edge: Iterable[str] = ()) -> nx.MultiDiGraph:
    """A copy of the view with scalar, consistently typed attributes."""
    rename_edge = rename_edge or {}
    skip_n, skip_e = set(skip_node), set(skip_edge)
    node_types = _attribute_types(d for _, d in view.nodes(data=True))
    edge_types = _attribute_types(d for _, _, d in view.edges(data=True))
    flat = nx.MultiDiGraph()
    for n, d in view.nodes(data=True):
        flat.add_node(n, **{k: _coerce(v, node_types[k]) for k, v in d.items() if k not in skip_n})
    for u, v, key, d in view.edges(keys=True, data=True):
        attrs = {rename_edge.get(k, k): _coerce(val, edge_types[k])
                 for k, val in d.items() if k not in skip_e}
        flat.add_edge(u, v, key=key, **attrs)
    return flat


def _hex_rgb(colour: str) -> dict[str, int]:
    return {"r": int(colour[1:3], 16), "g": int(colour[3:5], 16), "b": int(colour[5:7], 16)}


# ------------------------------------------------------------------------------------- GEXF

_GEXF_XSI = "http://www.w3.org/2001/XMLSchema-instance"


def write_gexf(view: nx.MultiDiGraph, ctx: ExportContext) -> bytes:
    """GEXF 1.3 for Gephi: typed attributes, ``viz:color`` per type, start/end for the timeline.

    networkx writes GEXF 1.3; its ``xsi`` namespace is then corrected and each edge gets the 1.3
    ``kind`` attribute (its relationship type) with xml.etree.
    """
    flat = _flat_copy(view, rename_edge={"type": "relationship"})
    degrees = dict(view.degree())
    for n, d in flat.nodes(data=True):
        d["viz"] = {"color": {**_hex_rgb(type_colour(str(d.get("type", "")))), "a": 1.0},
                    "size": 5.0 + min(degrees.get(n, 0), 40) / 2}
    for _, _, key, d in flat.edges(keys=True, data=True):
        d["id"] = key
        d["label"] = d["relationship"]
    flat.graph["name"] = ctx.title
    writer = nx.readwrite.gexf.GEXFWriter(version="1.3", prettyprint=False)
    writer.add_graph(flat)
    root = writer.xml
    root.set("xmlns:xsi", _GEXF_XSI)  # networkx 3.x writes "http://w3.org/2001/..." for 1.3
    edges_el = writer.graph_element.find("edges")
    if edges_el is not None:
        kinds = [d["relationship"] for _, _, d in flat.edges(data=True)]
        for element, kind in zip(edges_el.findall("edge"), kinds, strict=True):
            element.set("kind", str(kind))
    meta = root.find("meta")
    if meta is not None:
        ET.SubElement(meta, "description").text = str(view.graph.get("selection", ""))
    buffer = io.BytesIO()
    ET.ElementTree(root).write(buffer, encoding="utf-8", xml_declaration=True)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------- GraphML


def write_graphml(view: nx.MultiDiGraph, ctx: ExportContext) -> bytes:
    """GraphML (networkx's writer); lists and evidence as JSON text."""
    flat = _flat_copy(view)
    flat.graph["name"] = ctx.title
    flat.graph["selection"] = str(view.graph.get("selection", ""))
    flat.graph["sources"] = scalar(view.graph.get("sources", []))
    buffer = io.BytesIO()
    nx.write_graphml_xml(flat, buffer, encoding="utf-8", named_key_ids=True)
    return buffer.getvalue()


# ------------------------------------------------------------------------------------- JSON


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _graph_meta(view: nx.MultiDiGraph, ctx: ExportContext) -> dict[str, Any]:
    return {"name": ctx.title, "selection": view.graph.get("selection", ""),
            "sources": view.graph.get("sources", []),
            "truncated": bool(view.graph.get("truncated", False))}


def write_cytoscape(view: nx.MultiDiGraph, ctx: ExportContext) -> bytes:
    """Cytoscape.js elements JSON (``{"data": ..., "elements": {"nodes", "edges"}}``)."""
    nodes = [{"data": {"id": n, **d, "colour": type_colour(str(d.get("type", "")))}}
             for n, d in view.nodes(data=True)]
    edges = [{"data": {"id": key, "source": u, "target": v, **d}}
             for u, v, key, d in view.edges(keys=True, data=True)]
    return _json({"data": _graph_meta(view, ctx), "directed": True, "multigraph": True,
                  "elements": {"nodes": nodes, "edges": edges}})


def write_node_link(view: nx.MultiDiGraph, ctx: ExportContext) -> bytes:
    """Node-link JSON for D3 (``nodes`` with ``id``, ``links`` with ``source``/``target``)."""
    data = nx.node_link_data(view, edges="links", key="key")
    data["graph"] = _graph_meta(view, ctx)
    return _json(data)


# -------------------------------------------------------------------------------------- CSV


def _csv_table(header: list[str], rows: Iterable[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else scalar(v) for v in row])
    return buffer.getvalue().encode("utf-8")


def write_csv(view: nx.MultiDiGraph, ctx: ExportContext) -> dict[str, bytes]:
    """``nodes.csv`` and ``edges.csv``; lists and evidence as JSON text."""
    node_first = ["id", "label", "type", "types", "uri"]
    node_rest = sorted({k for _, d in view.nodes(data=True) for k in d} - set(node_first))
    node_cols = node_first + node_rest
    edge_first = ["id", "source", "target", "type", "fact", "start", "end"]
    edge_rest = sorted({k for _, _, d in view.edges(data=True) for k in d} - set(edge_first))
    edge_cols = edge_first + edge_rest
    nodes = _csv_table(node_cols, ([n, *(d.get(c) for c in node_cols[1:])]
                                   for n, d in view.nodes(data=True)))
    edges = _csv_table(edge_cols, ([k, u, v, *(d.get(c) for c in edge_cols[3:])]
                                   for u, v, k, d in view.edges(keys=True, data=True)))
    return {"nodes.csv": nodes, "edges.csv": edges}


# -------------------------------------------------------------------------------------- DOT


def dot_string(text: Any) -> str:
    """A DOT double-quoted string: backslash, quote and line breaks escaped."""
    value = str(text).replace("\\", "\\\\").replace('"', '\\"')
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return f'"{value}"'


_DOT_EDGE_ATTRS = ("fact", "start", "end", "amount", "currency", "role")


def write_dot(view: nx.MultiDiGraph, ctx: ExportContext) -> bytes:
    """Graphviz DOT: nodes ``n0..`` labelled and coloured by type, edges labelled by type."""
    ids = {n: f"n{i}" for i, n in enumerate(view.nodes)}
    lines = [f"digraph {dot_string(ctx.title)} {{",
             "  graph [overlap=false, splines=true];",
             '  node [shape=ellipse, style=filled, fontname="Helvetica"];',
             '  edge [fontname="Helvetica", fontsize=9];']
    for n, d in view.nodes(data=True):
        attrs = {"label": d.get("label", n), "URL": d.get("uri", n),
                 "tooltip": d.get("type", ""), "fillcolor": type_colour(str(d.get("type", "")))}
        lines.append(f"  {ids[n]} [{_dot_attrs(attrs)}];")
    for u, v, d in view.edges(data=True):
        attrs = {"label": d.get("type", "")}
        attrs.update({k: d[k] for k in _DOT_EDGE_ATTRS if k in d})
        lines.append(f"  {ids[u]} -> {ids[v]} [{_dot_attrs(attrs)}];")
    lines.append("}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _dot_attrs(attrs: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={dot_string(scalar(v))}" for k, v in attrs.items())


# -------------------------------------------------------------------------------------- RDF


def rdf_quads(view: nx.MultiDiGraph, reader: GraphReader) -> list[ox.Quad]:
    """The original quads of the view's entities and facts, their evidence and their sources."""
    subjects: dict[str, None] = dict.fromkeys(str(n) for n in view.nodes)
    for _, _, d in view.edges(data=True):
        if "fact" in d:
            subjects.setdefault(str(d["fact"]), None)
    reader.describe(subjects)
    evidence_iris = [o.value for s in list(subjects) for p, o, _ in reader.out.get(s, ())
                     if p.endswith("#evidence") and isinstance(o, ox.NamedNode)]
    reader.describe(evidence_iris)
    for ev in evidence_iris:
        subjects.setdefault(ev, None)
    source_graphs = {str(s["uri"]) for s in view.graph.get("sources", [])}
    reader.describe(source_graphs)
    for g in sorted(source_graphs):
        subjects.setdefault(g, None)
    # Each subject's quads are read once and are distinct: no deduplication needed here.
    quads: list[ox.Quad] = []
    predicates: dict[str, ox.NamedNode] = {}
    graphs: dict[str, ox.NamedNode] = {}
    for s in subjects:
        subject = ox.NamedNode(s)
        for p, o, g in reader.out.get(s, ()):
            pred = predicates.get(p) or predicates.setdefault(p, ox.NamedNode(p))
            graph = graphs.get(g) or graphs.setdefault(g, ox.NamedNode(g))
            quads.append(ox.Quad(subject, pred, o, graph))
    return quads


def _rdf(view: nx.MultiDiGraph, ctx: ExportContext, fmt: ox.RdfFormat, quads: bool) -> bytes:
    if ctx.reader is None:
        raise ValueError("RDF export needs the reader the view was built with")
    data = rdf_quads(view, ctx.reader)
    if quads:
        result = ox.serialize(data, format=fmt, prefixes=PREFIXES)
    else:
        # The same triple stated by two sources is one triple: an in-memory store merges them.
        merged = ox.Store()
        merged.bulk_extend(ox.Quad(q.subject, q.predicate, q.object) for q in data)
        result = merged.dump(format=fmt, from_graph=ox.DefaultGraph(), prefixes=PREFIXES)
    return bytes(result or b"")


def write_turtle(view: nx.MultiDiGraph, ctx: ExportContext) -> bytes:
    """Turtle: the original triples of the selected entities and facts."""
    return _rdf(view, ctx, ox.RdfFormat.TURTLE, quads=False)


def write_jsonld(view: nx.MultiDiGraph, ctx: ExportContext) -> bytes:
    """JSON-LD: the original triples of the selected entities and facts."""
    return _rdf(view, ctx, ox.RdfFormat.JSON_LD, quads=False)


def write_trig(view: nx.MultiDiGraph, ctx: ExportContext) -> bytes:
    """TriG: like Turtle, each triple in the graph of the source that states it."""
    return _rdf(view, ctx, ox.RdfFormat.TRIG, quads=True)


# ----------------------------------------------------------------------------------- Cypher

_CYPHER_IDENT = re.compile(r"[^A-Za-z0-9_]")


def cypher_identifier(name: str) -> str:
    """A backtick-quoted identifier: only letters, digits and ``_`` kept, never empty."""
    clean = _CYPHER_IDENT.sub("_", name) or "_"
    if clean[0].isdigit():
        clean = "_" + clean
    return f"`{clean}`"


def cypher_string(text: str) -> str:
    """A double-quoted Cypher string literal (JSON escaping, which Cypher reads the same way)."""
    return json.dumps(text, ensure_ascii=False).replace("\u2028", "\\u2028").replace(
        "\u2029", "\\u2029")


def cypher_value(value: Any) -> str:
    """A Cypher literal for a property value (lists of one scalar type kept as lists)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else cypher_string(str(value))
    if isinstance(value, list):
        kinds = {type(v) for v in value}
        if value and len(kinds) == 1 and kinds <= {str, int, float, bool}:
            return "[" + ", ".join(cypher_value(v) for v in value) + "]"
        return cypher_string(json.dumps(value, ensure_ascii=False, sort_keys=True))
    if isinstance(value, dict):
        return cypher_string(json.dumps(value, ensure_ascii=False, sort_keys=True))
    return cypher_string(str(value))


def _cypher_map(attrs: Mapping[str, Any]) -> str:
    return "{" + ", ".join(f"{cypher_identifier(k)}: {cypher_value(v)}"
                           for k, v in attrs.items()) + "}"


#: The label every exported node gets (with its type labels), and the key it is merged on.
CYPHER_LABEL = "PolicyKGExport"


def write_cypher(view: nx.MultiDiGraph, ctx: ExportContext) -> bytes:
    """A Cypher script that recreates the view: one statement per line, ``;``-terminated.

    Nodes are merged on ``uri`` under the label ``PolicyKGExport`` plus one label per type;
    relationships are merged on ``key`` (the fact IRI, or subject|property|object), so running
    the script twice changes nothing.
    """
    label = cypher_identifier(CYPHER_LABEL)
    lines = [
        f"// {ctx.title}: {view.graph.get('selection', '')}".replace("\n", " "),
        f"// {view.number_of_nodes()} nodes, {view.number_of_edges()} relationships",
        f"CREATE CONSTRAINT policykg_export_uri IF NOT EXISTS FOR (n:{label}) "
        "REQUIRE n.uri IS UNIQUE;",
    ]
    for n, d in view.nodes(data=True):
        labels = "".join(f":{cypher_identifier(t)}" for t in d.get("types", []) or ["Entity"])
        props = {k: v for k, v in d.items() if k != "uri"}
        lines.append(f"MERGE (n:{label} {{uri: {cypher_string(str(n))}}}) "
                     f"SET n{labels} SET n += {_cypher_map(props)};")
    for u, v, key, d in view.edges(keys=True, data=True):
        rel = cypher_identifier(str(d.get("type", "RELATED_TO")))
        props = {k: val for k, val in d.items() if k != "type"}
        lines.append(
            f"MATCH (a:{label} {{uri: {cypher_string(str(u))}}}) "
            f"MATCH (b:{label} {{uri: {cypher_string(str(v))}}}) "
            f"MERGE (a)-[r:{rel} {{key: {cypher_string(str(key))}}}]->(b) "
            f"SET r += {_cypher_map(props)};")
    return ("\n".join(lines) + "\n").encode("utf-8")
