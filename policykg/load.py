"""The load pipeline: files → loader → triples → one named graph per source, atomically.

A call to :func:`load_paths` is all or nothing: every file is staged first, and only when all of
them loaded are the staged graphs swapped in, in one transaction. A file whose content and loader
version are unchanged since its last load is left alone.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from policykg.exceptions import LoaderError, UnknownFormat
from policykg.graph.store import NativeContent, Store
from policykg.graph.terms import Triple
from policykg.identity import normalize_name, source_iri
from policykg.loaders.base import Limits, LoadContext, Loader, LoadWarning
from policykg.loaders.registry import (
    check_file_name,
    checked_forced_format,
    detect_loader,
    get_loader,
)
from policykg.lookup import name_index
from policykg.ontology.namespace import PKG

__all__ = [
    "LoadResult",
    "SourceInfo",
    "load_paths",
    "list_sources",
    "remove_source",
    "source_key",
    "project_of",
    "project_base",
    "Project",
    "PROJECT_MARKERS",
    "expand_paths",
    "file_hash",
]

_IGNORED_NAMES = {"readme.md", "license", "license.txt", ".gitkeep"}


@dataclass
class LoadResult:
    """What happened to one file."""

    path: Path
    source: URIRef
    loader: str
    status: str  # "loaded" or "unchanged"
    triples: int = 0
    warnings: list[LoadWarning] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class SourceInfo:
    """A loaded source as the store records it."""

    iri: URIRef
    key: str
    format: str
    version: str
    content_hash: str
    triples: int
    title: str | None = None


#: What marks a project folder (see :func:`project_of`): a file or folder of this name in it.
PROJECT_MARKERS = (".policykg-project", ".git")

#: The folder source keys are relative to, or how to find it from each file.
Project = Path | Callable[[Path], Path]


def project_of(path: Path) -> Path:
    """The project folder of ``path``: the nearest folder at or above it holding one of
    :data:`PROJECT_MARKERS`; else the file system's root (the key is then the file's absolute
    path, without its leading ``/``). Source keys of a SPARQL store are relative to it, since
    such a store has no folder of its own."""
    resolved = path.resolve()
    folder = resolved if resolved.is_dir() else resolved.parent
    for candidate in (folder, *folder.parents):
        if any((candidate / marker).exists() for marker in PROJECT_MARKERS):
            return candidate
    return Path(folder.anchor)


def project_base(project: Project | None, path: Path | None = None) -> Path:
    """The folder keys are relative to for ``path`` (default: the working folder)."""
    if callable(project):
        return project(path or Path.cwd())
    return (project or Path.cwd()).resolve()


def source_key(path: Path, project: Project | None = None) -> str:
    """A key for a file that does not depend on the folder a command runs from.

    It is the file's path relative to ``project`` (the folder holding the store, or
    :func:`project_of` for a SPARQL store; the working folder when not given), with ``..``
    steps for a file outside it, so the same file loaded from any folder is the same source
    and no absolute machine path is recorded.
    """
    return Path(os.path.relpath(path.resolve(), project_base(project, path))).as_posix()


def file_hash(path: Path) -> str:
    """``sha256:<hex>`` of the file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return "sha256:" + digest.hexdigest()


def expand_paths(paths: Iterable[Path], format_name: str | None) -> list[tuple[Path, Loader]]:
    """Files to load with their loaders; directories are walked in sorted order.

    Inside a directory, files no loader recognises (a README) are passed over; a file named
    explicitly must be recognised.
    """
    found: list[tuple[Path, Loader]] = []
    for path in paths:
        if not path.exists():
            raise LoaderError("no such file or directory", path=str(path))
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if child.name.startswith(".") or child.name.lower() in _IGNORED_NAMES:
                    continue
                if any(part.startswith(".") for part in child.relative_to(path).parts):
                    continue
                try:
                    loader = get_loader(format_name) if format_name else detect_loader(child)
                except UnknownFormat:
                    continue
                found.append((child, loader))
        else:
            loader = get_loader(format_name) if format_name else detect_loader(path)
            found.append((path, loader))
    return found


