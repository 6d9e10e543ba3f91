"""Mutation fuzzer over every file in ../shared/samples/ (issue 12).

Each sample is damaged in seeded, repeatable ways: truncation, byte flips, junk and control
characters, encoding changes, deep nesting, giant lines, line shuffles and compression damage; some
runs force another loader with ``--format``. Every mutant must load or fail cleanly with the store
unchanged (:func:`tests.fuzz.harness.check_load`). Runs are bounded: a fixed number of mutants per
file, each load under :data:`~tests.fuzz.harness.MAX_SECONDS`, the whole file under its timeout.
"""

from __future__ import annotations

import gzip
import os
import random
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from policykg.loaders.registry import loader_names
from tests.conftest import CLI, SHARED_SAMPLES
from tests.fuzz.harness import LIMITS, baseline_store, check_load

SAMPLES = sorted(p for p in SHARED_SAMPLES.rglob("*") if p.is_file())
#: Mutants per sample; the slow ones (the 2.5 MB IATI file, the article extractor) get fewer.
MUTANTS = {"usg-state-mexico.iati.xml.gz": 4, "README.md": 3, "gdelt1_events_20160728_sample.tsv": 6}
DEFAULT_MUTANTS = 10
#: POLICYKG_FUZZ_EXPLORE=N runs N mutants per sample from a fresh seed, to hunt locally.
EXPLORE = int(os.environ.get("POLICYKG_FUZZ_EXPLORE", "0"))
SEED = os.environ.get("POLICYKG_FUZZ_SEED", "") if EXPLORE else ""
#: A name each loader claims by extension, for mutants recompressed as gzip.
GZIP_NAMES = {".ftm.json": ".ftm.json.gz", ".popolo.json": ".popolo.json.gz",
              ".iati.xml": ".iati.xml.gz", ".tsv": ".gdelt.tsv.gz",
              ".wbgetentities.json": ".wikidata.json.gz"}

Mutation = Callable[[bytes, random.Random], bytes]


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(max(len(data), 1))]


def flip_bytes(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 16)):
        if out:
            out[rng.randrange(len(out))] ^= rng.randint(1, 255)
    return bytes(out)


def insert_junk(data: bytes, rng: random.Random) -> bytes:
    junk = [b"\x00", b"\xff\xfe", b"\xc3", b"\r", b"\x1b]0;x\x07", "\u202e".encode(), b'"',
            b"\\", b"<", b"&", b"{", b"]", b"\t", b"\n\n", "\ud7ff".encode(), b"\xed\xa0\x80"]
    out = data
    for _ in range(rng.randint(1, 8)):
        at = rng.randrange(len(out) + 1)
        out = out[:at] + rng.choice(junk) + out[at:]
    return out


def reencode(data: bytes, rng: random.Random) -> bytes:
    text = data.decode("utf-8", "replace")
    encoding = rng.choice(["utf-16", "utf-16-le", "utf-32", "latin-1", "cp1252", "utf-8-sig"])
    return text.encode(encoding, "replace")


def nest(data: bytes, rng: random.Random) -> bytes:
    depth = rng.choice([LIMITS.max_depth + 1, 2000, 50_000])
    opener, closer = rng.choice([(b"[", b"]"), (b'{"a":', b"}"), (b"<a>", b"</a>"),
                                 (b"- ", b""), (b"(", b")")])
    at = rng.randrange(len(data) + 1)
    return data[:at] + opener * depth + closer * depth + data[at:]


def giant_line(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data) + 1)
    filler = rng.choice([b"x", b"a\t", b'"', b" "]) * (LIMITS.max_line + 1000)
    return data[:at] + filler + data[at:]


