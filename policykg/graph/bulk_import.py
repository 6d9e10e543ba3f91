"""The store as CSV files for ``neo4j-admin database import full`` (a new database only).

The files hold exactly what :func:`policykg.graph.mirror.mirror` would write into an empty
database: the same subject nodes (built by the mirror's own builder), endpoint nodes, predicate
relationships and derived fact edges, plus the mirror's bookkeeping (the key map node and one
``done`` source node per source with its fingerprint), so that a later ``policykg mirror`` finds
every source unchanged and continues incrementally from there.

A CSV header is fixed per file while property types vary between nodes, so nodes are grouped by
label set *and* property signature (key and Neo4j type), relationships by type and signature.
Arrays use a control character as delimiter (never ``;``, which is common in text); a value that
contains it, or an empty string inside a list, cannot be imported faithfully and is refused.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from policykg.exceptions import BulkImportError, printable
from policykg.graph.mirror import (
    META_ID,
    META_LABEL,
    RESOURCE,
    SOURCE_LABEL,
    KeyMap,
    _Builder,
    _fingerprints,
    _Reader,
    _State,
    default_key_iris,
)
from policykg.graph.store import Store
from policykg.ontology.model import OntologyModel, current_model

__all__ = ["ImportFiles", "write_import_files", "run_import", "ARRAY_DELIMITER"]

#: The unit separator: made for this job and absent from real text.
ARRAY_DELIMITER = "\x1f"
_ARRAY_DELIMITER_ARG = "U+001F"
_ID_GROUP = RESOURCE
_SOURCE_GROUP = "PolicyKGSource"
_META_GROUP = "PolicyKGMeta"


# ----------------------------------------------------------------------------- CSV encoding


def _scalar_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "long"
    if isinstance(value, float):
        return "double"
    if isinstance(value, datetime):
        return "localdatetime" if value.tzinfo is None else "datetime"
    if isinstance(value, date):
        return "date"
    return "string"


def neo4j_import_type(value: Any) -> str:
    """The header type of a property value (``string``, ``long[]``, …)."""
    if isinstance(value, list):
        return _scalar_type(value[0]) + "[]"
    return _scalar_type(value)


def _scalar_text(value: Any, where: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    if ARRAY_DELIMITER in text:
        msg = f"{where}: a value contains U+001F, the array delimiter of the import files"
        raise BulkImportError(msg)
    return text


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def encode_field(value: Any, where: str = "value") -> str:
    """One CSV field: strings always quoted (so that ``""`` stays an empty string), lists joined
    by the array delimiter, ``None`` as an empty unquoted field (no property)."""
    if value is None:
        return ""
    if isinstance(value, list):
        texts = [_scalar_text(v, where) for v in value]
        if isinstance(value[0], str) and "" in texts:
            msg = f"{where}: an empty string inside a list cannot be told apart in import files"
            raise BulkImportError(msg)
        return _quoted(ARRAY_DELIMITER.join(texts))
    text = _scalar_text(value, where)
    return _quoted(text) if isinstance(value, str) else text


def _signature(props: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, neo4j_import_type(v)) for k, v in props.items()))


# ----------------------------------------------------------------------------- files


@dataclass
class _Group:
    header: list[str]
    path: Path
    handle: IO[str]
    rows: int = 0


@dataclass
class ImportFiles:
    """The files written and the arguments ``neo4j-admin database import full`` needs."""

    directory: Path
    database: str
    nodes: list[tuple[str, Path]] = field(default_factory=list)  # (labels, file)
    relationships: list[tuple[str, Path]] = field(default_factory=list)  # (type, file)
    multiline: bool = False
    node_count: int = 0
    relationship_count: int = 0
    sources: int = 0

    def arguments(self) -> list[str]:
        """Everything after ``neo4j-admin``."""
        # The database name comes first: --nodes/--relationships take any number of files.
        args = ["database", "import", "full", self.database,
                f"--array-delimiter={_ARRAY_DELIMITER_ARG}",
                "--skip-bad-relationships=false", "--skip-duplicate-nodes=false",
                f"--report-file={self.directory / 'import.report'}"]
        if self.multiline:  # slower parsing, so only when a value spans lines
            args.append("--multiline-fields=true")
        args += [f"--nodes={path}" for _, path in self.nodes]  # labels are in the files
        args += [f"--relationships={kind}={path}" for kind, path in self.relationships]
        return args

    def command(self, admin: str = "neo4j-admin") -> str:
        """The import command as one shell line (no credentials are involved)."""
        return shlex.join([admin, *self.arguments()])


class _Writer:
    """Open CSV files keyed by (kind, signature); each new key gets a new numbered file."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.groups: dict[tuple[str, str, tuple[tuple[str, str], ...]], _Group] = {}
        self.written: list[Path] = []
        self.multiline = False

    def row(self, prefix: str, name: str, id_columns: list[str],
            signature: tuple[tuple[str, str], ...], values: list[str]) -> None:
        key = (prefix, name, signature)
        group = self.groups.get(key)
        if group is None:
            path = self.directory / f"{prefix}-{len(self.groups):05d}.csv"
            header = [*id_columns, *(f"{k}:{t}" for k, t in signature)]
            handle = path.open("w", encoding="utf-8", newline="")
            self.written.append(path)
            handle.write(",".join(_quoted(h) for h in header) + "\n")
            group = self.groups[key] = _Group(header, path, handle)
        line = ",".join(values)
        if not self.multiline and ("\n" in line or "\r" in line):
            self.multiline = True
        group.handle.write(line + "\n")
        group.rows += 1

    def close(self, *, failed: bool = False) -> None:
        for group in self.groups.values():
            try:
                group.handle.close()
            except OSError:
                if not failed:  # after a failure the files are removed anyway
                    raise