def list_sources(store: Store) -> list[SourceInfo]:
    """Every loaded source with its format, hash and size."""
    rows = store.select(
        """
        SELECT ?g ?key ?format ?version ?hash ?title WHERE {
          GRAPH ?g { ?g a pkg:Source ; pkg:record ?key ; pkg:format ?format ;
                        pkg:extractorVersion ?version ; pkg:contentHash ?hash .
                     OPTIONAL { ?g dcterms:title ?title } }
        } ORDER BY ?key
        """
    )
    infos = []
    seen: set[str] = set()
    for row in rows:
        iri = URIRef(str(row["g"]))
        if str(iri) in seen:
            continue
        seen.add(str(iri))
        count = store.graph_size(iri)
        infos.append(
            SourceInfo(
                iri=iri,
                key=str(row["key"]),
                format=str(row["format"]),
                version=str(row["version"]),
                content_hash=str(row["hash"]),
                triples=count,
                title=str(row["title"]) if "title" in row else None,
            )
        )
    return infos


def remove_source(store: Store, key_or_iri: str) -> SourceInfo:
    """Remove a source (by key, IRI or a unique suffix of its key) and exactly its facts."""
    sources = list_sources(store)
    matches = [s for s in sources if key_or_iri in (s.key, str(s.iri))]
    if not matches:
        matches = [s for s in sources if s.key.endswith(key_or_iri)]
    if len(matches) != 1:
        known = ", ".join(s.key for s in sources) or "none"
        what = "no source" if not matches else "several sources"
        raise LoaderError(f"{what} match {key_or_iri!r} (loaded sources: {known})")
    store.remove_graph(matches[0].iri)
    return matches[0]


def _source_triples(
    source: URIRef, key: str, loader: Loader, content_hash: str
) -> Iterator[Triple]:
    yield source, RDF.type, PKG.Source
    yield source, PKG.record, Literal(key)
    yield source, PKG.format, Literal(loader.name)
    yield source, PKG.extractorVersion, Literal(loader.version)
    yield source, PKG.contentHash, Literal(content_hash)


def load_paths(
    store: Store,
    paths: Iterable[Path],
    *,
    format_name: str | None = None,
    lenient: bool = False,
    strict: bool = False,
    force: bool = False,
    on_file: Callable[[Path], None] | None = None,
    on_triples: Callable[[int], None] | None = None,
    rewrite: Mapping[URIRef, URIRef] | None = None,
    limits: Limits | None = None,
    on_identity: Callable[[str], None] | None = None,
    project: Project | None = None,
    source_ids: Mapping[Path, str] | None = None,
) -> list[LoadResult]:
    """Load files into ``store``: all of them, or (on any error) none of them.

    Args:
        store: the store to write to.
        paths: files or directories.
        format_name: force one loader instead of detecting it per file.
        lenient: skip bad records with a warning (curated records).
        strict: fail on any bad record (open-data loaders otherwise skip them).
        force: reload files whose content is unchanged.
        on_file: called with each file as it starts (progress display).
        on_triples: called with the number of triples just read (progress display).
        rewrite: entity IRIs to replace by others in every triple (merge judgements of
            :mod:`policykg.resolution`); a rewritten source is reloaded even if unchanged.
        limits: caps on decompressed bytes, line length and JSON nesting (defaults: Limits()).
        on_identity: called with one line per entity that became another after the load,
            by a shared identifier or as a name-only namesake
            (:mod:`policykg.resolution.identifiers`; run in its own transaction once the
            files are in, and again after any later load, so an interrupted pass heals).
        project: the folder source keys are relative to, or :func:`project_of` (see
            :func:`source_key`); the CLI and :func:`policykg.open` pass the folder holding the
            store, or :func:`project_of` for a SPARQL store.
        source_ids: explicit source keys for some files (``--source-id``, standard input),
            used instead of their paths.

    Raises:
        LoaderError: naming the file, line or record; the store is unchanged.
    """
    files = expand_paths(paths, format_name)
    for named in source_ids or {}:
        if named.is_dir():
            raise LoaderError("a source id names one file, not a folder", path=str(named))
    existing = {s.iri: s for s in list_sources(store)} if not force else {}
    defined: set[URIRef] = set()

    names: dict[str, list[tuple[URIRef, str]]] | None = None

    def match_entity(name: str, types: frozenset[str] | None) -> URIRef | None:
        nonlocal names
        if names is None:
            names = {}
            for entry in name_index(store):
                names.setdefault(normalize_name(entry.name), []).append(
                    (URIRef(entry.iri), entry.type))
        hits = {iri for iri, type_name in names.get(normalize_name(name), [])
                if types is None or type_name in types}
        return next(iter(hits)) if len(hits) == 1 else None

    def exists(iri: URIRef) -> bool:
        if iri in defined:
            return True
        return store.ask("ASK { ?iri ?p ?o }", {"iri": iri})

    reading: list[Path] = []  # the file being read, so a term the store refuses names it

    def started(path: Path) -> None:
        reading[:] = [path]
        if on_file is not None:
            on_file(path)

    results: list[LoadResult] = []
    staged: list[tuple[URIRef, Iterable[Triple]]] = []
    loaded: list[LoadResult] = []
    for path, loader in files:
        check_file_name(path)
        key = (source_ids or {}).get(path) or source_key(path, project)
        source = source_iri(key)
        content_hash = file_hash(path)
        previous = existing.get(source)
        if (previous is not None and previous.content_hash == content_hash
                and previous.version == loader.version and previous.format == loader.name
                and not rewrite):
            results.append(LoadResult(path, source, loader.name, "unchanged", previous.triples))
            continue
        context = LoadContext(source=source, lenient=lenient, strict=strict, exists=exists,
                              defined=defined, match_entity=match_entity,
                              limits=limits or Limits())
        result = LoadResult(path, source, loader.name, "loaded", 0, context.warnings,
                            context.skipped)
        results.append(result)
        native = None if rewrite else loader.native_files(path)
        content: Iterable[Triple]
        if native:
            meta = _chain(_source_triples(source, key, loader, content_hash),
                          loader.describe_source(path))
            content = NativeContent(meta, native)
        else:
            triples = _counted(path, loader, context, key, content_hash, result, started,
                               on_triples)
            if format_name:
                triples = checked_forced_format(triples, context, loader, path)
            content = _rewritten(triples, rewrite) if rewrite else triples
        staged.append((source, content))
        loaded.append(result)
    if staged:
        try:
            counts = store.replace_graphs(staged)
        except SyntaxError as exc:
            raise LoaderError(f"RDF syntax error: {exc}",
                              path=str(reading[-1]) if reading else None) from exc
        except ValueError as exc:  # e.g. a literal holding a lone surrogate
            raise LoaderError(f"a value the store cannot hold: {exc}",
                              path=str(reading[-1]) if reading else None) from exc
        for result, count in zip(loaded, counts, strict=True):
            result.triples = count
        _resolve_identities(store, rewrite, on_identity)
    return results


