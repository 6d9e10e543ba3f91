"""Query commands: queries, query NAME, sparql, cypher.

``policykg query NAME`` has one subcommand per canned query (``policykg/queries/*.yaml``); its
arguments and options are generated from the query's parameters.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from policykg.cli.common import (
    TOTALS_OPTION,
    WIDE_OPTION,
    InPath,
    echo_rows,
    get_store,
    neo4j_connection,
    output_option,
    parse_pairs,
)
from policykg.exceptions import QueryError
from policykg.queries import (
    DEFAULT_ROW_CAP,
    DEFAULT_TIMEOUT,
    CannedQuery,
    Neo4jBackend,
    ensure_indexes,
    load_queries,
    run_cypher,
    run_query,
    run_sparql,
)

__all__ = ["register", "query_group", "nothing_found"]

F = TypeVar("F", bound=Callable[..., Any])

def neo4j_options(func: F) -> F:
    """``--uri``, ``--user`` and ``--database`` for the Neo4j backend (NEO4J_* by default)."""
    func = click.option("--database", help="Neo4j database [env NEO4J_DATABASE].")(func)
    func = click.option("--user", help="Neo4j user [env NEO4J_USERNAME].")(func)
    func = click.option("--uri", help="Neo4j URI [env NEO4J_URI]; password: NEO4J_PASSWORD.")(
        func)
    return func


@contextmanager
def neo4j_driver(uri: str | None, user: str | None,
                 database: str | None) -> Iterator[tuple[Any, str]]:
    """A checked driver and the database name, closed afterwards."""
    with neo4j_connection(uri, user, database) as (driver, config):
        yield driver, config.database


@click.command("queries")
@output_option()
def queries_command(fmt: str) -> None:
    """List the canned queries and their parameters.

    \b
    Example:
        policykg queries --format json
    """
    rows = []
    for query in load_queries().values():
        params = []
        for p in query.params:
            text = p.name.upper() if p.positional else f"--{p.name.replace('_', '-')}"
            params.append(text if p.required else f"[{text}]")
        rows.append({"name": query.name, "title": query.title, "params": " ".join(params),
                     "description": query.description})
    echo_rows(rows, fmt, ["name", "title", "params", "description"])


class QueryGroup(click.Group):
    """``policykg query NAME``: one subcommand per canned query, made from its YAML."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(load_queries())

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        query = load_queries().get(cmd_name)
        return _canned_command(query) if query is not None else None


def _param_type(kind: str, choices: tuple[str, ...]) -> click.ParamType:  # type: ignore[type-arg]
    if kind == "int":
        return click.INT
    if kind == "float":
        return click.FLOAT
    if kind == "choice":
        return click.Choice(choices)
    return click.STRING


def _canned_command(query: CannedQuery) -> click.Command:
    params: list[click.Parameter] = []
    for p in query.params:
        kind = _param_type(p.type, p.choices)
        if p.positional:
            params.append(click.Argument([p.name], type=kind, required=p.required,
                                         default=p.default))
        else:
            params.append(click.Option([f"--{p.name.replace('_', '-')}", p.name], type=kind,
                                       default=p.default, required=p.required,
                                       show_default=p.default is not None, help=p.help))
    params += [
        click.Option(["--backend"], type=click.Choice(["embedded", "neo4j"]),
                     default="embedded", show_default=True, help="Where to run the query."),
        click.Option(["--format", "fmt"], type=click.Choice(["table", "json", "csv"]),
                     default="table", show_default=True, help="Output format."),
        click.Option(["--timeout"], type=click.FloatRange(min=0.001),
                     help="Neo4j transaction timeout in seconds."),
        click.Option(["--strict"], is_flag=True,
                     help="With --backend neo4j: refuse while the mirror is half done."),
        click.Option(["--uri"], help="Neo4j URI [env NEO4J_URI]; password: NEO4J_PASSWORD."),
        click.Option(["--user"], help="Neo4j user [env NEO4J_USERNAME]."),
        click.Option(["--database"], help="Neo4j database [env NEO4J_DATABASE]."),
    ]
    params += _output_flags(query)
    lines = [f"{query.title}.", "", query.description, ""]
    lines += [f"{p.name.upper()}: {p.help}" for p in query.params if p.positional]
    lines += ["", "\b", "Example:", f"    {query.example}"]

    @click.pass_context
    def callback(ctx: click.Context, /, backend: str, fmt: str, timeout: float | None,
                 strict: bool, uri: str | None, user: str | None, database: str | None,
                 **values: Any) -> None:
        if backend == "neo4j":
            with neo4j_driver(uri, user, database) as (driver, db):
                _check_mirror(driver, db, strict)
                ensure_indexes(driver, db)  # cheap once they exist; queries work without them
                rows = run_query(driver, query.name, database=db, timeout=timeout, **values)
        else:
            rows = run_query(get_store(ctx, read_only=True), query.name, **values)
        if not rows and fmt == "table":
            click.echo(nothing_found(query, values))  # json still gives [], csv its header
            return
        echo_rows(rows, fmt, list(query.columns), totals=query.totals)

    return click.Command(query.name, params=params, callback=callback,
                         help="\n".join(lines), short_help=query.title)


