"""End-to-end tests of the core commands through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from policykg.cli import cli
from policykg.graph.store import OxigraphStore

from ..conftest import CLI


def union(store_path: Path) -> Graph:
    store = OxigraphStore(store_path)
    try:
        return store.union_graph()
    finally:
        store.close()


def test_loading_examples_twice_leaves_an_isomorphic_graph(kg: CLI) -> None:
    first = kg("load", "examples/", "--report", "json")
    rows = json.loads(first.output)
    assert [r["status"] for r in rows] == ["loaded"] * 3
    before = union(kg.store)
    second = kg("load", "examples/", "--report", "json")
    assert [r["status"] for r in json.loads(second.output)] == ["unchanged"] * 3
    forced = kg("load", "examples/", "--force", "--report", "json")
    assert [r["status"] for r in json.loads(forced.output)] == ["loaded"] * 3
    assert isomorphic(before, union(kg.store))


def test_removing_a_source_removes_exactly_its_facts(kg: CLI) -> None:
    kg("load", "examples/01-actors.yaml", "examples/02-offices.memberships.csv")
    only_two = union(kg.store)
    kg("load", "examples/03-facts.yaml")
    assert len(union(kg.store)) > len(only_two)
    out = kg("sources", "--remove", "examples/03-facts.yaml")
    assert out.output.startswith("removed examples/03-facts.yaml (")
    assert isomorphic(only_two, union(kg.store))
    listing = json.loads(kg("sources", "--format", "json").output)
    assert [s["source"] for s in listing] == ["examples/01-actors.yaml",
                                              "examples/02-offices.memberships.csv"]


def test_export_then_load_into_a_fresh_store_is_isomorphic(kg: CLI, tmp_path: Path) -> None:
    kg("load", "examples/")
    original = union(kg.store)
    for fmt in ("nt", "ttl", "jsonld", "trig"):
        out = kg.cwd / f"dump.{fmt}"
        kg("export", "--format", fmt, "-o", str(out))
        fresh = CLI(kg.runner, tmp_path / f"fresh-{fmt}", kg.cwd)
        fresh("load", str(out))
        restored = union(fresh.store)
        # The dump is itself a new source: drop what the store says about that file.
        store = OxigraphStore(fresh.store)
        dump_source = store.graphs()[0]
        store.close()
        for triple in list(restored.triples((dump_source, None, None))):
            restored.remove(triple)
        assert isomorphic(original, restored), fmt


def test_export_to_stdout(kg: CLI) -> None:
    kg("load", "examples/01-actors.yaml")
    result = kg("export", "--format", "nt")
    graph = Graph().parse(data=result.output, format="nt")
    assert isomorphic(graph, union(kg.store))


def test_validate_passes_on_examples(kg: CLI) -> None:
    kg("load", "examples/")
    assert kg("validate").output.strip() == "conforms: no violations"


def test_validate_fails_with_a_report_naming_node_and_shape(kg: CLI) -> None:
    bad = kg.cwd / "bad.ttl"
    bad.write_text(
        "@prefix pkg: <https://w3id.org/policykg/ns#> .\n"
        "<https://example.org/flow/1> a pkg:FundingFlow ; pkg:amount \"five\" ; pkg:currency \"dollars\" ;"
        " pkg:funder <https://example.org/nobody> .\n",
        encoding="utf-8",
    )
    kg("load", "bad.ttl")
    result = kg("validate", "--format", "json", ok=False)
    assert result.exit_code == 1
    report = json.loads(result.output.split("Error:")[0])
    focus = {(v["focus"], v["shape"], v["path"]) for v in report}
    assert ("<https://example.org/flow/1>", "pkgsh:FundingFlowShape", "pkg:amount") in focus
    assert ("<https://example.org/flow/1>", "pkgsh:FundingFlowShape", "pkg:currency") in focus
    assert "Error: 3 SHACL violation(s)" in result.output


def test_stats_counts_classes_and_relationships(kg: CLI) -> None:
    kg("load", "examples/")
    listing = json.loads(kg("stats", "--format", "json").output)
    counts = {(r["kind"], r["name"]): r["count"] for r in listing["rows"]}
    counts.update({("total", r["name"]): r["count"] for r in listing["totals"]})
    assert counts[("class", "Person")] == 8
    assert counts[("class", "Membership")] == 10
    assert counts[("class", "FundingFlow")] == 1
    assert counts[("relationship", "member")] == 10
    assert counts[("total", "sources")] == 3


def test_show_resolves_names_forgiving_accents(kg: CLI) -> None:
    kg("load", "examples/")
    rows = json.loads(kg("show", "pena nieto", "--format", "json").output)["facts"]
    labels = [r["value"] for r in rows if r["predicate"] == "skos:prefLabel"]
    assert labels == ["Enrique Peña Nieto"]
    participants = {r["label"] for r in rows if r["predicate"] == "pkg:participant"}
    assert "Trump visit to Los Pinos" in participants
    assert all(r["sources"] for r in rows)


def test_show_reports_ambiguity_and_suggestions(kg: CLI) -> None:
    kg("load", "examples/")
    ambiguous = kg("show", "Jorge", ok=False)
    assert ambiguous.exit_code == 1
    assert "ambiguous" in ambiguous.output
    assert "Jorge Bustamante" in ambiguous.output and "Jorge Castañeda" in ambiguous.output
    unknown = kg("show", "Duncan Woods", ok=False)
    assert unknown.exit_code == 1
    assert "did you mean: Duncan Wood" in unknown.output


def test_load_errors_are_one_line_and_leave_the_store_alone(kg: CLI) -> None:
    kg("load", "examples/")
    before = union(kg.store)
    (kg.cwd / "broken.yaml").write_text("entities:\n  - {id: x, type: Person}\n", encoding="utf-8")
    result = kg("load", "broken.yaml", ok=False)
    assert result.exit_code == 1
    assert result.output.strip() == "Error: broken.yaml:2: field 'name': required field is missing"
    assert isomorphic(before, union(kg.store))


def test_load_is_quiet_in_pipes(kg: CLI) -> None:
    result = kg("load", "examples/", "--report", "csv")
    assert result.output.splitlines()[0] == "file,format,status,triples,skipped"
    assert "loading" not in result.output


def _commands(group: click.Group) -> list[tuple[str, click.Command]]:
    return sorted(group.commands.items())


@pytest.mark.parametrize(("name", "command"), _commands(cli))
def test_every_command_has_help_with_an_example(name: str, command: click.Command) -> None:
    assert command.help, name
    assert "Example:" in command.help, name


def test_readme_documents_every_command() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    missing = [name for name in cli.commands if f"policykg {name}" not in readme]
    assert missing == []


def test_formats_lists_loaders(kg: CLI) -> None:
    rows = json.loads(kg("formats", "--format", "json").output)
    names = {r["format"] for r in rows}
    assert {"curated", "rdf"} <= names


