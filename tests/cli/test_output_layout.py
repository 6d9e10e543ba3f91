"""Listings people can use: tables fit the terminal, IRIs stay whole, totals stand apart."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import click
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from policykg.output import MIN_COLUMN, fit_widths, render, terminal_width, text_width, wrap

from ..conftest import CLI, EXAMPLES, SHARED_SAMPLES

FTM_PAYMENTS = SHARED_SAMPLES / "ftm" / "de_parteispenden_payments.entities.ftm.json"

#: Text with what tables meet: IRIs, spaces, wide East Asian letters, accents, combining marks.
CELL_TEXT = st.lists(st.sampled_from([*"ab/#-_ .:é漢字\u0301", "https://w3id.org/"]),
                     max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=CELL_TEXT | st.text(max_size=60), width=st.integers(MIN_COLUMN, 40))
def test_wrap_loses_nothing_and_fits(text: str, width: int) -> None:
    lines = wrap(text, width)
    assert "".join(lines) == text
    assert all(text_width(line) <= width for line in lines)


@settings(max_examples=200, deadline=None)
@given(natural=st.lists(st.integers(0, 200), min_size=1, max_size=12),
       spare=st.integers(0, 300))
def test_fit_widths_use_the_room_they_have(natural: list[int], spare: int) -> None:
    available = sum(min(n, MIN_COLUMN) for n in natural) + spare
    widths = fit_widths(natural, available)
    assert sum(widths) <= available
    assert all(w <= n for w, n in zip(widths, natural, strict=True))
    if sum(natural) <= available:
        assert widths == natural


@settings(max_examples=100, deadline=None)
@given(rows=st.lists(st.fixed_dictionaries({"name": CELL_TEXT, "iri": CELL_TEXT,
                                            "n": st.integers(-10**9, 10**9)}),
                     min_size=1, max_size=5),
       width=st.integers(20, 120))
def test_every_table_line_fits_the_width(rows: list[dict[str, object]], width: int) -> None:
    text = render(rows, "table", ["name", "iri", "n"], width=width)
    assert all(text_width(line) <= width for line in text.splitlines())
    assert "…" not in text


def _column(table: str, index: int) -> list[str]:
    """The cells of one column of a rendered table, wrapped lines joined again."""
    lines = table.splitlines()
    rule = next(i for i, line in enumerate(lines) if set(line) <= {"-", " "} and line)
    spans, start = [], 0
    for dashes in lines[rule].split(" "):
        if dashes:
            spans.append((start, start + len(dashes)))
        start += len(dashes) + 1
    begin, end = spans[index]
    cells, current = [], ""
    for line in [*lines[rule + 1:], ""]:
        if not line.strip():
            if current:
                cells.append(current)
            current = ""
            continue
        current += line[begin:end].rstrip()
    return cells


def test_a_narrow_terminal_wraps_iris_that_paste_back(kg: CLI) -> None:
    kg("load", "examples")
    data = json.loads(kg("query", "office-at", "2017-03-01", "--format", "json").output)
    runner = CliRunner(env={"COLUMNS": "72"})
    table = CLI(runner, kg.store, kg.cwd)("query", "office-at", "2017-03-01").output
    assert all(len(line) <= 72 for line in table.splitlines()), table
    assert "…" not in table
    columns = ["person", "role", "organization", "start", "end", "sources", "person_uri",
               "organization_uri", "membership"]
    shown = _column(table, columns.index("membership"))
    assert sorted(shown) == sorted(r["membership"] for r in data)


def test_wide_keeps_each_row_on_one_line(kg: CLI) -> None:
    kg("load", "examples")
    runner = CliRunner(env={"COLUMNS": "40"})
    table = CLI(runner, kg.store, kg.cwd)("sources", "--wide").output
    listed = json.loads(kg("sources", "--format", "json").output)
    lines = table.splitlines()
    assert len(lines) == 2 + len(listed)
    for row, line in zip(listed, lines[2:], strict=True):
        assert row["iri"] in line and row["source"] in line


def test_a_subprocess_table_follows_columns(tmp_path: Path) -> None:
    store = tmp_path / ".policykg"
    env = {**os.environ, "COLUMNS": "50"}
    run = [sys.executable, "-m", "policykg", "--store", str(store)]
    subprocess.run([*run, "load", str(EXAMPLES / "01-actors.yaml")], check=True, env=env,
                   capture_output=True, timeout=120)
    out = subprocess.run([*run, "stats"], check=True, env=env, capture_output=True,
                         text=True, timeout=120).stdout
    assert out.splitlines() and all(len(line) <= 50 for line in out.splitlines()), out
    env["COLUMNS"] = "400"
    wide = subprocess.run([*run, "sources"], check=True, env=env, capture_output=True,
                          text=True, timeout=120).stdout
    assert len(wide.splitlines()) == 3  # header, rule, one source: nothing needed wrapping


# ---------------------------------------------------------------- totals


def _raw_ftm_total() -> tuple[Decimal, int]:
    """The sum of the FtM sample's payments (amountEur) and their number, read as JSON."""
    total, count = Decimal(0), 0
    for line in FTM_PAYMENTS.read_text(encoding="utf-8").splitlines():
        entity = json.loads(line) if line.strip() else None
        if entity and entity["schema"] == "Payment":
            (amount,) = entity["properties"]["amountEur"]
            total += Decimal(amount)
            count += 1
    return total, count


