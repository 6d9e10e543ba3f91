"""Benchmark: mirroring the store into Neo4j with policykg vs rdflib-neo4j vs raw UNWIND.

Synthetic data of the shape policykg holds (actors with names and aliases, dated memberships,
funding flows with amounts, statements, typed relationships, one evidence record per fact) is
loaded into an in-memory OxigraphStore, then written to the same Neo4j database, emptied between
runs, by:

(a) ``policykg.graph.mirror.mirror`` (first mirror, then a re-mirror of unchanged data);
(b) rdflib-neo4j's ``Neo4jStore`` (batching on, triples fed grouped by subject);
(c) a raw ``UNWIND $rows MERGE`` of rows built beforehand (only the writes are timed);
(d) ``policykg mirror --bulk-import``: the import files written and ``neo4j-admin database import
    full`` run into a new Neo4j home (end to end); the server's start on the imported database is
    timed beside it, not in it.

Usage::

    python bench/mirror.py --sizes 100000            # starts a throwaway server
    NEO4J_URI=bolt://... NEO4J_PASSWORD=... python bench/mirror.py --sizes 100000 1000000

Prints triples/s, ratios, peak RSS and the re-mirror time; ``--json FILE`` saves the figures.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gc
import io
import json
import os
import random
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

__all__ = ["synthetic_graphs", "populate", "main"]

PKG = "https://w3id.org/policykg/ns#"
ID = "https://example.org/bench/id/"
SRC = "https://example.org/bench/source/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SKOS = "http://www.w3.org/2004/02/skos/core#"
SCHEMA = "https://schema.org/"
ORG = "http://www.w3.org/ns/org#"

_ACTOR_TYPES = ["Person"] * 5 + ["GovernmentAgency", "NGO", "Company", "MediaOutlet",
                                 "ResearchInstitute", "PoliticalParty", "Legislature"]
_RELATIONS = ["cooperatesWith", "pressures", "threatens", "opposes", "supports", "meetsWith",
              "criticizes", "negotiatesWith", "cancelledMeetingWith", "funds"]
_WORDS = ["migration", "border", "enforcement", "security", "funding", "program", "policy", "agency", "ministry", "office", "council", "national", "federal", "cooperation", "assistance", "deportation", "transit", "southern", "northern", "institute", "commission", "department", "secretariat", "union", "party", "center", "foundation"]


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _p(local: str, ns: str = PKG) -> ox.NamedNode:
    return ox.NamedNode(ns + local)


def _lit(value: str, datatype: str | None = None) -> ox.Literal:
    return ox.Literal(value, datatype=_n(XSD + datatype)) if datatype else ox.Literal(value)


def _name(rng: random.Random, words: int = 3) -> str:
    return " ".join(rng.choice(_WORDS).capitalize() for _ in range(words))


def _date(rng: random.Random) -> str:
    return f"{rng.randint(1995, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


Triple = tuple[Any, Any, Any]


def synthetic_graphs(triples: int, sources: int = 8, seed: int = 7) -> dict[str, list[Triple]]:
    """About ``triples`` triples in ``sources`` source graphs (each with its Source metadata).

    Actors live in the first source; facts (with evidence) are spread over all sources. Roughly
    10% of triples describe actors, the rest are facts of four kinds.
    """
    rng = random.Random(seed)
    graphs: dict[str, list[Triple]] = {f"{SRC}s{i}": [] for i in range(sources)}
    names = list(graphs)
    n_actors = max(20, triples // 90)
    countries = [f"{ID}country/{i}" for i in range(min(60, max(5, n_actors // 20)))]
    actors = [f"{ID}actor/{i}" for i in range(n_actors)]
    programs = [f"{ID}program/{i}" for i in range(max(5, n_actors // 30))]
    first = graphs[names[0]]
    for i, iri in enumerate(countries):
        node = _n(iri)
        first += [(node, RDF_TYPE, _p("Country")), (node, _p("prefLabel", SKOS),
                                                     _lit(f"Country {i}")),
                  (node, _p("countryCode"), _lit(f"C{i:02d}"))]
    for iri in programs:
        node = _n(iri)
        first += [(node, RDF_TYPE, _p("Program")), (node, _p("prefLabel", SKOS),
                                                     _lit(_name(rng, 4))),
                  (node, _p("date"), _lit(str(rng.randint(2000, 2020)), "gYear"))]
    for i, iri in enumerate(actors):
        node = _n(iri)
        actor_type = rng.choice(_ACTOR_TYPES)
        first += [(node, RDF_TYPE, _p(actor_type)), (node, _p("prefLabel", SKOS),
                                               _lit(f"{_name(rng)} {i}")),
                  (node, _p("jurisdiction"), _n(rng.choice(countries)))]
        for alias in range(rng.randint(0, 3)):
            first.append((node, _p("altLabel", SKOS), _lit(f"{_name(rng, 2)} {i}.{alias}")))
        if rng.random() < 0.5:
            first.append((node, _p("description", SCHEMA), _lit(_name(rng, 8))))
        if rng.random() < 0.3:
            first.append((node, _p("wikidataId"), _lit(f"Q{rng.randint(1, 10**7)}")))
    total = sum(len(g) for g in graphs.values())
    fact = 0
    while total < triples:
        fact += 1
        graph = names[fact % len(names)]
        out = graphs[graph]
        kind = rng.random()
        f = _n(f"{ID}fact/{fact}")
        ev = _n(f"{ID}evidence/{fact}")
        a, b = _n(rng.choice(actors)), _n(rng.choice(actors))
        before = len(out)
        if kind < 0.35:
            out += [(f, RDF_TYPE, _p("Membership")), (f, _p("member", ORG), a),
                    (f, _p("organization", ORG), b), (f, _p("role"), _lit(_name(rng, 2))),
                    (f, _p("startDate", SCHEMA), _lit(_date(rng), "date"))]
            if rng.random() < 0.6:
                out.append((f, _p("endDate", SCHEMA), _lit(_date(rng), "date")))
        elif kind < 0.55:
            out += [(f, RDF_TYPE, _p("FundingFlow")), (f, _p("funder"), a),
                    (f, _p("recipient"), _n(rng.choice(countries))),
                    (f, _p("program"), _n(rng.choice(programs))),
                    (f, _p("amount"), _lit(str(rng.randint(1, 5000) * 10000), "decimal")),
                    (f, _p("currency"), _lit("USD")), (f, _p("stage"), _p("Appropriated")),
                    (f, _p("date"), _lit(f"{rng.randint(2000, 2024)}-{rng.randint(1, 12):02d}",
                                         "gYearMonth"))]
        elif kind < 0.8:
            out += [(f, RDF_TYPE, _p("Statement")), (f, _p("speaker"), a), (f, _p("about"), b),
                    (f, _p("text"), _lit(_name(rng, 14))), (f, _p("cue"), _lit("say")),
                    (f, _p("statementKind"), _p("IndirectSpeech")),
                    (f, _p("date"), _lit(_date(rng), "date"))]
            if rng.random() < 0.3:
                out.append((f, _p("about"), _n(rng.choice(programs))))
        else:
            out += [(f, RDF_TYPE, _p("Relationship")), (f, _p("relSubject"), a),
                    (f, _p("relObject"), b), (f, _p("relationType"), _p(rng.choice(_RELATIONS))),
                    (f, _p("date"), _lit(_date(rng), "date"))]
        out += [(f, _p("evidence"), ev), (ev, RDF_TYPE, _p("Evidence")),
                (ev, _p("source"), _n(graph)), (ev, _p("extractor"), _lit("bench")),
                (ev, _p("record"), _lit(f"bench.csv:{fact}")),
                (ev, _p("confidence"), _lit(f"0.{rng.randint(50, 99)}", "decimal"))]
        total += len(out) - before
    for i, graph in enumerate(names):
        node = _n(graph)
        graphs[graph] += [(node, RDF_TYPE, _p("Source")), (node, _p("record"), _lit(f"s{i}")),
                          (node, _p("format"), _lit("bench")),
                          (node, _p("extractorVersion"), _lit("1")),
                          (node, _p("contentHash"), _lit(f"sha256:bench-{seed}-{triples}-{i}"))]
    return graphs


def populate(store: Any, triples: int, sources: int = 8, seed: int = 7) -> int:
    """Fill ``store`` with :func:`synthetic_graphs`; return the number of triples."""
    from rdflib import URIRef

    graphs = synthetic_graphs(triples, sources, seed)
    counts = store.replace_graphs([(URIRef(g), ts) for g, ts in graphs.items()])
    return int(sum(counts))


# ----------------------------------------------------------------------------- measuring


class PeakRSS:
    """Samples this process's RSS every 50 ms; ``peak`` in MB."""

    def __init__(self) -> None:
        import psutil  # type: ignore[import-untyped]

        self._process = psutil.Process()
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._process.memory_info().rss / 2**20)
            time.sleep(0.05)

    def __enter__(self) -> PeakRSS:
        self.peak = self._process.memory_info().rss / 2**20
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