def _output_flags(query: CannedQuery) -> list[click.Parameter]:
    """``--wide``, and ``--totals`` for a query with total rows, as parameters."""
    decorators = [WIDE_OPTION, TOTALS_OPTION] if query.totals else [WIDE_OPTION]
    holder = click.Command("holder")
    for decorator in decorators:
        decorator(holder)
    return list(holder.params)


def nothing_found(query: CannedQuery, values: dict[str, Any]) -> str:
    """The one line printed instead of an empty table: which question had no data.

    Example:
        >>> from policykg.queries import get_query
        >>> nothing_found(get_query("funding"), {"funder": "DHS", "stage": "announced"})
        'No data: funding has nothing for --funder DHS --stage announced.'
    """
    given = []
    for p in query.params:
        value = values.get(p.name)
        if value is None or value == "" or value == p.default:
            continue
        text = str(value)
        text = f'"{text}"' if " " in text else text
        given.append(text if p.positional else f"--{p.name.replace('_', '-')} {text}")
    where = f" for {' '.join(given)}" if given else " in the store"
    return f"No data: {query.name} has nothing{where}."


query_group = QueryGroup(
    "query",
    help="""Run a canned query on the embedded store or on Neo4j (same results on both).

    Actors are given by IRI, name or alias; case and accents are forgiven. A name shared by
    several entities is listed with its candidates (exit 1).

    \b
    Example:
        policykg query funding --funder "State Department" --since 2016-01-01
        policykg query path "Jorge Bustamante" "Donald Trump" --max-hops 4 --backend neo4j
    """,
)


def _read_text(text: str | None, file: Path | None, what: str) -> str:
    if file is not None:
        body = sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
        if text:
            msg = f"give the {what} as an argument or with -f, not both"
            raise QueryError(msg)
        return body
    if not text:
        msg = f"no {what}: give it as an argument or with -f FILE"
        raise QueryError(msg)
    return text


_PARAM_OPTION = click.option("-p", "--param", "pairs", multiple=True, metavar="KEY=VALUE",
                             help="A parameter, bound as a value (JSON if it parses, else a "
                                  "string). Repeatable.")


_LIMIT_OPTION = click.option(
    "--limit", "--max-rows", "limit", type=click.IntRange(min=0), default=DEFAULT_ROW_CAP,
    show_default=True, help="Stop after this many rows (0: no cap); a note says when it stops.")
_TIMEOUT_OPTION = click.option(
    "--timeout", type=click.FloatRange(min=0), default=DEFAULT_TIMEOUT, show_default=True,
    help="Stop the query after this many seconds (0: no timeout).")


def _check_mirror(driver: Any, database: str, strict: bool) -> None:
    """Warn (or refuse, with --strict) while the Neo4j mirror reports pending sources."""
    warning = Neo4jBackend(driver, database).check_mirror(strict)
    if warning:
        click.echo(warning, err=True)


