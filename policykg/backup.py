"""Backups that restore exactly: every source graph as it is, the judgement log and the packs.

``policykg export --format trig`` (or ``nq``) writes one named graph per source, each holding
its ``pkg:Source`` record (key, format, loader version, content hash), and one more graph,
:data:`JUDGEMENTS_GRAPH`, holding the judgement log line by line, and :data:`PACKS_GRAPH`,
the log of the domain packs kept with the store (``policykg packs``). :func:`restore` reads such
a file into an empty store: the same graphs with the same triples, and both logs written back
beside the store, so later loads replay the same merges and read articles with the same packs.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from policykg.exceptions import LoaderError, StoreError
from policykg.graph.store import Store
from policykg.graph.terms import Triple
from policykg.loaders.article.stored_packs import append_pack_log, pack_log
from policykg.resolution.judgements import (
    Judgement,
    LogLocation,
    append_judgements,
    read_log,
)

__all__ = ["JUDGEMENTS_GRAPH", "PACKS_GRAPH", "judgement_quads", "pack_quads", "restore",
           "RestoreResult"]

#: The system graph of a backup that carries the judgement log.
JUDGEMENTS_GRAPH = URIRef("urn:policykg:judgements")
_LINE = "urn:policykg:judgement:"
#: The system graph of a backup that carries the log of the packs kept with the store.
PACKS_GRAPH = URIRef("urn:policykg:packs")
_PACK_LINE = "urn:policykg:packs:"
_SYNTAX = {".trig": "trig", ".nq": "nquads", ".nquads": "nquads"}


def _judgement_triples(log: LogLocation) -> Iterator[Triple]:
    for number, judgement in enumerate(read_log(log), start=1):
        # Zero-padded line numbers keep the log's order when the triples are sorted back.
        yield URIRef(f"{_LINE}{number:08d}"), RDF.value, Literal(judgement.to_json())


def judgement_quads(log: LogLocation) -> Iterator[tuple[Node, Node, Node, URIRef]]:
    """The log at ``log`` as the quads of :data:`JUDGEMENTS_GRAPH`, for a streamed backup."""
    for s, p, o in _judgement_triples(log):
        yield s, p, o, JUDGEMENTS_GRAPH


def pack_quads(store: Store) -> Iterator[tuple[Node, Node, Node, URIRef]]:
    """The store's pack log as the quads of :data:`PACKS_GRAPH`, for a streamed backup."""
    for number, line in enumerate(pack_log(store), start=1):
        yield URIRef(f"{_PACK_LINE}{number:08d}"), RDF.value, Literal(line), PACKS_GRAPH


class RestoreResult:
    """What a restore brought back."""

    def __init__(self, graphs: int, quads: int, judgements: int) -> None:
        self.graphs = graphs
        self.quads = quads
        self.judgements = judgements


def restore(store: Store, file: Path, log: LogLocation) -> RestoreResult:
    """Bring a TriG or N-Quads backup made by ``export`` into the empty ``store``.

    Raises:
        StoreError: the store (or its judgement log) is not empty.
        LoaderError: the file is not a TriG / N-Quads backup (naming the file).
    """
    if len(store) or read_log(log):
        msg = "restore needs an empty store: this one holds data (init --force empties it)"
        raise StoreError(msg)
    syntax = _SYNTAX.get(file.suffix.lower())
    if syntax is None:
        msg = "a backup is a .trig or .nq file written by policykg export"
        raise LoaderError(msg, path=str(file))
    dataset = Dataset()
    try:
        dataset.parse(file, format=syntax)
    except Exception as exc:  # noqa: BLE001 - rdflib's parsers raise many kinds
        raise LoaderError(f"cannot read the backup: {exc}", path=str(file)) from None
    staged: list[tuple[URIRef, list[Triple]]] = []
    lines: list[tuple[str, str]] = []
    pack_lines: list[tuple[str, str]] = []
    default = dataset.default_graph
    for graph in dataset.graphs():
        name = graph.identifier
        if name == default.identifier:
            continue
        if name == JUDGEMENTS_GRAPH:
            lines = sorted((str(s), str(o)) for s, _, o in graph)
        elif name == PACKS_GRAPH:
            pack_lines = sorted((str(s), str(o)) for s, _, o in graph)
        elif isinstance(name, URIRef) and len(graph):
            staged.append((name, list(graph)))
    if len(default):
        msg = f"{len(default)} triple(s) outside any source graph: not a policykg backup"
        raise LoaderError(msg, path=str(file))
    try:
        judgements = [Judgement.from_json(text, number)
                      for number, (_, text) in enumerate(lines, start=1)]
    except ValueError as exc:
        raise LoaderError(f"a judgement of the backup is unreadable: {exc}",
                          path=str(file)) from None
    counts = store.replace_graphs(staged) if staged else []
    if judgements:
        append_judgements(log, judgements)
    append_pack_log(store, [text for _, text in pack_lines])
    return RestoreResult(len(staged), sum(counts), len(judgements))
