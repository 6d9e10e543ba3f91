"""Every format, read back by a real parser and compared with the view it was written from."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import networkx as nx
import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF, SKOS

from policykg.export import format_names, render, write_export
from policykg.export.formats import (
    ExportContext,
    cypher_identifier,
    cypher_string,
    dot_string,
    type_colour,
)
from policykg.export.select import Filters, GraphReader, run_selection
from policykg.graph.store import MemoryStore, OxigraphStore

from .conftest import NASTY_TEXT, XSS_NAME

PKG = "https://w3id.org/policykg/ns#"


def out(view: nx.MultiDiGraph, reader: GraphReader, fmt: str) -> bytes:
    data = render(view, fmt, ExportContext(reader=reader, title="test <export>"))
    assert isinstance(data, bytes)
    return data


def edge_set(view: nx.MultiDiGraph) -> set[tuple[str, str, str]]:
    return {(u, v, d["type"]) for u, v, d in view.edges(data=True)}


def test_registry_lists_every_format() -> None:
    assert set(format_names()) >= {"gexf", "graphml", "cytoscape", "json", "csv", "dot",
                                   "turtle", "jsonld", "trig", "cypher", "html"}


def test_gexf_13_for_gephi(whole: nx.MultiDiGraph, reader: GraphReader, tmp_path: Path) -> None:
    data = out(whole, reader, "gexf")
    root = ET.fromstring(data)
    assert root.tag == "{http://gexf.net/1.3}gexf" and root.get("version") == "1.3"
    assert b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"' in data
    ns = {"g": "http://gexf.net/1.3", "viz": "http://gexf.net/1.3/viz"}
    graph_el = root.find("g:graph", ns)
    assert graph_el is not None and graph_el.get("timeformat") == "date"
    assert graph_el.get("mode") == "dynamic"
    # Typed attributes.
    types = {a.get("title"): a.get("type") for a in root.iterfind(".//g:attributes/g:attribute", ns)}
    assert types["amount"] == "double" and types["wikidataId"] == "string"
    edges = root.findall(".//g:edge", ns)
    assert {e.get("kind") for e in edges} == {d["type"] for *_, d in whole.edges(data=True)}
    # Colour per type.
    trump = root.find(".//g:node[@id='https://w3id.org/policykg/id/person/donald-trump']", ns)
    colour = trump.find("viz:color", ns)
    assert "#{:02X}{:02X}{:02X}".format(*(int(colour.get(c)) for c in "rgb")) == type_colour("Person")
    path = tmp_path / "g.gexf"
    path.write_bytes(data)
    back = nx.read_gexf(path, version="1.3")
    assert set(back.nodes) == set(whole.nodes)
    assert back.number_of_edges() == whole.number_of_edges()
    assert back.nodes["https://w3id.org/policykg/id/person/donald-trump"]["label"] == "Donald Trump"
    member = [d for *_, d in back.edges(data=True) if d.get("role") == "President of the United States"]
    assert member and (member[0]["start"], member[0]["end"]) == ("2017-01-20", "2021-01-20")
    funds = [d for *_, d in back.edges(data=True) if d.get("currency") == "USD"]
    assert funds[0]["amount"] == 75000000.0
    assert json.loads(funds[0]["evidence"])[0]["confidence"] == 0.9
    xss = [d for _, d in back.nodes(data=True) if d["label"] == XSS_NAME]
    assert xss, "hostile label survives GEXF as text"
    assert any(d.get("text") == NASTY_TEXT for *_, d in back.edges(data=True))


def test_graphml(whole: nx.MultiDiGraph, reader: GraphReader) -> None:
    back = nx.read_graphml(io.BytesIO(out(whole, reader, "graphml")))
    assert set(back.nodes) == set(whole.nodes)
    assert edge_set(back) == edge_set(whole)
    assert back.number_of_edges() == whole.number_of_edges()
    trump = back.nodes["https://w3id.org/policykg/id/person/donald-trump"]
    assert json.loads(trump["types"]) == ["Person", "Actor"]
    assert any(d.get("text") == NASTY_TEXT for *_, d in back.edges(data=True))


def test_cytoscape_json(whole: nx.MultiDiGraph, reader: GraphReader) -> None:
    data = json.loads(out(whole, reader, "cytoscape"))
    nodes, edges = data["elements"]["nodes"], data["elements"]["edges"]
    assert {n["data"]["id"] for n in nodes} == set(whole.nodes)
    assert {(e["data"]["source"], e["data"]["target"], e["data"]["type"]) for e in edges} == edge_set(whole)
    assert len({e["data"]["id"] for e in edges}) == len(edges) == whole.number_of_edges()
    assert data["data"]["sources"]


def test_node_link_json_for_d3(whole: nx.MultiDiGraph, reader: GraphReader) -> None:
    data = json.loads(out(whole, reader, "json"))
    back = nx.node_link_graph(data, edges="links", key="key")
    assert set(back.nodes) == set(whole.nodes)
    assert edge_set(back) == edge_set(whole)
    assert back.nodes["https://w3id.org/policykg/id/person/donald-trump"]["altLabel"] == \
        whole.nodes["https://w3id.org/policykg/id/person/donald-trump"]["altLabel"]


def test_csv_folder_and_zip(whole: nx.MultiDiGraph, reader: GraphReader, tmp_path: Path) -> None:
    data = render(whole, "csv", ExportContext(reader=reader))
    assert isinstance(data, dict)
    write_export(data, tmp_path / "dir")
    write_export(data, tmp_path / "g.zip")
    with zipfile.ZipFile(tmp_path / "g.zip") as archive:
        assert sorted(archive.namelist()) == ["edges.csv", "nodes.csv"]
        zipped_nodes = archive.read("nodes.csv")
    assert zipped_nodes == (tmp_path / "dir" / "nodes.csv").read_bytes()
    with (tmp_path / "dir" / "nodes.csv").open(newline="", encoding="utf-8") as fh:
        nodes = list(csv.DictReader(fh))
    with (tmp_path / "dir" / "edges.csv").open(newline="", encoding="utf-8") as fh:
        edges = list(csv.DictReader(fh))
    assert {n["id"] for n in nodes} == set(whole.nodes)
    assert {(e["source"], e["target"], e["type"]) for e in edges} == edge_set(whole)
    assert any(e["text"] == NASTY_TEXT for e in edges)
    assert any(n["label"] == XSS_NAME for n in nodes)
    with pytest.raises(Exception, match="several files"):
        write_export(data, "-")


def _parse_dot(text: str) -> tuple[dict[str, dict[str, str]], list[tuple[str, str, dict[str, str]]]]:
    """A strict little reader for the DOT we write: quoted strings with \\" and \\\\ escapes."""
    string = r'"((?:[^"\\]|\\.)*)"'
    attr = re.compile(r'(\w+)=' + string)
    nodes: dict[str, dict[str, str]] = {}
    edges: list[tuple[str, str, dict[str, str]]] = []

    def attrs(body: str) -> dict[str, str]:
        found = {k: re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), v)
                 for k, v in attr.findall(body)}
        assert attr.sub("", body).replace(",", "").strip() == "", body
        return found

    lines = text.strip().split("\n")
    assert lines[0].startswith("digraph ") and lines[-1] == "}"
    for line in lines[1:-1]:
        m = re.fullmatch(r"  (n\d+) -> (n\d+) \[(.*)\];", line)
        if m:
            edges.append((m.group(1), m.group(2), attrs(m.group(3))))
            continue
        m = re.fullmatch(r"  (n\d+) \[(.*)\];", line)
        if m:
            nodes[m.group(1)] = attrs(m.group(2))
            continue
        assert re.fullmatch(r"  (graph|node|edge) \[.*\];", line), line
    return nodes, edges


