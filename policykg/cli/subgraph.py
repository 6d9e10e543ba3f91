"""The ``export-subgraph`` command: a selection of the graph in a visualization format."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from policykg.cli.common import get_store, neo4j_connection, parse_pairs
from policykg.exceptions import QueryError
from policykg.export import format_names, get_format, render, write_export
from policykg.export.formats import ExportContext
from policykg.export.select import Filters, GraphReader, iris_in_rows, parse_bound, run_selection
from policykg.lookup import find_entity

__all__ = ["register", "export_subgraph", "parse_params"]


#: The ``--param`` parser, kept under its old name.
parse_params = parse_pairs


def _query_iris(store: Any, name: str, params: dict[str, Any]) -> list[str]:
    try:
        from policykg.queries import run_query
    except ImportError as exc:  # pragma: no cover - the queries package ships with policykg
        raise QueryError(f"canned queries are not available: {exc}") from exc
    return iris_in_rows(run_query(store, name, **params))


def _cypher_iris(cypher: str, params: dict[str, Any]) -> list[str]:
    with neo4j_connection() as (driver, config):
        try:
            from policykg.queries import run_cypher
        except ImportError:  # pragma: no cover - fallback: a read transaction only
            from policykg.graph.neo4j import run_read

            rows = run_read(driver, cypher, params, config.database)
        else:
            rows = run_cypher(driver, cypher, params, database=config.database)
    return iris_in_rows(rows)


def _sparql_iris(store: Any, sparql: str, params: dict[str, Any]) -> list[str]:
    from policykg.queries import run_sparql, sparql_form

    if sparql_form(sparql) != "SELECT":
        raise QueryError("--sparql takes a SELECT query; its result's IRIs are the nodes")
    return iris_in_rows(run_sparql(store, sparql, params))


@click.command("export-subgraph")
@click.option("--actor", metavar="NAME", help="Start from this actor (name, alias or IRI).")
@click.option("--depth", type=click.IntRange(0, 10), default=1, show_default=True,
              help="With --actor: how many relationships away to go.")
@click.option("--query", "query_name", metavar="NAME",
              help="Nodes from a canned query's result (see `policykg queries`).")
@click.option("--param", "-p", "params", multiple=True, metavar="KEY=VALUE",
              help="A parameter of --query, --cypher or --sparql (repeatable).")
@click.option("--cypher", metavar="QUERY",
              help="Nodes from your own read-only Cypher on the Neo4j mirror (NEO4J_URI...).")
@click.option("--from-neo4j", is_flag=True,
              help="Read the selection from Neo4j (implied by --cypher); data comes from the "
                   "store.")
@click.option("--sparql", metavar="QUERY",
              help="Nodes from your own SPARQL SELECT on the store (IRIs in its rows).")
@click.option("--source", "source_key", metavar="KEY",
              help="What one source document says (its key, IRI or unique end of its key).")
@click.option("--since", metavar="DATE", help="Keep facts dated on or after (YYYY[-MM[-DD]]).")
@click.option("--until", metavar="DATE", help="Keep facts dated on or before (YYYY[-MM[-DD]]).")
@click.option("--keep-undated", is_flag=True,
              help="With --since/--until: keep facts and links that carry no date.")
@click.option("--node-type", "node_types", multiple=True, metavar="TYPE",
              help="Keep nodes of this class or a subclass (Person, GovernmentAgency...).")
@click.option("--rel-type", "rel_types", multiple=True, metavar="TYPE",
              help="Keep relationships of this type (FUNDS, MEMBER_OF...).")
@click.option("--max-degree", type=click.IntRange(1), default=None, metavar="N",
              help="With --actor: walk at most N neighbours out of any node (those linked by "
                   "the most relationships first), so a hub does not swamp the view.")
@click.option("--exclude-source", "exclude_sources", multiple=True, metavar="PATTERN",
              help="Leave out what only sources whose key matches this glob state "
                   "(repeatable), e.g. 'samples/gdelt/*'.")
@click.option("--max-nodes", type=click.IntRange(1), default=5000, show_default=True,
              help="Fail when the selection has more nodes (see --truncate).")
@click.option("--truncate", is_flag=True,
              help="Keep the first --max-nodes nodes (nearest the actor first) instead of failing.")
@click.option("--format", "fmt", type=click.Choice(format_names()), default="html",
              show_default=True, help="Output format.")
@click.option("-o", "--output", default="-", show_default=True, metavar="FILE",
              help="File to write; - for standard output; a folder or .zip for csv.")
@click.option("--title", default=None, help="Title of the page or graph.")
@click.pass_context
def export_subgraph(ctx: click.Context, actor: str | None, depth: int, query_name: str | None,
                    params: tuple[str, ...], cypher: str | None, from_neo4j: bool,
                    sparql: str | None, source_key: str | None, since: str | None,
                    until: str | None, keep_undated: bool, node_types: tuple[str, ...],
                    rel_types: tuple[str, ...], max_degree: int | None,
                    exclude_sources: tuple[str, ...], max_nodes: int, truncate: bool, fmt: str,
                    output: str, title: str | None) -> None:
    """Export part of the graph for Gephi, Cytoscape, D3, Graphviz, Neo4j or a browser.

    Select with one of --actor, --query, --cypher, --sparql or --source (or nothing: the whole
    store), narrow with --since/--until, --node-type and --rel-type; keep open data from
    swamping a neighbourhood with --max-degree and --exclude-source. Facts (memberships,
    funding flows, statements, relations) become relationships between the actors they link,
    carrying their dates, amounts, text, evidence and sources.

    \b
    Example:
        policykg export-subgraph --actor "Donald Trump" --depth 2 -o trump.html
        policykg export-subgraph --actor Mexico --rel-type FUNDS --format gexf -o funds.gexf
        policykg export-subgraph --actor Mexico --depth 2 --max-degree 25 \\
            --exclude-source 'samples/gdelt/*' -o mexico.html
        policykg export-subgraph --source examples/03-facts.yaml --format csv -o facts.zip
        policykg export-subgraph --query funding --since 2017 --format json -o -
        policykg export-subgraph --sparql "SELECT ?p WHERE { ?p a pkg:Person }" --format dot
        policykg export-subgraph --from-neo4j --cypher "MATCH (n:Person) RETURN n LIMIT 50"
    """
    selectors = [x for x in (actor, query_name, cypher, sparql, source_key) if x is not None]
    if len(selectors) > 1:
        raise click.UsageError("choose one of --actor, --query, --cypher, --sparql, --source")
    if from_neo4j and cypher is None:
        raise click.UsageError("--from-neo4j reads the result of --cypher: give --cypher")
    if since and until and parse_bound(since, end=False) > parse_bound(until, end=True):
        raise click.UsageError("--since is after --until")
    form = get_format(fmt)
    if form.multi_file and output == "-":
        raise click.UsageError(f"--format {fmt} writes several files: give -o FOLDER or "
                               "-o FILE.zip")
    filters = Filters(
        since=parse_bound(since, end=False) if since else None,
        until=parse_bound(until, end=True) if until else None,
        keep_undated=keep_undated,
        node_types=frozenset(node_types),
        rel_types=frozenset(r.upper() for r in rel_types),
        max_nodes=max_nodes,
        truncate=truncate,
        max_degree=max_degree,
        exclude_sources=exclude_sources,
    )
    store = get_store(ctx, read_only=True)
    reader = GraphReader(store)
    values = parse_params(params)
    kwargs: dict[str, Any] = {}
    if actor is not None:
        kwargs = {"actor": find_entity(store, actor), "depth": depth}
        default_title = f"{actor} (depth {depth})"
    elif query_name is not None:
        kwargs = {"iris": _query_iris(store, query_name, values),
                  "description": f"query {query_name} {values or ''}".strip()}
        default_title = f"query {query_name}"
    elif cypher is not None:
        kwargs = {"iris": _cypher_iris(cypher, values), "description": "Cypher query"}
        default_title = "Cypher query result"
    elif sparql is not None:
        kwargs = {"iris": _sparql_iris(store, sparql, values), "description": "SPARQL query"}
        default_title = "SPARQL query result"
    elif source_key is not None:
        kwargs = {"source": source_key}
        default_title = f"source {source_key}"
    else:
        default_title = "policykg graph"
    view = run_selection(reader, filters=filters, **kwargs)
    data = render(view, fmt, ExportContext(reader=reader, title=title or default_title,
                                                filters=filters))
    where = write_export(data, Path(output) if output != "-" else "-")
    click.echo(f"{view.number_of_nodes()} nodes, {view.number_of_edges()} relationships "
               f"({fmt}) -> {where}", err=True)


def register(cli: click.Group) -> None:
    """Add ``export-subgraph`` to ``cli``."""
    cli.add_command(export_subgraph)