def _resolve_identities(store: Store, rewrite: Mapping[URIRef, URIRef] | None,
                        report: Callable[[str], None] | None) -> None:
    """Entities sharing an identifier become one, whatever the order of loading."""
    from policykg.resolution.identifiers import resolve_identities  # avoids an import cycle

    for match in resolve_identities(store, rewrite):
        if report is not None:
            report(str(match))


def _counted(
    path: Path,
    loader: Loader,
    context: LoadContext,
    key: str,
    content_hash: str,
    result: LoadResult,
    on_file: Callable[[Path], None] | None,
    on_triples: Callable[[int], None] | None,
) -> Iterator[Triple]:
    if on_file is not None:
        on_file(path)
    batch = 0
    try:
        for triple in _chain(
            _source_triples(context.source, key, loader, content_hash),
            loader.describe_source(path),
            loader.load(path, context),
        ):
            result.triples += 1
            batch += 1
            if on_triples is not None and batch >= 10_000:
                on_triples(batch)
                batch = 0
            yield triple
    except LoaderError:
        raise
    except UnicodeDecodeError as exc:
        raise LoaderError(f"not UTF-8 text: {exc.reason}", path=str(path)) from exc
    except (OSError, ValueError) as exc:
        raise LoaderError(f"cannot load: {exc}", path=str(path)) from exc
    if on_triples is not None and batch:
        on_triples(batch)


def _rewritten(triples: Iterator[Triple], rewrite: Mapping[URIRef, URIRef]) -> Iterator[Triple]:
    """Replace merged entities by their canonical IRI (names, traces: see the function used)."""
    from policykg.resolution.judgements import rewrite_triples  # here: avoids an import cycle

    return rewrite_triples(triples, rewrite)


def _chain(*iterables: Iterable[Triple]) -> Iterator[Triple]:
    for iterable in iterables:
        yield from iterable


def store_path_from_env() -> Path | None:
    """``$POLICYKG_STORE`` as a Path, if set."""
    value = os.environ.get("POLICYKG_STORE")
    return Path(value) if value else None