def test_dot(whole: nx.MultiDiGraph, reader: GraphReader, tmp_path: Path) -> None:
    text = out(whole, reader, "dot").decode("utf-8")
    nodes, edges = _parse_dot(text)
    uri = {k: v["URL"] for k, v in nodes.items()}
    assert set(uri.values()) == set(whole.nodes)
    assert {(uri[a], uri[b], d["label"]) for a, b, d in edges} == edge_set(whole)
    assert XSS_NAME in {n["label"] for n in nodes.values()}
    assert dot_string('a "b" \\ c\nd') == '"a \\"b\\" \\\\ c\\nd"'
    dot = shutil.which("dot")
    if dot:  # Graphviz itself, where installed
        (tmp_path / "g.dot").write_text(text, encoding="utf-8")
        subprocess.run([dot, "-Tsvg", "-o", str(tmp_path / "g.svg"), str(tmp_path / "g.dot")],
                       check=True)


@pytest.mark.parametrize(("fmt", "syntax"), [("turtle", "turtle"), ("jsonld", "json-ld")])
def test_rdf_holds_the_original_triples(fmt: str, syntax: str, whole: nx.MultiDiGraph,
                                        reader: GraphReader, store) -> None:  # type: ignore[no-untyped-def]
    graph = Graph().parse(data=out(whole, reader, fmt), format=syntax)
    union = store.union_graph()
    assert set(graph) <= set(union)
    for node in whole.nodes:
        assert set(union.triples((URIRef(node), None, None))) <= set(graph)
    facts = {d["fact"] for *_, d in whole.edges(data=True) if "fact" in d}
    for fact in facts:
        assert set(union.triples((URIRef(fact), None, None))) <= set(graph)
    evidence = set(graph.objects(None, URIRef(PKG + "evidence")))
    assert evidence and all((e, RDF.type, URIRef(PKG + "Evidence")) in graph for e in evidence)
    assert (URIRef("https://w3id.org/policykg/id/person/xss-person"), SKOS.prefLabel, None) in graph


