"""Entity-resolution commands: dedupe, merge, not-same, split."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from rdflib import URIRef

from policykg import resolution
from policykg.cli.common import InPath, echo_rows, get_store, output_option, project_folder
from policykg.exceptions import ResolutionError
from policykg.graph.store import Store
from policykg.lookup import find_entity
from policykg.resolution.judgements import LogLocation, log_path, read_log, replay
from policykg.resolution.scoring import DEFAULT_THRESHOLD

__all__ = ["register", "judgements_path", "read_pairs"]

_COLUMNS = ["score", "name_a", "name_b", "type_a", "type_b", "reasons", "iri_a", "iri_b"]


def judgements_path(ctx: click.Context) -> LogLocation:
    """The judgement log: the group's ``judgements_path``, ``$POLICYKG_JUDGEMENTS`` or default."""
    return log_path(ctx.find_root().obj)


def _entity(store: Store, text: str) -> str:
    """An IRI as given (even of an entity merged away), or the entity a name designates."""
    if text.startswith(("http://", "https://", "urn:")):
        return text
    return find_entity(store, text)


def _warn(warnings: list[str]) -> None:
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)


def _kind(types: frozenset[str]) -> str:
    specific = sorted(types - {"Organization", "Actor", "Policy", "Jurisdiction"})
    return "/".join(specific or sorted(types))


@click.command()
@click.option("--type", "types", multiple=True, metavar="T",
              help="Only entities of this class (Person, GovernmentAgency...); repeatable.")
@click.option("--min-score", type=click.FloatRange(0, 1), default=DEFAULT_THRESHOLD,
              show_default=True, help="Lowest score listed (the default aims at precision 0.98).")
@click.option("--auto", is_flag=True,
              help="Merge pairs with an identical QID, FtM id or IATI ref (never pairs "
                   "judged not the same), then list what is left.")
@click.option("--limit", type=int, default=200, show_default=True,
              help="List at most this many pairs (0: all).")
@output_option()
@click.pass_context
def dedupe(ctx: click.Context, types: tuple[str, ...], min_score: float, auto: bool, limit: int,
           fmt: str) -> None:
    """List likely duplicate entities with their score and the reasons for it.

    Nothing is merged unless --auto is given, and --auto merges only identical strong
    identifiers; review the rest and decide with merge or not-same.

    \b
    Example:
        policykg dedupe --type Person
        policykg dedupe --min-score 0.7 --format json
        policykg dedupe --auto
    """
    store = get_store(ctx)
    path = judgements_path(ctx)
    if auto:
        outcome = resolution.auto_merge(store, path, types=types or None)
        for judgement in outcome.judgements:
            click.echo(f"merged {judgement.names[-1] if judgement.names else judgement.other!r}"
                       f" into <{judgement.canonical}> ({judgement.note})", err=True)
        click.echo(f"auto: {len(outcome.judgements)} merge(s) recorded in {path}", err=True)
        _warn(outcome.warnings)
    rewrites = replay(read_log(path))
    matches = resolution.find_matches(store, types=types or None, min_score=min_score,
                                      rewrites=rewrites)
    if limit:
        matches = matches[:limit]
    rows: list[dict[str, Any]] = [{
        "score": f"{m.score:.3f}",
        "name_a": m.a.label,
        "name_b": m.b.label,
        "type_a": _kind(m.a.types),
        "type_b": _kind(m.b.types),
        "reasons": "; ".join(m.reasons) if fmt != "json" else m.reasons,
        "iri_a": m.a.iri,
        "iri_b": m.b.iri,
    } for m in matches]
    if fmt == "json":
        for row in rows:
            row["score"] = float(row["score"])
    echo_rows(rows, fmt, _COLUMNS)


@click.command()
@click.argument("canonical", required=False)
@click.argument("other", required=False)
@click.option("--from", "pairs_file", type=InPath,
              help="Merge every pair of this file instead (the output of dedupe --format json: "
                   "iri_b into iri_a); - reads standard input.")
@click.option("--note", help="Why: recorded in the judgement log.")
@click.option("--force", is_flag=True,
              help="Merge even when a rule forbids it (different QIDs, person vs organization).")
