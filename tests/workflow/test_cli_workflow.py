"""Sources that stay put, judgements kept with the store, backups that restore, stdin."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from policykg.cli import cli
from policykg.graph.store import OxigraphStore

from ..conftest import DATA, EXAMPLES
from ..resolution.conftest import EXTRA  # Pena Nieto, two Bustamantes: pairs to judge

ID = "https://w3id.org/policykg/id/person/"
EPN, PN = ID + "enrique-pena-nieto", ID + "pena-nieto"


class Project:
    """A project folder holding the store (``.policykg``), examples/ and a second source."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.store = root / ".policykg"
        shutil.copytree(EXAMPLES, root / "examples")
        (root / "extra.yaml").write_text(EXTRA, encoding="utf-8")
        self.runner = CliRunner()

    def run(self, *args: str, cwd: Path | None = None, input: str | bytes | None = None,
            ok: bool = True, store: Path | None = None) -> Result:
        old = os.getcwd()
        os.chdir(cwd or self.root)
        try:
            result = self.runner.invoke(cli, ["--store", str(store or self.store), *args],
                                        input=input, catch_exceptions=False)
        finally:
            os.chdir(old)
        if ok:
            assert result.exit_code == 0, result.output
        return result

    def sources(self, store: Path | None = None) -> list[dict[str, object]]:
        rows: list[dict[str, object]] = json.loads(
            self.run("sources", "--format", "json", store=store).stdout)
        return rows


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    monkeypatch.delenv("POLICYKG_JUDGEMENTS", raising=False)
    monkeypatch.delenv("POLICYKG_STORE", raising=False)
    root = tmp_path / "project"
    root.mkdir()
    return Project(root)


def _quads(store: Path) -> set[tuple[str, str, str, str]]:
    s = OxigraphStore(store)
    try:
        return {(str(a), str(b), str(c), str(g)) for a, b, c, g in s.quads()}
    finally:
        s.close()


