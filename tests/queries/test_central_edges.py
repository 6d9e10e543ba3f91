"""Centrality computed from the edge list equals the textbook definitions over a multigraph."""

from __future__ import annotations

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from policykg.queries.central import DirectGraph

nodes = st.sampled_from([f"https://example.org/n{i}" for i in range(8)])
edge_lists = st.lists(st.tuples(nodes, nodes, st.integers(0, 5)), min_size=1, max_size=30)


def _textbook_pagerank(edges: list[tuple[str, str]], alpha: float = 0.85) -> dict[str, float]:
    # Dense power iteration: a parallel edge adds weight, a dangling node links to every node.
    names = sorted({n for e in edges for n in e})
    count = len(names)
    at = {n: i for i, n in enumerate(names)}
    matrix = [[0.0] * count for _ in range(count)]
    for src, dst in edges:
        matrix[at[src]][at[dst]] += 1.0
    for row in matrix:
        total = sum(row)
        row[:] = [w / total for w in row] if total else [1.0 / count] * count
    rank = [1.0 / count] * count
    for _ in range(300):
        rank = [(1 - alpha) / count + alpha * sum(rank[u] * matrix[u][v] for u in range(count))
                for v in range(count)]
    return dict(zip(names, rank, strict=True))


@settings(max_examples=15, deadline=None)
@given(edges=edge_lists)
def test_scores_match_the_definitions(edges: list[tuple[str, str, int]]) -> None:
    graph = DirectGraph({"src": s, "dst": d, "fact": f"f{k}"} for s, d, k in edges)
    kept = [(s, d) for s, d, _ in graph.edges]
    want = _textbook_pagerank(kept)
    got = graph.scores("pagerank")
    assert set(got) == set(want)
    assert all(abs(got[n] - want[n]) < 1e-8 for n in want)
    multi = nx.MultiDiGraph()
    multi.add_edges_from(kept)
    simple = nx.Graph(multi.to_undirected())
    simple.remove_edges_from(list(nx.selfloop_edges(simple)))
    for measure, textbook in (("degree", nx.degree_centrality(simple)),
                              ("betweenness", nx.betweenness_centrality(simple))):
        scores = graph.scores(measure)
        assert set(scores) == set(textbook)  # sums in another order: equal up to rounding
        assert all(abs(scores[n] - textbook[n]) < 1e-12 for n in textbook), measure
