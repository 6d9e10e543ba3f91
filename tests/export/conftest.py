"""Fixtures of the export tests: a store with the examples and hostile names."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from policykg.export.select import Filters, GraphReader, run_selection
from policykg.graph.store import OxigraphStore
from policykg.load import load_paths

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

#: A name that runs script if it is ever inserted as markup.
XSS_NAME = "<img src=x onerror=\"document.documentElement.setAttribute('data-pwned','1')\">"
#: A statement text with every character that needs escaping somewhere.
NASTY_TEXT = 'He said "no" \\ then\nleft </script><!-- & \u2028 `tick` \'single\''

HOSTILE = yaml.safe_dump({
    "source": {"title": "Hostile names <b>bold</b> & co", "publisher": "test"},
    "entities": [{"id": "xss-person", "type": "Person", "name": XSS_NAME,
                  "aliases": ['Quote "Mark" \\ back']}],
    "statements": [{"speaker": "xss-person", "kind": "direct", "cue": "say",
                    "date": "2016-05-02", "about": ["mexico"], "text": NASTY_TEXT}],
}, allow_unicode=True, sort_keys=False)


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the examples and a file of hostile names."""
    root = tmp_path_factory.mktemp("export-data")
    shutil.copytree(EXAMPLES, root / "examples")
    (root / "examples" / "04-hostile.yaml").write_text(HOSTILE, encoding="utf-8")
    return root / "examples"


@pytest.fixture
def store(data_dir: Path) -> Iterator[OxigraphStore]:
    """An in-memory store holding the examples and the hostile file."""
    s = OxigraphStore()
    load_paths(s, [data_dir])
    yield s
    s.close()


@pytest.fixture
def reader(store: OxigraphStore) -> GraphReader:
    return GraphReader(store)


@pytest.fixture
def whole(reader: GraphReader):  # type: ignore[no-untyped-def]
    """The whole store as a view graph."""
    return run_selection(reader, filters=Filters())