def test_the_same_file_from_three_folders_is_one_source(project: Project,
                                                        tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere" / "deeper"
    elsewhere.mkdir(parents=True)
    facts = project.root / "examples" / "01-actors.yaml"
    project.run("load", "examples/01-actors.yaml")
    (project.root / "examples" / "sub").mkdir()
    second = project.run("load", "../01-actors.yaml", "--report", "json",
                         cwd=project.root / "examples" / "sub")
    third = project.run("load", str(facts), "--report", "json", cwd=elsewhere)
    assert [r["status"] for r in json.loads(second.stdout)] == ["unchanged"]
    assert [r["status"] for r in json.loads(third.stdout)] == ["unchanged"]
    listing = project.sources()
    assert [s["source"] for s in listing] == ["examples/01-actors.yaml"]
    # No machine path in what is recorded or listed (the user gave one only to load).
    assert str(tmp_path) not in json.dumps(listing)
    assert str(tmp_path) not in " ".join(q[2] + q[3] for q in _quads(project.store))


def test_source_id_names_a_source(project: Project) -> None:
    project.run("load", "examples/01-actors.yaml", "--source-id", "actors")
    assert [s["source"] for s in project.sources()] == ["actors"]
    bad = project.run("load", "examples", "--source-id", "x", ok=False)
    assert bad.exit_code != 0


def test_a_file_outside_the_project_gets_a_relative_key(project: Project,
                                                       tmp_path: Path) -> None:
    outside = tmp_path / "shared" / "actors.yaml"
    outside.parent.mkdir()
    shutil.copy(project.root / "examples" / "01-actors.yaml", outside)
    project.run("load", str(outside))
    assert [s["source"] for s in project.sources()] == ["../shared/actors.yaml"]


def test_a_merge_survives_reloading_from_another_folder(project: Project,
                                                        tmp_path: Path) -> None:
    project.run("load", "examples", "extra.yaml")
    project.run("merge", EPN, PN)
    assert not (project.root / "policykg-judgements.jsonl").exists()
    elsewhere = tmp_path / "other"
    elsewhere.mkdir()
    project.run("load", str(project.root / "extra.yaml"), "--force", cwd=elsewhere)
    shown = project.run("show", EPN, "--format", "json", cwd=elsewhere).stdout
    assert "extra.yaml" in shown  # Pena Nieto's statement is still Enrique Peña Nieto's
    store = OxigraphStore(project.store)
    try:
        assert not store.ask("ASK { ?x a pkg:Person }", {"x": URIRef(PN)})
    finally:
        store.close()


def test_merge_from_many_dedupe_pairs(project: Project) -> None:
    project.run("load", "examples", "extra.yaml")
    listing = json.loads(project.run("dedupe", "--type", "Person", "--format", "json").stdout)
    pairs = [row for row in listing if {row["iri_a"], row["iri_b"]} == {EPN, PN}]
    assert pairs
    (project.root / "pairs.json").write_text(json.dumps(listing), encoding="utf-8")
    project.run("merge", "--from", "pairs.json")
    log = [json.loads(line) for line in
           project.run("judgements", "export", "-").stdout.splitlines()]
    merged = {frozenset((j["canonical"], j["other"])) for j in log if j["action"] == "merge"}
    assert {frozenset((r["iri_a"], r["iri_b"])) for r in listing} <= merged | {
        frozenset((a, b)) for a in (EPN,) for b in (PN,)}
    after = json.loads(project.run("dedupe", "--type", "Person", "--format", "json").stdout)
    assert not any({r["iri_a"], r["iri_b"]} == {EPN, PN} for r in after)
    bad = project.run("merge", "--from", "extra.yaml", ok=False)
    assert bad.exit_code == 1 and "extra.yaml" in bad.output


def test_review_walks_through_pairs(project: Project) -> None:
    project.run("load", "examples", "extra.yaml")
    listing = json.loads(project.run("dedupe", "--format", "json").stdout)
    assert listing
    out = project.run("review", input="m\n" + "q\n").stdout
    assert f"[1/{len(listing)}]" in out and "1 judgement(s) recorded" in out
    first = listing[0]
    log = [json.loads(line) for line in
           project.run("judgements", "export", "-").stdout.splitlines()]
    assert [(j["action"], j["canonical"], j["other"]) for j in log] == [
        ("merge", first["iri_a"], first["iri_b"])]
    # "not the same" is recorded too, and a skipped pair is left for later.
    rest = json.loads(project.run("dedupe", "--min-score", "0.3", "--format", "json").stdout)
    assert rest
    answers = "n\n" + "s\n" * (len(rest) - 1)
    project.run("review", "--min-score", "0.3", input=answers)
    log = [json.loads(line) for line in
           project.run("judgements", "export", "-").stdout.splitlines()]
    assert [j["action"] for j in log] == ["merge", "not-same"]


def test_judgements_export_import_into_a_new_store(project: Project, tmp_path: Path) -> None:
    project.run("load", "examples", "extra.yaml")
    project.run("merge", EPN, PN, "--note", "same president")
    project.run("judgements", "export", "judged.jsonl")
    lines = (project.root / "judged.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["note"] for line in lines] == ["same president"]
    fresh = project.root / ".fresh"  # in the project folder: the same source keys
    project.run("load", "examples", "extra.yaml", store=fresh)
    out = project.run("judgements", "import", "judged.jsonl", store=fresh).stdout
    assert "imported 1 judgement(s)" in out
    again = project.run("judgements", "import", "judged.jsonl", store=fresh).stdout
    assert "imported 0 judgement(s)" in again
    assert _quads(fresh) == _quads(project.store)


def _graphs(store: Path) -> dict[str, Graph]:
    s = OxigraphStore(store)
    try:
        graphs: dict[str, Graph] = {}
        for a, b, c, g in s.quads():
            graphs.setdefault(str(g), Graph()).add((a, b, c))
        return graphs
    finally:
        s.close()


def test_restore_gives_identical_graphs_sources_and_judgements(project: Project,
                                                               tmp_path: Path) -> None:
    project.run("load", "examples", "extra.yaml")
    project.run("merge", EPN, PN)
    for fmt in ("trig", "nq"):
        backup = project.root / f"backup.{fmt}"
        project.run("export", "--format", fmt, "-o", str(backup))
        copy = project.root / f".copy-{fmt}"  # in the project: its files are the sources
        out = project.run("restore", str(backup), store=copy).stdout
        assert "1 judgement(s)" in out
        original, restored = _graphs(project.store), _graphs(copy)
        assert set(original) == set(restored)
        assert all(isomorphic(original[g], restored[g]) for g in original)
        assert project.sources(store=copy) == project.sources()
        log = project.run("judgements", "export", "-", store=copy).stdout
        assert log == project.run("judgements", "export", "-").stdout
        # The restored sources are the files: reloading them (merges replayed) changes nothing.
        project.run("load", "examples", "extra.yaml", "--force", store=copy)
        reloaded = _graphs(copy)
        assert set(reloaded) == set(original)
        assert all(isomorphic(original[g], reloaded[g]) for g in original)
        refused = project.run("restore", str(backup), store=copy, ok=False)
        assert refused.exit_code == 1
        assert refused.output.strip().splitlines() == [
            "Error: restore needs an empty store: this one holds data (init --force empties it)"]


def test_load_from_standard_input(project: Project) -> None:
    text = (project.root / "examples" / "01-actors.yaml").read_bytes()
    raw = yaml.safe_load(text)
    out = project.run("load", "--format", "curated", "-", "--report", "json", input=text)
    (row,) = json.loads(out.stdout)
    assert row["file"] == "-" and row["status"] == "loaded"
    (source,) = project.sources()
    assert source["source"] == "stdin"
    assert source["title"] == raw["source"]["title"]
    # The same bytes from the file give the same facts.
    other = project.root / "other-store"
    project.run("load", "examples/01-actors.yaml", store=other)
    assert project.sources(store=other)[0]["triples"] == source["triples"]
    named = project.run("load", "--format", "curated", "--source-id", "offices.memberships.csv", "-",
                        input=(project.root / "examples" / "02-offices.memberships.csv"
                               ).read_bytes())
    assert "loaded" in named.stdout
    assert "offices.memberships.csv" in [s["source"] for s in project.sources()]
    missing = project.run("load", "-", input=text, ok=False)
    assert missing.exit_code == 2 and "needs --format" in missing.output
    broken = project.run("load", "--format", "curated", "-", input=b"entities: [{type: X}]\n",
                         ok=False)
    assert broken.exit_code == 1 and "<stdin stdin>" in broken.output
    assert "policykg-stdin" not in broken.output  # not the temporary copy's name


def test_extract_from_standard_input(project: Project) -> None:
    article = DATA / "articles" / "press-call.txt"
    piped = project.run("extract", "-", "--format", "json", input=article.read_bytes()).stdout
    direct = project.run("extract", str(article), "--format", "json").stdout
    assert json.loads(piped) == json.loads(direct)
    title = article.read_text(encoding="utf-8").split("title:", 1)[1].splitlines()[0].strip()
    assert json.loads(piped)["source"]["title"] == title.strip("\"'")
