"""``policykg mirror --bulk-import``: files for neo4j-admin, imported and served by a real Neo4j."""

from __future__ import annotations

import csv
import io
import resource
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING, Any

import neo4j
import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib.compare import isomorphic

from policykg.exceptions import BulkImportError
from policykg.graph.bulk_import import ARRAY_DELIMITER, encode_field, write_import_files
from policykg.graph.mirror import pull, pull_dataset
from policykg.graph.store import OxigraphStore
from policykg.load import load_paths
from tests.neo4j_fixtures import dump_graph
from tests.neo4j_server import SCRIPT, start_server, stop_server

if TYPE_CHECKING:
    from tests.neo4j_fixtures import Neo4jDB

ROOT = Path(__file__).resolve().parents[2]
IATI = ROOT.parent / "shared" / "samples" / "iati" / "usg-dhs-mexico.iati.xml"

#: Strings that break naive CSV writers: quotes, delimiters, newlines, backslashes, unicode.
HOSTILE_TTL = r'''
@prefix pkg: <https://w3id.org/policykg/ns#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

<https://example.org/id/hostile> a pkg:Organization ;
    skos:prefLabel "He said \"no\", then; left\nand came back \\ \\\" \u00e9\u4e2d" ;
    skos:altLabel "a,b", "semi;colon", "\"quoted\"", "trailing\\" ;
    pkg:note "   padded   " ;
    pkg:charStart 7, 9 ;
    pkg:confidence 0.1 ;
    pkg:date "2017-01-27"^^xsd:date ;
    pkg:relatedTo <https://example.org/id/elsewhere> .
'''


def _home(directory: Path) -> Path:
    subprocess.run([sys.executable, str(SCRIPT), "home", "--dir", str(directory)], check=True,
                   capture_output=True, text=True)
    return directory


def _connect(info: dict[str, Any]) -> neo4j.Driver:
    return neo4j.GraphDatabase.driver(info["uri"], auth=None, notifications_min_severity="OFF")


@given(st.text(alphabet=st.characters(blacklist_characters=ARRAY_DELIMITER,
                                      blacklist_categories=("Cs",))))
def test_strings_survive_csv_quoting(text: str) -> None:
    field = encode_field(text)
    assert next(csv.reader(io.StringIO(field + "\n"))) == [text]


@given(st.lists(st.text(min_size=1, alphabet=st.characters(
    blacklist_characters=ARRAY_DELIMITER, blacklist_categories=("Cs",))), min_size=1))
def test_string_arrays_split_on_the_delimiter_only(values: list[str]) -> None:
    field = next(csv.reader(io.StringIO(encode_field(values) + "\n")))[0]
    assert field.split(ARRAY_DELIMITER) == values


def test_unrepresentable_values_are_refused() -> None:
    with pytest.raises(BulkImportError, match="U\\+001F"):
        encode_field("a" + ARRAY_DELIMITER + "b", "node x")
    with pytest.raises(BulkImportError, match="empty string inside a list"):
        encode_field(["a", ""], "node x")