#: The Neo4j server's process, when it runs on this machine (for its CPU time).
SERVER: Any = None
#: CPU seconds (client, server) of the last :func:`_timed` call.
LAST_CPU: tuple[float, float] = (0.0, 0.0)
#: Bytes this process passed to write() (``write_chars``: files; socket sends are not counted).
LAST_WRITTEN = 0


def _server_process(uri: str) -> Any:
    """The local process listening on the Bolt port of ``uri``, or None."""
    import psutil

    port = int(uri.rsplit(":", 1)[1]) if uri.rsplit(":", 1)[1].isdigit() else 7687
    for conn in psutil.net_connections(kind="tcp"):
        if conn.status == "LISTEN" and conn.laddr and conn.laddr.port == port and conn.pid:
            return psutil.Process(conn.pid)
    return None


def _cpu(process: Any) -> float:
    if process is None:
        return 0.0
    times = process.cpu_times()
    return float(times.user + times.system)


def _timed(label: str, func: Callable[[], Any]) -> tuple[float, float, Any]:
    global LAST_CPU, LAST_WRITTEN
    import psutil

    me = psutil.Process()
    gc.collect()
    with PeakRSS() as rss:
        client, server = _cpu(me), _cpu(SERVER)
        written = me.io_counters().write_chars
        started = time.perf_counter()
        result = func()
        seconds = time.perf_counter() - started
        LAST_CPU = (_cpu(me) - client, _cpu(SERVER) - server)
        LAST_WRITTEN = me.io_counters().write_chars - written
    print(f"  {label}: {seconds:.2f} s wall, CPU client {LAST_CPU[0]:.1f} s + server "
          f"{LAST_CPU[1]:.1f} s, client write() calls {LAST_WRITTEN / 1e6:.1f} MB (files, not sockets), "
          f"peak RSS {rss.peak:.0f} MB, load {os.getloadavg()[0]:.1f}", flush=True)
    return seconds, rss.peak, result