def test_rdf_of_a_small_view_is_small(reader: GraphReader, store) -> None:  # type: ignore[no-untyped-def]
    from policykg.export.select import run_selection
    from policykg.lookup import find_entity

    view = run_selection(reader, actor=find_entity(store, "John Kelly"), depth=0)
    graph = Graph().parse(data=out(view, reader, "turtle"), format="turtle")
    subjects = {str(s) for s in graph.subjects() if "/ev/" not in str(s) and "/source/" not in str(s)}
    assert subjects == {"https://w3id.org/policykg/id/person/john-kelly"}


def test_trig_keeps_source_graphs(whole: nx.MultiDiGraph, reader: GraphReader) -> None:
    ds = Dataset()
    ds.parse(data=out(whole, reader, "trig"), format="trig")
    names = {str(g.identifier) for g in ds.graphs() if len(g)}
    # Source graph IRIs are shortened slugs of the file path (their length depends on the
    # temporary folder's): the keys are the paths.
    keys = {str(reader.sources().get(n, {}).get("key", "")) for n in names}
    assert any(k.endswith("03-facts.yaml") for k in keys)
    assert any(k.endswith("01-actors.yaml") for k in keys)


def test_cypher_literals_and_identifiers() -> None:
    assert cypher_identifier("FUNDS") == "`FUNDS`"
    assert cypher_identifier("a`b) DETACH DELETE n //") == "`a_b__DETACH_DELETE_n___`"
    assert cypher_identifier("9lives") == "`_9lives`"
    literal = cypher_string(NASTY_TEXT)
    assert "\n" not in literal and "\u2028" not in literal
    assert json.loads(literal.replace("\\u2028", "\u2028")) == NASTY_TEXT


def test_cypher_script_structure(whole: nx.MultiDiGraph, reader: GraphReader) -> None:
    lines = out(whole, reader, "cypher").decode("utf-8").splitlines()
    statements = [line for line in lines if not line.startswith("//")]
    assert all(s.endswith(";") for s in statements)
    merges = [s for s in statements if s.startswith("MERGE (n:")]
    rels = [s for s in statements if s.startswith("MATCH (a:")]
    assert len(merges) == whole.number_of_nodes() and len(rels) == whole.number_of_edges()
    # Every string literal is valid JSON, so quotes and backslashes cannot end it early.
    for s in statements:
        for literal in re.findall(r'"(?:[^"\\]|\\.)*"', s):
            json.loads(literal)


def _flat(value: object) -> object:
    """A view attribute as GEXF/GraphML hold it: lists and dicts as JSON text."""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
