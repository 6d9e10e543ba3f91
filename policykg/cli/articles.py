"""Article commands: ``policykg extract FILE`` shows what an article would add, without writing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from rdflib import URIRef

from policykg.cli.common import echo_rows, get_store, output_option, stdin_file
from policykg.graph.store import Store
from policykg.identity import normalize_name
from policykg.loaders.article.extract import Extraction
from policykg.loaders.article.loader import Matcher, extract_file, resolve_entities
from policykg.loaders.article.resources import use_resources
from policykg.lookup import label_of, name_index

__all__ = ["register", "extraction_rows", "review_rows", "store_matcher"]

LISTING_COLUMNS = ["category", "name", "details", "span"]
REVIEW_COLUMNS = ["category", "name", "type", "status", "iri", "matched_name"]


def _span(start: int, end: int) -> str:
    return f"{start}-{end}"


def _details(*pairs: tuple[str, Any]) -> str:
    return "; ".join(f"{key}: {value}" for key, value in pairs if value not in (None, "", []))


def extraction_rows(extraction: Extraction) -> list[dict[str, Any]]:
    """Flatten an extraction into rows of category, name or text, details and span."""
    doc = extraction.document
    rows: list[dict[str, Any]] = [{
        "category": "source", "name": doc.title or "",
        "details": _details(("date", doc.date), ("publisher", doc.publisher), ("url", doc.url)),
        "span": _span(0, len(doc.text)),
    }]
    for person in extraction.persons:
        start, end = person.spans[0] if person.spans else (0, 0)
        rows.append({"category": "person", "name": person.name,
                     "details": _details(("role", person.role),
                                         ("affiliation", person.affiliation),
                                         ("mentions", ", ".join(person.mentions))),
                     "span": _span(start, end)})
    for org in extraction.organizations:
        start, end = org.spans[0] if org.spans else (0, 0)
        rows.append({"category": "organization", "name": org.name,
                     "details": _details(("type", org.type),
                                         ("mentions", ", ".join(org.mentions))),
                     "span": _span(start, end)})
    for amount in extraction.amounts:
        rows.append({"category": "amount", "name": amount.text,
                     "details": _details(("value", amount.value), ("currency", amount.currency),
                                         ("qualifier", amount.qualifier),
                                         ("funder", amount.funder),
                                         ("recipient", ", ".join(amount.recipients)
                                          or amount.recipient),
                                         ("program", amount.program)),
                     "span": _span(amount.start, amount.end)})
    for stat in extraction.statistics:
        rows.append({"category": "statistic", "name": stat.text,
                     "details": _details(("value", stat.value), ("unit", stat.unit),
                                         ("measure", stat.measure),
                                         ("qualifier", stat.qualifier),
                                         ("period", stat.period), ("subject", stat.subject)),
                     "span": _span(stat.start, stat.end)})
    for statement in extraction.statements:
        rows.append({"category": "statement", "name": statement.text,
                     "details": _details(("speaker", statement.speaker),
                                         ("kind", statement.kind), ("cue", statement.cue)),
                     "span": _span(statement.start, statement.end)})
    for relation in extraction.relations:
        rows.append({"category": "relation",
                     "name": f"{relation.subject} {relation.predicate} {relation.object}",
                     "details": "", "span": _span(relation.start, relation.end)})
    return rows


def store_matcher(store: Store) -> Matcher:
    """Match names against the store the way a load does (case, accents and punctuation folded;
    a name shared by several entities matches none)."""
    index: dict[str, list[tuple[URIRef, str]]] = {}
    for entry in name_index(store):
        index.setdefault(normalize_name(entry.name), []).append((URIRef(entry.iri), entry.type))

    def match(name: str, types: frozenset[str] | None) -> URIRef | None:
        hits = {iri for iri, type_name in index.get(normalize_name(name), [])
                if types is None or type_name in types}
        return next(iter(hits)) if len(hits) == 1 else None

    return match


def review_rows(extraction: Extraction, store: Store) -> list[dict[str, Any]]:
    """Each extracted person, organization and program: new, or matched to an entity."""
    refs = resolve_entities(extraction, store_matcher(store))
    rows = []
    for ref in refs.values():
        rows.append({
            "category": ref.category,
            "name": ref.name,
            "type": ref.type_name,
            "status": "matched" if ref.matched else "new",
            "iri": str(ref.iri),
            "matched_name": label_of(store, str(ref.iri)) if ref.matched else "",
        })
    return rows


@click.command("extract")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path,
                                        allow_dash=True))
@output_option()
@click.option("--review", is_flag=True,
              help="List each person and organization as new or matched to an entity already "
                   "in the store (with its IRI and name).")
@click.option("--resources", "resources", multiple=True, metavar="DIR",
              type=click.Path(exists=True, path_type=Path),
              help="A folder of YAML domain packs added to the shipped ones; repeatable.")
@click.pass_context
def extract_command(ctx: click.Context, file: Path, fmt: str, review: bool,
                    resources: tuple[Path, ...]) -> None:
    """Show what an article would add to the store, without writing anything.

    FILE is a news article: plain text, text with a front matter (title, date, publisher,
    url between --- lines), Markdown or HTML; - reads it from standard input. The JSON format
    prints the extractor's output contract: one object with source, persons, organizations,
    amounts, statistics, statements and relations. The table and CSV formats list one row
    per item with its character span.

    \b
    Example:
        policykg extract article.txt
        policykg extract article.html --format json
        policykg extract article.txt --review
        policykg extract article.txt --resources my-health-pack/
        cat article.txt | policykg extract -
        policykg load article.txt
    """
    with use_resources(resources):
        if str(file) == "-":
            with stdin_file("stdin.txt") as piped:
                extraction = extract_file(piped)
        else:
            extraction = extract_file(file)
    if review:
        echo_rows(review_rows(extraction, get_store(ctx, read_only=True)), fmt, REVIEW_COLUMNS)
        return
    if fmt == "json":
        click.echo(json.dumps(extraction.to_json(), ensure_ascii=False, indent=2))
        return
    echo_rows(extraction_rows(extraction), fmt, LISTING_COLUMNS)


def register(cli: click.Group) -> None:
    """Add the article commands to the ``policykg`` group."""
    cli.add_command(extract_command)