def _count(driver: Any) -> tuple[int, int]:
    records, _, _ = driver.execute_query(
        "CALL () { MATCH (n) RETURN count(n) AS n } CALL () { MATCH ()-[r]->() RETURN count(r) AS r } "
        "RETURN n, r")
    return int(records[0]["n"]), int(records[0]["r"])


def _clear(driver: Any) -> None:
    with driver.session() as session:  # relationships first: dense nodes exceed tx memory
        session.run("MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 20000 ROWS"
                    ).consume()
        session.run("MATCH (n) CALL (n) { DELETE n } IN TRANSACTIONS OF 20000 ROWS"
                    ).consume()


def _sorted_triples(store: Any) -> Iterator[tuple[Any, Any, Any]]:
    """The union graph's triples as rdflib terms, grouped by subject (best case for rdflib-neo4j)."""
    from policykg.graph.terms import from_ox

    native = store._store
    subjects = sorted({q.subject.value for q in native.quads_for_pattern(None, None, None, None)})
    for s in subjects:
        seen = set()
        for q in native.quads_for_pattern(ox.NamedNode(s), None, None, None):
            key = (q.predicate, q.object)
            if key not in seen:
                seen.add(key)
                yield from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)


def run_rdflib_neo4j(store: Any, driver: Any) -> int:
    """rdflib-neo4j's batching Neo4jStore; returns the triples it was given."""
    from rdflib import Graph
    from rdflib_neo4j import (  # type: ignore[import-untyped]
        HANDLE_MULTIVAL_STRATEGY,
        HANDLE_VOCAB_URI_STRATEGY,
        Neo4jStore,
        Neo4jStoreConfig,
    )

    config = Neo4jStoreConfig(
        handle_vocab_uri_strategy=HANDLE_VOCAB_URI_STRATEGY.IGNORE,
        handle_multival_strategy=HANDLE_MULTIVAL_STRATEGY.ARRAY,
        batching=True, batch_size=5000)
    count = 0
    with contextlib.redirect_stdout(io.StringIO()):
        graph = Graph(store=Neo4jStore(config=config, neo4j_driver=driver))
        for triple in _sorted_triples(store):
            graph.add(triple)
            count += 1
        graph.close(True)
    return count


