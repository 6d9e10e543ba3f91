"""A URL store behaves like the embedded one whatever folder a command runs from: judgements
are kept on the server, and a file's source key is relative to its project folder."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from rdflib import Literal, URIRef
from rdflib.namespace import OWL, SKOS

from policykg.graph.store_remote import SparqlStore
from tests.conftest import CLI, EXAMPLES
from tests.sparql_fixtures import empty

ID = "https://w3id.org/policykg/id/person/"
EPN, PN = ID + "enrique-pena-nieto", ID + "pena-nieto"
EXTRA = """\
source: {title: folder fixture}
entities:
  - {id: pena-nieto, type: Person, name: Pena Nieto}
statements:
  - {speaker: pena-nieto, text: "Mexico will not pay for the wall.", kind: direct}
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder (marked by .policykg-project) with the examples and an extra file."""
    monkeypatch.delenv("POLICYKG_JUDGEMENTS", raising=False)
    folder = tmp_path / "project"
    shutil.copytree(EXAMPLES, folder / "data" / "examples")
    (folder / "data" / "extra.yaml").write_text(EXTRA, encoding="utf-8")
    (folder / ".policykg-project").write_text("", encoding="utf-8")
    (tmp_path / "elsewhere").mkdir()
    return folder


def _server(sparql_servers: dict[str, str]) -> str:
    url = sparql_servers["oxigraph-server"]
    empty(url)
    return url


def _sources(cli: CLI) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = json.loads(cli("sources", "--format", "json").output)
    return rows


@pytest.mark.timeout(300)
def test_the_same_file_loaded_from_three_folders_is_one_source(
        sparql_servers: dict[str, str], project: Path, tmp_path: Path) -> None:
    url = _server(sparql_servers)
    runner = CliRunner()
    file = project / "data" / "examples" / "01-actors.yaml"
    for cwd, argument in ((project, "data/examples/01-actors.yaml"),
                          (project / "data" / "examples", "01-actors.yaml"),
                          (tmp_path / "elsewhere", str(file))):
        CLI(runner, url, cwd)("load", argument)  # type: ignore[arg-type] # a URL store
    rows = _sources(CLI(runner, url, tmp_path / "elsewhere"))  # type: ignore[arg-type]
    assert [row["source"] for row in rows] == ["data/examples/01-actors.yaml"]
    # The source holds the file's entities: names read from the raw file, not by our loader.
    raw = yaml.safe_load(file.read_text(encoding="utf-8"))
    names = {entity["name"] for entity in raw["entities"] if "name" in entity}
    store = SparqlStore(url)
    labels = {str(row["n"]) for row in store.select("SELECT ?n WHERE { ?e skos:prefLabel ?n }")}
    assert names <= labels and len(names) > 5


@pytest.mark.timeout(300)
def test_a_merge_survives_reloading_its_source_from_another_folder(
        sparql_servers: dict[str, str], project: Path, tmp_path: Path) -> None:
    url = _server(sparql_servers)
    runner = CliRunner()
    here = CLI(runner, url, project)  # type: ignore[arg-type] # a URL store
    there = CLI(runner, url, tmp_path / "elsewhere")  # type: ignore[arg-type]
    here("load", "data")
    here("merge", EPN, PN, "--note", "same president")
    assert not (project / "policykg-judgements.jsonl").exists()  # kept on the server
    # Another folder (another client) sees the judgement and replays it on a forced reload.
    exported = there("judgements", "export", "-").output.splitlines()
    assert [json.loads(line)["other"] for line in exported] == [PN]
    there("load", "--force", str(project / "data"))
    assert [row["source"] for row in _sources(there)] == [
        "data/examples/01-actors.yaml", "data/examples/02-offices.memberships.csv",
        "data/examples/03-facts.yaml", "data/extra.yaml"]
    store = SparqlStore(url)
    assert not store.ask("ASK { ?x a ?t }", {"x": URIRef(PN)})
    assert store.ask("ASK { ?st pkg:speaker ?x }", {"x": URIRef(EPN)})
    assert store.ask("ASK { ?x skos:altLabel ?n }", {"x": URIRef(EPN), "n": Literal("Pena Nieto")})
    assert (URIRef(PN), OWL.sameAs, URIRef(EPN)) in set(store.triples(URIRef(PN), None, None))
    assert len(list(store.triples(URIRef(EPN), SKOS.prefLabel, None))) == 1
    # The log goes out and comes back in like the embedded store's.
    log = tmp_path / "log.jsonl"
    there("judgements", "export", str(log))
    empty(url)
    there("judgements", "import", str(log))
    assert [json.loads(line)["other"] for line in
            there("judgements", "export", "-").output.splitlines()] == [PN]


def test_project_of_finds_the_nearest_marked_folder(tmp_path: Path) -> None:
    from policykg.load import project_of, source_key

    (tmp_path / "outer" / "inner" / "deep").mkdir(parents=True)
    (tmp_path / "outer" / ".policykg-project").write_text("", encoding="utf-8")
    (tmp_path / "outer" / "inner" / ".git").mkdir()
    file = tmp_path / "outer" / "inner" / "deep" / "x.yaml"
    file.write_text("{}", encoding="utf-8")
    assert project_of(file) == (tmp_path / "outer" / "inner").resolve()
    assert source_key(file, project_of) == "deep/x.yaml"
    (tmp_path / "bare").mkdir()
    lone = tmp_path / "bare" / "y.yaml"
    lone.write_text("{}", encoding="utf-8")
    if not any((parent / ".git").exists() or (parent / ".policykg-project").exists()
               for parent in lone.resolve().parents):
        assert source_key(lone, project_of) == lone.resolve().as_posix().lstrip("/")
