"""Load speed and peak memory of the embedded store, against rdflib and Oxigraph's bulk loader.

Each measurement runs in a fresh subprocess, so its peak RSS is its own. For each size the same
synthetic triples (bench/synthetic.py) are:

* policykg-disk / policykg-memory: ``load_paths`` into an OxigraphStore (the full pipeline: RDF
  loader, per-source named graph, atomic commit), on disk and in memory;
* rdflib-store: the same pipeline into the rdflib ``MemoryStore`` backend (engine comparison);
* rdflib-parse: rdflib's own Turtle parse of the same triples (the issue's yardstick);
* oxigraph-bulk-memory / oxigraph-bulk-disk: pyoxigraph's ``bulk_load`` of the N-Triples;
* policykg-replace: a changed source replacing its earlier load, on disk. One process loads the
  file first (printed as ``policykg-first``), a second one changes 1% of its lines and loads it
  again (``policykg-replace``): each has its own peak RSS, and the ratio of the two is printed.

Run: ``python bench/load.py --sizes 10000 100000 1000000``; the replace case alone:
``python bench/load.py --sizes 300000 --modes policykg-replace``
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

MODES = ["rdflib-parse", "rdflib-store", "policykg-memory", "policykg-disk",
         "oxigraph-bulk-memory", "oxigraph-bulk-disk", "policykg-replace"]

PROFILE_QUERY = """
SELECT ?p ?o WHERE { ?s ?p ?o } LIMIT 1000
"""


def measure(mode: str, nt: Path, ttl: Path, workdir: Path) -> dict[str, float]:
    """Run in the child process: load once, report seconds, triples and peak RSS."""
    import pyoxigraph as ox
    from rdflib import Graph, URIRef

    from policykg.graph.store import MemoryStore, OxigraphStore, Store
    from policykg.load import load_paths
    from policykg.loaders.registry import loader_names

    loader_names()  # import every loader before the clock starts
    if mode in ("policykg-first", "policykg-replace"):
        if mode == "policykg-replace":
            _change_lines(nt, every=100)
        start = time.perf_counter()
        store = OxigraphStore(workdir / "store")
        results = load_paths(store, [nt])
        store.close()
        return {"seconds": time.perf_counter() - start, "triples": results[0].triples,
                "query_ms": float("nan"),
                "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    start = time.perf_counter()
    count = 0
    if mode == "rdflib-parse":
        graph = Graph().parse(ttl, format="turtle")
        count = len(graph)
    elif mode in ("policykg-disk", "policykg-memory", "rdflib-store"):
        store: Store
        if mode == "rdflib-store":
            store = MemoryStore()
        elif mode == "policykg-disk":
            store = OxigraphStore(workdir / "store")
        else:
            store = OxigraphStore()
        results = load_paths(store, [nt])
        count = results[0].triples
        elapsed = time.perf_counter() - start
        q0 = time.perf_counter()
        person = "https://w3id.org/policykg/id/person/p-1"
        for _ in range(20):
            store.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", {"s": URIRef(person)})
        query_ms = (time.perf_counter() - q0) / 20 * 1000
        store.close()
        return {"seconds": elapsed, "triples": count, "query_ms": query_ms,
                "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    else:
        store_ox = ox.Store(str(workdir / "bulk")) if mode.endswith("disk") else ox.Store()
        store_ox.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
        count = len(store_ox)
    elapsed = time.perf_counter() - start
    return {"seconds": elapsed, "triples": count, "query_ms": float("nan"),
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _change_lines(path: Path, every: int) -> None:
    """Replace one line in ``every`` by a new triple: a source edited, not rewritten."""
    lines = path.read_text(encoding="utf-8").splitlines()
    for i in range(0, len(lines), every):
        lines[i] = f'<https://example.org/changed/{i}> <https://example.org/p> "edit {i}" .'
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _run_child(mode: str, nt: Path, ttl: Path, workdir: Path) -> dict[str, float]:
    out_text = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(nt), str(ttl), str(workdir)],
        check=True, capture_output=True, text=True,
    ).stdout
    result: dict[str, float] = json.loads(out_text)
    return result


def _print_row(size: int, mode: str, r: dict[str, float]) -> float:
    rate = r["triples"] / r["seconds"]
    print(f"{size:>9} {mode:<22} {r['triples']:>9.0f} {r['seconds']:>8.2f} "
          f"{rate:>10.0f} {r['rss_mb']:>11.0f} {r['query_ms']:>8.2f}", flush=True)
    return rate


def _replace_case(size: int, nt: Path, ttl: Path, tmp: str) -> None:
    workdir = Path(tempfile.mkdtemp(dir=tmp))
    source = workdir / "source.nt"  # its own copy: the replace edits it
    shutil.copyfile(nt, source)
    first = _run_child("policykg-first", source, ttl, workdir)
    _print_row(size, "policykg-first", first)
    again = _run_child("policykg-replace", source, ttl, workdir)
    _print_row(size, "policykg-replace", again)
    print(f"{'':>9} ratio policykg-replace / policykg-first: "
          f"{again['seconds'] / first['seconds']:.2f}x time, "
          f"{again['rss_mb'] / first['rss_mb']:.2f}x peak RSS (target: about 1x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--modes", nargs="+", default=MODES, choices=MODES)
    parser.add_argument("--child", nargs=4, metavar=("MODE", "NT", "TTL", "DIR"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, nt, ttl, workdir = args.child
        print(json.dumps(measure(mode, Path(nt), Path(ttl), Path(workdir))))
        return

    import pyoxigraph as ox
    from synthetic import write_ntriples

    print(f"{'size':>9} {'mode':<22} {'triples':>9} {'seconds':>8} {'triples/s':>10} "
          f"{'peak RSS MB':>11} {'query ms':>8}")
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            nt = Path(tmp) / "data.nt"
            write_ntriples(nt, size)
            ttl = Path(tmp) / "data.ttl"
            with ttl.open("wb") as out:
                ox.serialize(ox.parse(path=str(nt), format=ox.RdfFormat.N_TRIPLES), out,
                             ox.RdfFormat.TURTLE,
                             prefixes={"pkg": "https://w3id.org/policykg/ns#",
                                       "id": "https://w3id.org/policykg/id/",
                                       "skos": "http://www.w3.org/2004/02/skos/core#",
                                       "org": "http://www.w3.org/ns/org#"})
            rates: dict[str, float] = {}
            for mode in args.modes:
                if mode == "rdflib-store" and size > 200_000:
                    continue  # minutes per run and gigabytes: measured at the smaller sizes
                if mode == "policykg-replace":
                    _replace_case(size, nt, ttl, tmp)
                    continue
                workdir = Path(tempfile.mkdtemp(dir=tmp))
                rates[mode] = _print_row(size, mode, _run_child(mode, nt, ttl, workdir))
            if "policykg-disk" in rates and "rdflib-parse" in rates:
                print(f"{'':>9} ratio policykg-disk / rdflib-parse: "
                      f"{rates['policykg-disk'] / rates['rdflib-parse']:.1f}x (target >= 4x)")
            for ours, theirs in (("policykg-disk", "oxigraph-bulk-disk"),
                                 ("policykg-memory", "oxigraph-bulk-memory")):
                if ours in rates and theirs in rates:
                    print(f"{'':>9} ratio {ours} / {theirs}: "
                          f"{rates[ours] / rates[theirs]:.2f} (target >= 0.5)")


if __name__ == "__main__":
    main()
