"""Fixtures for resolution tests: a working folder with the examples and an extra source."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from policykg.graph.store import OxigraphStore

ROOT = Path(__file__).resolve().parents[2]

EXTRA = """\
source: {title: resolution fixture}
entities:
  - {id: pena-nieto, type: Person, name: Pena Nieto}
  - {id: roberto-bustamante, type: Person, name: Roberto Bustamante}
  - {id: j-bustamante, type: Person, name: J. Bustamante}
  - {type: Person, name: Donald John Trump, wikidata: Q22686}
  - {id: mex-inst, type: ResearchInstitute, name: Mexico Institute of the Wilson Center}
memberships:
  - {member: j-bustamante, organization: colef}
statements:
  - {speaker: pena-nieto, text: "Mexico will not pay for the wall.", kind: direct}
"""


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder (the cwd) holding examples/ and extra.yaml; the log lives there."""
    folder = tmp_path / "work"
    folder.mkdir()
    shutil.copytree(ROOT / "examples", folder / "examples")
    (folder / "extra.yaml").write_text(EXTRA, encoding="utf-8")
    monkeypatch.chdir(folder)
    monkeypatch.delenv("POLICYKG_JUDGEMENTS", raising=False)
    return folder


@pytest.fixture
def store(work: Path) -> Iterator[OxigraphStore]:
    s = OxigraphStore()
    yield s
    s.close()