def _subjects(reader: _Reader, graphs: Iterable[str]) -> list[str]:
    subjects: set[str] = set()
    for graph in graphs:
        subjects |= reader.graph_subjects(graph)
    return sorted(subjects)


def write_import_files(store: Store, directory: Path, *, database: str = "neo4j",
                       model: OntologyModel | None = None) -> ImportFiles:
    """Write the store as import files into ``directory`` (created; must be empty).

    Raises:
        BulkImportError: the directory is not empty or cannot be written (the files written
            so far are removed), or a value cannot be represented in the files.
    """
    directory = Path(directory).absolute()
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        msg = f"{directory}: the bulk-import directory must be new or empty"
        raise BulkImportError(msg)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        msg = f"{directory}: cannot create the bulk-import directory ({exc.strerror or exc})"
        raise BulkImportError(msg) from None
    writer = _Writer(directory)
    try:
        files = _write_all(store, directory, database, model or current_model(), writer)
    except OSError as exc:
        writer.close(failed=True)
        removed = _remove(writer.written)
        msg = (f"{directory}: cannot write the import files ({exc.strerror or exc}); "
               f"removed the {removed} files written so far")
        raise BulkImportError(msg) from None
    except BaseException:
        writer.close(failed=True)
        _remove(writer.written)
        raise
    return files


def _remove(paths: list[Path]) -> int:
    count = 0
    for path in paths:
        try:
            path.unlink(missing_ok=True)
            count += 1
        except OSError:
            pass
    return count


