"""Bounded and hostile inputs (issue 12, items 3, 7, 8): each case is refused with one line naming
the file (and line), or loads as the same file without the quirk would; the store is unchanged
after every refusal."""

from __future__ import annotations

import csv
import gzip
import json
import os
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from policykg.exceptions import LimitExceeded, LoaderError, UnsafeInput, printable
from policykg.graph.store import OxigraphStore
from policykg.load import load_paths
from policykg.loaders.base import Limits, json_depth, open_input, parse_json, read_lines
from tests.conftest import CLI, SHARED_SAMPLES

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
GDELT = SHARED_SAMPLES / "gdelt" / "gdelt1_events_20160728_sample.tsv"
FTM = SHARED_SAMPLES / "ftm" / "opensanctions_sample_t1.entities.ftm.json"
IATI = SHARED_SAMPLES / "iati" / "usg-dhs-mexico.iati.xml"


def dump(kg: CLI) -> str:
    return kg("export", "--format", "nq").output


def refused(kg: CLI, *args: str) -> str:
    """Run a load that must fail cleanly; return its one error line, checking the store."""
    before = dump(kg)
    result = kg("load", *args, ok=False)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1, result.output
    assert len(lines[0]) < 1200
    assert dump(kg) == before
    return lines[0]


@pytest.fixture
def loaded(kg: CLI) -> CLI:
    """A store holding the examples, so that 'unchanged' means something."""
    kg("load", "examples/")
    return kg


# ------------------------------------------------------------------------------- XML entities

BOMB_ENTITIES = "".join(
    f'<!ENTITY e{i} "{("&e" + str(i - 1) + ";") * 10}">' for i in range(1, 8))
RDF_BOMB = f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [<!ENTITY e0 "0123456789">{BOMB_ENTITIES}]>
<rdf:RDF xmlns:rdf="{RDF_NS}" xmlns:ex="http://example.org/">
  <rdf:Description rdf:about="http://example.org/x"><ex:p>&e7;</ex:p></rdf:Description>