@pytest.fixture(scope="module")
def ftm(tmp_path_factory: pytest.TempPathFactory) -> CLI:
    work = tmp_path_factory.mktemp("ftm")
    kg = CLI(CliRunner(), work / ".policykg", work)
    kg("load", str(FTM_PAYMENTS))
    return kg


def test_csv_sums_to_the_raw_total_without_a_total_row(ftm: CLI) -> None:
    expected, count = _raw_ftm_total()
    frame = pd.read_csv(io.StringIO(ftm("query", "funding", "--format", "csv").output))
    assert "kind" not in frame.columns and len(frame) == count
    assert set(frame["currency"]) == {"EUR"}
    assert Decimal(str(round(frame["amount"].sum(), 2))) == expected
    assert not frame["flow"].str.contains("…").any()


def test_csv_with_totals_marks_them(ftm: CLI) -> None:
    expected, count = _raw_ftm_total()
    frame = pd.read_csv(io.StringIO(ftm("query", "funding", "--format", "csv",
                                        "--totals").output))
    totals = frame[frame["kind"] == "total"]
    assert len(totals) == 1 and len(frame) == count + 1
    assert Decimal(str(totals["amount"].iloc[0])) == expected
    assert int(totals["flows"].iloc[0]) == count


def test_json_keeps_totals_in_their_own_section(ftm: CLI) -> None:
    expected, count = _raw_ftm_total()
    data = json.loads(ftm("query", "funding", "--format", "json").output)
    assert set(data) == {"rows", "totals"}
    assert len(data["rows"]) == count and "kind" not in data["rows"][0]
    (total,) = data["totals"]
    assert Decimal(str(total["amount"])) == expected and total["flows"] == count
    assert Decimal(str(round(sum(r["amount"] for r in data["rows"]), 2))) == expected


def test_table_shows_totals_in_a_footer(ftm: CLI) -> None:
    expected, _ = _raw_ftm_total()
    table = ftm("query", "funding").output
    body, footer = table.split("\n\nTotals\n")
    assert str(expected) in footer and str(expected) not in body


def test_stats_totals_apart_in_every_format(kg: CLI) -> None:
    kg("load", "examples")
    data = json.loads(kg("stats", "--format", "json").output)
    assert {t["name"] for t in data["totals"]} == {"quads", "sources"}
    assert all(r["kind"] != "total" for r in data["rows"])
    plain = pd.read_csv(io.StringIO(kg("stats", "--format", "csv").output))
    assert "total" not in set(plain["kind"])
    marked = pd.read_csv(io.StringIO(kg("stats", "--format", "csv", "--totals").output))
    assert set(marked[marked["kind"] == "total"]["name"]) == {"quads", "sources"}


# ---------------------------------------------------------------- show


