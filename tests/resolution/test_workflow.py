"""Merge, not-same, split and auto-merge against a real store, through the library and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, SKOS

from policykg import resolution
from policykg.cli import cli
from policykg.exceptions import ResolutionError
from policykg.graph.store import OxigraphStore, Store
from policykg.load import load_paths
from policykg.resolution.judgements import current_rewrites, read_log

ID = "https://w3id.org/policykg/id/person/"
EPN, PN = ID + "enrique-pena-nieto", ID + "pena-nieto"
JB, RB, JBI = ID + "jorge-bustamante", ID + "roberto-bustamante", ID + "j-bustamante"
LOG = Path("policykg-judgements.jsonl")
FILES = [Path("examples"), Path("extra.yaml")]


def _load(store: Store, log: Path = LOG) -> None:
    rewrites = current_rewrites(log)
    load_paths(store, FILES, rewrite=rewrites or None)


def _fresh(log: Path = LOG) -> OxigraphStore:
    store = OxigraphStore()
    _load(store, log)
    return store


def _quads(store: Store) -> set[tuple[str, str, str, str]]:
    return {(str(s), str(p), str(o), str(g)) for s, p, o, g in store.quads()}


def test_merge_rewrites_the_store_and_records_the_judgement(store: OxigraphStore) -> None:
    _load(store)
    outcome = resolution.merge(store, LOG, EPN, PN, note="same president")
    assert outcome.graphs  # extra.yaml's graph was rewritten
    assert not store.ask("ASK { ?x a ?t }", {"x": URIRef(PN)})
    # Pena Nieto's statement now belongs to Enrique Peña Nieto; his name is an alias.
    assert store.ask("ASK { ?st pkg:speaker ?x }", {"x": URIRef(EPN)})
    assert (URIRef(EPN), SKOS.altLabel, Literal("Pena Nieto")) in set(
        store.triples(URIRef(EPN), SKOS.altLabel, None))
    assert (URIRef(PN), OWL.sameAs, URIRef(EPN)) in set(store.triples(URIRef(PN), None, None))
    labels = list(store.triples(URIRef(EPN), SKOS.prefLabel, None))
    assert len(labels) == 1  # one preferred name: the other became an alias
    (line,) = LOG.read_text(encoding="utf-8").splitlines()
    data = json.loads(line)
    assert data["action"] == "merge" and data["canonical"] == EPN and data["other"] == PN
    assert data["by"] == "user" and data["note"] == "same president"
    assert data["names"] == ["Enrique Peña Nieto", "Pena Nieto"] and data["reasons"]


def test_merge_then_reload_keeps_the_merge(store: OxigraphStore) -> None:
    _load(store)
    resolution.merge(store, LOG, EPN, PN)
    resolution.merge(store, LOG, JB, JBI)
    merged = _quads(store)
    _load(store)  # the load replays the log
    assert _quads(store) == merged
    fresh = _fresh()
    assert _quads(fresh) == merged  # in place == a fresh load with the log


def test_chained_merges_in_place_equal_a_fresh_load(store: OxigraphStore) -> None:
    _load(store)
    resolution.merge(store, LOG, JBI, JB)  # J. Bustamante canonical first...
    resolution.merge(store, LOG, EPN, JBI)  # ...then (wrongly) merged further
    assert _quads(store) == _quads(_fresh())


def test_split_restores_the_original_entities_and_facts(store: OxigraphStore) -> None:
    _load(store)
    original = _fresh(Path("no-log.jsonl")).union_graph()
    resolution.merge(store, LOG, EPN, PN)
    resolution.merge(store, LOG, JB, JBI)
    outcome = resolution.split(store, LOG, PN)
    assert [j.other for j in outcome.judgements] == [PN]
    resolution.split(store, LOG, JB)  # splitting a canonical undoes the merges into it
    assert isomorphic(store.union_graph(), original)
    assert [j.action for j in read_log(LOG)] == ["merge", "merge", "split", "split"]
    assert current_rewrites(LOG) == {}


def test_split_with_a_missing_source_file_is_a_clear_error(store: OxigraphStore) -> None:
    _load(store)
    resolution.merge(store, LOG, EPN, PN)
    Path("extra.yaml").unlink()
    with pytest.raises(ResolutionError, match="extra.yaml"):
        resolution.split(store, LOG, PN)
    assert [j.action for j in read_log(LOG)] == ["merge"]  # nothing recorded


def test_not_same_prevents_a_later_merge_and_auto_merge(store: OxigraphStore) -> None:
    _load(store)
    trump = ID + "donald-trump"
    resolution.not_same(store, LOG, trump, ID + "wd-Q22686")
    assert resolution.auto_merge(store, LOG).judgements == []
    with pytest.raises(ResolutionError, match="not the same"):
        resolution.merge(store, LOG, trump, ID + "wd-Q22686")


def test_auto_merges_only_identical_qids(store: OxigraphStore) -> None:
    _load(store)
    outcome = resolution.auto_merge(store, LOG)
    pairs = {(j.canonical, j.other) for j in outcome.judgements}
    assert pairs == {(ID + "wd-Q22686", ID + "donald-trump")}
    assert all(j.by == "auto" for j in outcome.judgements)
    # Pena Nieto scores 1.0 on names but has no identifier: not merged automatically.
    assert store.ask("ASK { ?x a pkg:Person }", {"x": URIRef(PN)})
    assert resolution.auto_merge(store, LOG).judgements == []  # idempotent


def test_a_judgement_naming_a_missing_entity_is_reported_not_fatal(
    store: OxigraphStore,
) -> None:
    LOG.write_text(json.dumps({"action": "merge", "canonical": EPN, "other": ID + "nobody",
                               "by": "user"}) + "\n", encoding="utf-8")
    _load(store)
    rewrites = current_rewrites(LOG, store)
    assert any("nobody" in w and "not in the store" in w for w in rewrites.warnings)
    assert store.ask("ASK { ?x a pkg:Person }", {"x": URIRef(EPN)})


def test_refuses_a_person_and_an_organization_without_force(store: OxigraphStore) -> None:
    _load(store)
    with pytest.raises(ResolutionError, match="refusing"):
        resolution.merge(store, LOG, EPN, "https://w3id.org/policykg/id/org/presidency-of-mexico")


def test_find_matches_proposes_pena_nieto_but_not_other_bustamantes(
    store: OxigraphStore,
) -> None:
    _load(store)
    pairs = {frozenset((m.a.iri, m.b.iri)): m for m in resolution.find_matches(store)}
    assert frozenset((EPN, PN)) in pairs
    assert frozenset((JB, RB)) not in pairs
    assert frozenset((ID + "donald-trump", ID + "wd-Q22686")) in pairs
    low = {frozenset((m.a.iri, m.b.iri)): m for m in
           resolution.find_matches(store, min_score=0.0)}
    assert all(m.score < resolution.DEFAULT_THRESHOLD for k, m in low.items() if RB in k)


# ------------------------------------------------------------------------------ CLI


def _run(runner: CliRunner, work: Path, *args: str) -> str:
    result = runner.invoke(cli, ["--store", str(work / ".store"), *args],
                           catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_cli_dedupe_merge_load_split(work: Path) -> None:
    runner = CliRunner()
    _run(runner, work, "load", "examples", "extra.yaml")
    listing = json.loads(_run(runner, work, "dedupe", "--type", "Person", "--format", "json"))
    assert any({row["iri_a"], row["iri_b"]} == {EPN, PN} for row in listing)
    assert all(row["reasons"] for row in listing)
    out = _run(runner, work, "merge", "Enrique Peña Nieto", PN, "--note", "cli")
    assert "merged" in out
    _run(runner, work, "load", "examples", "extra.yaml")
    shown = _run(runner, work, "show", EPN)
    assert "extra.yaml" in shown  # one entity, both sources
    _run(runner, work, "not-same", "Roberto Bustamante", "Jorge Bustamante")
    _run(runner, work, "dedupe", "--auto")
    _run(runner, work, "split", PN)
    log = work / ".store" / "judgements.jsonl"  # kept with the store, not in the cwd
    actions = [json.loads(line)["action"] for line in log.read_text(encoding="utf-8").splitlines()]
    assert actions == ["merge", "not-same", "merge", "split"]
    assert not (work / "policykg-judgements.jsonl").exists()


def test_cli_log_path_from_env(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYKG_JUDGEMENTS", str(work / "judged" / "log.jsonl"))
    runner = CliRunner()
    _run(runner, work, "load", "examples", "extra.yaml")
    _run(runner, work, "merge", EPN, PN)
    assert (work / "judged" / "log.jsonl").exists()
    assert not (work / "policykg-judgements.jsonl").exists()


def test_cli_help_has_examples() -> None:
    runner = CliRunner()
    for command in ("dedupe", "merge", "not-same", "split"):
        result = runner.invoke(cli, [command, "--help"])
        assert result.exit_code == 0 and "Example:" in result.output
