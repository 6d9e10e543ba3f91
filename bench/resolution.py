"""Entity-resolution benchmark: precision/recall on labelled pairs, and blocking at scale.

Usage::

    python bench/resolution.py                  # both parts, 1,000,000 synthetic entities
    python bench/resolution.py --pairs-only
    python bench/resolution.py --entities 200000 --threshold 0.9

Part 1 scores every pair of ``bench/resolution_pairs.yaml``: a pair is predicted "same" when
blocking makes it a candidate AND its score reaches the threshold. Precision, recall, the errors
and a threshold sweep are printed.

Part 2 generates synthetic people (combinatorial first names, middle initials and one or two
surnames, with accent/initial/word-order variants) and organizations (combinatorial agency,
ministry, company and NGO names with acronyms), runs :func:`candidate_pairs` on the in-memory
records, and reports time and peak memory (RSS high-water mark of the process).
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
import unicodedata
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from policykg.resolution.candidates import (  # noqa: E402
    BlockingStats,
    EntityRecord,
    candidate_pairs,
)
from policykg.resolution.scoring import DEFAULT_THRESHOLD, score_pair  # noqa: E402

PAIRS = Path(__file__).with_name("resolution_pairs.yaml")
KINDS = {"person": "Person", "org": "Organization", "place": "Country", "policy": "Policy",
         "event": "Event", "post": "Post"}


def _record(spec: Any, family: str, iri: str) -> EntityRecord:
    if isinstance(spec, str):
        spec = {"name": spec}
    family = spec.get("family", family)
    org = "urn:bench:org:"
    jur = [f"urn:bench:place:{j}" for j in spec.get("jur", [])]
    parents = [org + p for p in spec.get("parent", [])]
    aff = [org + a for a in spec.get("aff", [])]
    return EntityRecord(
        iri=org + spec["key"] if "key" in spec else iri,
        family=family,
        names=(spec["name"], *spec.get("aliases", [])),
        types=frozenset({spec.get("kind", KINDS.get(family, "Organization"))}),
        identifiers={k: frozenset({str(v)}) for k, v in spec.get("ids", {}).items()},
        affiliations=frozenset(aff + jur + parents),
        parents=frozenset(parents),
        jurisdictions=frozenset(jur),
        periods=tuple((org + o, int(a), int(b)) for o, a, b in spec.get("periods", [])),
    )


def load_pairs(path: Path = PAIRS) -> list[tuple[EntityRecord, EntityRecord, bool, str]]:
    """The labelled pairs as records."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    pairs = []
    for number, item in enumerate(data["pairs"]):
        if isinstance(item, list):
            family, a, b, label = item
            spec_a, spec_b, same, note = {"name": a}, {"name": b}, label == "same", ""
        else:
            family = "person" if "family" not in item["a"] and "name" in item["a"] and \
                item["a"].get("kind") is None and _looks_person(item) else "org"
            spec_a, spec_b, same, note = item["a"], item["b"], bool(item["same"]), \
                item.get("note", "")
        pairs.append((_record(spec_a, family, f"urn:bench:{number}:a"),
                      _record(spec_b, family, f"urn:bench:{number}:b"), same, note))
    return pairs


def _looks_person(item: dict[str, Any]) -> bool:
    """Long-form pairs without a family: people unless an org-only field is present."""
    specs = (item["a"], item["b"])
    if any(k in s for s in specs for k in ("jur", "parent", "key")):
        return False
    ids = {k for s in specs for k in s.get("ids", {})}
    if "iati" in ids:
        return False
    org_words = ("department", "ministry", "institute", "secretar", "monitor", "union", "zanu",
                 "mdc", "movement", "agency", "society", "police", "inm", "sre", "ice", "group")
    names = " ".join(str(s["name"]).casefold() for s in specs)
    return not any(word in names for word in org_words)


def evaluate(threshold: float, verbose: bool = True) -> tuple[float, float, int]:
    """Precision and recall of (candidate and score >= threshold) on the labelled pairs."""
    tp = fp = fn = tn = 0
    errors = []
    for a, b, same, note in load_pairs():
        candidate = bool(list(candidate_pairs([a, b])))
        match = score_pair(a, b)
        predicted = candidate and match.score >= threshold
        if predicted and same:
            tp += 1
        elif predicted:
            fp += 1
            errors.append(("FALSE MERGE", a, b, match.score, match.reasons, note))
        elif same:
            fn += 1
            why = "not a candidate" if not candidate else f"score {match.score:.3f}"
            errors.append(("missed", a, b, match.score, [why, *match.reasons], note))
        else:
            tn += 1
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    if verbose:
        print(f"labelled pairs: {tp + fp + fn + tn} ({tp + fn} same, {fp + tn} different)")
        print(f"threshold {threshold:.2f}: precision {precision:.3f}  recall {recall:.3f}  "
              f"(tp {tp}, fp {fp}, fn {fn}, tn {tn})")
        for kind, a, b, score, reasons, note in errors:
            print(f"  {kind:11s} {score:.3f}  {a.names[0]!r} / {b.names[0]!r}  "
                  f"[{'; '.join(reasons)}]{'  # ' + note if note else ''}")
    return precision, recall, fp