def test_show_groups_facts_in_words(kg: CLI) -> None:
    kg("load", "examples")
    with (EXAMPLES / "02-offices.memberships.csv").open(encoding="utf-8") as fh:
        raw = [r for r in csv.DictReader(fh) if r["member"] == "enrique-pena-nieto"]
    table = CLI(CliRunner(env={"COLUMNS": "120"}), kg.store, kg.cwd)(
        "show", "Pena Nieto").output
    assert "Memberships\n" in table and "Relationships\n" in table
    for row in raw:
        line = next(li for li in table.splitlines() if li.startswith("Presidency of Mexico"))
        assert row["role"] in line and row["start"] in line and row["end"] in line
    assert "org:member" not in table and "/membership/" not in table
    assert "rdf:type" not in table
    data = json.loads(kg("show", "Pena Nieto", "--format", "json").output)
    memberships = data["sections"]["memberships"]
    assert {(m["role"], m["start"], m["end"]) for m in memberships} == {
        (r["role"], r["start"], r["end"]) for r in raw}
    assert all("/membership/" in m["iri"] for m in memberships)
    assert any(f["predicate"] == "org:member" for f in data["facts"])
    flat = pd.read_csv(io.StringIO(kg("show", "Mexico", "--format", "csv").output))
    facts = yaml.safe_load((EXAMPLES / "03-facts.yaml").read_text(encoding="utf-8"))
    (funding,) = flat[flat["section"] == "funding"].to_dict("records")
    assert funding["amount"] == facts["funding"][0]["amount"]
    assert funding["direction"] == "receives from"


def test_show_names_what_a_speaker_spoke_about(kg: CLI) -> None:
    """Each of the speaker's statements is one row naming every actor it is about."""
    kg("load", "examples")
    facts = yaml.safe_load((EXAMPLES / "03-facts.yaml").read_text(encoding="utf-8"))
    actors = {e["id"]: e["name"] for e in
              yaml.safe_load((EXAMPLES / "01-actors.yaml").read_text(encoding="utf-8"))["entities"]}
    raw = sorted((s["text"], sorted(actors[a] for a in s["about"]))
                 for s in facts["statements"] if s["speaker"] == "jorge-bustamante")
    data = json.loads(kg("show", "Jorge Bustamante", "--format", "json").output)
    spoken = [s for s in data["sections"]["statements"] if s["speaker"] == "(this actor)"]
    assert sorted((s["text"], s["about"].split(", ")) for s in spoken) == raw


def test_every_listing_has_the_output_options() -> None:
    from policykg.cli import cli
    from tests.workflow.test_help_texts import _commands

    listings = 0
    for name, command in _commands(cli):
        formats = [p for p in command.params if "--format" in getattr(p, "opts", [])]
        if formats and isinstance(formats[0].type, click.Choice) \
                and "table" in formats[0].type.choices:
            listings += 1
            assert set(formats[0].type.choices) == {"table", "json", "csv"}, name
            assert any("--wide" in p.opts for p in command.params), name
    assert listings >= 15  # sources, stats, show, dedupe, every canned query...


def test_show_of_a_fact_says_its_parts_by_name(kg: CLI) -> None:
    kg("load", "examples")
    facts = yaml.safe_load((EXAMPLES / "03-facts.yaml").read_text(encoding="utf-8"))
    raw = facts["funding"][0]
    (flow,) = json.loads(kg("query", "funding", "--format", "json").output)["rows"]
    table = CLI(CliRunner(env={"COLUMNS": "100"}), kg.store, kg.cwd)("show", flow["flow"]).output
    details = {line.split("  ")[0]: line for line in table.split("\nDetails\n")[1].splitlines()}
    assert str(raw["amount"]) in details["amount"] and raw["currency"] in details["currency"]
    assert flow["funder_name"] in details["funder"] and "https://" not in details["funder"]


def test_numbers_and_dates_are_never_split() -> None:
    """A narrow table wraps text, never an amount or a date: "750000 / 00" reads as two."""
    rows = [{"date": "2017-01-27", "funder": "United States Department of State",
             "amount": 75000000.25, "n": -1234567}]
    text = render(rows, "table", ["date", "funder", "amount", "n"], width=40)
    assert all(text_width(line) <= 40 for line in text.splitlines())
    for whole in ("2017-01-27", "75000000.25", "-1234567"):
        assert whole in text, text


def test_a_pipe_keeps_each_row_on_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)
    assert terminal_width() is None
    monkeypatch.setenv("COLUMNS", "57")
    assert terminal_width() == 57
