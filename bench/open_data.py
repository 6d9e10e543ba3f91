"""Benchmark of the open-data loaders (FtM JSON lines, GDELT TSV, IATI XML).

Generates synthetic files at 10k and 1M records (and 200k for the store load) in a temporary
folder, then measures each case in a fresh subprocess so that peak RSS is that case's own.
IATI records are activities: the shared State Department sample's 543 activities repeated
under fresh identifiers (``--iati-sample``), parsed at 10k activities only (``--formats iati``).

* ``parse``: ``loader.load()`` consumed (triples counted, not kept);
* ``store``: ``load_paths`` into an on-disk OxigraphStore (10k and 200k).

Prints records/s, triples/s and peak RSS, and the RSS growth from 10k to 1M.

    python bench/open_data.py            # full run (about 10 minutes)
    python bench/open_data.py --quick    # 10k/100k only
    python bench/open_data.py --formats iati --parse-only   # the IATI parse alone
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FTM_TARGET = 20_000
GDELT_TARGET = 20_000
RSS_GROWTH_TARGET_MB = 200


# ---------------------------------------------------------------- synthetic data


def write_ftm(path: Path, records: int, seed: int = 1) -> None:
    """FtM lines: 40% Person, 30% Company/Organization, 30% Payment between them."""
    rng = random.Random(seed)
    people = max(1, int(records * 0.4))
    companies = max(1, int(records * 0.3))
    payments = records - people - companies
    with path.open("w", encoding="utf-8") as fh:
        for i in range(people):
            fh.write(json.dumps({
                "id": f"p-{i:08d}", "schema": "Person", "caption": f"Person {i}",
                "properties": {"name": [f"Person {i}", f"Persona {i}"],
                               "nationality": [rng.choice(["mx", "us", "gt", "hn"])],
                               "birthDate": [f"19{rng.randint(40, 99)}-0{rng.randint(1, 9)}-1"
                                             f"{rng.randint(0, 9)}"]},
                "datasets": ["synthetic"],
            }) + "\n")
        for i in range(companies):
            fh.write(json.dumps({
                "id": f"c-{i:08d}", "schema": rng.choice(["Company", "Organization"]),
                "properties": {"name": [f"Company {i} S.A."], "country": ["mx"]},
                "datasets": ["synthetic"],
            }) + "\n")
        for i in range(payments):
            payer = f"p-{rng.randrange(people):08d}"
            beneficiary = f"c-{rng.randrange(companies):08d}"
            fh.write(json.dumps({
                "id": f"pay-{i:08d}", "schema": "Payment",
                "properties": {"payer": [payer], "beneficiary": [beneficiary],
                               "amount": [str(rng.randint(100, 10_000_000))],
                               "currency": ["USD"], "date": [f"2019-0{rng.randint(1, 9)}-15"]},
                "datasets": ["synthetic"],
            }) + "\n")


_ACTORS = [("USA", "UNITED STATES", "USA", ""), ("MEX", "MEXICO", "MEX", ""),
           ("USAGOV", "UNITED STATES", "USA", "GOV"), ("MEXGOV", "MEXICO", "MEX", "GOV"),
           ("GTM", "GUATEMALA", "GTM", ""), ("MEXCOP", "POLICE", "MEX", "COP"),
           ("USAMIL", "PENTAGON", "USA", "MIL"), ("REF", "MIGRANT", "", "REF")]


def write_gdelt(path: Path, records: int, seed: int = 2) -> None:
    """GDELT 1.0 rows (58 fields) between a few dozen actors, with varied event codes."""
    rng = random.Random(seed)
    actors = _ACTORS + [(f"MEX{c}", f"CITY {c}", "MEX", "GOV") for c in range(40)]
    codes = [("010", "01", "1", "0.0"), ("042", "04", "1", "1.9"), ("046", "04", "1", "7.0"),
             ("112", "11", "3", "-2.0"), ("138", "13", "3", "-7.0"), ("190", "19", "4", "-10.0"),
             ("061", "06", "2", "6.4"), ("0874", "08", "2", "10.0")]
    with path.open("w", encoding="utf-8") as fh:
        for i in range(records):
            a1 = rng.choice(actors)
            a2 = rng.choice(actors)
            code, root, quad, goldstein = rng.choice(codes)
            day = f"2016{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
            actor1 = [a1[0], a1[1], a1[2], "", "", "", "", a1[3], "", ""]
            actor2 = [a2[0], a2[1], a2[2], "", "", "", "", a2[3], "", ""]
            geo = ["1", "Mexico", "MX", "MX", "23", "-102", "MX"]
            row = ([str(500_000_000 + i), day, day[:6], day[:4], "2016.5"] + actor1 + actor2
                   + ["1", code, code[:3], root, quad, goldstein, str(rng.randint(1, 50)), "1",
                      "4", "-1.5"] + geo * 3
                   + ["20160728", f"http://news.example.org/{i}"])
            fh.write("\t".join(row) + "\n")


IATI_SAMPLE = Path("/work/shared/samples/iati/usg-state-mexico.iati.xml.gz")


def write_iati(path: Path, records: int, sample: Path = IATI_SAMPLE) -> None:
    """``records`` IATI activities: the sample's activities in turn, each identifier suffixed
    with its copy number so that every activity (and its transactions) is a new one."""
    import xml.etree.ElementTree as ET

    opener = gzip.open if sample.suffix == ".gz" else open
    with opener(sample, "rb") as fh:
        root = ET.parse(fh).getroot()
    activities = root.findall("iati-activity")
    out = ET.Element(root.tag, root.attrib)
    for i in range(records):
        activity = ET.fromstring(ET.tostring(activities[i % len(activities)]))
        identifier = activity.find("iati-identifier")
        if identifier is not None and identifier.text:
            identifier.text = f"{identifier.text.strip()}-{i // len(activities)}"
        out.append(activity)
    ET.ElementTree(out).write(path, encoding="utf-8", xml_declaration=True)


# ---------------------------------------------------------------- one measurement


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def measure(mode: str, fmt: str, path: Path, records: int, work: Path) -> dict[str, float]:
    """Run inside a fresh process: load ``path`` and report rates and peak RSS."""
    from rdflib import URIRef

    from policykg.loaders.base import LoadContext
    from policykg.loaders.registry import get_loader

    baseline = _peak_rss_mb()
    start, cpu_start = time.perf_counter(), time.process_time()
    triples = 0
    if mode == "parse":
        loader = get_loader(fmt)
        context = LoadContext(source=URIRef("urn:bench"))
        for _ in loader.load(path, context):
            triples += 1
    else:
        from policykg.graph.store import OxigraphStore
        from policykg.load import load_paths

        store = OxigraphStore(work / f"store-{fmt}-{records}")
        results = load_paths(store, [path], format_name=fmt)
        triples = sum(r.triples for r in results)
        store.close()
    elapsed = time.perf_counter() - start
    return {"seconds": elapsed, "cpu_seconds": time.process_time() - cpu_start, "records_per_s": records / elapsed,
            "triples_per_s": triples / elapsed, "triples": triples,
            "peak_rss_mb": _peak_rss_mb(), "baseline_rss_mb": baseline}


def run_case(mode: str, fmt: str, path: Path, records: int, work: Path) -> dict[str, float]:
    """Run :func:`measure` in a subprocess and return its figures."""
    code = (f"import json, sys; from pathlib import Path; "
            f"sys.path.insert(0, {str(Path(__file__).parent)!r}); "
            f"from open_data import measure; "
            f"print(json.dumps(measure({mode!r}, {fmt!r}, Path({str(path)!r}), {records}, "
            f"Path({str(work)!r}))))")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True)
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10k and 100k only")
    parser.add_argument("--formats", nargs="+", choices=["ftm", "gdelt", "iati"],
                        default=["ftm", "gdelt", "iati"])
    parser.add_argument("--parse-only", action="store_true", help="leave out the store cases")
    parser.add_argument("--iati-sample", type=Path, default=IATI_SAMPLE)
    args = parser.parse_args()
    big = 100_000 if args.quick else 1_000_000
    store_big = 50_000 if args.quick else 200_000
    with tempfile.TemporaryDirectory(prefix="policykg-bench-") as tmp:
        work = Path(tmp)
        rows = []
        growth: dict[str, float] = {}
        ok = True
        if "iati" in args.formats:
            path = work / "iati-10000.iati.xml"
            write_iati(path, 10_000, args.iati_sample)
            rows.append(("iati", "parse", 10_000, run_case("parse", "iati", path, 10_000, work)))
        for fmt, writer, target in (("ftm", write_ftm, FTM_TARGET),
                                    ("gdelt", write_gdelt, GDELT_TARGET)):
            if fmt not in args.formats:
                continue
            suffix = ".ftm.json" if fmt == "ftm" else ".gdelt.tsv"
            files = {}
            for n in sorted({10_000, big} | (set() if args.parse_only else {store_big})):
                files[n] = work / f"{fmt}-{n}{suffix}"
                writer(files[n], n)
            peaks = {}
            for n in (10_000, big):
                r = run_case("parse", fmt, files[n], n, work)
                peaks[n] = r["peak_rss_mb"]
                rows.append((fmt, "parse", n, r))
                ok &= r["records_per_s"] >= target
            growth[fmt] = peaks[big] - peaks[10_000]
            ok &= growth[fmt] < RSS_GROWTH_TARGET_MB
            for n in () if args.parse_only else (10_000, store_big):
                rows.append((fmt, "store", n, run_case("store", fmt, files[n], n, work)))
        print(f"{'format':<7}{'mode':<7}{'records':>10}{'seconds':>9}{'records/s':>11}"
              f"{'triples/s':>11}{'triples':>11}{'peak RSS MB':>13}{'CPU s':>8}")
        for fmt, mode, n, r in rows:
            print(f"{fmt:<7}{mode:<7}{n:>10}{r['seconds']:>9.1f}{r['records_per_s']:>11,.0f}"
                  f"{r['triples_per_s']:>11,.0f}{int(r['triples']):>11,}{r['peak_rss_mb']:>13.0f}"
              f"{r['cpu_seconds']:>8.1f}")
        for fmt, mb in growth.items():
            print(f"{fmt}: peak RSS growth parse 10k -> {big:,}: {mb:.0f} MB "
                  f"(target < {RSS_GROWTH_TARGET_MB} MB)")
        print("targets met" if ok else "TARGETS MISSED")


if __name__ == "__main__":
    main()
