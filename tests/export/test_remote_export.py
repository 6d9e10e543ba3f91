"""Every export format works on a URL store: an Oxigraph server gives what the embedded store
gives for the same data, through the CLI."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from rdflib import Dataset

from policykg.export import format_names
from tests.conftest import CLI, EXAMPLES
from tests.sparql_fixtures import empty

_RDF = {"turtle": "turtle", "jsonld": "json-ld", "trig": "trig"}


def _content(path: Path, fmt: str) -> object:
    """What must agree: parsed statements for RDF (the order of a subject's triples is the
    backend's), each file of a folder or a zip, the bytes of any other format."""
    if fmt in _RDF:
        data = Dataset()
        data.parse(path, format=_RDF[fmt])
        return {(s, p, o, g) if fmt == "trig" else (s, p, o)
                for s, p, o, g in data.quads((None, None, None, None))}
    if path.is_dir():
        return {f.name: f.read_bytes() for f in sorted(path.iterdir())}
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return {name: archive.read(name) for name in archive.namelist()}
    return path.read_bytes()


@pytest.mark.timeout(300)
def test_every_export_format_from_an_oxigraph_server_equals_the_embedded_store(
        sparql_servers: dict[str, str], tmp_path: Path) -> None:
    url = sparql_servers["oxigraph-server"]
    empty(url)
    work = tmp_path / "work"
    shutil.copytree(EXAMPLES, work / "examples")
    # The project folder: the server keys sources relative to it, as the embedded store keys
    # them relative to the folder holding it (the same folder here).
    (work / ".policykg-project").write_text("", encoding="utf-8")
    runner = CliRunner()
    embedded = CLI(runner, work / ".policykg", work)
    remote = CLI(runner, url, work)  # type: ignore[arg-type] # a URL is a --store value too
    embedded("load", "examples")
    remote("load", "examples")
    # An answer checked against the raw sample file, read without our loader.
    raw = yaml.safe_load((EXAMPLES / "01-actors.yaml").read_text(encoding="utf-8"))
    names = {e["name"] for e in raw["entities"] if "name" in e}
    for fmt in format_names():
        outputs = []
        for name, cli in (("embedded", embedded), ("remote", remote)):
            target = work / f"{name}-{fmt}.out"
            cli("export-subgraph", "--format", fmt, "--title", "same", "-o", str(target))
            outputs.append(_content(target, fmt))
        assert outputs[0] == outputs[1], fmt
        assert outputs[0], fmt
    view = json.loads((work / "remote-json.out").read_text(encoding="utf-8"))
    labels = {node["label"] for node in view["nodes"]}
    assert "Enrique Peña Nieto" in names and names <= labels
    # The selections by actor and by source run on the server as well.
    for args in (("--actor", "Enrique Peña Nieto", "--depth", "2"),
                 ("--source", "examples/03-facts.yaml")):
        outputs = []
        for name, cli in (("embedded", embedded), ("remote", remote)):
            target = work / f"{name}-selection.json"
            cli("export-subgraph", *args, "--format", "json", "-o", str(target))
            outputs.append(target.read_bytes())
        assert outputs[0] == outputs[1], args
        assert len(json.loads(outputs[0])["nodes"]) > 1, args