# ------------------------------------------------------------------------------ synthetic

def _split(text: str, sep: str | None = None) -> list[str]:
    return text.split(sep)


FIRST = _split("Jorge Roberto Luis Enrique Marcelo Claudia María Ana José Juan Carlos Miguel Ángel "
         "Andrés Manuel Rosa Elena Sofía Lucía Pedro Pablo Diego Alejandro Fernando Ricardo "
         "Javier Raúl Sergio Gabriela Patricia Verónica Alicia Beatriz Daniel David Eduardo "
         "Francisco Gustavo Héctor Ignacio Joaquín Laura Mónica Natalia Óscar Ramón Rubén "
         "Santiago Teresa Víctor John Mary Robert Patricia Michael Linda William Elizabeth "
         "James Jennifer Richard Susan Thomas Jessica Charles Sarah Joseph Karen Christopher "
         "Nancy Matthew Lisa Anthony Betty Mark Sandra Donald Ashley Steven Kimberly Paul "
         "Emily Andrew Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa George "
         "Deborah Timothy Stephanie Ronald Rebecca Jason Sharon Edward Cynthia Jeffrey Kathleen "
         "Vladimir Tatyana Viktor Svetlana Dmitri Olga Igor Natalya Sergei Irina Agnes Simon "
         "Gloriose Chantal Rémy Pascal Moïse Alfred Christine Edna Grace Dorothy Cain Josiah "
         "Hermann Johanna Stefan Susanne Jürgen Friedhelm Irene Karin Reiner Kurt")
SURNAMES_A = _split("García Hernández López Martínez González Pérez Rodríguez Sánchez Ramírez Cruz "
              "Flores Gómez Morales Vázquez Reyes Jiménez Torres Díaz Gutiérrez Ruiz Mendoza "
              "Aguilar Ortiz Moreno Castillo Romero Álvarez Méndez Chávez Rivera Juárez Ramos "
              "Domínguez Herrera Medina Castro Vargas Guzmán Velázquez Rojas Contreras Salazar "
              "Luna Ortega Santiago Guerrero Bautista Estrada Cortés Bustamante Castañeda Peña "
              "Nieto Videgaray Ebrard Osorio Chong Slim Meade Sarukhán Obrador Smith Johnson "
              "Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore Jackson "
              "Martin Lee Thompson White Harris Clark Lewis Robinson Walker Young Allen King "
              "Wright Scott Green Baker Adams Nelson Hill Campbell Mitchell Roberts Carter "
              "Phillips Evans Turner Parker Collins Edwards Stewart Morris Murphy Cook Rogers "
              "Kelly Tillerson Nielsen Mayorkas Jacobson Quandt Klatten Schnabel Holz Weber "
              "Fischer Schmid Möllemann Kuzmenko Zhuravleva Sojko Putin Sibanda Khumalo Mathema "
              "Hungwe Madzongwe Mavhaire Jadagu Makore Bizimungu Barampama Bucumi Ahishakiye "
              "Bikorimana Bigirimana Nduwimana Niyonzima Habonimana Ndayishimiye")
SYLLABLES = _split("ka lo ri ma ne tu sa vi de go pa fe zu mi ro ba le ti na ko")
ORG_HEADS = _split("Ministry of|Department of|Secretariat of|National Institute of|Office of|"
             "Agency for|Commission on|Council for|Bureau of|Center for|Foundation for|"
             "Association of|Federation of|Institute for|Committee on", "|")
ORG_TOPICS = _split("Migration|Foreign Affairs|Homeland Security|Finance|Health|Education|Defense|"
              "Justice|Labor|Agriculture|Energy|Transport|Trade|Human Rights|Refugees|"
              "Border Protection|Statistics|Elections|Women|Youth|Culture|Tourism|Environment|"
              "Water|Housing|Social Development|Public Safety|Customs|Narcotics Control|"
              "Communications|Science|Technology|Fisheries|Mining|Industry|Economy|"
              "Infrastructure|Planning|Civil Protection|Indigenous Peoples", "|")
PLACES = _split("Mexico|Guatemala|Honduras|El Salvador|Belize|Nicaragua|Costa Rica|Panama|Colombia|"
          "Peru|Chile|Argentina|Brazil|Ecuador|Bolivia|Paraguay|Uruguay|Venezuela|Cuba|"
          "Haiti|Jamaica|Canada|Texas|California|Arizona|New Mexico|Chiapas|Oaxaca|Sonora|"
          "Baja California|Chihuahua|Tabasco|Veracruz|Jalisco|Nuevo León|Zimbabwe|Burundi|"
          "Germany|Bavaria|Saxony", "|")
