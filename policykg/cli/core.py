"""Core commands: init, load, validate, stats, show, sources, export, formats."""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path
from typing import Any

import click
from rdflib import URIRef

from policykg.backup import judgement_quads, pack_quads
from policykg.backup import restore as restore_backup
from policykg.cli.common import (
    TOTALS_OPTION,
    OutPath,
    echo_rows,
    get_store,
    output_option,
    progress,
    project_folder,
    stdin_file,
    write_output,
)
from policykg.describe import SECTIONS, describe
from policykg.exceptions import LoaderError, ValidationFailed
from policykg.export.stream import STREAMED_FORMATS, write_rdf
from policykg.graph.store import destroy_store
from policykg.load import list_sources, load_paths, remove_source
from policykg.loaders.article.loader import article_resources
from policykg.loaders.base import Limits
from policykg.loaders.registry import get_loader, loader_names
from policykg.lookup import find_entity
from policykg.output import plain
from policykg.resolution.judgements import DEFAULT_LOG, LogLocation, current_rewrites, log_path
from policykg.stats import STATS_TOTALS, entity_facts, stats
from policykg.validate import validate_store

__all__ = ["register"]

class ByteSize(click.ParamType[int]):
    """A number of bytes, with an optional K, M or G suffix (powers of 1024)."""

    name = "size"
    _FACTORS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        text = str(value).strip().upper().removesuffix("B").removesuffix("I")
        number, suffix = (text[:-1], text[-1]) if text[-1:] in "KMG" else (text, "")
        try:
            size = int(float(number) * self._FACTORS[suffix])
        except (ValueError, KeyError):
            self.fail(f"{value!r} is not a size such as 512K, 64M or 2G", param, ctx)
        if size < 1:
            self.fail(f"{value!r} must be positive", param, ctx)
        return size


SIZE = ByteSize()
_DEFAULT_LIMITS = Limits()

EXPORT_FORMATS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "trig": "trig", "nq": "nquads"}


@click.command()
@click.option("--force", is_flag=True, help="Delete an existing store first.")
@click.pass_context
def init(ctx: click.Context, force: bool) -> None:
    """Create an empty embedded store.

    \b
    Example:
        policykg --store ./mykg init
    """
    path: Path | None = ctx.find_root().obj["store_path"]
    if force and path is not None:
        destroy_store(path)
    store = get_store(ctx)
    click.echo(f"store ready at {store.location} ({len(store)} quads)")


@click.command()
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path, allow_dash=True))
@click.option("--format", "format_name", type=click.Choice(loader_names()),
              help="Force a loader instead of detecting the format (required for -).")
@click.option("--source-id", metavar="KEY",
              help="Key of the source instead of its path (one file; default for -: stdin).")
@click.option("--lenient", is_flag=True, help="Skip bad records with a warning (curated data).")
@click.option("--strict", is_flag=True, help="Fail on any bad record (open-data formats).")
@click.option("--force", is_flag=True, help="Reload files whose content is unchanged.")
@click.option("--report", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True, help="Format of the summary of what was loaded.")
@click.option("--max-bytes", type=SIZE, default="2G", show_default=True,
              help="Most bytes one gzip file may decompress to (K, M, G suffixes).")
@click.option("--max-line", type=SIZE, default="16M", show_default=True,
              help="Longest line of FtM, Wikidata-dump and GDELT files (K, M, G suffixes).")
@click.option("--max-depth", type=click.IntRange(min=1), default=_DEFAULT_LIMITS.max_depth,
              show_default=True, help="Deepest nesting of JSON arrays/objects and YAML.")
@click.option("--resources", "resources", multiple=True, metavar="DIR",
              type=click.Path(exists=True, path_type=Path),
              help="A folder of YAML domain packs for articles (organizations, places, "
                   "programs, persons, currencies), added to the shipped ones; repeatable.")