def test_bulk_import_matches_the_online_mirror(kg: Any, neo4j_db: Neo4jDB,
                                               tmp_path: Path) -> None:
    examples = tmp_path / "examples"
    shutil.copytree(ROOT / "examples", examples)
    (tmp_path / "hostile.ttl").write_text(HOSTILE_TTL, encoding="utf-8")
    kg("load", str(examples), str(tmp_path / "hostile.ttl"), str(IATI))

    home = _home(tmp_path / "home")
    out = tmp_path / "import"
    result = kg("mirror", "--bulk-import", str(out), "--neo4j-home", str(home), "--format", "json")
    assert "neo4j-admin database import full neo4j" in result.stderr
    info = start_server(home)
    try:
        driver = _connect(info)
        try:
            # A plain mirror finds every source done: the bookkeeping was imported.
            env = {"NEO4J_URI": info["uri"], "NEO4J_DATABASE": "neo4j"}
            with pytest.MonkeyPatch.context() as patch:
                for key, value in env.items():
                    patch.setenv(key, value)
                again = kg("mirror", "--format", "json")
            assert '"sources_sent": 0' in again.stdout, again.stdout

            store = OxigraphStore(kg.store)
            try:
                assert isomorphic(pull(driver), store.union_graph())
                expected = store.dataset()
                got = pull_dataset(driver)
                for graph in store.graphs():
                    assert isomorphic(expected.graph(graph), got.graph(graph)), graph
            finally:
                store.close()

            kg("mirror")  # the session server: an online mirror of the same store
            imported = dump_graph(driver)
            assert imported == neo4j_db.dump()

            # One answer against the raw file: the funding total of the IATI sample.
            raw = ET.parse(IATI).getroot()
            values = [float(t.findtext("value") or "nan") for t in raw.iter("transaction")]
            rows, _, _ = driver.execute_query(
                "MATCH (n:Resource) WHERE n.amount IS NOT NULL AND any(s IN n._sources "
                "WHERE s CONTAINS 'iati') RETURN count(n) AS n, sum(n.amount) AS total")
            assert rows[0]["n"] == len(values)
            assert rows[0]["total"] == pytest.approx(sum(values))
            hostile, _, _ = driver.execute_query(
                "MATCH (n:Resource {uri: $uri}) RETURN n.prefLabel AS label, n.altLabel AS alt",
                uri="https://example.org/id/hostile")
            assert hostile[0]["label"] == 'He said "no", then; left\nand came back \\ \\" é中'
            assert sorted(hostile[0]["alt"]) == sorted(
                ["a,b", "semi;colon", '"quoted"', "trailing\\"])

            # Change one source; an incremental mirror equals a clean mirror of the result.
            facts = examples / "03-facts.yaml"
            text = facts.read_text(encoding="utf-8")
            assert "amount: 75000000\n" in text
            facts.write_text(text.replace("amount: 75000000\n", "amount: 76000000\n", 1),
                             encoding="utf-8")
            kg("load", str(facts))
            with pytest.MonkeyPatch.context() as patch:
                for key, value in env.items():
                    patch.setenv(key, value)
                changed = kg("mirror", "--format", "json")
            assert '"sources_sent": 1' in changed.stdout, changed.stdout
            neo4j_db.clear()
            kg("mirror")
            assert dump_graph(driver) == neo4j_db.dump()
        finally:
            driver.close()
    finally:
        stop_server(home)

    # The database exists now: a second import into it is refused, nothing is written.
    failed = kg("mirror", "--bulk-import", str(tmp_path / "again"), "--neo4j-home", str(home),
                ok=False)
    assert failed.exit_code != 0
    assert "already exists and is not empty" in failed.output
    assert len(failed.output.strip().splitlines()) == 1


def test_missing_neo4j_admin_is_one_line(kg: Any, examples_dir: Path, tmp_path: Path) -> None:
    kg("load", str(examples_dir))
    result = kg("mirror", "--bulk-import", str(tmp_path / "out"), "--neo4j-home",
                str(tmp_path / "no-home"), ok=False)
    assert "neo4j-admin not found" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_printed_command_and_non_empty_directory(kg: Any, examples_dir: Path,
                                                 tmp_path: Path) -> None:
    kg("load", str(examples_dir))
    out = tmp_path / "out"
    result = kg("mirror", "--bulk-import", str(out))
    assert result.stdout.startswith("neo4j-admin database import full neo4j ")
    listed = {line.split("=", 1)[1] for line in result.stdout.split() if
              line.startswith(("--nodes=", "--relationships="))}
    on_disk = {str(p) for p in out.glob("*.csv")}
    assert {p.rsplit("=", 1)[-1] for p in listed} == on_disk
    again = kg("mirror", "--bulk-import", str(out), ok=False)
    assert "must be new or empty" in again.output


def test_full_disk_leaves_no_files(examples_dir: Path, tmp_path: Path) -> None:
    """A file-size limit makes writes fail like a full disk, also for root (no mount needed).
    The store is in memory so that only the import files meet the limit."""
    store = OxigraphStore()
    load_paths(store, [examples_dir])
    out = tmp_path / "out"
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    try:
        resource.setrlimit(resource.RLIMIT_FSIZE, (4 * 1024, hard))  # Python ignores SIGXFSZ
        with pytest.raises(BulkImportError) as caught:
            write_import_files(store, out)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        store.close()
    message = str(caught.value)
    assert "cannot write the import files" in message and "removed the" in message
    assert "\n" not in message
    assert list(out.glob("*.csv")) == []
