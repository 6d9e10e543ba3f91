"""Writers: a view graph (see :mod:`policykg.export.select`) to bytes in one format.

Each writer takes the view graph and an :class:`ExportContext` and returns the file's bytes, or
``{file name: bytes}`` for formats that are several files (CSV). Lists and dictionaries (``types``,
``altLabel``, ``evidence``) become JSON text in formats whose attributes are scalars (GEXF, GraphML,
CSV, Cypher maps).
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import networkx as nx

from policykg.export.select import Filters, GraphReader
from policykg.output import csv_cell, csv_text, terminal_text

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
]


@dataclass
class ExportContext:
    """What writers may need besides the view: the reader that built it (for RDF) and the
    filters it was selected with (the HTML page embeds neighbours beyond the view under them)."""

    reader: GraphReader | None = None
    title: str = "policykg subgraph"
    filters: Filters | None = None


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
        return _JSON_SORTED(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


#: ``json.dumps(value, ensure_ascii=False, sort_keys=True)`` without a new encoder per call.
_JSON_SORTED = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode


def _scalar_type(value: Any) -> type:
    """The Python type of ``scalar(value)``, without building the JSON text."""
    if isinstance(value, list | tuple | dict):
        return str
    if isinstance(value, float) and not math.isfinite(value):
        return str
    kind = type(value)
    return kind if kind in (str, int, float, bool) else str


def _attribute_types(items: Iterable[Mapping[str, Any]]) -> dict[str, type]:
    """One Python type per attribute (int+float -> float; any other mix -> str), keys in the
    order they first occur."""
    seen: dict[str, set[type]] = {}
    for data in items:
        for k, v in data.items():
            kinds = seen.get(k)
            if kinds is None:
                seen[k] = {_scalar_type(v)}
            else:
                kinds.add(_scalar_type(v))
    result: dict[str, type] = {}
    for k, kinds in seen.items():
        if len(kinds) == 1:
            result[k] = next(iter(kinds))
        elif kinds <= {int, float}:
            result[k] = float
        else:
            result[k] = str
    return result


def _typed_text(value: Any, kind: type) -> str:
    """The text of a value in a column of type ``kind`` (see :func:`_attribute_types`)."""
    if kind is str:
        if isinstance(value, str):
            return value
        value = scalar(value)
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is float:
        return repr(float(value))
    return str(value)


def _hex_rgb(colour: str) -> dict[str, int]:
    return {"r": int(colour[1:3], 16), "g": int(colour[3:5], 16), "b": int(colour[5:7], 16)}


# -------------------------------------------------------------------------------------- XML
#
# GEXF and GraphML are streamed: networkx's writers build an ElementTree of every node, edge
# and attribute value (about a million elements at 50,000 nodes) and serialize it in pure
# Python, which took 8-10 s. Here each element is one formatted string; every attribute value
# goes through xml.sax.saxutils.quoteattr and every text through xml.sax.saxutils.escape (the
# functions xml.sax's XMLGenerator uses), names are constants of this module. Characters that
# XML 1.0 cannot hold at all (C0 controls but tab and line breaks, lone surrogates, U+FFFE/F)
# become U+FFFD. networkx.read_gexf / read_graphml read the files back in the tests.

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_TEXT_ENTITIES = {"\r": "&#13;"}  # a raw CR would be read back as LF


def _xml_attr(value: Any) -> str:
    """A quoted XML attribute value (quotes included)."""
    return quoteattr(_XML_INVALID.sub("\ufffd", str(value)))


def _xml_text(value: Any) -> str:
    """XML character data."""
    return escape(_XML_INVALID.sub("\ufffd", str(value)), _TEXT_ENTITIES)


_XML_DECLARATION = "<?xml version='1.0' encoding='utf-8'?>\n"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"


# ------------------------------------------------------------------------------------- GEXF

_GEXF_NS = "http://gexf.net/1.3"
_GEXF_TYPES = {str: "string", int: "long", float: "double", bool: "boolean"}
#: View attributes GEXF writes as XML attributes of ``<node>``/``<edge>``, not ``attvalue``.
_GEXF_NODE_OWN = frozenset({"label", "start", "end"})
_GEXF_EDGE_OWN = frozenset({"type", "start", "end"})


def write_gexf(view: nx.MultiDiGraph, ctx: ExportContext) -> bytes:
    """GEXF 1.3 for Gephi: typed attributes, ``viz:color`` per type, start/end for the timeline.

    The layout of the file is networkx's (``GEXFWriter(version="1.3")``): label, start and end
    as XML attributes, every other property an ``attvalue`` (lists and evidence as JSON text),
    the relationship type as the edge ``label``, its ``relationship`` attribute and the 1.3
    ``kind``, the multigraph key as ``networkx_key``, so ``networkx.read_gexf`` gives the view
    back. Streamed (see above) with the ``xsi`` namespace networkx gets wrong for 1.3.
    """
    node_types = _attribute_types(d for _, d in view.nodes(data=True))
    edge_types = _attribute_types(d for _, _, d in view.edges(data=True))
    dynamic = bool({"start", "end"} & (node_types.keys() | edge_types.keys()))
    counter = 0
    node_ids: dict[str, tuple[str, type]] = {}
    for k, kind in node_types.items():
        if k not in _GEXF_NODE_OWN:
            node_ids[k] = (str(counter), kind)
            counter += 1
    edge_ids: dict[str, tuple[str, type]] = {}
    # The relationship type is written under "relationship": GEXF's own edge "type" means
    # directed/undirected/mutual.
    for k, kind in [("type", str), *edge_types.items(), ("networkx_key", str)]:
        if k not in edge_ids and (k == "type" or k not in _GEXF_EDGE_OWN):
            edge_ids[k] = (str(counter), kind)
            counter += 1
    edge_titles = {k: ("relationship" if k == "type" else k) for k in edge_ids}

    parts: list[str] = [
        _XML_DECLARATION,
        f'<gexf xmlns="{_GEXF_NS}" xmlns:viz="{_GEXF_NS}/viz" xmlns:xsi="{_XSI}" '
        f'xsi:schemaLocation="{_GEXF_NS} {_GEXF_NS}/gexf.xsd" version="1.3">\n',
        f'<meta lastmodifieddate="{date.today().isoformat()}"><creator>policykg</creator>'
        f'<description>{_xml_text(view.graph.get("selection", ""))}</description></meta>\n',
        f'<graph defaultedgetype="directed" name={_xml_attr(ctx.title)} '
        + ('mode="dynamic" timeformat="date">\n' if dynamic else 'mode="static">\n'),
    ]
    append = parts.append
    for cls, ids, titles in (("node", node_ids, {k: k for k in node_ids}),
                             ("edge", edge_ids, edge_titles)):
        if not ids:
            continue
        append(f'<attributes class="{cls}" mode="static">\n')
        for k, (attr_id, kind) in ids.items():
            append(f'<attribute id="{attr_id}" title={_xml_attr(titles[k])} '
                   f'type="{_GEXF_TYPES[kind]}"/>\n')
        append("</attributes>\n")

    append("<nodes>\n")
    degrees = dict(view.degree())
    colours: dict[str, str] = {}
    for n, d in view.nodes(data=True):
        type_name = str(d.get("type", ""))
        colour = colours.get(type_name)
        if colour is None:
            rgb = _hex_rgb(type_colour(type_name))
            colour = colours[type_name] = (
                f'<viz:color r="{rgb["r"]}" g="{rgb["g"]}" b="{rgb["b"]}" a="1.0"/>')
        head = f"<node id={_xml_attr(n)} label={_xml_attr(d.get('label', n))}"
        if "start" in d:
            head += f" start={_xml_attr(d['start'])}"
        if "end" in d:
            head += f" end={_xml_attr(d['end'])}"
        size = 5.0 + min(degrees.get(n, 0), 40) / 2
        values = "".join(
            f'<attvalue for="{node_ids[k][0]}" value={_xml_attr(_typed_text(v, node_ids[k][1]))}/>'
            for k, v in d.items() if k in node_ids)
        append(f'{head}>{colour}<viz:size value="{size!r}"/>'
               f"<attvalues>{values}</attvalues></node>\n")
    append("</nodes>\n<edges>\n")
    for u, v, key, d in view.edges(keys=True, data=True):
        relationship = _xml_attr(_typed_text(d.get("type", ""), str))
        head = (f"<edge id={_xml_attr(key)} source={_xml_attr(u)} target={_xml_attr(v)} "
                f"label={relationship}")
        if "start" in d:
            head += f" start={_xml_attr(d['start'])}"
        if "end" in d:
            head += f" end={_xml_attr(d['end'])}"
        values = "".join(
            f'<attvalue for="{edge_ids[k][0]}" '
            f"value={_xml_attr(_typed_text(val, edge_ids[k][1]))}/>"
            for k, val in d.items() if k in edge_ids)
        append(f"{head} kind={relationship}><attvalues>{values}"
               f'<attvalue for="{edge_ids["networkx_key"][0]}" value={_xml_attr(key)}/>'
               "</attvalues></edge>\n")
    append("</edges>\n</graph>\n</gexf>\n")
    return "".join(parts).encode("utf-8")


# ---------------------------------------------------------------------------------- GraphML

_GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
_GRAPHML_TYPES = _GEXF_TYPES
_KEY_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


def write_graphml(view: nx.MultiDiGraph, ctx: ExportContext) -> bytes:
    """GraphML, as networkx writes it (typed ``<key>``s named after the attributes; edge ids are
    the multigraph keys), streamed; lists and evidence as JSON text.

    Key ids are the attribute names, unique across nodes, edges and the graph (the GraphML
    schema requires it): a name already taken gets its domain as a prefix (``edge_type``).
    """
    graph_data: dict[str, Any] = {"name": ctx.title,
                                  "selection": str(view.graph.get("selection", "")),
                                  "sources": scalar(view.graph.get("sources", []))}
    domains = (("node", _attribute_types(d for _, d in view.nodes(data=True))),
               ("edge", _attribute_types(d for _, _, d in view.edges(data=True))),
               ("graph", _attribute_types([graph_data])))
    used: set[str] = set()
    keys: dict[str, dict[str, tuple[str, type]]] = {}
    parts: list[str] = [
        _XML_DECLARATION,
        f'<graphml xmlns="{_GRAPHML_NS}" xmlns:xsi="{_XSI}" '
        f'xsi:schemaLocation="{_GRAPHML_NS} {_GRAPHML_NS}/1.0/graphml.xsd">\n',
    ]
    append = parts.append
    for domain, types in domains:
        keys[domain] = {}
        for name, kind in types.items():
            key_id = name if _KEY_ID.match(name) else f"d{len(used)}"
            if key_id in used:
                key_id = f"{domain}_{key_id}"
            while key_id in used:
                key_id = f"d{len(used)}_{key_id}"
            used.add(key_id)
            keys[domain][name] = (key_id, kind)
            append(f'<key id="{key_id}" for="{domain}" attr.name={_xml_attr(name)} '
                   f'attr.type="{_GRAPHML_TYPES[kind]}"/>\n')

    def data(domain: str, attrs: Mapping[str, Any]) -> str:
        domain_keys = keys[domain]
        return "".join(f'<data key="{domain_keys[k][0]}">'
                       f"{_xml_text(_typed_text(v, domain_keys[k][1]))}</data>"
                       for k, v in attrs.items())

    append('<graph edgedefault="directed">\n')
    append(data("graph", graph_data) + "\n")
    for n, d in view.nodes(data=True):
        append(f"<node id={_xml_attr(n)}>{data('node', d)}</node>\n")
    for u, v, key, d in view.edges(keys=True, data=True):
        append(f"<edge id={_xml_attr(key)} source={_xml_attr(u)} target={_xml_attr(v)}>"
               f"{data('edge', d)}</edge>\n")
    append("</graph>\n</graphml>\n")
    return "".join(parts).encode("utf-8")


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
    cells = ([("" if v is None else csv_cell(scalar(v))) for v in row] for row in rows)
    return csv_text(itertools.chain([[csv_cell(h) for h in header]], cells)).encode("utf-8")


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


_WEB_LINK = re.compile(r"https?://[^\s\x00-\x1f\x7f]+", re.IGNORECASE)


def web_link(text: str) -> bool:
    """Whether ``text`` is an http(s) URL, the only kind any export makes clickable."""
    return _WEB_LINK.fullmatch(text) is not None


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
        attrs = {"label": d.get("label", n), "tooltip": d.get("type", ""),
                 "fillcolor": type_colour(str(d.get("type", "")))}
        uri = str(d.get("uri", n))
        if web_link(uri):  # Graphviz makes URL= clickable: never javascript:, data:, file:...
            attrs["URL"] = uri
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


def _rdf_subjects(view: nx.MultiDiGraph, reader: GraphReader) -> list[str]:
    """The view's entities and facts, their evidence records and the cited sources, described."""
    subjects: dict[str, None] = dict.fromkeys(str(n) for n in view.nodes)
    for _, _, d in view.edges(data=True):
        if "fact" in d:
            subjects.setdefault(str(d["fact"]), None)
    reader.describe(subjects)
    evidence_iris = [o for s in list(subjects) for p, o, _ in reader.out.get(s, ())
                     if p.endswith("#evidence") and type(o) is str]
    reader.describe(evidence_iris)
    for ev in evidence_iris:
        subjects.setdefault(ev, None)
    source_graphs = {str(s["uri"]) for s in view.graph.get("sources", [])}
    reader.describe(source_graphs)
    for g in sorted(source_graphs):
        subjects.setdefault(g, None)
    return list(subjects)


