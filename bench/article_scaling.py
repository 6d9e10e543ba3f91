"""How the article extractor's time grows with the input size, on adversarial text shapes.

Usage (from the repository root)::

    python bench/article_scaling.py                       # all shapes, 50k..500k characters
    python bench/article_scaling.py --shapes one-line-prose --sizes 50000 100000
    python bench/article_scaling.py --old REV             # also time the extractor at git REV

Each shape is a synthetic text (see :func:`make_shape`); for each size the seconds of
:func:`extract` are printed with the ratio to the previous size: a linear extractor gives a
ratio close to the size ratio (2.0 from 50k to 100k), a quadratic one its square. ``--old``
checks out ``policykg/`` of a git revision into a temporary directory and times it in a
subprocess on the same texts, so before and after are measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

__all__ = ["SHAPES", "make_shape", "main"]

_PROSE = (
    'Foreign Minister Luis Videgaray said on Monday that Mexico would pay $1.5 million to the '
    'United Nations. "We will not accept it," he told reporters in Washington. The number of '
    "deportees rose 40 percent in the past four years, according to the Department of "
    "Homeland Security. Secretary of State Rex Tillerson said the U.S. offered about 20 "
    "million dollars to Honduras and Guatemala. "
)
_WORD_LIST = (
    "the of and Mexico said minister border $ 5 million percent Dr. U.S. Mr. Ana López "
    "told reporters funding aid program rose fell Honduras Guatemala he she it was "
    "United Nations Department agency 2019 January statement announced"
)
_WORDS = _WORD_LIST.split()


def make_shape(shape: str, size: int, seed: int = 0) -> str:
    """Return a synthetic text of ``size`` characters (about) of the given shape."""
    rng = random.Random(seed)
    if shape == "one-line-prose":
        text = _PROSE * (size // len(_PROSE) + 1)
    elif shape == "random-words":
        parts: list[str] = []
        length = 0
        while length < size:
            word = rng.choice(_WORDS)
            if rng.random() < 0.05:
                word += rng.choice(".,;:!?")
            parts.append(word)
            length += len(word) + 1
        text = " ".join(parts)
    elif shape == "digits-punct":
        alphabet = "0123456789.,;:!?-$%()/ "
        text = "".join(rng.choice(alphabet) for _ in range(size))
    elif shape == "short-lines":
        lines = []
        length = 0
        while length < size:
            line = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(1, 8)))
            lines.append(line)
            length += len(line) + 1
        text = "\n".join(lines)
    elif shape == "no-spaces":
        text = "".join(rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ.") for _ in range(size))
    elif shape == "quotes":
        parts = []
        length = 0
        while length < size:
            word = rng.choice(_WORDS)
            r = rng.random()
            if r < 0.2:
                word = '"' + word
            elif r < 0.4:
                word += '"'
            elif r < 0.45:
                word = "“" + word + "”"
            parts.append(word)
            length += len(word) + 1
        text = " ".join(parts)
    elif shape == "capitals":
        # capitalized words and full stops only: every word may start a name or a sentence.
        parts = []
        length = 0
        while length < size:
            word = rng.choice(_WORDS).capitalize()
            if rng.random() < 0.3:
                word += "."
            parts.append(word)
            length += len(word) + 1
        text = " ".join(parts)
    else:
        raise ValueError(f"unknown shape {shape!r}")
    return text[:size]


SHAPES = (
    "one-line-prose",
    "random-words",
    "digits-punct",
    "short-lines",
    "no-spaces",
    "quotes",
    "capitals",
)

_TIMER = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
from policykg.loaders.article.extract import document_from_text, extract
texts = json.load(sys.stdin)
out = []
for text in texts:
    t0 = time.process_time()
    extract(document_from_text(text))
    out.append(time.process_time() - t0)
print(json.dumps(out))
"""


def _time_here(texts: list[str]) -> list[float]:
    from policykg.loaders.article.extract import document_from_text, extract

    out = []
    for text in texts:
        t0 = time.process_time()
        extract(document_from_text(text))
        out.append(time.process_time() - t0)
    return out


def _time_at(rev: str, texts: list[str], timeout: float) -> list[float | None]:
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(
            ["git", "archive", rev, "policykg"], cwd=ROOT, check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        out: list[float | None] = []
        for text in texts:  # one process per text so that a timeout loses only that text
            try:
                proc = subprocess.run(
                    [sys.executable, "-c", _TIMER, tmp],
                    input=json.dumps([text]),
                    capture_output=True,
                    text=True,
                    timeout=timeout,
                    check=True,
                )
                out.append(json.loads(proc.stdout)[0])
            except subprocess.TimeoutExpired:
                out.append(None)
        return out


def _row(label: str, sizes: list[int], secs: list[float | None]) -> str:
    cells = []
    for i, s in enumerate(secs):
        if s is None:
            cells.append(f"{'>timeout':>10}")
            continue
        prev = secs[i - 1] if i else None
        ratio = f" x{s / prev:4.1f}" if prev else "      "
        cells.append(f"{s:9.2f}s{ratio}")
    return f"{label:<22}" + " ".join(cells)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shapes", nargs="+", default=list(SHAPES), choices=SHAPES)
    parser.add_argument("--sizes", nargs="+", type=int, default=[50_000, 100_000, 200_000, 500_000])
    parser.add_argument("--old", help="git revision whose extractor is timed too")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per old run")
    args = parser.parse_args(argv)
    sizes = sorted(args.sizes)
    print("CPU seconds of extract() per size (xR = ratio to the previous size)")
    print(f"{'shape':<22}" + " ".join(f"{s:>16,}" for s in sizes))
    for shape in args.shapes:
        texts = [make_shape(shape, size) for size in sizes]
        if args.old:
            print(_row(f"{shape} (old)", sizes, _time_at(args.old, texts, args.timeout)), flush=True)
        print(_row(shape, sizes, list(_time_here(texts))), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