def shuffle_lines(data: bytes, rng: random.Random) -> bytes:
    lines = data.split(b"\n")
    action = rng.choice(["shuffle", "duplicate", "delete", "crlf"])
    if action == "shuffle":
        rng.shuffle(lines)
    elif action == "duplicate" and lines:
        line = rng.choice(lines)
        lines += [line] * min(rng.randint(2, 200), (4 << 20) // (len(line) + 1))
    elif action == "delete" and lines:
        del lines[rng.randrange(len(lines))]
    else:
        return data.replace(b"\n", b"\r\n")
    return b"\n".join(lines)


MUTATIONS: list[Mutation] = [truncate, flip_bytes, insert_junk, reencode, nest, giant_line,
                             shuffle_lines]


def damage_gzip(packed: bytes, rng: random.Random) -> bytes:
    """Compression damage: a cut, a flipped byte in the deflate stream or the trailer."""
    choice = rng.choice(["cut", "flip", "trailer", "bomb"])
    if choice == "cut":
        return packed[: rng.randrange(10, max(len(packed), 11))]
    out = bytearray(packed)
    if choice == "flip":
        out[rng.randrange(10, max(len(out) - 8, 11))] ^= rng.randint(1, 255)
    elif choice == "trailer":
        out[-rng.randint(1, 8)] ^= 0xFF
    else:  # decompresses past the byte cap
        return gzip.compress(b"0" * (LIMITS.max_bytes + 1))
    return bytes(out)


def mutant(sample: Path, index: int) -> tuple[str, bytes, str | None]:
    """The index-th mutant of a sample: (file name, bytes, forced format or None)."""
    rng = random.Random(f"{SEED}{sample.name}:{index}")
    raw = sample.read_bytes()
    compressed = raw[:2] == b"\x1f\x8b"
    data = gzip.decompress(raw) if compressed else raw
    name = sample.name
    for _ in range(rng.randint(1, 2)):
        data = rng.choice(MUTATIONS)(data, rng)
    if compressed or rng.random() < 0.2:
        if not compressed:
            ending = next((e for e in GZIP_NAMES if name.endswith(e)), None)
            name = name.removesuffix(ending) + GZIP_NAMES[ending] if ending else name + ".gz"
        level = rng.choice([1, 6, 9])
        data = gzip.compress(data, compresslevel=level)
        if rng.random() < 0.7:
            data = damage_gzip(data, rng)
    forced = rng.choice(loader_names()) if rng.random() < 0.15 else None
    return name, data, forced


@pytest.mark.timeout(240)
@pytest.mark.parametrize("sample", SAMPLES, ids=[p.name for p in SAMPLES])
def test_mutants_load_or_fail_cleanly(sample: Path, tmp_path: Path) -> None:
    store = baseline_store(tmp_path)
    outcomes = []
    for index in range(EXPLORE or MUTANTS.get(sample.name, DEFAULT_MUTANTS)):
        name, data, forced = mutant(sample, index)
        folder = tmp_path / f"m{index}"
        folder.mkdir()
        path = folder / name
        path.write_bytes(data)
        outcomes.append(check_load(store, path, format_name=forced,
                                   strict=bool(index % 2)))
    # The mutants are not all refused: some damage leaves a loadable file (or a skipped record).
    assert "error" in outcomes or sample.name == "README.md"


def test_mutants_are_deterministic() -> None:
    sample = SAMPLES[0]
    assert [mutant(sample, i) for i in range(3)] == [mutant(sample, i) for i in range(3)]


def test_gzip_damage_is_really_damage() -> None:
    rng = random.Random(1)
    packed = gzip.compress(b"policykg " * 10_000)
    broken = 0
    for _ in range(20):
        try:
            gzip.decompress(damage_gzip(packed, rng))
        except (OSError, EOFError, zlib.error):
            broken += 1
    assert broken >= 10


@pytest.mark.timeout(240)
def test_cli_reports_one_error_line_and_keeps_the_store(kg: CLI) -> None:
    """Through the command line: exit status 1 with one ``Error:`` line, or success."""
    kg("load", "examples/")
    before = kg("export", "--format", "nq").output
    for sample in SAMPLES[1:9:2]:
        name, data, forced = mutant(sample, 0)
        (kg.cwd / name).write_bytes(data)
        args = ["load", name, "--max-line", str(LIMITS.max_line), "--max-depth",
                str(LIMITS.max_depth), "--max-bytes", str(LIMITS.max_bytes)]
        result = kg(*args, *(["--format", forced] if forced else []), ok=False)
        assert result.exit_code in (0, 1), result.output
        assert "Traceback" not in result.output
        if result.exit_code == 1:
            errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
            assert len(errors) == 1, result.output
            assert kg("export", "--format", "nq").output == before
        else:
            kg("sources", "--remove", name)