</rdf:RDF>
"""


def test_rdf_xml_entity_bomb_is_refused_before_parsing(loaded: CLI) -> None:
    (loaded.cwd / "bomb.rdf").write_text(RDF_BOMB)
    line = refused(loaded, "bomb.rdf")
    assert "bomb.rdf:2:" in line and "DOCTYPE" in line


def test_a_dtd_is_refused_in_any_xml_encoding(loaded: CLI) -> None:
    # A byte scan for "<!DOCTYPE" would miss UTF-16; the check reads the prolog with expat.
    (loaded.cwd / "bomb16.rdf").write_bytes(RDF_BOMB.replace('version="1.0"?',
                                                            'version="1.0" encoding="UTF-16"?')
                                            .encode("utf-16"))
    assert "DOCTYPE" in refused(loaded, "bomb16.rdf")


def test_iati_with_a_dtd_is_refused(loaded: CLI) -> None:
    text = IATI.read_text(encoding="utf-8")
    head, rest = text.split("<iati-activities", 1)
    doctype = '<!DOCTYPE iati-activities [<!ENTITY x "boom">]>\n'
    (loaded.cwd / "dtd.iati.xml").write_text(head + doctype + "<iati-activities" + rest)
    assert "DOCTYPE" in refused(loaded, "dtd.iati.xml")


def test_rdf_xml_without_dtd_still_loads(kg: CLI) -> None:
    names = [f"name {i} & co" for i in range(5)]
    body = "".join(f'<rdf:Description rdf:about="http://example.org/{i}"><ex:p>'
                   f'{n.replace("&", "&amp;")}</ex:p></rdf:Description>'
                   for i, n in enumerate(names))
    (kg.cwd / "ok.rdf").write_text(f'<rdf:RDF xmlns:rdf="{RDF_NS}" '
                                   f'xmlns:ex="http://example.org/">{body}</rdf:RDF>')
    kg("load", "ok.rdf")
    tree = ET.parse(kg.cwd / "ok.rdf")
    expected = {e.text for e in tree.iter("{http://example.org/}p")}
    rows = json.loads(kg("sparql", "SELECT ?v WHERE { ?s <http://example.org/p> ?v }",
                         "--format", "json").output)
    assert {row["v"] for row in rows} == expected == set(names)


def test_rdf_xml_error_does_not_echo_a_huge_line(loaded: CLI) -> None:
    iri = "http://example.org/" + "x" * 3_000_000 + " bad"
    (loaded.cwd / "long.rdf").write_text(
        f'<rdf:RDF xmlns:rdf="{RDF_NS}" xmlns:ex="http://example.org/">'
        f'<rdf:Description rdf:about="{iri}"><ex:p>v</ex:p></rdf:Description></rdf:RDF>')
    assert "long.rdf" in refused(loaded, "long.rdf")


def test_printable_clips_and_escapes() -> None:
    text = printable("a\r\x1b]0;x\x07" + "y" * 5000 + "\udcff")
    assert "\r" not in text and "\x1b" not in text and len(text) < 500
    assert "more characters" in text


# ----------------------------------------------------------------------------- YAML records


def test_yaml_alias_bomb_is_refused_at_once(loaded: CLI) -> None:
    levels = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    (loaded.cwd / "bomb.yaml").write_text(
        "\n".join(levels) + "\nentities:\n  - {id: p, type: Person, name: P, aliases: *a9}\n")
    line = refused(loaded, "bomb.yaml")
    assert "bomb.yaml:1:" in line and "anchors" in line


def test_yaml_alias_in_aliases_is_refused_not_stored_as_a_repr(loaded: CLI) -> None:
    (loaded.cwd / "alias.yaml").write_text(
        "entities:\n  - {id: p, type: Person, name: P, aliases: &names [Pe, Pea]}\n"
        "  - {id: q, type: Person, name: Q, aliases: *names}\n")
    line = refused(loaded, "alias.yaml")
    assert "alias.yaml:2:" in line and "anchors" in line


def test_yaml_duplicate_key_names_its_line(loaded: CLI) -> None:
    (loaded.cwd / "dup.yaml").write_text(
        "entities:\n  - id: p\n    type: Person\n    name: P\n    name: Q\n")
    line = refused(loaded, "dup.yaml")
    assert "dup.yaml:5:" in line and "duplicate key 'name' (first on line 4)" in line
    # PyYAML alone keeps the last value silently: the refusal is ours.
    assert yaml.safe_load((loaded.cwd / "dup.yaml").read_text())["entities"][0]["name"] == "Q"


def test_yaml_deep_nesting_is_refused(loaded: CLI) -> None:
    (loaded.cwd / "deep.yaml").write_text("entities: " + "[" * 5000 + "]" * 5000 + "\n")
    assert "--max-depth" in refused(loaded, "deep.yaml")


# ---------------------------------------------------------------------------------- gzip caps


def test_gzip_decompressed_size_is_capped(loaded: CLI) -> None:
    data = GDELT.read_bytes()
    (loaded.cwd / "events.export.csv.gz").write_bytes(gzip.compress(data))
    line = refused(loaded, "events.export.csv.gz", "--max-bytes", "64K")
    assert "events.export.csv.gz" in line and "64 KiB" in line and "--max-bytes" in line
    loaded("load", "events.export.csv.gz", "--max-bytes", "1M")
    rows = sum(1 for _ in csv.reader(data.decode().splitlines(), delimiter="\t"))
    assert rows == 710


@pytest.mark.parametrize("name", ["t.export.csv.gz", "t.ftm.json.gz", "t.nt.gz",
                                  "t.iati.xml.gz"])
def test_truncated_and_corrupt_gzip_name_the_file(loaded: CLI, name: str) -> None:
    source = {"t.export.csv.gz": GDELT, "t.ftm.json.gz": FTM, "t.iati.xml.gz": IATI}.get(name)
    data = source.read_bytes() if source else b"".join(
        f"<http://example.org/{i}> <http://example.org/p> \"{i}\" .\n".encode()
        for i in range(5000))
    packed = gzip.compress(data)
    (loaded.cwd / name).write_bytes(packed[: len(packed) // 2])
    assert "truncated gzip" in refused(loaded, name)
    damaged = bytearray(packed)
    damaged[-6] ^= 0xFF  # inside the CRC trailer: every byte decompresses, the check fails
    (loaded.cwd / name).write_bytes(bytes(damaged))
    assert "corrupt gzip" in refused(loaded, name)


# ------------------------------------------------------------------------- lines and nesting


def test_deeply_nested_json_does_not_break_a_folder_load(loaded: CLI) -> None:
    folder = loaded.cwd / "mixed"
    folder.mkdir()
    shutil.copy(FTM, folder / FTM.name)
    (folder / "deep.json").write_text('{"entities": ' + "[" * 100_000 + "]" * 100_000 + "}")
    line = refused(loaded, "mixed")
    assert "deep.json" in line and "200" in line and "--max-depth" in line


def test_max_depth_option_raises_the_cap(kg: CLI) -> None:
    nested = "[" * 250 + "]" * 250
    record = {"id": "deep-1", "schema": "Person", "properties": {"name": ["Deep One"]}}
    text = json.dumps(record)[:-1] + f', "extra": {nested}}}\n'
    (kg.cwd / "deep.ftm.json").write_text(text)
    assert json.loads(text)["properties"]["name"] == ["Deep One"]
    assert "deep.ftm.json:1:" in refused(kg, "deep.ftm.json")
    kg("load", "deep.ftm.json", "--max-depth", "300")
    assert "Deep One" in kg("show", "Deep One").output


def test_line_cap_names_the_line_and_can_be_raised(kg: CLI) -> None:
    lines = FTM.read_text(encoding="utf-8").splitlines(keepends=True)
    record = json.loads(lines[2])
    record["properties"]["notes"] = ["n" * 100_000]
    lines[2] = json.dumps(record) + "\n"
    (kg.cwd / "long.ftm.json").write_text("".join(lines))
    line = refused(kg, "long.ftm.json", "--max-line", "64K")
    assert "long.ftm.json:3:" in line and "64 KiB" in line and "--max-line" in line
    kg("load", "long.ftm.json", "--max-line", "1M")


def test_ntriples_line_over_the_parser_buffer_is_a_clean_error(loaded: CLI) -> None:
    big = "x" * (17 << 20)
    (loaded.cwd / "big.nt").write_text(
        f'<http://example.org/a> <http://example.org/p> "{big}" .\n')
    assert "16 MiB" in refused(loaded, "big.nt")


def test_empty_ntriples_is_an_error(loaded: CLI) -> None:
    (loaded.cwd / "empty.nt").write_bytes(b"")
    assert "empty.nt" in refused(loaded, "empty.nt")


def test_non_utf8_file_name_is_a_clean_error(loaded: CLI) -> None:
    name = os.fsdecode(b"caf\xe9.yaml")
    (loaded.cwd / name).write_text("entities:\n  - {id: z, type: Person, name: Z}\n")
    assert "caf\\xe9.yaml" in refused(loaded, name)


# ---------------------------------------------------------------------------------- GDELT URL


def test_gdelt_row_with_a_bad_source_url_is_skipped_not_fatal(kg: CLI) -> None:
    rows = [line.split("\t") for line in GDELT.read_text(encoding="utf-8").splitlines()[:20]]
    with_actor = [i for i, r in enumerate(rows) if r[5].strip() and r[-1].startswith("http")]
    bad, good = with_actor[0], with_actor[1]
    rows[bad][-1] = "http://[bad host/story"
    (kg.cwd / "urls.export.csv").write_text("\n".join("\t".join(r) for r in rows) + "\n")
    result = kg("load", "urls.export.csv")
    assert f"urls.export.csv:{bad + 1}:" in result.output and "SOURCEURL" in result.output
    assert "skipped 1 record(s)" in result.output
    described = json.loads(kg("sparql", "SELECT ?d WHERE { ?e <https://schema.org/description> ?d }",
                              "--format", "json").output)
    events = {row["d"].split(":")[0] for row in described}
    assert f"GDELT event {rows[good][0]}" in events
    assert f"GDELT event {rows[bad][0]}" not in events


# ------------------------------------------------------------------------------------- BOMs

BOM = b"\xef\xbb\xbf"


def _count(store: OxigraphStore) -> int:
    return sum(1 for _ in store.quads())


@pytest.mark.parametrize("name, content", [
    ("a.ftm.json", FTM.read_bytes()),
    ("a.popolo.json", (SHARED_SAMPLES / "popolo" / "zimbabwe-senate-ep-popolo-v1.0.json")
     .read_bytes()),
    ("a.wbgetentities.json", (SHARED_SAMPLES / "wikidata" /
                              "Q7747_vladimir_putin.wbgetentities.json").read_bytes()),
    ("a.json", b'{"entities": [{"id": "bom-q", "type": "Person", "name": "Bom Q"}]}'),
    ("a.yaml", b"entities:\n  - {id: bom-p, type: Person, name: Bom P}\n"),
    ("a.entities.csv", b"id,type,name\nbom-r,Person,Bom R\n"),
    ("a.ttl", b"@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\n"),
    ("a.nt", b"<http://example.org/a> <http://example.org/b> \"c\" .\n"),
    ("a.ftm.json.gz", gzip.compress(FTM.read_bytes())),
])
def test_a_byte_order_mark_is_accepted(name: str, content: bytes, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    plain, marked = tmp_path / "plain", tmp_path / "bom"
    plain.mkdir()
    marked.mkdir()
    (plain / name).write_bytes(content)
    raw = gzip.decompress(content) if name.endswith(".gz") else content
    with_bom = BOM + raw
    (marked / name).write_bytes(gzip.compress(with_bom) if name.endswith(".gz") else with_bom)
    monkeypatch.chdir(tmp_path)
    counts = []
    for folder in (plain, marked):
        store = OxigraphStore()
        results = load_paths(store, [folder / name])
        assert results[0].status == "loaded" and not results[0].skipped
        counts.append(_count(store))
        store.close()
    assert counts[0] == counts[1] > 5


# ---------------------------------------------------------------------------- forced formats


def test_forced_format_under_which_records_fail_is_an_error(loaded: CLI) -> None:
    (loaded.cwd / "some.json").write_text("\n".join(
        json.dumps({"id": i, "name": f"n{i}"}) for i in range(10)) + "\n")
    line = refused(loaded, "--format", "gdelt", "some.json")
    assert "some.json" in line and "--format gdelt" in line and "10 record(s) failed" in line
    shutil.copy(GDELT, loaded.cwd / "events.tsv")
    assert "--format ftm" in refused(loaded, "--format", "ftm", "events.tsv")


def test_forced_format_that_fits_still_loads(kg: CLI) -> None:
    shutil.copy(FTM, kg.cwd / "entities.jsonl")  # not an FtM name: only --format says it is
    result = kg("load", "--format", "ftm", "entities.jsonl")
    assert "loaded" in result.output
    first = json.loads(FTM.read_text(encoding="utf-8").splitlines()[0])
    name = first["properties"]["name"][0]
    assert name in kg("show", name).output


# ------------------------------------------------------------------------------ the helpers


def _depth(value: object) -> int:
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    return 0


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='ab"\\[]{}\u00e9 '),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(alphabet='k"\\[{', max_size=3), children, max_size=4),
    max_leaves=30,
)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(_json)
def test_json_depth_matches_the_parsed_structure(value: object) -> None:
    text = json.dumps(value)
    assert json_depth(text.encode()) == _depth(json.loads(text))
    cap = _depth(value)
    assert parse_json(text, Path("x.json"), Limits(max_depth=max(cap, 1))) == value
    if cap > 1:
        with pytest.raises(LimitExceeded):
            parse_json(text, Path("x.json"), Limits(max_depth=cap - 1))


@settings(max_examples=100, deadline=None, derandomize=True)
@given(lines=st.lists(st.binary(max_size=40).map(lambda b: b.replace(b"\n", b"")), max_size=20),
       cap=st.integers(min_value=1, max_value=50), compress=st.booleans())
def test_read_lines_splits_like_splitlines_or_names_the_long_line(
        lines: list[bytes], cap: int, compress: bool, tmp_path_factory: pytest.TempPathFactory
) -> None:
    data = b"\n".join(lines)
    path = tmp_path_factory.mktemp("lines") / "f"
    path.write_bytes(gzip.compress(data) if compress else data)
    pieces = data.split(b"\n")
    expected = [p + b"\n" for p in pieces[:-1]] + ([pieces[-1]] if pieces[-1] else [])
    too_long = [i for i, line in enumerate(expected, 1) if len(line.removesuffix(b"\n")) > cap]
    with open_input(path, Limits(max_line=cap)) as fh:
        if too_long:
            with pytest.raises(LimitExceeded) as info:
                list(read_lines(fh, path, Limits(max_line=cap)))
            assert info.value.line == too_long[0]
        else:
            assert list(read_lines(fh, path, Limits(max_line=cap))) == expected


def test_loader_errors_are_the_one_hierarchy() -> None:
    assert issubclass(LimitExceeded, LoaderError) and issubclass(UnsafeInput, LoaderError)


# ------------------------------------------------- found by the fuzz suite (tests/fuzz/)


def test_json_lone_surrogate_is_a_bad_record_not_a_traceback(kg: CLI) -> None:
    lines = FTM.read_text(encoding="utf-8").splitlines()
    broken = json.loads(lines[1])
    broken["properties"]["name"] = ["Bad SURROGATE name"]
    lines[1] = json.dumps(broken).replace("SURROGATE", "\\ud800")
    (kg.cwd / "s.ftm.json").write_text("\n".join(lines) + "\n")
    result = kg("load", "s.ftm.json")
    assert "s.ftm.json:2:" in result.output and "surrogate" in result.output
    assert "skipped 1 record(s)" in result.output
    # The other records are there: the first entity's name, read from the raw file.
    name = json.loads(lines[0])["properties"]["name"][0]
    assert name in kg("show", name).output


def test_popolo_and_wikidata_values_of_the_wrong_shape_skip_the_record(kg: CLI) -> None:
    popolo = {"persons": [{"id": "p1", "name": "Ana Uno", "identifiers": 1},
                          {"id": "p2", "name": "Bea Dos", "other_names": 5}],
              "organizations": [{"id": "o1", "name": "Org", "classification": 7}]}
    (kg.cwd / "x.popolo.json").write_text(json.dumps(popolo))
    result = kg("load", "x.popolo.json")
    assert "x.popolo.json: record persons[1] (id p2)" in result.output
    assert "Ana Uno" in kg("show", "Ana Uno").output
    wikidata = {"entities": {"Q1": {"id": "Q1", "type": "item", "labels": "oops",
                                    "claims": {"P39": "not a list"}}}}
    (kg.cwd / "y.wbgetentities.json").write_text(json.dumps(wikidata))
    result = kg("load", "y.wbgetentities.json", ok=False)
    assert "Traceback" not in result.output
    assert "y.wbgetentities.json" in result.output
