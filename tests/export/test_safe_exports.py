"""Exports that a viewer opens: only http(s) links, and a title cannot leave its comment."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import networkx as nx
import pytest

from policykg.export import render
from policykg.export.formats import ExportContext, web_link
from policykg.export.html import _asset
from policykg.export.select import GraphReader

from .test_formats import _parse_dot

HOSTILE_IRIS = ["javascript:alert(document.domain)", "JavaScript:alert(1)", "data:text/html,x",
                "file:///etc/passwd", "vbscript:msgbox", " https://ok.example/lead-space",
                "https://ok.example/\nline"]


def _with_hostile_nodes(view: nx.MultiDiGraph) -> nx.MultiDiGraph:
    view = view.copy()
    for i, iri in enumerate(HOSTILE_IRIS):
        view.add_node(iri, uri=iri, label=f"hostile {i}", type="Person", types=["Person"])
    return view


def test_dot_links_only_http(whole: nx.MultiDiGraph, reader: GraphReader) -> None:
    view = _with_hostile_nodes(whole)
    data = render(view, "dot", ExportContext(reader=reader))
    assert isinstance(data, bytes)
    nodes, _ = _parse_dot(data.decode("utf-8"))
    urls = [attrs["URL"] for attrs in nodes.values() if "URL" in attrs]
    assert urls and all(re.fullmatch(r"https?://\S+", url) for url in urls)
    labels = {attrs["label"] for attrs in nodes.values()}
    assert {f"hostile {i}" for i in range(len(HOSTILE_IRIS))} <= labels  # nodes kept, unlinked
    # Every http(s) node of the view keeps its link.
    assert set(urls) == {str(n) for n in whole.nodes if str(n).startswith(("http://", "https://"))}


def test_web_link() -> None:
    assert web_link("https://w3id.org/policykg/id/person/x") and web_link("HTTP://a.example/")
    for iri in HOSTILE_IRIS:
        assert not web_link(iri)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src", "action", "formaction", "xlink:href", "srcdoc"):
                self.links.append(value or "")


def test_html_has_no_link_but_http(whole: nx.MultiDiGraph, reader: GraphReader) -> None:
    data = render(_with_hostile_nodes(whole), "html", ExportContext(reader=reader))
    assert isinstance(data, bytes)
    parser = _Links()
    parser.feed(data.decode("utf-8"))
    assert all(web_link(link) or link.startswith("#") for link in parser.links), parser.links
    # The page's script builds one kind of link from the data, a source's web address, and only
    # after checking that it is http(s) (tests/export/test_view.py clicks one, and checks that a
    # javascript: URL gets none); IRIs are text.
    script = _asset("view.js")
    for builder in ("window.open", "location.assign", "innerHTML", "outerHTML"):
        assert builder not in script
    assert script.count("href") == 1
    before = script[:script.index("href")].rsplit("\n", 3)
    assert "/^https?:\\/\\//i.test(src.url)" in "\n".join(before[-3:])


@pytest.mark.parametrize("breaker", ["\r", "\n", "\r\n", "\u2028", "\u2029", "\x85", "\x0b"])
def test_cypher_title_stays_in_its_comment(whole: nx.MultiDiGraph, reader: GraphReader,
                                           breaker: str) -> None:
    title = f"title{breaker}MATCH (n) DETACH DELETE n //"
    data = render(whole, "cypher", ExportContext(reader=reader, title=title))
    assert isinstance(data, bytes)
    text = data.decode("utf-8")
    # Split as the most generous reader would: every Unicode line break ends a line.
    lines = text.splitlines()
    assert lines[0].startswith("// title")
    assert "DETACH DELETE" in lines[0]
    assert all(line.startswith(("//", "CREATE CONSTRAINT", "MERGE", "MATCH (a:"))
               for line in lines), [line for line in lines if "DETACH" in line]
    assert len(lines) == 3 + whole.number_of_nodes() + whole.number_of_edges()
