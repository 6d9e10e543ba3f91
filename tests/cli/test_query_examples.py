"""Every canned query's help shows its YAML ``example:``, and that example runs on examples/."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import yaml

from policykg.queries import load_queries
from tests.conftest import CLI

QUERY_DIR = Path(__file__).resolve().parents[2] / "policykg" / "queries"


def _examples_from_files() -> dict[str, str]:
    """Each query's example read straight from its YAML file, not through the loader."""
    examples = {}
    for path in sorted(QUERY_DIR.glob("*.yaml")):
        if not path.name.startswith("_"):
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            examples[data["name"]] = data["example"]
    return examples


def test_every_query_has_its_file_example_in_help(kg: CLI) -> None:
    examples = _examples_from_files()
    assert set(examples) == set(load_queries())
    for name, example in examples.items():
        help_text = kg("query", name, "--help").output
        assert example in help_text, name
        assert shlex.split(example)[:3] == ["policykg", "query", name]


def test_every_example_in_help_runs_on_the_examples(kg: CLI) -> None:
    kg("load", "examples/")
    for name, example in _examples_from_files().items():
        args = shlex.split(example)[1:]
        table = kg(*args, "--format", "table").output
        listing = json.loads(kg(*args, "--format", "json").output)
        rows = listing["rows"] if isinstance(listing, dict) else listing  # totals apart
        assert isinstance(rows, list), name
        if rows:
            assert not table.startswith("No data:"), name
        else:
            assert table.strip().startswith(f"No data: {name} has nothing"), (name, table)