@click.pass_context
def load(ctx: click.Context, paths: tuple[Path, ...], format_name: str | None,
         source_id: str | None, lenient: bool, strict: bool, force: bool, fmt: str,
         max_bytes: int, max_line: int, max_depth: int, resources: tuple[Path, ...]) -> None:
    """Load files or folders into the store, all or nothing; - reads standard input.

    Each file becomes one source (a named graph) that is replaced when the file is loaded again.
    A source is known by its path relative to the folder holding the store, so the same file
    loaded from any folder is the same source; --source-id names it yourself. Standard input
    needs --format; its source is called "stdin" unless --source-id says otherwise (a key
    ending in .csv or .json tells the curated loader how to read it).
    Inputs are bounded: over a limit, the load fails naming the file and the option to raise.

    \b
    Example:
        policykg load examples/
        policykg load article.txt --format article
        cat facts.yaml | policykg load --format curated --source-id facts.yaml -
        policykg load big.ftm.json.gz --max-bytes 8G
        policykg load articles/ --resources my-health-pack/

    Articles are also matched against every entity already in the store (its names and
    aliases), so what was curated or imported before is found in them.
    """
    dashes = [p for p in paths if str(p) == "-"]
    if dashes and not format_name:
        raise click.UsageError("reading standard input (-) needs --format")
    if len(dashes) > 1:
        raise click.UsageError("- (standard input) can be given once")
    if source_id is not None and len(paths) != 1:
        raise click.UsageError("--source-id names one file: give exactly one")
    if not dashes:
        _load(ctx, list(paths), format_name, source_id, lenient, strict, force, fmt,
              Limits(max_bytes=max_bytes, max_line=max_line, max_depth=max_depth),
              resources=resources)
        return
    key = source_id or "stdin"
    name = key if Path(key).suffix else key + get_loader(str(format_name)).extensions[0]
    with stdin_file(name) as piped:
        files = [piped if str(p) == "-" else p for p in paths]
        try:
            _load(ctx, files, format_name, key, lenient, strict, force, fmt,
                  Limits(max_bytes=max_bytes, max_line=max_line, max_depth=max_depth),
                  shown={piped: "-"}, resources=resources)
        except LoaderError as exc:  # name the input as the user gave it, not the copy
            if exc.path != str(piped):
                raise
            raise LoaderError(exc.reason, path=f"<stdin {key}>", line=exc.line,
                              record=exc.record, field=exc.field) from None


def _load(ctx: click.Context, paths: list[Path], format_name: str | None,
          source_id: str | None, lenient: bool, strict: bool, force: bool, fmt: str,
          limits: Limits, shown: dict[Path, str] | None = None,
          resources: tuple[Path, ...] = ()) -> None:
    store = get_store(ctx)
    path = log_path(ctx.find_root().obj)
    _note_legacy_log(path)
    rewrites = current_rewrites(path)  # judged merges (issue 7), kept with the store
    ids = {paths[0]: source_id} if source_id else None
    with progress("loading", None) as advance, article_resources(store, resources):
        results = load_paths(store, paths, format_name=format_name, lenient=lenient,
                             strict=strict, force=force, on_triples=advance,
                             rewrite=rewrites,  # even without merges: its not-same pairs
                             limits=limits, project=project_folder(ctx), source_ids=ids,
                             on_identity=lambda line: click.echo(f"same entity: {line}",
                                                                 err=True))
    for message in rewrites.report(store):
        click.echo(f"warning: {message}", err=True)
    shown = shown or {}
    rows = [{"file": shown.get(r.path, str(r.path)), "format": r.loader, "status": r.status,
             "triples": r.triples, "skipped": sum(r.skipped.values())} for r in results]
    echo_rows(rows, fmt, ["file", "format", "status", "triples", "skipped"])
    for result in results:
        where = shown.get(result.path, str(result.path))
        for warning in result.warnings[:50]:
            click.echo(f"warning: {warning}", err=True)
        if len(result.warnings) > 50:
            click.echo(f"warning: … and {len(result.warnings) - 50} more in {where}", err=True)
        for reason, count in sorted(result.skipped.items()):
            click.echo(f"skipped {count} record(s) in {where}: {reason}", err=True)


def _note_legacy_log(path: LogLocation) -> None:
    """Judgements once lived in the working folder; say how to bring them into the store."""
    legacy = Path(DEFAULT_LOG)
    if isinstance(path, Path) and not path.exists() and legacy.is_file() \
            and legacy.resolve() != path.resolve():
        click.echo(f"note: {legacy} is not read any more; judgements live with the store: "
                   f"policykg judgements import {legacy}", err=True)


@click.command()
@output_option()
@click.pass_context
def validate(ctx: click.Context, fmt: str) -> None:
    """Check the store against the SHACL shapes; exit 1 on violations (warnings are listed).

    \b
    Example:
        policykg validate --format json
    """
    results = validate_store(get_store(ctx, read_only=True))
    violations = [v for v in results if v.severity == "Violation"]
    if not results:
        click.echo("conforms: no violations" if fmt == "table" else
                   ("[]" if fmt == "json" else "focus,shape,path,message,severity,value"))
        return
    echo_rows([v.as_dict() for v in results], fmt,
              ["focus", "shape", "path", "message", "value", "severity"])
    if violations:
        raise ValidationFailed(f"{len(violations)} SHACL violation(s)")
    click.echo(f"conforms, with {len(results)} warning(s)", err=True)


@click.command("stats")
@output_option()
@TOTALS_OPTION
@click.pass_context
def stats_command(ctx: click.Context, fmt: str) -> None:
    """Count entities by class and links by relationship.

    \b
    Example:
        policykg stats --format csv
    """
    echo_rows(stats(get_store(ctx, read_only=True)), fmt, ["kind", "name", "count"],
              totals=STATS_TOTALS)