def build_raw_rows(store: Any) -> dict[str, Any]:
    """The same graph shape as the mirror writes (labels, typed props, rels, derived edges),
    as pre-built UNWIND rows grouped by label set and relationship type."""
    from policykg.graph.mirror import KeyMap, _Builder, _Reader
    from policykg.ontology.model import default_model

    reader = _Reader(store)
    builder = _Builder(reader, default_model(), KeyMap())
    nodes: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    rels: dict[str, list[dict[str, Any]]] = defaultdict(list)
    subjects = sorted({s for g in store.graphs() for s in reader.graph_subjects(str(g))})
    for uri in subjects:
        state = builder.state(uri)
        props = {k: v for k, v in state.props.items() if v is not None and k in state.keys}
        nodes[state.labels].append({"uri": uri, "props": props})
        for kind, predicate, target, _ in state.rels:
            rels[kind].append({"s": uri, "o": target, "props": {"predicate": predicate}})
        for kind, start, end, eprops in state.edges:
            rels[kind].append({"s": start, "o": end, "props": {
                k: v for k, v in eprops.items() if not k.startswith("_")}})
    return {"nodes": dict(nodes), "rels": dict(rels)}


def run_raw(driver: Any, rows: dict[str, Any], batch: int = 10000) -> None:
    """``UNWIND $rows MERGE`` of pre-built rows: nodes, then relationships."""
    from policykg.graph.mirror import _quote

    driver.execute_query("CREATE CONSTRAINT bench_uri IF NOT EXISTS "
                         "FOR (r:Resource) REQUIRE r.uri IS UNIQUE")
    with driver.session() as session:
        for labels, items in rows["nodes"].items():
            extra = "".join(":" + _quote(label) for label in labels)
            query = (f"UNWIND $rows AS row MERGE (n:Resource {{uri: row.uri}}) "
                     f"SET n += row.props{', n' + extra if extra else ''}")
            for i in range(0, len(items), batch):
                part = items[i:i + batch]
                session.execute_write(lambda tx, q=query, p=part: tx.run(q, rows=p).consume())
        for kind, items in rows["rels"].items():
            query = (f"UNWIND $rows AS row MERGE (a:Resource {{uri: row.s}}) "
                     f"MERGE (b:Resource {{uri: row.o}}) "
                     f"MERGE (a)-[r:{_quote(kind)}]->(b) SET r += row.props")
            for i in range(0, len(items), batch):
                part = items[i:i + batch]
                session.execute_write(lambda tx, q=query, p=part: tx.run(q, rows=p).consume())


