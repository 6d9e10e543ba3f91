"""A replaced source ends holding exactly its new content, whichever scratch store staged it."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

import policykg.graph.store as store_module
from policykg.graph.store import NativeContent, OxigraphStore

GRAPH = URIRef("https://example.org/source")


def _write_version(path: Path, version: int) -> None:
    lines = []
    for i in range(2000):
        if i % 50 == 0:  # one line in 50 differs between versions, the rest is shared
            lines.append(f'<https://example.org/s{i}> <https://example.org/p> "v{version} {i}" .')
        else:
            lines.append(f'<https://example.org/s{i}> <https://example.org/p> "{i}"^^'
                         "<http://www.w3.org/2001/XMLSchema#integer> .")
    lines.append(f'_:b{version} <https://example.org/p> "blank {version}"@en .')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("scratch", ["memory", "disk"])
@pytest.mark.parametrize("on_disk", [True, False])
def test_replace_gives_exactly_the_new_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scratch: str, on_disk: bool
) -> None:
    if scratch == "disk":
        monkeypatch.setattr(store_module, "_MEMORY_SCRATCH_QUADS", 0)
    store = OxigraphStore(tmp_path / "store" if on_disk else None)
    source = tmp_path / "source.nt"
    for version in (1, 2):
        _write_version(source, version)
        content = NativeContent([], [(source, ox.RdfFormat.N_TRIPLES)])
        count = store.replace_graph(GRAPH, content)
    want = Graph().parse(source, format="nt")  # read independently of our loaders
    got = Graph()
    for triple in store.graph_triples(GRAPH):
        got.add(triple)
    store_graphs = store.graphs()
    store.close()
    assert count == len(want) == 2001
    assert isomorphic(got, want)
    assert store_graphs == [GRAPH]  # no staging graph left
    assert not list(tmp_path.glob(".store.scratch-*"))
