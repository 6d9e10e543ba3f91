"""Issue 16: domain packs kept in the store (``policykg packs``), used by every later load."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from policykg.cli import cli
from tests.sparql_fixtures import KINDS, empty

CLI = Any
ARTICLE = """Wetland groups meet in Maun

Blue Heron pledged to restore the delta's channels before the rains, its director said on
Tuesday. Local farmers welcomed the plan.
"""
PACK = """organizations:
  - {name: Blue Heron, type: NGO, aliases: [Blue Heron Trust]}
"""
NGOS = ("SELECT ?name WHERE { ?o a pkg:NGO ; skos:prefLabel ?name } ORDER BY ?name")


def _pack(folder: Path) -> Path:
    pack = folder / "wetlands"
    pack.mkdir()
    (pack / "orgs.yaml").write_text(PACK, encoding="utf-8")
    return pack


def _ngos(output: str) -> list[str]:
    return [row["name"] for row in json.loads(output)]


def test_a_kept_pack_is_used_by_later_loads_from_anywhere(kg: CLI, tmp_path: Path) -> None:
    pack = _pack(tmp_path)
    expected = [o["name"] for o in yaml.safe_load(PACK)["organizations"]]
    (kg.cwd / "a.txt").write_text(ARTICLE, encoding="utf-8")
    kg("load", "a.txt")
    assert not set(expected) & set(_ngos(kg("sparql", NGOS, "--format", "json").output))
    added = kg("packs", "add", str(pack))
    assert "kept pack 'wetlands' (1 file(s))" in added.output
    shutil.rmtree(pack)  # the store keeps a copy: the folder is not needed any more
    (kg.cwd / "b.txt").write_text(ARTICLE.replace("Maun", "Kasane"), encoding="utf-8")
    kg("load", "b.txt")
    assert _ngos(kg("sparql", NGOS, "--format", "json").output) == expected
    listing = json.loads(kg("packs", "list", "--format", "json").output)
    assert listing == [{"pack": "wetlands", "files": 1, "names": "orgs.yaml"}]


def test_a_removed_pack_is_not_used_and_a_bad_pack_is_not_kept(kg: CLI, tmp_path: Path) -> None:
    pack = _pack(tmp_path)
    kg("packs", "add", str(pack), "--name", "wet")
    kg("packs", "remove", "wet")
    (kg.cwd / "a.txt").write_text(ARTICLE, encoding="utf-8")
    kg("load", "a.txt")
    assert "Blue Heron" not in _ngos(kg("sparql", NGOS, "--format", "json").output)
    missing = kg("packs", "remove", "wet", ok=False)
    assert missing.exit_code != 0 and "keeps no pack 'wet' (kept: none)" in missing.output
    (pack / "orgs.yaml").write_text("organisations: []\n", encoding="utf-8")
    bad = kg("packs", "add", str(pack), ok=False)
    assert bad.exit_code != 0
    assert "orgs.yaml" in bad.output and "unknown key 'organisations'" in bad.output
    assert json.loads(kg("packs", "list", "--format", "json").output) == []


def test_an_in_memory_store_cannot_keep_a_pack(tmp_path: Path) -> None:
    from policykg.exceptions import LoaderError
    from policykg.graph.store import OxigraphStore
    from policykg.loaders.article.stored_packs import add_pack

    with pytest.raises(LoaderError, match="no folder to keep packs in"):
        add_pack(OxigraphStore(), _pack(tmp_path))


@pytest.fixture(params=KINDS)
def server(request: pytest.FixtureRequest, sparql_servers: dict[str, str]) -> Iterator[str]:
    url = sparql_servers[request.param]
    empty(url)
    yield url
    empty(url)


def _run(url: str, cwd: Path, *args: str) -> Result:
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(cli, list(args), env={"POLICYKG_STORE": url},
                                  catch_exceptions=False)
    finally:
        os.chdir(old)


def test_a_sparql_store_keeps_its_packs_on_the_server(server: str, tmp_path: Path) -> None:
    pack = _pack(tmp_path)
    first, second = tmp_path / "one", tmp_path / "two"
    for folder in (first, second):
        folder.mkdir()
        (folder / "a.txt").write_text(ARTICLE, encoding="utf-8")
    assert _run(server, first, "packs", "add", str(pack)).exit_code == 0
    # another folder, another client: the server's copy of the pack is used
    loaded = _run(server, second, "load", "a.txt")
    assert loaded.exit_code == 0, loaded.output
    rows = _run(server, second, "sparql", NGOS, "--format", "json")
    assert _ngos(rows.output) == ["Blue Heron"]
    listing = _run(server, first, "packs", "list", "--format", "csv").output
    assert listing.splitlines() == ["pack,files,names", "wetlands,1,orgs.yaml"]


def test_a_backup_carries_the_kept_packs(kg: CLI, tmp_path: Path, runner: CliRunner) -> None:
    kg("packs", "add", str(_pack(tmp_path)))
    kg("export", "--format", "trig", "-o", str(tmp_path / "backup.trig"))
    copy = tmp_path / "copy"
    restored = runner.invoke(cli, ["--store", str(copy), "restore",
                                   str(tmp_path / "backup.trig")], catch_exceptions=False)
    assert restored.exit_code == 0, restored.output
    original = (kg.store / "packs.jsonl").read_text(encoding="utf-8")
    assert (copy / "packs.jsonl").read_text(encoding="utf-8") == original
    assert json.loads(original.splitlines()[0])["files"] == {"orgs.yaml": PACK}
