"""The README's Python API example runs, as written, from a folder holding examples/."""

from __future__ import annotations

import doctest
import shutil
from pathlib import Path

import pytest

from ..conftest import EXAMPLES, ROOT


def _api_section() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Python API")
    end = readme.index("\n## ", start + 1)
    return readme[start:end]


def test_readme_api_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("POLICYKG_JUDGEMENTS", raising=False)
    text = _api_section()
    test = doctest.DocTestParser().get_doctest(text, {}, "README.md#python-api", "README.md", 0)
    assert len(test.examples) >= 10  # the example is there, not an empty block
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0
    assert (tmp_path / "castaneda.gexf").stat().st_size > 0