@click.command()
@click.argument("entity")
@output_option()
@click.pass_context
def show(ctx: click.Context, entity: str, fmt: str) -> None:
    """Show what the store says about an entity, grouped by kind, with sources.

    ENTITY is an IRI, a name or an alias (case and accents are forgiven). Sections: about
    (names, types), memberships or members (role, dates), funding (amount, currency, stage),
    statements, relationships, observations and events. --format json adds each fact's IRI
    and the raw facts (predicates and values); csv is one row per fact with its section.

    \b
    Example:
        policykg show "Pena Nieto"
    """
    store = get_store(ctx, read_only=True)
    iri = find_entity(store, entity)
    sections = describe(store, iri)
    if fmt == "json":  # the raw facts too: every predicate and IRI
        facts = entity_facts(store, URIRef(iri))
        click.echo(json.dumps({"entity": iri, "sections": plain(sections), "facts": facts},
                              ensure_ascii=False, indent=2))
        return
    if fmt == "csv":
        flat = [{"section": name, **row} for name, rows in sections.items() for row in rows]
        echo_rows(flat, fmt, ["section", *dict.fromkeys(c for cs in SECTIONS.values()
                                                          for c in cs)])
        return
    click.echo(iri)
    for name, rows in sections.items():
        click.echo(f"\n{name.capitalize()}")
        echo_rows(rows, fmt, [c for c in SECTIONS[name] if c != "iri"])


@click.command()
@click.option("--remove", "remove_key", metavar="SOURCE",
              help="Remove this source (key, IRI or unique end of its path) and its facts.")
@output_option()
@click.pass_context
def sources(ctx: click.Context, remove_key: str | None, fmt: str) -> None:
    """List loaded sources, or remove one with all its facts.

    \b
    Example:
        policykg sources
        policykg sources --remove examples/03-facts.yaml
    """
    store = get_store(ctx, read_only=not remove_key)
    if remove_key:
        removed = remove_source(store, remove_key)
        click.echo(f"removed {removed.key} ({removed.triples} triples)")
        return
    rows = [{"source": s.key, "format": s.format, "triples": s.triples, "title": s.title or "",
             "hash": s.content_hash[:19], "iri": str(s.iri)} for s in list_sources(store)]
    echo_rows(rows, fmt, ["source", "format", "triples", "title", "hash", "iri"])


@click.command()
@click.option("--format", "fmt", type=click.Choice(sorted(EXPORT_FORMATS)), default="ttl",
              show_default=True, help="RDF syntax; trig and nq keep one graph per source.")
@click.option("-o", "--output", type=OutPath, default="-", show_default=True,
              help="File to write, or - for standard output.")
@click.pass_context
def export(ctx: click.Context, fmt: str, output: Path) -> None:
    """Export the whole store as RDF; trig and nq are backups that restore exactly.

    A TriG or N-Quads export keeps one graph per source (with its key and content hash) and
    the judgement log and the kept packs in the graphs urn:policykg:judgements and
    urn:policykg:packs; policykg restore reads it back.

    \b
    Example:
        policykg export --format trig -o backup.trig
    """
    store = get_store(ctx, read_only=True)
    if fmt in STREAMED_FORMATS:  # written while read, whatever the store's size
        # A backup (one graph per source) carries the judgement and pack logs as two more.
        extra = itertools.chain(judgement_quads(log_path(ctx.find_root().obj)),
                                pack_quads(store)) if fmt in ("trig", "nq") else ()
        if str(output) == "-":
            write_rdf(store, fmt, sys.stdout.buffer, extra)
            sys.stdout.flush()
        else:
            with output.open("wb") as out:
                write_rdf(store, fmt, out, extra)
            click.echo(f"wrote {output}", err=True)
        return
    data = store.union_graph().serialize(format=EXPORT_FORMATS[fmt], encoding="utf-8")
    write_output(data, output)


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def restore(ctx: click.Context, file: Path) -> None:
    """Restore a TriG or N-Quads backup made by export into an empty store.

    The same sources come back with their keys and hashes, the same graphs, and the
    judgements, so later loads of unchanged files are no-ops and merges are replayed.

    \b
    Example:
        policykg export --format trig -o backup.trig
        policykg --store ./copy restore backup.trig
    """
    result = restore_backup(get_store(ctx), file, log_path(ctx.find_root().obj))
    click.echo(f"restored {result.graphs} graph(s), {result.quads} quads and "
               f"{result.judgements} judgement(s) from {file}")


@click.command()
@output_option()
def formats(fmt: str) -> None:
    """List the loaders and the files they read.

    \b
    Example:
        policykg formats
    """
    rows = []
    for name in loader_names():
        loader = get_loader(name)
        rows.append({"format": name, "version": loader.version,
                     "extensions": " ".join(loader.extensions),
                     "description": loader.description})
    echo_rows(rows, fmt, ["format", "version", "extensions", "description"])


def register(cli: click.Group) -> None:
    """Add the core commands to ``cli``."""
    for command in (init, load, validate, stats_command, show, sources, export, restore,
                    formats):
        cli.add_command(command)