def _note_cap(rows: Any) -> None:
    if getattr(rows, "truncated", False):
        click.echo(f"note: stopped at {len(rows)} rows; --limit N shows more, --limit 0 all",
                   err=True)


@click.command("sparql")
@click.argument("text", required=False)
@click.option("-f", "--file", "file", type=InPath, help="Read the query from a file (- = stdin).")
@_PARAM_OPTION
@_LIMIT_OPTION
@_TIMEOUT_OPTION
@click.option("--write", is_flag=True, help="Allow SPARQL updates (INSERT, DELETE, ...).")
@click.option("--allow-service", is_flag=True,
              help="Allow SERVICE (federated queries that fetch remote endpoints).")
@output_option()
@click.pass_context
def sparql_command(ctx: click.Context, text: str | None, file: Path | None,
                   pairs: tuple[str, ...], limit: int, timeout: float, write: bool,
                   allow_service: bool, fmt: str) -> None:
    """Run your own SPARQL on the embedded store (read-only unless --write).

    Prefixes pkg: org: skos: schema: dcterms: prov: rdf: rdfs: xsd: owl: foaf: are declared.
    Parameters are bound as terms, never pasted: -p name=Mexico binds ?name to "Mexico";
    -p s='<https://...>' binds an IRI. A bound variable must be in the SELECT list.
    SERVICE (a federated query: the machine fetches a remote endpoint) is refused wherever
    it appears unless --allow-service. The query stops after --timeout seconds and
    --limit rows; a note on stderr says when the row cap cut the answer short.

    \b
    Example:
        policykg sparql 'SELECT ?s ?name WHERE { ?s skos:prefLabel ?name }' -p name=Mexico
        policykg sparql -f my-query.rq --format csv --limit 100
    """
    body = _read_text(text, file, "SPARQL query")
    store = get_store(ctx, read_only=not write)
    rows = run_sparql(store, body, parse_pairs(pairs), limit=limit or None,
                      timeout=timeout or None, write=write, allow_service=allow_service)
    echo_rows(rows, fmt)
    _note_cap(rows)


@click.command("cypher")
@click.argument("text", required=False)
@click.option("-f", "--file", "file", type=InPath, help="Read the query from a file (- = stdin).")
@_PARAM_OPTION
@_LIMIT_OPTION
@_TIMEOUT_OPTION
@click.option("--write", is_flag=True, help="Allow writes (CREATE, MERGE, SET, DELETE, ...).")
@click.option("--strict", is_flag=True, help="Refuse while the mirror is half done.")
@neo4j_options
@output_option()
def cypher_command(text: str | None, file: Path | None, pairs: tuple[str, ...],
                   limit: int, timeout: float, write: bool, strict: bool, uri: str | None,
                   user: str | None, database: str | None, fmt: str) -> None:
    """Run your own Cypher on Neo4j (read-only unless --write).

    Without --write, the query is checked with EXPLAIN and refused before it runs unless
    every step of its plan is a pure read: LOAD CSV, procedures other than a few read-only
    ones (db.labels, db.schema.visualization, full-text index searches...), updates, schema
    and admin commands are refused however they are spelled. It then runs in a read
    transaction, stopped after --timeout seconds and --limit rows. While the mirror is half
    done a warning is printed (--strict refuses). Parameters are passed to the driver:
    -p name=Mexico gives $name.

    \b
    Example:
        policykg cypher 'MATCH (p:Person)-[r:MEMBER_OF]->(o) RETURN p.prefLabel, r.role'
        policykg cypher 'MATCH (n:Resource {prefLabel: $name}) RETURN n.uri' -p name=Mexico
    """
    body = _read_text(text, file, "Cypher query")
    with neo4j_driver(uri, user, database) as (driver, db):
        _check_mirror(driver, db, strict)
        rows = run_cypher(driver, body, parse_pairs(pairs), database=db, limit=limit or None,
                          timeout=timeout or None, write=write)
    echo_rows(rows, fmt)
    _note_cap(rows)


def register(cli: click.Group) -> None:
    """Add the query commands to ``cli``."""
    for command in (queries_command, query_group, sparql_command, cypher_command):
        cli.add_command(command)
