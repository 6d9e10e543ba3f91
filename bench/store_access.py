"""Benchmark: what concurrent access and the change token cost on an on-disk store.

Builds a store of N synthetic triples on disk, then times (median of 5):

* ``change_token()`` (a listing of the store folder) against ``len(store)``, the count the
  old write detection avoided because it walks every quad;
* opening the store read-only (what every read command now does) against opening it as the
  writer (what they did), each followed by ``close``;
* ``plain_quads`` over one subject's quads against ``quads`` (rdflib terms) for 1,000 subjects.

Usage::

    python bench/store_access.py --triples 1000000
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rdflib import Literal, URIRef

from policykg.graph.store import OxigraphStore

EX = "https://example.org/"


def _median_ms(action: Callable[[], object], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "store"
        store = OxigraphStore(path)
        subjects = args.triples // 4
        triples = ((URIRef(f"{EX}s{i // 4}"), URIRef(f"{EX}p{i % 4}"), Literal(f"v{i}"))
                   for i in range(args.triples))
        store.replace_graph(URIRef(f"{EX}g"), triples)
        token = _median_ms(store.change_token)
        count = _median_ms(lambda: len(store))
        sample = [URIRef(f"{EX}s{i}") for i in range(0, subjects, max(1, subjects // 1000))]
        plain = _median_ms(lambda: [list(store.plain_quads(s)) for s in sample])
        terms = _median_ms(lambda: [list(store.quads(s)) for s in sample])
        store.close()
        reader = _median_ms(lambda: OxigraphStore(path, read_only=True).close())
        writer = _median_ms(lambda: OxigraphStore(path).close())
    print(f"{args.triples:,} triples on disk (median of 5 runs)")
    print(f"change_token  {token:8.2f} ms   len(store) {count:8.2f} ms   ratio {count / token:6.1f}x")
    print(f"open read-only {reader:7.2f} ms   open writer {writer:8.2f} ms   ratio "
          f"{writer / reader:6.2f}x")
    print(f"plain_quads   {plain:8.2f} ms   quads      {terms:8.2f} ms   ratio "
          f"{terms / plain:6.2f}x  ({len(sample)} subjects)")


if __name__ == "__main__":
    main()
