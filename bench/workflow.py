"""Merging many dedupe pairs at once (``merge --from``) against one ``merge`` command per pair.

Run: ``python bench/workflow.py [--pairs N]``. Each side starts from the same fresh project
(examples/ plus N pairs of accent-variant namesakes), runs the real ``policykg`` command in
subprocesses, and checks that both end with the same quads.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GIVEN = ["Ana", "Bruno", "Carla", "Diego", "Elena", "Fabio", "Gloria", "Hector", "Ines", "Jaime",
         "Karla", "Lucia", "Mateo", "Nuria", "Oscar", "Paula", "Ramon", "Sofia", "Tomas", "Ursula"]
FAMILY = ["Núñez", "Peña", "Gómez", "Ibáñez", "Muñoz", "Pérez", "Sáenz", "Ortíz", "Durán", "Ríos"]


def _plain(text: str) -> str:
    return text.translate(str.maketrans("áéíóúñ", "aeioun"))


def _project(folder: Path, pairs: int) -> None:
    shutil.copytree(ROOT / "examples", folder / "examples")
    lines = ["source: {title: bench namesakes}", "entities:"]
    for k in range(pairs):
        name = f"{GIVEN[k % len(GIVEN)]} {FAMILY[k % len(FAMILY)]} {FAMILY[(k // 2) % 10]}"
        lines.append(f"  - {{id: accented-{k}, type: Person, name: {name}}}")
        lines.append(f"  - {{id: plain-{k}, type: Person, name: {_plain(name)}}}")
    (folder / "namesakes.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _run(folder: Path, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "policykg", *args], cwd=folder, check=True,
                          capture_output=True, text=True)
    return done.stdout


def _quads(folder: Path) -> list[str]:
    """The store's quads, without the judgement log (its lines carry the time of each merge)."""
    return sorted(line for line in _run(folder, "export", "--format", "nq").splitlines()
                  if not line.startswith("<urn:policykg:judgement:"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pairs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        one, many = Path(tmp) / "one-by-one", Path(tmp) / "from-file"
        for folder in (one, many):
            folder.mkdir()
            _project(folder, args.pairs)
            _run(folder, "load", "examples", "namesakes.yaml")
        listing = json.loads(_run(one, "dedupe", "--format", "json", "--limit", "0"))
        ids = {row["iri_a"].rsplit("/", 1)[-1]: row["iri_a"] for row in listing}
        ids.update({row["iri_b"].rsplit("/", 1)[-1]: row["iri_b"] for row in listing})
        chosen = [{"iri_a": ids[f"accented-{k}"], "iri_b": ids[f"plain-{k}"]}
                  for k in range(args.pairs) if f"accented-{k}" in ids and f"plain-{k}" in ids]
        (many / "pairs.json").write_text(json.dumps(chosen), encoding="utf-8")
        start = time.perf_counter()
        for row in chosen:
            _run(one, "merge", row["iri_a"], row["iri_b"])
        separate = time.perf_counter() - start
        start = time.perf_counter()
        _run(many, "merge", "--from", "pairs.json")
        batch = time.perf_counter() - start
        left, right = set(_quads(one)), set(_quads(many))
        same = left == right
        for line in sorted(left ^ right)[:6]:
            print(("one-by-one only: " if line in left else "from-file only: ") + line)
    print(f"pairs merged: {len(chosen)}")
    print(f"one merge command per pair: {separate:6.2f} s ({separate / len(chosen):.2f} s/pair)")
    print(f"merge --from pairs.json:    {batch:6.2f} s ({batch / len(chosen):.2f} s/pair)")
    print(f"ratio: {separate / batch:.1f}x; same quads at the end: {same}")


if __name__ == "__main__":
    main()