def _loopback_bytes() -> int:
    """Bytes sent over loopback, machine-wide (other jobs on the machine add to it)."""
    import psutil

    counters = psutil.net_io_counters(pernic=True).get("lo")
    return int(counters.bytes_sent) if counters is not None else 0


def run_bulk_import(store: Any, work: Path) -> dict[str, Any]:
    """(d): write the import files and import them into a fresh home; then start a server on
    it (timed apart) and count what it holds."""
    import resource
    import subprocess

    import neo4j

    from policykg.graph.bulk_import import run_import, total_bytes, write_import_files
    from tests.neo4j_server import SCRIPT, start_server, stop_server

    home = work / "home"
    subprocess.run([sys.executable, str(SCRIPT), "home", "--dir", str(home)], check=True,
                   capture_output=True)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    files_box: list[Any] = []

    def both() -> None:
        files = write_import_files(store, work / "files")
        files_box.append(files)
        run_import(files, home)

    seconds, rss, _ = _timed("bulk import (files + neo4j-admin)", both)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    import_cpu = (after.ru_utime - children.ru_utime) + (after.ru_stime - children.ru_stime)
    files = files_box[0]
    out: dict[str, Any] = {"seconds": seconds, "peak_rss_mb": rss,
                           "cpu_client_s": LAST_CPU[0], "cpu_import_tool_s": import_cpu,
                           "client_bytes_written": LAST_WRITTEN,
                           "file_bytes": total_bytes(files),
                           "files": len(files.nodes) + len(files.relationships)}
    started = time.perf_counter()
    info = start_server(home)
    out["server_start_s"] = time.perf_counter() - started
    try:
        driver = neo4j.GraphDatabase.driver(info["uri"], auth=None)
        try:
            out["nodes"], out["relationships"] = _count(driver)
        finally:
            driver.close()
    finally:
        stop_server(home)
    print(f"  bulk import: server start on the imported database {out['server_start_s']:.1f} s,"
          f" import tool CPU {import_cpu:.1f} s, files {out['file_bytes'] / 1e6:.1f} MB",
          flush=True)
    return out


def _with_bytes(entry: dict[str, Any], before: int) -> dict[str, Any]:
    entry["loopback_bytes_sent"] = _loopback_bytes() - before
    entry["client_bytes_written"] = LAST_WRITTEN
    entry["loadavg_1min"] = os.getloadavg()[0]
    entry["cpu_server_s"] = entry.get("cpu_s", 0.0) - entry.get("cpu_client_s", 0.0)
    return entry