def _rdf(view: nx.MultiDiGraph, ctx: ExportContext, syntax: str) -> bytes:
    """The original statements of the view's entities and facts, their evidence and their
    sources, written by the store (each triple once in the syntaxes without graphs)."""
    if ctx.reader is None:
        raise ValueError("RDF export needs the reader the view was built with")
    out = io.BytesIO()
    ctx.reader.store.dump(out, syntax, subjects=_rdf_subjects(view, ctx.reader))
    return out.getvalue()


def write_turtle(view: nx.MultiDiGraph, ctx: ExportContext) -> bytes:
    """Turtle: the original triples of the selected entities and facts."""
    return _rdf(view, ctx, "turtle")


def write_jsonld(view: nx.MultiDiGraph, ctx: ExportContext) -> bytes:
    """JSON-LD: the original triples of the selected entities and facts."""
    return _rdf(view, ctx, "jsonld")


def write_trig(view: nx.MultiDiGraph, ctx: ExportContext) -> bytes:
    """TriG: like Turtle, each triple in the graph of the source that states it."""
    return _rdf(view, ctx, "trig")


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
        return cypher_string(_JSON_SORTED(value))
    if isinstance(value, dict):
        return cypher_string(_JSON_SORTED(value))
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
        # One line whatever the title holds: Cypher ends a // comment at \n and at \r too.
        "// " + terminal_text(f"{ctx.title}: {view.graph.get('selection', '')}"),
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
