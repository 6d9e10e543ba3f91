"""Exporting subgraphs for visualization: the registry of formats.

Like the loaders, formats are registered by name with a dotted path to their writer and imported
on first use. A writer takes the view graph (:mod:`policykg.export.select`) and an
:class:`~policykg.export.formats.ExportContext` and returns bytes, or ``{file name: bytes}`` for
formats made of several files. :func:`write_export` puts the result in a file, a folder, a zip
or on standard output.
"""

from __future__ import annotations

import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policykg.exceptions import PluginUnavailable, QueryError, UnknownFormat
from policykg.plugins import load_object

if TYPE_CHECKING:
    import networkx as nx

    from policykg.export.formats import ExportContext

__all__ = ["ExportFormat", "register", "get_format", "format_names", "render", "write_export"]

Writer = Callable[["nx.MultiDiGraph", "ExportContext"], "bytes | dict[str, bytes]"]


@dataclass(frozen=True)
class ExportFormat:
    """A registered export format."""

    name: str
    target: str  # "package.module:function"
    extension: str
    description: str
    multi_file: bool = False

    def writer(self) -> Writer:
        """Import and return the writer function."""
        try:
            func: Writer = load_object(self.target)
        except PluginUnavailable as exc:
            msg = f"export format {self.name!r} is not available: {exc}"
            raise UnknownFormat(msg) from exc
        return func


_REGISTRY: dict[str, ExportFormat] = {}


def register(name: str, target: str, extension: str, description: str, *,
             multi_file: bool = False) -> None:
    """Register a writer under ``name``, given as ``"package.module:function"``."""
    _REGISTRY[name] = ExportFormat(name, target, extension, description, multi_file)


_F = "policykg.export.formats:"
register("gexf", _F + "write_gexf", ".gexf", "GEXF 1.3 for Gephi (colours, timeline)")
register("graphml", _F + "write_graphml", ".graphml", "GraphML (yEd, Cytoscape, igraph)")
register("cytoscape", _F + "write_cytoscape", ".cyjs", "Cytoscape.js elements JSON")
register("json", _F + "write_node_link", ".json", "node-link JSON for D3")
register("csv", _F + "write_csv", "", "nodes.csv and edges.csv (a folder or a .zip)",
         multi_file=True)
register("dot", _F + "write_dot", ".dot", "Graphviz DOT")
register("turtle", _F + "write_turtle", ".ttl", "RDF Turtle: the original triples")
register("jsonld", _F + "write_jsonld", ".jsonld", "RDF JSON-LD: the original triples")
register("trig", _F + "write_trig", ".trig", "RDF TriG: the original triples, per source")
register("cypher", _F + "write_cypher", ".cypher", "Cypher script that recreates the subgraph")
register("html", "policykg.export.html:write_html", ".html",
         "self-contained HTML page (SVG, search, evidence panel; works offline)")


def format_names() -> list[str]:
    """Names of the registered formats, in registration order."""
    return list(_REGISTRY)


def get_format(name: str) -> ExportFormat:
    """The format registered as ``name``."""
    try:
        return _REGISTRY[name]
    except KeyError:
        msg = f"no export format named {name!r} (known: {', '.join(_REGISTRY)})"
        raise UnknownFormat(msg) from None


def render(view: nx.MultiDiGraph, name: str, ctx: ExportContext) -> bytes | dict[str, bytes]:
    """Run the writer of format ``name`` (with the garbage collector paused, see
    :func:`~policykg.export.select.gc_paused`)."""
    writer = get_format(name).writer()
    from policykg.export.select import gc_paused

    with gc_paused():
        return writer(view, ctx)


def write_export(data: bytes | dict[str, bytes], output: Path | str, *,
                 stdout: Any = None) -> str:
    """Write a writer's result; return a short description of where it went.

    ``-`` is standard output (single-file formats only); several files go into ``output`` as a
    folder, or into a zip when ``output`` ends in ``.zip``.
    """
    target = str(output)
    if isinstance(data, bytes):
        if target == "-":
            out = stdout if stdout is not None else sys.stdout.buffer
            out.write(data)
            out.flush()
            return "standard output"
        Path(target).write_bytes(data)
        return target
    if target == "-":
        raise QueryError("this format writes several files: give -o FOLDER or -o FILE.zip")
    path = Path(target)
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, content in data.items():
                archive.writestr(name, content)
        return target
    path.mkdir(parents=True, exist_ok=True)
    for name, content in data.items():
        (path / name).write_bytes(content)
    return f"{target}/ ({', '.join(sorted(data))})"