@click.pass_context
def merge(ctx: click.Context, canonical: str | None, other: str | None, pairs_file: Path | None,
          note: str | None, force: bool) -> None:
    """Merge OTHER into CANONICAL: record the judgement and rewrite the store now.

    Both are IRIs or names. Every fact and source of OTHER becomes CANONICAL's; OTHER's names
    become aliases. The merge is replayed on every later load; undo it with split. With
    --from, every pair of a dedupe --format json listing is merged, in order.

    \b
    Example:
        policykg merge "Enrique Peña Nieto" https://w3id.org/policykg/id/person/pena-nieto
        policykg merge "Jorge Bustamante" "J. Bustamante" --note "same sociologist, COLEF"
        policykg dedupe --format json > pairs.json && policykg merge --from pairs.json
    """
    store = get_store(ctx)
    path = judgements_path(ctx)
    if pairs_file is not None:
        if canonical or other:
            raise click.UsageError("give two entities or --from FILE, not both")
        pairs = read_pairs(pairs_file)
    elif canonical and other:
        pairs = [(_entity(store, canonical), _entity(store, other))]
    else:
        raise click.UsageError("give CANONICAL and OTHER, or --from FILE")
    for a, b in pairs:
        _merge_one(store, path, a, b, note, force)


def _merge_one(store: Store, path: LogLocation, a: str, b: str, note: str | None,
               force: bool) -> None:
    current = replay(read_log(path))
    if current.root(URIRef(a)) == current.root(URIRef(b)):  # one already, by an earlier pair
        click.echo(f"already merged: <{b}> and <{a}>", err=True)
        return
    outcome = resolution.merge(store, path, a, b, note=note, force=force)
    judgement = outcome.judgements[0]
    click.echo(f"merged <{judgement.other}> into <{judgement.canonical}> "
               f"(score {judgement.score}); rewrote {len(outcome.graphs)} source graph(s); "
               f"recorded in {path}")
    _warn(outcome.warnings)


def read_pairs(file: Path) -> list[tuple[str, str]]:
    """The (canonical, other) pairs of a ``dedupe --format json`` listing.

    Raises:
        ResolutionError: the file is not a JSON list of objects with iri_a and iri_b (the
            message names the file and the item).
    """
    name = "<stdin>" if str(file) == "-" else str(file)
    text = sys.stdin.read() if str(file) == "-" else file.read_text(
        encoding="utf-8")
    try:
        items = json.loads(text)
    except ValueError as exc:
        raise ResolutionError(f"{name}: not JSON: {exc}") from None
    if not isinstance(items, list):
        raise ResolutionError(f"{name}: expected a JSON list of pairs (dedupe --format json)")
    pairs = []
    for number, item in enumerate(items, start=1):
        if not (isinstance(item, dict) and isinstance(item.get("iri_a"), str)
                and isinstance(item.get("iri_b"), str)):
            raise ResolutionError(f"{name}: item {number}: a pair needs iri_a and iri_b")
        pairs.append((item["iri_a"], item["iri_b"]))
    return pairs


@click.command("not-same")
@click.argument("first")
@click.argument("second")
@click.option("--note", help="Why: recorded in the judgement log.")
@click.pass_context
def not_same(ctx: click.Context, first: str, second: str, note: str | None) -> None:
    """Record that two entities are different, so they are never merged (not even by --auto).

    \b
    Example:
        policykg not-same "Jorge Bustamante" "Roberto Bustamante"
    """
    store = get_store(ctx)
    path = judgements_path(ctx)
    outcome = resolution.not_same(store, path, _entity(store, first), _entity(store, second),
                                  note=note)
    judgement = outcome.judgements[0]
    click.echo(f"recorded: <{judgement.canonical}> is not <{judgement.other}> ({path})")


@click.command()
@click.argument("entity")
@click.option("--note", help="Why: recorded in the judgement log.")
@click.pass_context
def split(ctx: click.Context, entity: str, note: str | None) -> None:
    """Undo merges: ENTITY's own merge, or every merge into it when it is a canonical.

    The affected sources are reloaded from their files, restoring the original entities.

    \b
    Example:
        policykg split https://w3id.org/policykg/id/person/pena-nieto
        policykg split "Enrique Peña Nieto"
    """
    store = get_store(ctx)
    path = judgements_path(ctx)
    outcome = resolution.split(store, path, _entity(store, entity), note=note,
                               project=project_folder(ctx))
    for judgement in outcome.judgements:
        click.echo(f"split <{judgement.other}> from <{judgement.canonical}>")
    click.echo(f"reloaded {len(outcome.graphs)} source(s); recorded in {path}")
    _warn(outcome.warnings)


def register(cli: click.Group) -> None:
    """Add the resolution commands to ``cli``."""
    for command in (dedupe, merge, not_same, split):
        cli.add_command(command)