def test_xml_formats_hold_every_attribute(fmt: str, whole: nx.MultiDiGraph, reader: GraphReader,
                                          tmp_path: Path) -> None:
    """The streamed GEXF/GraphML read back by networkx give every attribute of the view."""
    path = tmp_path / f"g.{fmt}"
    path.write_bytes(out(whole, reader, fmt))
    back = nx.read_gexf(path, version="1.3") if fmt == "gexf" else nx.read_graphml(path)
    ignore = {"viz", "relationship", "networkx_key", "id"}
    for n, d in whole.nodes(data=True):
        got = {k: v for k, v in back.nodes[n].items() if k not in ignore}
        assert got == {k: _flat(v) for k, v in d.items()}, n
    edges = {(u, v, k): d for u, v, k, d in back.edges(keys=True, data=True)}
    assert len(edges) == whole.number_of_edges()
    for u, v, k, d in whole.edges(keys=True, data=True):
        got = dict(edges[(u, v, k)])
        if fmt == "gexf":
            assert got.pop("relationship") == got.pop("label") == d["type"]
        got = {key: val for key, val in got.items() if key not in ignore}
        want = {key: _flat(val) for key, val in d.items() if not (fmt == "gexf" and key == "type")}
        assert got == want, k


def test_xml_formats_replace_characters_xml_cannot_hold(reader: GraphReader,
                                                        tmp_path: Path) -> None:
    view = nx.MultiDiGraph()
    view.add_node("urn:x:a", label="bell\x07 and\r\nCRLF", type="Person", types=["Person"],
                  uri="urn:x:a", score=1, weight=2.5, flag=True)
    view.add_node("urn:x:b", label="b", type="Person", types=["Person"], uri="urn:x:b",
                  score=2.0, flag=False)
    view.add_edge("urn:x:a", "urn:x:b", key="urn:x:f", type="FUNDS", start="2017-01-01",
                  text="tab\there \ufffe")
    for fmt in ("gexf", "graphml"):
        path = tmp_path / f"odd.{fmt}"
        path.write_bytes(out(view, reader, fmt))
        back = nx.read_gexf(path, version="1.3") if fmt == "gexf" else nx.read_graphml(path)
        assert back.nodes["urn:x:a"]["label"] == "bell\ufffd and\r\nCRLF"
        assert back.nodes["urn:x:a"]["score"] == 1.0 and back.nodes["urn:x:b"]["score"] == 2.0
        assert back.nodes["urn:x:a"]["flag"] is True and back.nodes["urn:x:b"]["flag"] is False
        (_, _, d), = back.edges(data=True)
        assert d["text"] == "tab\there \ufffd" and d["start"] == "2017-01-01"


def _statements(data: bytes, fmt: str) -> set[tuple[object, ...]]:
    parsed = Dataset()
    parsed.parse(data=data, format={"turtle": "turtle", "jsonld": "json-ld", "trig": "trig"}[fmt])
    if fmt == "trig":
        return {(s, p, o, g) for s, p, o, g in parsed.quads((None, None, None, None))}
    return {(s, p, o) for s, p, o, _ in parsed.quads((None, None, None, None))}


@pytest.mark.parametrize("fmt", ["turtle", "jsonld", "trig", "json", "gexf", "cypher"])
def test_oxigraph_fast_path_matches_the_generic_store(fmt: str, store: OxigraphStore) -> None:
    """The Oxigraph backend's own reads and writes (the fast path) export exactly what the
    generic ones of the reference backend export from the same graphs."""
    reference = MemoryStore()
    reference.replace_graphs([(g, list(store.graph_triples(g))) for g in store.graphs()])
    exports = []
    for backend in (store, reference):
        reader = GraphReader(backend)
        exports.append(out(run_selection(reader, filters=Filters()), reader, fmt))
    fast, generic = exports
    if fmt in ("turtle", "jsonld", "trig"):
        assert _statements(fast, fmt) == _statements(generic, fmt)
        assert len(_statements(fast, fmt)) > 50
    else:  # the same view, written in the same order
        assert fast == generic
    if fmt == "turtle":  # each triple once, although two sources may state it
        assert len(fast.splitlines()) >= len(_statements(fast, fmt)) // 3
