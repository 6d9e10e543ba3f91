"""Judgements kept with the store: ``judgements export/import`` and the ``review`` screen."""

from __future__ import annotations

from pathlib import Path

import click
from rdflib import URIRef

from policykg import resolution
from policykg.cli.common import get_store
from policykg.cli.resolution import judgements_path
from policykg.exceptions import ResolutionError
from policykg.resolution.judgements import (
    append_judgements,
    apply_rewrites,
    read_log,
    replay,
    truncate_log,
)
from policykg.resolution.scoring import DEFAULT_THRESHOLD

__all__ = ["register"]


@click.group("judgements")
def judgements_group() -> None:
    """Copy the judgement log (merges, not-same, splits) out of the store or into it.

    The log lives with the store, so every load replays it wherever it runs from. Export it
    as JSON lines to version it beside the data; import it into a new store.

    \b
    Example:
        policykg judgements export judgements.jsonl
        policykg --store ./fresh judgements import judgements.jsonl
    """


@judgements_group.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path, allow_dash=True))
@click.pass_context
def export_command(ctx: click.Context, file: Path) -> None:
    """Write the store's judgement log to FILE (JSON lines; - for standard output).

    \b
    Example:
        policykg judgements export judgements.jsonl
    """
    lines = [j.to_json() + "\n" for j in read_log(judgements_path(ctx))]
    if str(file) == "-":
        click.echo("".join(lines), nl=False)
        return
    file.write_text("".join(lines), encoding="utf-8")
    click.echo(f"wrote {len(lines)} judgement(s) to {file}", err=True)


@judgements_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def import_command(ctx: click.Context, file: Path) -> None:
    """Append the judgements of FILE to the store's log and apply them now.

    Judgements already in the log are not added twice. The store is rewritten as if each
    merge had been made here.

    \b
    Example:
        policykg judgements import policykg-judgements.jsonl
    """
    store = get_store(ctx)
    path = judgements_path(ctx)
    known = {j.to_json() for j in read_log(path)}
    new = [j for j in read_log(file) if j.to_json() not in known]
    old = replay(read_log(path))
    size = append_judgements(path, new) if new else None
    try:
        graphs = apply_rewrites(store, old, replay(read_log(path)))
    except BaseException:
        if size is not None:
            truncate_log(path, size)
        raise
    click.echo(f"imported {len(new)} judgement(s) from {file}; rewrote {len(graphs)} "
               f"source graph(s)")


_CHOICES = {"m": "merge", "n": "not the same", "s": "skip", "q": "quit"}


@click.command()
@click.option("--type", "types", multiple=True, metavar="T",
              help="Only entities of this class (Person, GovernmentAgency...); repeatable.")
@click.option("--min-score", type=click.FloatRange(0, 1), default=DEFAULT_THRESHOLD,
              show_default=True, help="Lowest score shown.")
@click.pass_context
def review(ctx: click.Context, types: tuple[str, ...], min_score: float) -> None:
    """Walk through likely duplicates one pair at a time and decide each.

    For each pair (best first) answer m (merge the second into the first), n (not the same:
    never proposed again), s (skip for now) or q (quit). Every answer is recorded at once.

    \b
    Example:
        policykg review --type Person
    """
    store = get_store(ctx)
    path = judgements_path(ctx)
    matches = resolution.find_matches(store, types=types or None, min_score=min_score,
                                      rewrites=replay(read_log(path)))
    decided = 0
    for number, match in enumerate(matches, start=1):
        current = replay(read_log(path))
        a, b = URIRef(match.a.iri), URIRef(match.b.iri)
        if current.root(a) == current.root(b) or current.is_not_same(a, b):
            continue  # settled by an earlier answer
        click.echo(f"\n[{number}/{len(matches)}] score {match.score:.3f}")
        click.echo(f"  1: {match.a.label}  <{match.a.iri}>")
        click.echo(f"  2: {match.b.label}  <{match.b.iri}>")
        for reason in match.reasons:
            click.echo(f"     {reason}")
        answer = click.prompt("merge 2 into 1 [m], not the same [n], skip [s], quit [q]",
                              type=click.Choice(list(_CHOICES)), show_choices=False)
        if answer == "q":
            break
        if answer == "s":
            continue
        try:
            if answer == "m":
                resolution.merge(store, path, match.a.iri, match.b.iri, note="review")
                click.echo(f"  merged {match.b.label!r} into {match.a.label!r}")
            else:
                resolution.not_same(store, path, match.a.iri, match.b.iri, note="review")
                click.echo("  recorded: not the same")
        except ResolutionError as exc:  # a rule forbids it: say so and go on
            click.echo(f"  refused: {exc}", err=True)
            continue
        decided += 1
    click.echo(f"{decided} judgement(s) recorded in {path}")


def register(cli: click.Group) -> None:
    """Add ``judgements`` and ``review`` to ``cli``."""
    cli.add_command(judgements_group)
    cli.add_command(review)
