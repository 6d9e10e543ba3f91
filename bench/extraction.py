"""Score the article extractor against the hand-written keys in ``bench/extraction/articles``.

Usage (from the repository root)::

    python bench/extraction.py            # every split, in- and out-of-domain totals, throughput
    python bench/extraction.py -v         # also list every miss and false positive
    python bench/extraction.py --split heldout --no-speed
    python bench/extraction.py --split out-of-domain --no-speed

Splits: ``dev`` and ``heldout`` are the in-domain texts (written for the project, on
migration); ``ood-dev``, ``ood-dev2`` and ``ood-heldout`` are real public-domain US government texts
on other policy areas (issue 16). ``heldout`` and ``ood-heldout`` are never tuned on
(``ood-dev2`` was the first out-of-domain held-out set: scored once, then opened for development).

Scoring rules:

* persons / organizations: a predicted entity is correct when its canonical name equals the
  key's name or one of the key's mentions (accents, case and a leading "the" ignored).
  Predictions that match a ``core: false`` key entry are neither rewarded nor penalized;
  ``core: false`` entries are not required for recall. Organizations are also scored
  without countries (``orgs-no-country``).
* amounts: correct when value and currency equal the key's (vague amounts: value None and
  the same text). Qualifier agreement is reported on the matched amounts.
* statements: correct when the speaker matches and the statement text starts with the key's
  ``first_words`` after normalizing quotes, punctuation, whitespace and case.
* statistics: matched by value; relations: matched as normalized triples.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from policykg.loaders.article.extract import (  # noqa: E402
    Document,
    Extraction,
    document_from_text,
    extract,
    read_document,
)

__all__ = ["main", "score_article", "Counts"]

ARTICLES = ROOT / "bench" / "extraction" / "articles"
IN_DOMAIN = ("dev", "heldout")
OUT_OF_DOMAIN = ("ood-dev", "ood-dev2", "ood-heldout")
# held-out splits whose per-article misses -v never prints (their texts stay unread)
UNPRINTED = ("ood-heldout",)
# --split value -> the splits it scores; groups of two or more also print their total
SPLIT_CHOICES: dict[str, tuple[str, ...]] = {
    **{s: (s,) for s in (*IN_DOMAIN, *OUT_OF_DOMAIN)},
    "both": IN_DOMAIN,
    "in-domain": IN_DOMAIN,
    "out-of-domain": OUT_OF_DOMAIN,
    "all": (*IN_DOMAIN, *OUT_OF_DOMAIN),
}
CATEGORIES = (
    "persons",
    "organizations",
    "orgs-no-country",
    "amounts",
    "statements",
    "statistics",
    "relations",
)


def norm(s: Any) -> str:
    """Normalize a name or text for comparison."""
    if s is None:
        return ""
    text = unicodedata.normalize("NFKD", str(s))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"[^\w\s]", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r"^the ", "", text)


@dataclass
class Counts:
    """True positives, false positives and false negatives of one category."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    notes: list[str] = field(default_factory=list)

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.notes.extend(other.notes)

    def prf(self) -> tuple[float, float, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f


def _entity_counts(pred: list[str], keys: list[dict[str, Any]], name: str) -> Counts:
    c = Counts()
    used: set[int] = set()
    for p in pred:
        hit = None
        for i, k in enumerate(keys):
            forms = {norm(k["name"])} | {norm(m) for m in k.get("mentions") or []}
            if norm(p) in forms:
                hit = i
                break
        if hit is None:
            c.fp += 1
            c.notes.append(f"{name} FP: {p}")
        elif keys[hit].get("core", True) and hit not in used:
            c.tp += 1
            used.add(hit)
        # matches of non-core keys are ignored
    for i, k in enumerate(keys):
        if k.get("core", True) and i not in used:
            c.fn += 1
            c.notes.append(f"{name} FN: {k['name']}")
    return c


def _speaker_forms(speaker: str, key: dict[str, Any]) -> set[str]:
    forms = {norm(speaker)}
    for group in ("persons", "organizations"):
        for ent in key.get(group) or []:
            if norm(ent["name"]) == norm(speaker):
                forms |= {norm(m) for m in ent.get("mentions") or []}
    return forms


def score_article(ex: Extraction, key: dict[str, Any]) -> dict[str, Counts]:
    """Score one extraction against its key.

    Args:
        ex: The extraction.
        key: The parsed YAML key.

    Returns:
        Counts per category.
    """
    res: dict[str, Counts] = {}
    res["persons"] = _entity_counts(
        [p.name for p in ex.persons], key.get("persons") or [], "person"
    )
    korgs = key.get("organizations") or []
    res["organizations"] = _entity_counts([o.name for o in ex.organizations], korgs, "org")
    res["orgs-no-country"] = _entity_counts(
        [o.name for o in ex.organizations if o.type != "Country"],
        [k for k in korgs if k.get("type") != "Country"],
        "org",
    )
    # amounts
    c = Counts()
    kam = list(key.get("amounts") or [])
    used: set[int] = set()
    qual_ok = 0
    for a in ex.amounts:
        hit = None
        for i, k in enumerate(kam):
            if i in used or (k.get("unit") or "USD") != a.currency:
                continue
            kv = k.get("value")
            if (
                kv is None
                and a.value is None
                and norm(k["text"]) == norm(a.text)
                or kv is not None
                and a.value is not None
                and abs(float(kv) - a.value) < 1e-6 * max(1.0, abs(a.value))
            ):
                hit = i
            if hit is not None:
                break
        if hit is None:
            c.fp += 1
            c.notes.append(f"amount FP: {a.text} ({a.value} {a.currency})")
        else:
            used.add(hit)
            c.tp += 1
            if norm(kam[hit].get("qualifier")) == norm(a.qualifier):
                qual_ok += 1
            else:
                c.notes.append(
                    f"amount qualifier: {a.text}: {a.qualifier!r} vs {kam[hit].get('qualifier')!r}"
                )
    for i, k in enumerate(kam):
        if i not in used:
            c.fn += 1
            c.notes.append(f"amount FN: {k['text']}")
    res["amounts"] = c
    res["_qualifier"] = Counts(tp=qual_ok, fp=c.tp - qual_ok)
    # statements
    c = Counts()
    kq = list(key.get("quotes") or [])
    used = set()
    for s in ex.statements:
        hit = None
        for i, k in enumerate(kq):
            if i in used:
                continue
            if norm(s.text).startswith(norm(k["first_words"])) and norm(
                s.speaker
            ) in _speaker_forms(k["speaker"], key):
                hit = i
                break
        if hit is None:
            c.fp += 1
            c.notes.append(f"stmt FP: [{s.speaker}] {s.kind}/{s.cue}: {s.text[:70]!r}")
        else:
            used.add(hit)
            c.tp += 1
    for i, k in enumerate(kq):
        if i not in used:
            c.fn += 1
            c.notes.append(f"stmt FN: [{k['speaker']}] {k['first_words']!r}")
    res["statements"] = c
    # statistics
    c = Counts()
    kst = list(key.get("statistics") or [])
    used = set()
    for st in ex.statistics:
        hit = next(
            (
                i
                for i, k in enumerate(kst)
                if i not in used and abs(float(k["value"]) - st.value) < 1e-6
            ),
            None,
        )
        if hit is None:
            c.fp += 1
            c.notes.append(f"stat FP: {st.text}")
        else:
            used.add(hit)
            c.tp += 1
    for i, k in enumerate(kst):
        if i not in used:
            c.fn += 1
            c.notes.append(f"stat FN: {k['text']}")
    res["statistics"] = c
    # relations
    c = Counts()
    krel = {tuple(norm(x) for x in r) for r in key.get("relations") or []}
    prel = {(norm(r.subject), norm(r.predicate), norm(r.object)) for r in ex.relations}
    c.tp = len(krel & prel)
    c.fp = len(prel - krel)
    c.fn = len(krel - prel)
    c.notes += [f"rel FP: {r}" for r in sorted(prel - krel)]
    c.notes += [f"rel FN: {r}" for r in sorted(krel - prel)]
    res["relations"] = c
    return res


def _articles(split: str) -> list[tuple[Path, Path]]:
    folder = ARTICLES / split
    out = []
    for keyf in sorted(folder.glob("*.yaml")):
        for ext in (".txt", ".html", ".htm"):
            art = keyf.with_suffix(ext)
            if art.exists():
                out.append((art, keyf))
                break
    return out


def _empty_totals() -> dict[str, Counts]:
    return {c: Counts() for c in (*CATEGORIES, "_qualifier")}


def print_table(label: str, n_articles: int, total: dict[str, Counts]) -> None:
    """Print precision, recall and F1 per category.

    Args:
        label: Heading of the table (a split or a group of splits).
        n_articles: Number of articles the counts come from.
        total: Aggregated counts per category.
    """
    print(f"\n{label}: {n_articles} articles")
    print(f"  {'category':<17} {'P':>6} {'R':>6} {'F1':>6}   tp  fp  fn")
    for cat in CATEGORIES:
        cnt = total[cat]
        p, r, f = cnt.prf()
        print(f"  {cat:<17} {p:6.3f} {r:6.3f} {f:6.3f}  {cnt.tp:3d} {cnt.fp:3d} {cnt.fn:3d}")
    q = total["_qualifier"]
    if q.tp + q.fp:
        print(f"  amount qualifier agreement on matched amounts: {q.tp}/{q.tp + q.fp}")


def run_split(split: str, verbose: bool) -> dict[str, Counts]:
    """Score every article of a split and print the table.

    Args:
        split: ``dev``, ``heldout``, ``ood-dev``, ``ood-dev2`` or ``ood-heldout``.
        verbose: Print misses and false positives per article (not for ``UNPRINTED``).

    Returns:
        Aggregated counts per category.
    """
    total = _empty_totals()
    arts = _articles(split)
    for art, keyf in arts:
        key = yaml.safe_load(keyf.read_text(encoding="utf-8")) or {}
        ex = extract(read_document(art))
        res = score_article(ex, key)
        for cat, cnt in res.items():
            total[cat].add(cnt)
        if verbose and split not in UNPRINTED:
            notes = [n for cat in CATEGORIES for n in res[cat].notes]
            if notes:
                print(f"  -- {art.name}")
                for n in notes:
                    print(f"     {n}")
    print_table(split, len(arts), total)
    return total


def run_group(label: str, splits: tuple[str, ...], verbose: bool) -> dict[str, Counts]:
    """Score several splits, print each table and, for two or more, their total.

    Args:
        label: Name of the group, printed above its total.
        splits: The splits to score.
        verbose: Print misses and false positives per article.

    Returns:
        Counts per category summed over the splits.
    """
    total = _empty_totals()
    for split in splits:
        for cat, cnt in run_split(split, verbose).items():
            total[cat].add(cnt)
    if len(splits) > 1:
        n_articles = sum(len(_articles(s)) for s in splits)
        print_table(f"{label} ({' + '.join(splits)})", n_articles, total)
    return total


def _five_kb_docs() -> list[Document]:
    texts = [read_document(a).text for split in IN_DOMAIN for a, _k in _articles(split)]
    docs = []
    for i, t in enumerate(texts):
        body = t
        j = 1
        while len(body.encode("utf-8")) < 5000:
            body += "\n\n" + texts[(i + j) % len(texts)]
            j += 1
        cut = body.encode("utf-8")[:5120].decode("utf-8", "ignore")
        docs.append(document_from_text(cut))
    return docs


def throughput(reps: int = 200) -> tuple[float, float, float]:
    """Measure extraction speed on ``reps`` documents of about 5 KB, on one core.

    Args:
        reps: Number of documents to process.

    Returns:
        Articles per second and kilobytes per second (wall clock), and articles per second of
        this process's CPU time (what one core gives when the machine is shared).
    """
    docs = _five_kb_docs()
    extract(docs[0])
    nbytes = 0
    t0 = time.perf_counter()
    c0 = time.process_time()
    for i in range(reps):
        d = docs[i % len(docs)]
        extract(d)
        nbytes += len(d.text.encode("utf-8"))
    dt = time.perf_counter() - t0
    cpu = time.process_time() - c0
    return reps / dt, nbytes / 1024 / dt, reps / cpu


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark.

    Args:
        argv: Command-line arguments.

    Returns:
        The exit code.
    """
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--split",
        choices=tuple(SPLIT_CHOICES),
        default="all",
        help="a split, or a group: both/in-domain (dev, heldout), out-of-domain "
        "(ood-dev, ood-dev2, ood-heldout), all (default)",
    )
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--no-speed", action="store_true")
    ap.add_argument("--reps", type=int, default=200)
    args = ap.parse_args(argv)
    chosen = SPLIT_CHOICES[args.split]
    for label, group in (("in-domain", IN_DOMAIN), ("out-of-domain", OUT_OF_DOMAIN)):
        splits = tuple(s for s in group if s in chosen)
        if splits:
            run_group(label, splits, args.verbose)
    if not args.no_speed:
        aps, kbps, cpu_aps = throughput(args.reps)
        print(
            f"\nthroughput ({args.reps} articles of ~5 KB, one core): "
            f"{aps:.1f} articles/s, {kbps:.0f} KB/s wall clock; "
            f"{cpu_aps:.1f} articles/s of CPU time"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
