"""Load rate and query latency: the embedded store against an Oxigraph server and Fuseki.

For each size the same synthetic N-Triples (bench/synthetic.py) are loaded with the full
pipeline (``load_paths``: one named graph, staged and committed atomically) into a fresh
embedded store on disk, a fresh ``oxigraph serve`` and a fresh Fuseki 5.6 TDB2 dataset (both
started by scripts/sparql-test-server on loopback, so no network latency is counted). Then the
canned ``funding`` (filtered to one stage), ``profile`` (one person), ``path`` (two persons, at
most 4 hops) and a union ``COUNT(*)`` are each timed, best of three; ``central`` (pagerank) is
timed on its first call, when it fetches every edge (later calls are answered from its cache).
Ratios are against the first backend (the embedded store). The load average is printed beside
each row: on a shared machine the timings are only as good as it is quiet.

Run: ``python bench/remote.py --sizes 100000 1000000``
(bound a long run with ``timeout``: SIGTERM stops the servers it started, rows already
printed stand).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from synthetic import write_ntriples  # noqa: E402

from policykg.graph.store import OxigraphStore, Store  # noqa: E402
from policykg.graph.store_remote import SparqlStore  # noqa: E402
from policykg.load import load_paths  # noqa: E402
from policykg.queries import run_query  # noqa: E402
from tests.sparql_fixtures import server_script  # noqa: E402

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
PERSON = "https://w3id.org/policykg/id/person/p-"
QUERIES: dict[str, Callable[[Store], Any]] = {
    "funding": lambda store: run_query(store, "funding", stage="disbursed"),
    "profile": lambda store: run_query(store, "profile", actor=PERSON + "5"),
    "path": lambda store: run_query(store, "path", source=PERSON + "5", target=PERSON + "7",
                                    max_hops=4),
    "count": lambda store: store.select(COUNT),
}


def best_of(n: int, action: Callable[[], Any]) -> float:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def measure(name: str, store: Store, data: Path) -> dict[str, Any]:
    started = time.perf_counter()
    load_paths(store, [data])
    load = time.perf_counter() - started
    quads = len(store)
    row: dict[str, Any] = {"backend": name, "quads": quads, "load_s": load, "rate": quads / load,
                           "loadavg": os.getloadavg()[0]}
    row["central_ms"] = best_of(1, lambda: run_query(store, "central", limit=10)) * 1000
    for query, action in QUERIES.items():
        row[f"{query}_ms"] = best_of(3, lambda action=action: action(store)) * 1000
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--backends", nargs="+", default=["embedded", "oxigraph", "fuseki"])
    parser.add_argument("--timeout", type=float, default=600, help="seconds per HTTP request")
    parser.add_argument("--queries-on", type=Path, metavar="STORE",
                        help="only time the queries, on this embedded store (read-only), e.g. "
                             "one kept by bench/memory.py --work")
    args = parser.parse_args()
    if args.queries_on is not None:
        store = OxigraphStore(args.queries_on, read_only=True)
        for query, action in QUERIES.items():
            ms = best_of(1 if query == "funding" else 3, lambda action=action: action(store))
            print(f"store {args.queries_on}  {query} {ms * 1000:9.1f} ms  "
                  f"load average {os.getloadavg()[0]:.1f}", flush=True)
        return
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally blocks
    script = server_script()
    for size in args.sizes:
        work = Path(tempfile.mkdtemp(prefix="policykg-bench-remote-"))
        try:
            data = work / "synthetic.nt"
            write_ntriples(data, size)
            results = []
            for backend in args.backends:
                if backend == "embedded":
                    store: Store = OxigraphStore(work / "embedded")
                else:
                    info = script.start(backend, work / backend)
                    store = SparqlStore(str(info["url"]), timeout=args.timeout)
                try:
                    results.append(measure(backend, store, data))
                finally:
                    store.close()
                    if backend != "embedded":
                        script.stop(work / backend)
                row = results[-1]
                base = results[0]
                timings = "  ".join(
                    f"{query} {row[f'{query}_ms']:9.1f} ms "
                    f"(x{row[f'{query}_ms'] / base[f'{query}_ms']:.1f})"
                    for query in ["central", *QUERIES])
                print(f"size {size:>9}  {backend:<9} quads {row['quads']:>9}  "
                      f"load {row['load_s']:8.1f} s  {row['rate']:8.0f} quads/s "
                      f"(x{row['rate'] / base['rate']:.2f})  {timings}  "
                      f"load average {row['loadavg']:.1f}", flush=True)
        finally:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
