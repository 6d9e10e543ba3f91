"""Canned-query latency on both backends, in process: p50 and p95 per query and size.

Data: ``bench/synthetic.py`` (realistic mix of actors, memberships, funding, statements and
evidence) plus ``examples/``. Neo4j is the mirror of the same store (``policykg.graph.mirror``);
give ``--neo4j-uri`` (or NEO4J_URI), or ``--start-neo4j DIR`` to start a throwaway server with
``scripts/neo4j-test-server``. Actor arguments are given by name, so resolution is included.

Every case runs once cold (``first``: the caches of name indexes and graphs empty for this
store state, a fresh Neo4j server), then ``--warmup`` untimed rounds go over all cases (the
Neo4j JVM compiles its hot paths), then each case gets ``--repeat`` timed runs: p50 and p95.

Usage::

    python bench/queries.py --sizes 100000 1000000 --repeat 30 --start-neo4j /tmp/bench-neo4j
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import URIRef

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from synthetic import write_ntriples  # noqa: E402

from policykg.graph.store import OxigraphStore  # noqa: E402
from policykg.load import load_paths  # noqa: E402
from policykg.queries import ensure_indexes, run_query  # noqa: E402

LOOKUPS = {"profile", "relations", "statements", "office-at", "timeline"}
TARGETS = {"lookup": (10.0, 20.0), "aggregate": (200.0, 200.0)}


def kind_of(name: str, params: dict[str, Any]) -> str:
    """lookup or aggregate; office-at without --org lists every post held (thousands of rows)."""
    if name == "office-at" and "org" not in params:
        return "aggregate"
    return "lookup" if name in LOOKUPS else "aggregate"


def _name(store: OxigraphStore, iri: str) -> str:
    rows = store.select("SELECT ?s ?n WHERE { ?s skos:prefLabel ?n }", {"s": URIRef(iri)})
    return str(rows[0]["n"])


def cases(store: OxigraphStore, size: int) -> list[tuple[str, dict[str, Any]]]:
    """Realistic parameters on the synthetic data."""
    people = max(10, size // 60)
    person = _name(store, "https://w3id.org/policykg/id/person/p-123")
    other = _name(store, f"https://w3id.org/policykg/id/person/p-{people - 7}")
    agency = _name(store, "https://w3id.org/policykg/id/org/agency-7")
    agency2 = _name(store, "https://w3id.org/policykg/id/org/agency-11")
    return [
        ("profile", {"actor": person}),
        ("relations", {"actor": person}),
        ("statements", {"by": person}),
        ("office-at", {"date": "2010-06-01", "org": agency}),
        ("timeline", {"actor": person}),
        ("profile", {"actor": "Pena Nieto"}),
        ("statements", {"about": agency, "since": "2015"}),
        ("office-at", {"date": "2010-06-01"}),
        ("funding", {"funder": agency, "since": "2010-01-01"}),
        ("path", {"source": person, "target": other, "max_hops": 4, "max_paths": 5}),
        ("path", {"source": person, "target": agency}),
        ("path", {"source": "Jorge Bustamante", "target": "Donald Trump"}),
        ("cooperation", {"a": agency, "b": agency2}),
        ("central", {"measure": "pagerank", "limit": 10}),
        ("central", {"measure": "degree", "limit": 10}),
    ]


def measure(run: Callable[[], Any], repeat: int) -> tuple[float, float, int]:
    """p50 and p95 in milliseconds, and the row count."""
    rows = run()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    return statistics.median(times), p95, len(rows)


def build_store(size: int, folder: Path) -> OxigraphStore:
    data = folder / f"synthetic-{size}.nt"
    write_ntriples(data, size)
    store = OxigraphStore(folder / f"store-{size}")
    graph = URIRef("https://w3id.org/policykg/source/synthetic")
    with data.open("rb") as fh:
        store.load_native(graph, ox.parse(fh, format=ox.RdfFormat.N_TRIPLES))
    load_paths(store, [ROOT / "examples"])
    return store


def neo4j_driver(args: argparse.Namespace) -> Any:
    if not (args.neo4j_uri or args.start_neo4j):
        return None
    import neo4j

    uri = args.neo4j_uri
    if args.start_neo4j:
        sys.path.insert(0, str(ROOT / "tests"))
        from neo4j_server import start_server  # type: ignore[import-not-found]

        uri = start_server(Path(args.start_neo4j))["uri"]
    password = os.environ.get("NEO4J_PASSWORD")
    auth = (os.environ.get("NEO4J_USERNAME") or "neo4j", password) if password else None
    return neo4j.GraphDatabase.driver(uri, auth=auth, notifications_min_severity="OFF")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["100000", "1000000"],
                        help="Triple counts, space- or comma-separated (default 100000 "
                             "1000000).")
    parser.add_argument("--repeat", type=int, default=30, help="Timed runs per query.")
    parser.add_argument("--warmup", type=int, default=3,
                        help="Untimed rounds over every case after the cold one (default 3).")
    parser.add_argument("--neo4j-uri", default=os.environ.get("NEO4J_URI"))
    parser.add_argument("--start-neo4j", metavar="DIR", help="Start a throwaway server here.")
    parser.add_argument("--skip-neo4j-above", type=int, default=10**9,
                        help="Do not mirror stores larger than this (mirroring is slow).")
    args = parser.parse_args()
    driver = neo4j_driver(args)
    try:
        results = run_all(args, driver)
    finally:
        if driver is not None:
            driver.close()
        if args.start_neo4j:
            from neo4j_server import stop_server

            stop_server(Path(args.start_neo4j))
    print()
    print("| triples | query | params | backend | rows | first ms | p50 ms | p95 ms | target |")
    print("|---|---|---|---|---|---|---|---|---|")
    for size, name, shown, backend, count, first, p50, p95, verdict in results:
        print(f"| {size:,} | {name} | {shown} | {backend} | {count} | {first:.0f} | {p50:.2f} "
              f"| {p95:.2f} | {verdict} |")
    return 0


def run_all(args: argparse.Namespace, driver: Any) -> list[tuple[Any, ...]]:
    """Build each size, mirror it when a driver is given, and measure every case."""
    results: list[tuple[Any, ...]] = []
    with tempfile.TemporaryDirectory(prefix="policykg-bench-q-") as tmp:
        sizes = [int(s) for item in args.sizes for s in item.split(",") if s.strip()]
        for size in sizes:
            started = time.perf_counter()
            store = build_store(size, Path(tmp))
            print(f"# {size} triples: store of {len(store)} quads built in "
                  f"{time.perf_counter() - started:.1f} s", flush=True)
            targets: list[tuple[str, Any]] = [("embedded", store)]
            if driver is not None and size <= args.skip_neo4j_above:
                from policykg.graph.mirror import mirror

                started = time.perf_counter()
                with driver.session() as session:
                    session.run("MATCH (n) CALL (n) { DETACH DELETE n } "
                                "IN TRANSACTIONS OF 10000 ROWS").consume()
                mirror(store, driver, "neo4j", full=True)
                failed = ensure_indexes(driver, "neo4j")  # what the CLI does before a query
                print(f"# mirrored in {time.perf_counter() - started:.1f} s"
                      + (f"; could not create {failed}" if failed else ""), flush=True)
                targets.append(("neo4j", driver))
            runs = [(name, params, backend, functools.partial(run_query, target, name, **params))
                    for name, params in cases(store, size) for backend, target in targets]
            firsts = []
            for _, _, _, run in runs:  # cold: every cache empty for this store state
                started = time.perf_counter()
                run()
                firsts.append((time.perf_counter() - started) * 1000)
            for _ in range(args.warmup):  # warms the Neo4j JVM (JIT, page cache) as well
                for _, _, _, run in runs:
                    run()
            for (name, params, backend, run), first in zip(runs, firsts, strict=True):
                p50, p95, count = measure(run, args.repeat)
                kind = kind_of(name, params)
                limit = TARGETS[kind][0 if backend == "embedded" else 1]
                verdict = f"{kind} < {limit:.0f}: " + ("ok" if p95 < limit else "missed")
                results.append((size, name, _short(params), backend, count, first, p50, p95,
                                verdict))
                print(f"{size:>8} {name:<12} {backend:<8} rows={count:<5} "
                      f"first={first:8.1f} ms p50={p50:8.2f} ms p95={p95:8.2f} ms", flush=True)
            store.close()
    return results


def _short(params: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in params.items())[:60]


if __name__ == "__main__":
    raise SystemExit(main())
