"""Load rate and query latency: the embedded store against an Oxigraph server and Fuseki.

For each size the same synthetic N-Triples (bench/synthetic.py) are loaded with the full
pipeline (``load_paths``: one named graph, staged and committed atomically) into a fresh
embedded store on disk, a fresh ``oxigraph serve`` and a fresh Fuseki 5.6 TDB2 dataset (both
started by scripts/sparql-test-server on loopback, so no network latency is counted). Then the
canned ``funding`` query (filtered to one stage) and a union ``COUNT(*)`` are each timed, best
of three. Ratios are against the embedded store.

Run: ``python bench/remote.py --sizes 100000 1000000``
"""

from __future__ import annotations

import argparse
import shutil
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
    funding = best_of(3, lambda: run_query(store, "funding", stage="disbursed"))
    count = best_of(3, lambda: store.select(COUNT))
    return {"backend": name, "quads": quads, "load_s": load, "rate": quads / load,
            "funding_ms": funding * 1000, "count_ms": count * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--backends", nargs="+", default=["embedded", "oxigraph", "fuseki"])
    args = parser.parse_args()
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
                    store = SparqlStore(str(info["url"]), timeout=120)
                try:
                    results.append(measure(backend, store, data))
                finally:
                    store.close()
                    if backend != "embedded":
                        script.stop(work / backend)
                row = results[-1]
                base = results[0]
                print(f"size {size:>9}  {backend:<9} quads {row['quads']:>9}  "
                      f"load {row['load_s']:8.1f} s  {row['rate']:9.0f} quads/s "
                      f"(x{row['rate'] / base['rate']:.2f})  funding {row['funding_ms']:8.1f} ms "
                      f"(x{row['funding_ms'] / base['funding_ms']:.1f})  count "
                      f"{row['count_ms']:8.1f} ms (x{row['count_ms'] / base['count_ms']:.1f})",
                      flush=True)
        finally:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