COMPANY_FORMS = _split("S.A. de C.V.|GmbH|AG|Inc.|LLC|Ltd.|S.A.|Holding AG|Group|& Co. KG", "|")


def _strip(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def synthetic(count: int, seed: int = 7) -> list[EntityRecord]:
    """``count`` records: ~60% people, ~40% organizations, ~5% near-duplicate variants."""
    rng = random.Random(seed)
    records: list[EntityRecord] = []
    people = int(count * 0.6)
    for i in range(count):
        if i < people:
            first = rng.choice(FIRST)
            middle = rng.choice(FIRST) if rng.random() < 0.25 else (
                rng.choice("ABCDEFGHJKLMNPRS") + "." if rng.random() < 0.2 else "")
            last = rng.choice(SURNAMES_A)
            second = rng.choice(SURNAMES_A) if rng.random() < 0.5 else ""
            # Invented surnames make the population realistic: most full names are unique.
            if rng.random() < 0.8:
                last = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).title()
            name = " ".join(p for p in (first, middle, last, second) if p)
            variant = rng.random()
            if variant < 0.02:
                name = _strip(name)
            elif variant < 0.035:
                name = f"{first[0]}. {last}"
            elif variant < 0.05:
                name = f"{last}, {first}"
            records.append(EntityRecord(f"urn:syn:{i}", "person", (name,),
                                        frozenset({"Person"})))
        else:
            roll = rng.random()
            place = rng.choice(PLACES)
            if roll < 0.5:
                name = f"{rng.choice(ORG_HEADS)} {rng.choice(ORG_TOPICS)} of {place}"
                kind = "GovernmentAgency"
            elif roll < 0.85:
                stem = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).title()
                name = f"{stem} {rng.choice(ORG_TOPICS)} {rng.choice(COMPANY_FORMS)}"
                kind = "Company"
            else:
                stem = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).title()
                name = f"{stem} {rng.choice(ORG_HEADS)} {rng.choice(ORG_TOPICS)}"
                kind = "NGO"
            if rng.random() < 0.03:
                name = _strip(name).upper()
            records.append(EntityRecord(f"urn:syn:{i}", "org", (name,), frozenset({kind}),
                                        identifiers={"wikidata": frozenset({f"Q{i}"})}
                                        if rng.random() < 0.05 else {}))
    return records


def _rss_mb() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return usage / 1024 if sys.platform != "darwin" else usage / (1024 * 1024)


def scale(count: int, score_sample: int = 20000) -> None:
    """Blocking on ``count`` synthetic records: time, pairs, peak memory."""
    started = time.perf_counter()
    records = synthetic(count)
    built = time.perf_counter()
    before = _rss_mb()
    stats = BlockingStats()
    sample: list[tuple[int, int]] = []
    count_pairs = 0
    for pair in candidate_pairs(records, stats=stats):
        count_pairs += 1
        if len(sample) < score_sample:
            sample.append(pair)
    done = time.perf_counter()
    print(f"synthetic entities: {count:,} (generated in {built - started:.1f} s, "
          f"peak RSS so far {before:.0f} MB)")
    print(f"blocking: {done - built:.1f} s for {stats.keys:,} keys, {stats.blocks:,} blocks "
          f"({stats.skipped_blocks:,} oversized skipped), {count_pairs:,} candidate pairs "
          f"({count_pairs / count:.2f} per entity); peak RSS {_rss_mb():.0f} MB")
    t0 = time.perf_counter()
    above = sum(score_pair(records[i], records[j]).score >= DEFAULT_THRESHOLD
                for i, j in sample)
    t1 = time.perf_counter()
    if sample:
        print(f"scoring: {len(sample):,} pairs in {t1 - t0:.1f} s "
              f"({len(sample) / (t1 - t0):,.0f} pairs/s), {above:,} at or above "
              f"{DEFAULT_THRESHOLD}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument("--entities", type=int, default=1_000_000)
    parser.add_argument("--pairs-only", action="store_true")
    parser.add_argument("--sweep", action="store_true", help="Precision/recall per threshold.")
    args = parser.parse_args(argv)
    precision, _, _ = evaluate(args.threshold)
    if args.sweep:
        for step in range(60, 100, 2):
            t = step / 100
            p, r, fp = evaluate(t, verbose=False)
            print(f"  threshold {t:.2f}: precision {p:.3f} recall {r:.3f} false merges {fp}")
    if not args.pairs_only:
        scale(args.entities)
    return 0 if precision >= 0.98 else 1


if __name__ == "__main__":
    raise SystemExit(main())
