"""Session-scoped SPARQL servers for the tests: an Oxigraph server and a Fuseki dataset.

Both are started by ``scripts/sparql-test-server`` (loaded here as a module) on free loopback
ports, with a bounded startup time, and stopped when the session ends. ``sparql_servers`` maps
a kind to its URL; ``remote_store(kind)`` gives an emptied :class:`SparqlStore` on it.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from policykg.graph.store_remote import SparqlStore

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "sparql-test-server"
KINDS = ("oxigraph-server", "fuseki")


def server_script() -> ModuleType:
    """``scripts/sparql-test-server`` as a module (it has no .py suffix)."""
    loader = importlib.machinery.SourceFileLoader("sparql_test_server", str(SCRIPT))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def sparql_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Started on first use: kind -> URL (``oxigraph-server`` and ``fuseki``)."""
    script = server_script()
    started: dict[str, str] = {}
    dirs: list[Path] = []
    try:
        for kind, name in (("oxigraph-server", "oxigraph"), ("fuseki", "fuseki")):
            directory = tmp_path_factory.mktemp(f"sparql-{name}")
            dirs.append(directory)
            started[kind] = str(script.start(name, directory)["url"])
        yield started
    finally:
        for directory in dirs:
            script.stop(directory)


def empty(url: str) -> None:
    """Drop every graph of the server (default graph included)."""
    body = urllib.parse.urlencode({"update": "DROP SILENT ALL"}).encode()
    request = urllib.request.Request(
        url.rstrip("/") + "/update", data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(request, timeout=30):
        pass


def emptied_store(url: str) -> SparqlStore:
    empty(url)
    return SparqlStore(url)
