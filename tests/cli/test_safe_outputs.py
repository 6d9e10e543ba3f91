"""Hostile names through the CLI: CSV cells never run as formulas, tables obey no escapes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import yaml

from ..conftest import CLI

#: Cells a spreadsheet would run: a formula that makes a link, a function call, DDE-style
#: arithmetic, and the tab and carriage return that some spreadsheets strip before reading.
FORMULAS = ['=HYPERLINK("http://evil.example/","click")', "@SUM(1+1)*cmd|' /C calc'!A0",
            "+1+1", "-2+3", "\tTabbed", "\rReturned"]
#: An OSC 8 hyperlink, a screen clear and a carriage return that would overwrite the line.
TERMINAL = "\x1b]8;;http://evil.example/\x07click\x1b]8;;\x07 \x1b[2J\rfake \x9b31m\u202eevil"


def _hostile(folder: Path) -> Path:
    # Names as a loader keeps them (it trims leading whitespace, so no tab or CR here).
    path = folder / "hostile.yaml"
    path.write_text(yaml.safe_dump({
        "source": {"title": FORMULAS[0], "publisher": "test"},
        "entities": [{"id": f"p{i}", "type": "Person", "name": name}
                     for i, name in enumerate(FORMULAS[:4])],
    }, allow_unicode=True), encoding="utf-8")
    return path


def _values(texts: list[str]) -> str:
    """A SPARQL VALUES block of string literals (JSON escapes are SPARQL escapes too)."""
    return "VALUES ?name { " + " ".join(json.dumps(t, ensure_ascii=True) for t in texts) + " }"


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _names_csv(kg: CLI) -> list[dict[str, str]]:
    # -52134 comes from a number (an xsd:integer), not from text: it must stay a number.
    query = ("SELECT ?name ?amount WHERE { { ?p a pkg:Person ; skos:prefLabel ?name } UNION { "
             + _values([*FORMULAS, "-52134 as text", "plain"]) + " } BIND(-52134 AS ?amount) }")
    return _csv(kg("sparql", query, "--format", "csv").output)


def test_csv_listings_neutralize_formulas_and_keep_numbers(kg: CLI, tmp_path: Path) -> None:
    hostile = _hostile(tmp_path)
    kg("load", str(hostile))
    rows = _names_csv(kg)
    names = [row["name"] for row in rows]
    for formula in FORMULAS:
        assert "'" + formula in names
        assert formula not in names
    assert "'-52134 as text" in names and "plain" in names
    assert {row["amount"] for row in rows} == {"-52134"}
    # Read independently of our loader: every name of the file is listed, neutralized.
    raw = yaml.safe_load(hostile.read_text(encoding="utf-8"))
    assert {"'" + e["name"] for e in raw["entities"]} <= set(names)
    sources = _csv(kg("sources", "--format", "csv").output)
    assert [row["title"] for row in sources] == ["'" + raw["source"]["title"]]
    assert sources[0]["triples"].isdigit()


def test_raw_csv_opt_out(kg: CLI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kg("load", str(_hostile(tmp_path)))
    monkeypatch.setenv("POLICYKG_RAW_CSV", "1")
    names = {row["name"] for row in _names_csv(kg)}
    assert set(FORMULAS) <= names


def test_export_subgraph_csv_neutralizes_formulas(kg: CLI, tmp_path: Path) -> None:
    kg("load", str(_hostile(tmp_path)))
    kg("export-subgraph", "--format", "csv", "-o", str(tmp_path / "out"))
    with (tmp_path / "out" / "nodes.csv").open(newline="", encoding="utf-8") as fh:
        labels = {row["label"] for row in csv.DictReader(fh)}
    for formula in FORMULAS[:4]:
        assert "'" + formula in labels
        assert formula not in labels
    assert not any(label.startswith(("=", "+", "-", "@", "\t", "\r")) for label in labels)


def test_table_output_strips_terminal_controls(kg: CLI) -> None:
    kg("init")
    table = kg("sparql", "SELECT ?name WHERE { " + _values([TERMINAL, "two\nlines"]) + " }",
               ).output
    assert "click" in table and "fake" in table and "two lines" in table  # text kept
    for control in ("\x1b", "\x07", "\r", "\x9b", "\u202e"):
        assert control not in table
    assert len(table.splitlines()) == 4  # header, rule, one line per name
