"""Throughput of the article load path: extraction alone, extraction + triples, and a full load.

Usage (from the repository root)::

    python bench/article_load.py            # 200 documents of about 5 KB
    python bench/article_load.py --reps 500

The documents are the evaluation articles of ``bench/extraction/articles`` glued into texts of
about 5 KB (as ``bench/extraction.py`` does), written to files. Three stages are timed:

* ``extract``: :func:`read_document` + :func:`extract` (what ``bench/extraction.py`` times,
  plus reading the file);
* ``triples``: the same through :class:`ArticleLoader` (entity matching off), all triples built;
* ``load``: :func:`policykg.load.load_paths` into an in-memory Oxigraph store that already holds
  ``examples/`` (so names are matched against curated entities), in one all-or-nothing load.

Both wall-clock and CPU-time rates are printed: on a busy machine the CPU-time rate is the
better estimate of what one free core does.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rdflib import URIRef  # noqa: E402

from policykg.graph.store import OxigraphStore  # noqa: E402
from policykg.load import load_paths  # noqa: E402
from policykg.loaders.article.extract import extract, read_document  # noqa: E402
from policykg.loaders.article.loader import ArticleLoader  # noqa: E402
from policykg.loaders.base import LoadContext  # noqa: E402

__all__ = ["main", "make_documents", "timed"]

ARTICLES = ROOT / "bench" / "extraction" / "articles"


def make_documents(folder: Path, count: int, size: int = 5120) -> list[Path]:
    """Write ``count`` article files of about ``size`` bytes built from the evaluation set."""
    sources = sorted(p for p in ARTICLES.glob("*/*") if p.suffix in (".txt", ".html"))
    texts = [read_document(p).text for p in sources]
    paths = []
    for i in range(count):
        body = texts[i % len(texts)]
        j = 1
        while len(body.encode("utf-8")) < size:
            body += "\n\n" + texts[(i + j) % len(texts)]
            j += 1
        cut = body.encode("utf-8")[:size].decode("utf-8", "ignore")
        path = folder / f"doc-{i:04d}.txt"
        # A different first line per file, so no two files share a content hash.
        path.write_text(f"Document {i}.\n\n{cut}\n", encoding="utf-8")
        paths.append(path)
    return paths


def timed(run: Callable[[], int]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds and the count ``run`` returns."""
    wall, cpu = time.perf_counter(), time.process_time()
    count = run()
    return time.perf_counter() - wall, time.process_time() - cpu, count


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print one line per stage."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--reps", type=int, default=200, help="number of ~5 KB documents")
    args = parser.parse_args(argv)
    loader = ArticleLoader()
    with tempfile.TemporaryDirectory() as folder:
        paths = make_documents(Path(folder), args.reps)
        kilobytes = sum(p.stat().st_size for p in paths) / 1024
        extract(read_document(paths[0]))  # warm the regular expressions

        def extract_only() -> int:
            for path in paths:
                extract(read_document(path))
            return 0

        def triples() -> int:
            total = 0
            for i, path in enumerate(paths):
                context = LoadContext(source=URIRef(f"urn:bench:{i}"))
                total += sum(1 for _ in loader.load(path, context))
            return total

        store = OxigraphStore()
        load_paths(store, [ROOT / "examples"])

        def full_load() -> int:
            results = load_paths(store, paths)
            return sum(r.triples for r in results)

        print(f"{args.reps} article files of ~5 KB ({kilobytes:.0f} KB), one process")
        for label, run in (("extract", extract_only), ("triples", triples),
                           ("load", full_load)):
            wall, cpu, count = timed(run)
            extra = f", {count} triples" if count else ""
            print(f"  {label:8} {args.reps / wall:7.1f} articles/s wall "
                  f"({kilobytes / wall:6.0f} KB/s), {args.reps / cpu:7.1f} articles/s CPU"
                  f"{extra}")
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