def bench_size(size: int, driver: Any, database: str, skip_rdflib: bool,
               bulk: bool = True, exact: bool = False) -> dict[str, Any]:
    """Run (a), (b) and (c) at one size; return the figures."""
    from policykg.graph.mirror import mirror
    from policykg.graph.store import OxigraphStore

    print(f"\n== {size:,} triples", flush=True)
    store = OxigraphStore()
    started = time.perf_counter()
    triples = populate(store, size)
    print(f"  generated and loaded {triples:,} triples in {time.perf_counter() - started:.1f} s")
    out: dict[str, Any] = {"triples": triples}

    _clear(driver)
    sent = _loopback_bytes()
    seconds, rss, summary = _timed("policykg mirror", lambda: mirror(store, driver, database))
    nodes, rels = _count(driver)
    out["policykg"] = _with_bytes({"seconds": seconds, "peak_rss_mb": rss, "nodes": nodes,
                                   "relationships": rels, "triples_per_s": triples / seconds,
                                   "cpu_s": sum(LAST_CPU), "cpu_client_s": LAST_CPU[0]}, sent)
    out["policykg"]["fresh_path"] = summary.fresh
    seconds, _, summary = _timed("policykg re-mirror (unchanged)",
                                 lambda: mirror(store, driver, database))
    assert summary.sources_sent == 0, summary
    out["remirror"] = {"seconds": seconds, "ratio_to_first": seconds / out["policykg"]["seconds"]}
    if exact:
        # The same first mirror through the exact MERGE path: one foreign Resource node makes
        # the database non-empty, which is what selects that path.
        _clear(driver)
        driver.execute_query("CREATE (:Resource {uri: 'urn:bench:not-empty'})")
        sent = _loopback_bytes()
        seconds, rss, summary = _timed("policykg first mirror, exact MERGE path",
                                       lambda: mirror(store, driver, database))
        assert not summary.fresh
        out["policykg_merge_path"] = _with_bytes({
            "seconds": seconds, "peak_rss_mb": rss, "triples_per_s": triples / seconds,
            "cpu_s": sum(LAST_CPU), "cpu_client_s": LAST_CPU[0]}, sent)

    if not skip_rdflib:
        _clear(driver)
        sent = _loopback_bytes()
        seconds, rss, _ = _timed("rdflib-neo4j", lambda: run_rdflib_neo4j(store, driver))
        nodes, rels = _count(driver)
        out["rdflib_neo4j"] = _with_bytes({"seconds": seconds, "peak_rss_mb": rss,
                                           "nodes": nodes, "relationships": rels,
                                           "triples_per_s": triples / seconds,
                                           "cpu_s": sum(LAST_CPU),
                                           "cpu_client_s": LAST_CPU[0]}, sent)

    _clear(driver)
    rows = build_raw_rows(store)
    sent = _loopback_bytes()
    seconds, rss, _ = _timed("raw UNWIND MERGE (pre-built rows)", functools.partial(run_raw, driver, rows))
    nodes, rels = _count(driver)
    out["raw_unwind"] = _with_bytes({"seconds": seconds, "peak_rss_mb": rss, "nodes": nodes,
                                     "relationships": rels, "triples_per_s": triples / seconds,
                                     "cpu_s": sum(LAST_CPU), "cpu_client_s": LAST_CPU[0]}, sent)
    del rows
    _clear(driver)
    driver.execute_query("DROP CONSTRAINT bench_uri IF EXISTS")
    if bulk:
        with tempfile.TemporaryDirectory(prefix="policykg-bench-bulk-") as work:
            entry = run_bulk_import(store, Path(work))
        entry["triples_per_s"] = triples / entry["seconds"]
        out["bulk_import"] = entry
        if not skip_rdflib:
            out["bulk_ratio_vs_rdflib_neo4j"] = (entry["triples_per_s"]
                                                 / out["rdflib_neo4j"]["triples_per_s"])
        print(f"  bulk import {entry['triples_per_s']:,.0f} triples/s end to end"
              + (f" (×{out['bulk_ratio_vs_rdflib_neo4j']:.1f} rdflib-neo4j)"
                 if not skip_rdflib else ""), flush=True)
    store.close()

    p = out["policykg"]["triples_per_s"]
    out["ratio_vs_rdflib_neo4j"] = p / out["rdflib_neo4j"]["triples_per_s"] if not skip_rdflib \
        else None
    out["ratio_vs_raw_unwind"] = p / out["raw_unwind"]["triples_per_s"]
    cpu = out["policykg"]["cpu_s"]
    if cpu and SERVER is not None:
        out["cpu_ratio_vs_raw_unwind"] = out["raw_unwind"]["cpu_s"] / cpu
        if not skip_rdflib:
            out["cpu_ratio_vs_rdflib_neo4j"] = out["rdflib_neo4j"]["cpu_s"] / cpu
        print(f"  CPU (client+server): policykg {cpu:.1f} s | raw {out['raw_unwind']['cpu_s']:.1f}"
              f" s | rdflib-neo4j {out.get('rdflib_neo4j', {}).get('cpu_s', 0):.1f} s")
    print(f"  policykg {p:,.0f} triples/s", end="")
    if not skip_rdflib:
        print(f" | rdflib-neo4j {out['rdflib_neo4j']['triples_per_s']:,.0f} triples/s "
              f"(policykg ×{out['ratio_vs_rdflib_neo4j']:.1f})", end="")
    print(f" | raw {out['raw_unwind']['triples_per_s']:,.0f} triples/s "
          f"(policykg {100 * out['ratio_vs_raw_unwind']:.0f}% of raw)"
          f" | re-mirror {out['remirror']['seconds']:.2f} s "
          f"({100 * out['remirror']['ratio_to_first']:.1f}% of first)", flush=True)
    return out


