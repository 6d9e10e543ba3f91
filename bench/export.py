"""Benchmark: a synthetic 50k-node subgraph exported to every format.

Builds an in-memory store of ``--nodes`` entities (people, agencies, countries) with evidence and
about 1.2 relationships per entity (memberships, funding flows, typed relations, statements),
selects all of it, then times each writer. Target: under 5 s per format.

    python bench/export.py                 # 50,000 nodes
    python bench/export.py --nodes 5000 --formats gexf html
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS, XSD

from policykg.export import format_names, render, write_export
from policykg.export.formats import ExportContext
from policykg.export.select import Filters, GraphReader, run_selection
from policykg.graph.store import OxigraphStore

PKG = "https://w3id.org/policykg/ns#"
ORG = "http://www.w3.org/ns/org#"
SCHEMA = "https://schema.org/"
ID = "https://w3id.org/policykg/id/bench/"
SOURCE = URIRef("https://w3id.org/policykg/source/bench")
TYPES = ["Person", "Person", "Person", "GovernmentAgency", "Company", "NGO", "Country"]
RELS = ["cooperatesWith", "opposes", "supports", "meetsWith", "pressures", "criticizes"]


def p(name: str) -> URIRef:
    return URIRef(PKG + name)


def synthetic(n: int, seed: int = 7) -> Iterator[tuple[URIRef, URIRef, Literal | URIRef]]:
    """Triples of ``n`` entities and about ``1.2 n`` facts, all with evidence."""
    rng = random.Random(seed)
    yield SOURCE, RDF.type, p("Source")
    yield SOURCE, p("record"), Literal("bench/synthetic")

    def evidence(subject: URIRef, i: int) -> Iterator[tuple[URIRef, URIRef, Literal | URIRef]]:
        ev = URIRef(f"{subject}/ev/{i}")
        yield subject, p("evidence"), ev
        yield ev, RDF.type, p("Evidence")
        yield ev, p("source"), SOURCE
        yield ev, p("record"), Literal(f"synthetic:{i}")
        yield ev, p("confidence"), Literal("0.8", datatype=XSD.decimal)

    for i in range(n):
        e = URIRef(f"{ID}e{i}")
        yield e, RDF.type, p(TYPES[i % len(TYPES)])
        yield e, SKOS.prefLabel, Literal(f"Entity {i} \"q\" <x>")
        if i % 3 == 0:
            yield e, SKOS.altLabel, Literal(f"E{i}")
        yield from evidence(e, i)
    for k in range(int(n * 1.2)):
        a, b = rng.randrange(n), rng.randrange(n)
        year = 2000 + rng.randrange(20)
        f = URIRef(f"{ID}f{k}")
        kind = k % 4
        if kind == 0:
            yield f, RDF.type, p("Membership")
            yield f, URIRef(ORG + "member"), URIRef(f"{ID}e{a}")
            yield f, URIRef(ORG + "organization"), URIRef(f"{ID}e{b}")
            yield f, p("role"), Literal("member")
            yield f, URIRef(SCHEMA + "startDate"), Literal(f"{year}-01-01", datatype=XSD.date)
        elif kind == 1:
            yield f, RDF.type, p("FundingFlow")
            yield f, p("funder"), URIRef(f"{ID}e{a}")
            yield f, p("recipient"), URIRef(f"{ID}e{b}")
            yield f, p("amount"), Literal(str(rng.randrange(10**6)), datatype=XSD.decimal)
            yield f, p("currency"), Literal("USD")
            yield f, p("date"), Literal(str(year), datatype=XSD.gYear)
        elif kind == 2:
            yield f, RDF.type, p("Relationship")
            yield f, p("relSubject"), URIRef(f"{ID}e{a}")
            yield f, p("relObject"), URIRef(f"{ID}e{b}")
            yield f, p("relationType"), p(RELS[k % len(RELS)])
            yield f, p("date"), Literal(f"{year}-05", datatype=XSD.gYearMonth)
        else:
            yield f, RDF.type, p("Statement")
            yield f, p("speaker"), URIRef(f"{ID}e{a}")
            yield f, p("about"), URIRef(f"{ID}e{b}")
            yield f, p("text"), Literal(f"Statement {k}: \"quoted\"\nsecond line \\ end")
            yield f, p("date"), Literal(f"{year}-03-02", datatype=XSD.date)
        yield from evidence(f, k)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=50_000)
    parser.add_argument("--formats", nargs="*", default=format_names())
    parser.add_argument("--out", type=Path, default=None, help="keep outputs in this folder")
    args = parser.parse_args(argv)

    store = OxigraphStore()
    t0 = time.perf_counter()
    count = store.replace_graph(SOURCE, synthetic(args.nodes))
    print(f"store: {count} triples in {time.perf_counter() - t0:.1f} s", flush=True)

    t0, c0 = time.perf_counter(), time.process_time()
    reader = GraphReader(store)
    view = run_selection(reader, filters=Filters(max_nodes=args.nodes + 1))
    select_s = time.perf_counter() - t0
    print(f"select: {view.number_of_nodes()} nodes, {view.number_of_edges()} edges "
          f"in {select_s:.2f} s (CPU {time.process_time() - c0:.2f} s)", flush=True)

    out_dir = args.out or Path(tempfile.mkdtemp(prefix="policykg-export-bench-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    ctx = ExportContext(reader=reader, title="bench")
    # Wall-clock seconds (what a user waits) and CPU seconds of this process (what the code
    # costs, steadier on a shared machine), including writing the file.
    print(f"{'format':<10} {'seconds':>8} {'CPU s':>8} {'MB':>8}")
    worst = 0.0
    for fmt in args.formats:
        t0, c0 = time.perf_counter(), time.process_time()
        data = render(view, fmt, ctx)
        target = out_dir / (f"bench-{fmt}.zip" if isinstance(data, dict) else f"bench.{fmt}")
        write_export(data, target)
        seconds = time.perf_counter() - t0
        cpu = time.process_time() - c0
        worst = max(worst, seconds)
        size = target.stat().st_size / 1e6
        print(f"{fmt:<10} {seconds:>8.2f} {cpu:>8.2f} {size:>8.1f}", flush=True)
    print(f"slowest format: {worst:.2f} s (target < 5 s; selection {select_s:.2f} s more); "
          f"outputs in {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
