"""Neo4j commands: mirror, pull, neo4j-status.

The password is read from ``NEO4J_PASSWORD`` only and never printed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
import neo4j

from policykg.cli.common import (
    OutPath,
    echo_rows,
    get_store,
    neo4j_connection,
    output_option,
    progress,
    write_output,
)
from policykg.graph.bulk_import import run_import, write_import_files
from policykg.graph.mirror import SOURCE_LABEL, mirror, pull, pull_dataset
from policykg.graph.neo4j import Neo4jConfig
from policykg.graph.store import Store

__all__ = ["register"]

F = TypeVar("F", bound=Callable[..., Any])

PULL_FORMATS = {"ttl": "turtle", "nt": "nt", "trig": "trig", "nq": "nquads"}
SUMMARY_COLUMNS = ["sources_sent", "sources_unchanged", "sources_removed", "subjects", "nodes",
                   "relationships", "seconds"]


def connection_options(func: F) -> F:
    """``--uri``, ``--user`` and ``--database`` (defaults from NEO4J_* variables)."""
    func = click.option("--database", help="Database name [env NEO4J_DATABASE, default neo4j].")(
        func)
    func = click.option("--user", help="User name [env NEO4J_USERNAME, default neo4j].")(func)
    func = click.option(
        "--uri", help="Bolt or neo4j(+s) URI [env NEO4J_URI, default bolt://localhost:7687].")(
        func)
    return func


@contextmanager
def _driver(uri: str | None, user: str | None, database: str | None,
            doing: str) -> Iterator[tuple[neo4j.Driver, Neo4jConfig]]:
    with neo4j_connection(uri, user, database, doing) as connection:
        yield connection


@click.command("mirror")
@connection_options
@click.option("--full", is_flag=True, help="Recompute everything, not only changed sources.")
@click.option("--batch-size", type=click.IntRange(1, 1_000_000), default=5000, show_default=True,
              help="Subjects per write transaction.")
@click.option("--bulk-import", "bulk_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write import files for neo4j-admin (a new database) into this new or empty "
                   "directory instead of connecting, and print the import command.")
@click.option("--neo4j-home", type=click.Path(file_okay=False, path_type=Path),
              help="With --bulk-import: run NEO4J_HOME/bin/neo4j-admin on the files.")
@output_option()
@click.pass_context
def mirror_command(ctx: click.Context, uri: str | None, user: str | None, database: str | None,
                   full: bool, batch_size: int, bulk_dir: Path | None, neo4j_home: Path | None,
                   fmt: str) -> None:
    """Mirror the store into Neo4j: only changed sources are sent; removed ones are removed.

    The password comes from NEO4J_PASSWORD. Nodes and relationships policykg did not write are
    never touched. Interrupted mirrors are completed by running the command again.

    \b
    Example:
        NEO4J_URI=bolt://localhost:7687 NEO4J_PASSWORD=... policykg mirror
    """
    store = get_store(ctx, read_only=True)
    if neo4j_home is not None and bulk_dir is None:
        raise click.UsageError("--neo4j-home needs --bulk-import DIR")
    if bulk_dir is not None:
        _bulk_import(store, bulk_dir, neo4j_home, database, fmt)
        return
    with _driver(uri, user, database, "mirroring") as (driver, config), \
            progress("mirroring") as advance:
        summary = mirror(store, driver, config.database, full=full, batch_size=batch_size,
                         on_progress=advance)
    echo_rows([summary.as_row()], fmt, SUMMARY_COLUMNS)


def _bulk_import(store: Store, directory: Path, neo4j_home: Path | None, database: str | None,
                 fmt: str) -> None:
    started = time.perf_counter()
    files = write_import_files(store, directory, database=database or "neo4j")
    if neo4j_home is None:
        click.echo(f"wrote {files.node_count} nodes and {files.relationship_count} relationships "
                   f"for {files.sources} sources; import them with (Neo4j stopped, the database "
                   "must not exist yet), then run policykg mirror once for the indexes:", err=True)
        click.echo(files.command())
        return
    click.echo(run_import(files, neo4j_home), err=True)
    row = {"sources": files.sources, "nodes": files.node_count,
           "relationships": files.relationship_count,
           "files": len(files.nodes) + len(files.relationships),
           "seconds": round(time.perf_counter() - started, 3)}
    echo_rows([row], fmt, list(row))


@click.command("pull")
@connection_options
@click.option("--format", "fmt", type=click.Choice(sorted(PULL_FORMATS)), default="ttl",
              show_default=True, help="RDF syntax; trig and nq keep one graph per source.")
@click.option("-o", "--output", type=OutPath, default="-", show_default=True,
              help="File to write, or - for standard output.")
def pull_command(uri: str | None, user: str | None, database: str | None, fmt: str,
                 output: Path) -> None:
    """Read what policykg wrote to Neo4j back as RDF.

    \b
    Example:
        policykg pull --format trig -o from-neo4j.trig
    """
    with _driver(uri, user, database, "pulling") as (driver, config):
        graph = (pull_dataset(driver, config.database) if fmt in ("trig", "nq")
                 else pull(driver, config.database))
    data = graph.serialize(format=PULL_FORMATS[fmt], encoding="utf-8")
    write_output(data, output)


@click.command("neo4j-status")
@connection_options
@output_option()
def status_command(uri: str | None, user: str | None, database: str | None, fmt: str) -> None:
    """Check the connection and list the sources mirrored into Neo4j.

    \b
    Example:
        policykg neo4j-status --format json
    """
    with _driver(uri, user, database, "reading the mirror state") as (driver, config):
        records, _, _ = driver.execute_query(
            f"MATCH (s:{SOURCE_LABEL}) RETURN s.uri AS source, s.state AS state, "
            "s.fingerprint AS fingerprint ORDER BY source",
            database_=config.database, routing_=neo4j.RoutingControl.READ)
        rows = [{"source": r["source"], "state": r["state"],
                 "hash": str(r["fingerprint"] or "").split("|")[0][:19]} for r in records]
    click.echo(f"connected to {config.uri} (database {config.database})", err=True)
    echo_rows(rows, fmt, ["source", "state", "hash"])


def register(cli: click.Group) -> None:
    """Add the Neo4j commands to ``cli``."""
    for command in (mirror_command, pull_command, status_command):
        cli.add_command(command)