def _populate_on_disk(size: int, directory: Path) -> int:
    """Fill an on-disk store in a child process, so that the generator's lists never count in
    the measured process's RSS; return the number of triples."""
    import subprocess

    code = ("import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]); "
            "from bench.mirror import populate; from policykg.graph.store import OxigraphStore; "
            "s = OxigraphStore(Path(sys.argv[2])); print(populate(s, int(sys.argv[3]))); "
            "s.close()")
    done = subprocess.run([sys.executable, "-c", code, str(ROOT), str(directory), str(size)],
                          check=True, capture_output=True, text=True)
    return int(done.stdout.split()[-1])


def bench_bulk_only(size: int, work: Path) -> dict[str, Any]:
    """The bulk path alone, from an on-disk store (the 10M round: the client's peak RSS)."""
    from policykg.graph.store import OxigraphStore

    print(f"\n== {size:,} triples, bulk import only (on-disk store)", flush=True)
    started = time.perf_counter()
    triples = _populate_on_disk(size, work / "store")
    print(f"  generated and loaded {triples:,} triples in {time.perf_counter() - started:.1f} s"
          " (child process)", flush=True)
    store = OxigraphStore(work / "store")
    try:
        entry = run_bulk_import(store, work)
    finally:
        store.close()
    entry["triples"] = triples
    entry["triples_per_s"] = triples / entry["seconds"]
    print(f"  bulk import {entry['triples_per_s']:,.0f} triples/s end to end, client peak RSS "
          f"{entry['peak_rss_mb']:.0f} MB", flush=True)
    return entry