def _write_all(store: Store, directory: Path, database: str, model: OntologyModel,
               writer: _Writer) -> ImportFiles:
    reader = _Reader(store)
    keymap = KeyMap()
    for iri in default_key_iris():
        keymap.key(iri)
    builder = _Builder(reader, model, keymap)
    fingerprints = _fingerprints(store, reader)
    files = ImportFiles(directory, database, sources=len(fingerprints))
    subjects = _subjects(reader, fingerprints)
    stated = set(subjects)
    ends: set[str] = set()
    node_id = [f"uri:ID({_ID_GROUP})", ":LABEL"]
    rel_ids = [f":START_ID({_ID_GROUP})", f":END_ID({_ID_GROUP})"]
    for uri in subjects:
        state: _State = builder.state(uri)
        props = dict(state.props, _pkg=True)
        signature = _signature(props)
        labels = ARRAY_DELIMITER.join((RESOURCE, *state.labels))
        writer.row("nodes", labels, node_id, signature,
                   [_quoted(uri), _quoted(labels),
                    *(encode_field(props[k], f"node {uri!r}, property {k!r}")
                      for k, _ in signature)])
        files.node_count += 1
        for kind, predicate, target, graphs in state.rels:
            link = {"predicate": predicate, "_pkg": True, "_sources": graphs}
            link_sig = _signature(link)
            writer.row("rels", kind, rel_ids, link_sig,
                       [_quoted(uri), _quoted(target),
                        *(encode_field(link[k], f"link of {uri!r}") for k, _ in link_sig)])
            files.relationship_count += 1
            if target not in stated:
                ends.add(target)
        for kind, start, end, edge in state.edges:
            edge_props = dict(edge, _pkg=True)
            edge_sig = _signature(edge_props)
            writer.row("rels", kind, rel_ids, edge_sig,
                       [_quoted(start), _quoted(end),
                        *(encode_field(edge_props[k], f"edge of fact {uri!r}")
                          for k, _ in edge_sig)])
            files.relationship_count += 1
            ends.update(u for u in (start, end) if u not in stated)
    endpoint = {"_pkg": True}
    endpoint_sig = _signature(endpoint)
    for uri in sorted(ends):
        writer.row("nodes", RESOURCE, node_id, endpoint_sig,
                   [_quoted(uri), _quoted(RESOURCE), "true"])
        files.node_count += 1
    for graph, fingerprint in sorted(fingerprints.items()):
        source = {"fingerprint": fingerprint, "state": "done", "_pkg": True}
        sig = _signature(source)
        writer.row("nodes", SOURCE_LABEL, [f"uri:ID({_SOURCE_GROUP})", ":LABEL"], sig,
                   [_quoted(graph), _quoted(SOURCE_LABEL),
                    *(encode_field(source[k], f"source {graph!r}") for k, _ in sig)])
    keys, iris = keymap.as_lists()
    meta = {"keys": keys, "iris": iris, "_pkg": True}
    meta_sig = _signature(meta)
    writer.row("nodes", META_LABEL, [f"id:ID({_META_GROUP})", ":LABEL"], meta_sig,
               [_quoted(META_ID), _quoted(META_LABEL),
                *(encode_field(meta[k], "the key map") for k, _ in meta_sig)])
    writer.close()
    files.multiline = writer.multiline
    for (prefix, name, _), group in writer.groups.items():
        if prefix == "nodes":
            files.nodes.append((name, group.path))
        else:
            files.relationships.append((name, group.path))
    return files


# ----------------------------------------------------------------------------- running


def _data_directory(home: Path) -> Path:
    conf = home / "conf" / "neo4j.conf"
    try:
        for line in conf.read_text(encoding="utf-8").splitlines():
            key, sep, value = line.strip().partition("=")
            if sep and key.strip() == "server.directories.data":
                path = Path(value.strip())
                return path if path.is_absolute() else home / path
    except OSError:
        pass
    return home / "data"


def run_import(files: ImportFiles, neo4j_home: Path) -> str:
    """Run the import with ``NEO4J_HOME/bin/neo4j-admin``; returns the command that ran.

    Raises:
        BulkImportError: neo4j-admin is missing, the database already exists and is not empty,
            or the import failed (neo4j-admin removes its partial database; the report file is
            named in the message).
    """
    home = Path(neo4j_home)
    admin = home / "bin" / "neo4j-admin"
    if not (admin.is_file() and os.access(admin, os.X_OK)):
        msg = f"{admin}: neo4j-admin not found (or not executable); is {home} a Neo4j home?"
        raise BulkImportError(msg)
    data = _data_directory(home)
    target = data / "databases" / files.database
    if target.is_dir() and any(p.name != "database_lock" for p in target.iterdir()):
        msg = (f"{target}: database {files.database!r} already exists and is not empty; "
               "the bulk import only creates a new database (use policykg mirror instead)")
        raise BulkImportError(msg)
    env = dict(os.environ, NEO4J_HOME=str(home), NEO4J_CONF=str(home / "conf"))
    for secret in ("NEO4J_PASSWORD",):
        env.pop(secret, None)
    proc = subprocess.run([str(admin), *files.arguments()], env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        last = next((line.strip() for line in reversed((proc.stderr + proc.stdout).splitlines())
                     if line.strip()), "no output")
        # The database did not exist before: what neo4j-admin left (a lock file, partial
        # stores) is ours to remove, so that the next attempt starts clean.
        leftovers = [target, data / "transactions" / files.database]
        for path in leftovers:
            shutil.rmtree(path, ignore_errors=True)
        left = ("could not remove the partial database at " + str(target)
                if any(p.exists() for p in leftovers) else "no database was left behind")
        msg = (f"neo4j-admin import failed (exit {proc.returncode}): {printable(last)}; {left}; "
               f"report: {files.directory / 'import.report'}")
        raise BulkImportError(msg)
    return files.command(str(admin))


def iter_files(files: ImportFiles) -> Iterator[Path]:
    """Every CSV file of an import."""
    yield from (p for _, p in files.nodes)
    yield from (p for _, p in files.relationships)


def total_bytes(files: ImportFiles) -> int:
    """Size of the import files on disk."""
    return sum(p.stat().st_size for p in iter_files(files))