def bench_codec(size: int) -> dict[str, Any]:
    """Client side of the online first mirror without a server: building the batches, and
    packing their parameters as the driver does (pure Python, or the Rust extension when it is
    installed). The packed size is the Bolt payload the server receives."""
    from neo4j._codec.hydration.bolt.v3.hydration_handler import HydrationHandler
    from neo4j._codec.packstream import v1 as packstream
    from neo4j._codec.packstream._common import PackableBuffer

    from policykg.graph.mirror import _Mirror
    from policykg.graph.store import OxigraphStore
    from policykg.ontology.model import default_model

    store = OxigraphStore()
    triples = populate(store, size)
    job = _Mirror(store, None, "neo4j", default_model(), 5000)  # type: ignore[arg-type]
    order = sorted({s for g in store.graphs() for s in job.reader.graph_subjects(str(g))})
    job.start_fresh(order)
    hooks = HydrationHandler().dehydration_hooks
    build = pack = 0.0
    payload = 0
    for start in range(0, len(order), job.batch_size):
        began = time.process_time()
        batch = job.build(order[start:start + job.batch_size])
        build += time.process_time() - began
        began = time.process_time()
        for value in (batch.nodes, batch.updates, batch.ends, batch.rels, batch.edges):
            buffer = PackableBuffer()
            items = list(value.values()) if isinstance(value, dict) else value
            packstream.Packer(buffer).pack(items, dehydration_hooks=hooks)
            payload += len(buffer.data)
        pack += time.process_time() - began
    store.close()
    rust = packstream._rust_pack is not None
    print(f"  {triples:,} triples: build {build:.2f} s CPU, pack {pack:.2f} s CPU "
          f"({'Rust extension' if rust else 'pure Python'}), payload {payload / 1e6:.1f} MB",
          flush=True)
    return {"triples": triples, "build_cpu_s": build, "pack_cpu_s": pack,
            "payload_bytes": payload, "rust_extension": rust}


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--skip-rdflib-neo4j", action="store_true")
    parser.add_argument("--skip-bulk-import", action="store_true",
                        help="Leave out (d), e.g. to compare the online mirror across commits.")
    parser.add_argument("--bulk-only", action="store_true",
                        help="Only the bulk path, from an on-disk store (no Bolt server).")
    parser.add_argument("--work", type=Path, help="Folder for --bulk-only (default: a temp dir).")
    parser.add_argument("--exact-up-to", type=int, default=200_000,
                        help="Also time the first mirror through the exact MERGE path up to "
                             "this size.")
    parser.add_argument("--json", type=Path, help="Write the figures to this file.")
    parser.add_argument("--codec-only", action="store_true",
                        help="Only the online mirror's client side: batch building and packing.")
    args = parser.parse_args(argv)
    if args.codec_only:
        codec = {str(size): bench_codec(size) for size in args.sizes}
        if args.json:
            args.json.write_text(json.dumps(codec, indent=2))
        return 0
    if args.bulk_only:
        loads = os.popen("cat /proc/loadavg").read().strip()
        print("load average:", loads, flush=True)
        figures: dict[str, Any] = {"loadavg_start": loads, "sizes": {}}
        for size in args.sizes:
            with tempfile.TemporaryDirectory(prefix="policykg-bench-bulk-",
                                             dir=args.work) as work:
                figures["sizes"][str(size)] = {"bulk_import": bench_bulk_only(size, Path(work))}
        figures["loadavg_end"] = os.popen("cat /proc/loadavg").read().strip()
        print("load average:", figures["loadavg_end"], flush=True)
        if args.json:
            args.json.write_text(json.dumps(figures, indent=2))
        return 0

    import neo4j

    from policykg.graph.neo4j import Neo4jConfig, connect

    server_dir: Path | None = None
    if not os.environ.get("NEO4J_URI"):
        from tests.neo4j_server import start_server

        server_dir = Path(tempfile.mkdtemp(prefix="policykg-bench-neo4j-"))
        info = start_server(server_dir)
        os.environ["NEO4J_URI"] = info["uri"]
        print(f"started a throwaway Neo4j at {info['uri']} ({server_dir})")
    config = Neo4jConfig.from_env()
    driver: neo4j.Driver = connect(config)
    global SERVER
    SERVER = _server_process(config.uri)
    results: dict[str, Any] = {"neo4j": config.uri, "sizes": {},
                               "uptime": os.popen("uptime").read().strip(),
                               "loadavg_start": os.popen("cat /proc/loadavg").read().strip()}
    print(results["uptime"], flush=True)
    try:
        print("warming up the server's JIT (not measured)", flush=True)
        with contextlib.redirect_stdout(io.StringIO()):
            bench_size(20_000, driver, config.database, args.skip_rdflib_neo4j, bulk=False)
        for size in args.sizes:
            results["sizes"][str(size)] = bench_size(size, driver, config.database,
                                                     args.skip_rdflib_neo4j,
                                                     bulk=not args.skip_bulk_import,
                                                     exact=size <= args.exact_up_to)
            results["loadavg_after_" + str(size)] = os.popen("cat /proc/loadavg").read().strip()
            if args.json:  # after every size: a run cut off keeps what it measured
                args.json.write_text(json.dumps(results, indent=2))
    finally:
        driver.close()
        if server_dir is not None:
            from tests.neo4j_server import stop_server

            stop_server(server_dir)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
