"""Canned query definitions: the YAML files of this folder, checked, and their shared fragments."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from policykg.exceptions import QueryError
from policykg.output import Totals

QUERY_DIR = Path(__file__).resolve().parent
PARAM_TYPES = ("actor", "string", "date", "int", "float", "choice")


# ---------------------------------------------------------------- query definitions


@dataclass(frozen=True)
class Param:
    """One typed parameter of a canned query."""

    name: str
    type: str
    required: bool = False
    default: Any = None
    choices: tuple[str, ...] = ()
    help: str = ""
    positional: bool = False
    min: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class CannedQuery:
    """A canned query as read from its YAML file."""

    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    columns: tuple[str, ...]
    lists: frozenset[str] = frozenset()
    order_by: tuple[str, ...] = ()
    sparql: str | None = None
    cypher: str | None = None
    python: str | None = None
    #: A runnable ``policykg query ...`` command line, shown in ``policykg query NAME --help``.
    example: str = ""
    #: Which rows are totals, shown apart from the others (``totals:`` in the YAML).
    totals: Totals | None = None
    path: Path | None = field(default=None, compare=False)

    def param(self, name: str) -> Param:
        """The parameter called ``name``."""
        for p in self.params:
            if p.name == name:
                return p
        msg = f"query {self.name!r} has no parameter {name!r}"
        raise QueryError(msg)


def _parse_param(raw: Mapping[str, Any], where: str) -> Param:
    name = str(raw.get("name", ""))
    kind = str(raw.get("type", "string"))
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        msg = f"{where}: bad parameter name {name!r}"
        raise QueryError(msg)
    if kind not in PARAM_TYPES:
        msg = f"{where}: parameter {name!r} has unknown type {kind!r} (one of {PARAM_TYPES})"
        raise QueryError(msg)
    choices = tuple(str(c) for c in raw.get("choices") or ())
    if kind == "choice" and not choices:
        msg = f"{where}: choice parameter {name!r} needs choices"
        raise QueryError(msg)
    return Param(
        name=name,
        type=kind,
        required=bool(raw.get("required", False)),
        default=raw.get("default"),
        choices=choices,
        help=str(raw.get("help", "")),
        positional=bool(raw.get("positional", False)),
        min=raw.get("min"),
        max=raw.get("max"),
    )


def _parse_query(path: Path) -> CannedQuery:
    where = path.name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        msg = f"{where}: cannot parse: {exc}"
        raise QueryError(msg) from exc
    if not isinstance(data, dict):
        msg = f"{where}: expected a mapping"
        raise QueryError(msg)
    for key in ("name", "title", "example", "columns"):
        if key not in data:
            msg = f"{where}: missing {key!r}"
            raise QueryError(msg)
    if not data.get("python") and not (data.get("sparql") and data.get("cypher")):
        msg = f"{where}: needs sparql and cypher, or python"
        raise QueryError(msg)
    columns = tuple(str(c) for c in data["columns"])
    return CannedQuery(
        name=str(data["name"]),
        title=str(data["title"]),
        description=" ".join(str(data.get("description", "")).split()),
        params=tuple(_parse_param(p, where) for p in data.get("params") or ()),
        columns=columns,
        lists=frozenset(str(c) for c in data.get("lists") or ()),
        order_by=tuple(str(c) for c in data.get("order_by") or columns),
        sparql=data.get("sparql"),
        cypher=data.get("cypher"),
        python=data.get("python"),
        example=str(data["example"]),
        totals=_parse_totals(data.get("totals"), columns, where),
        path=path,
    )


def _parse_totals(raw: Any, columns: tuple[str, ...], where: str) -> Totals | None:
    """``totals: {when: {COLUMN: VALUE}, columns: [...], row_columns: [...]}``."""
    if raw is None:
        return None
    when = raw.get("when") if isinstance(raw, dict) else None
    if not isinstance(when, dict) or len(when) != 1:
        msg = f"{where}: totals needs when: {{COLUMN: VALUE}}, the mark of a total row"
        raise QueryError(msg)
    ((column, value),) = when.items()
    shown = {key: tuple(str(c) for c in raw.get(key) or ()) for key in ("columns", "row_columns")}
    unknown = sorted({str(column), *shown["columns"], *shown["row_columns"]} - set(columns))
    if unknown or not all(shown.values()):
        msg = f"{where}: totals names columns the query does not have or none: {unknown}"
        raise QueryError(msg)
    return Totals(str(column), str(value), shown["columns"], shown["row_columns"])


@cache
def load_queries() -> dict[str, CannedQuery]:
    """Every canned query of this folder, by name."""
    queries: dict[str, CannedQuery] = {}
    for path in sorted(QUERY_DIR.glob("*.yaml")):
        if path.name.startswith("_"):
            continue
        query = _parse_query(path)
        queries[query.name] = query
    return queries


def get_query(name: str) -> CannedQuery:
    """The canned query called ``name``; unknown names list the known ones."""
    queries = load_queries()
    if name not in queries:
        msg = f"no canned query {name!r}; known: {', '.join(sorted(queries))}"
        raise QueryError(msg)
    return queries[name]


@cache
def _fragments() -> dict[str, dict[str, Any]]:
    data = yaml.safe_load((QUERY_DIR / "_fragments.yaml").read_text(encoding="utf-8"))
    return {str(k): dict(v) for k, v in data.items()}


def fragment(name: str) -> dict[str, Any]:
    """A shared sub-query from ``_fragments.yaml`` (keys: sparql, cypher, lists); SPARQL marked
    ``sparql_from_model`` is written from the current ontology model."""
    try:
        form = _fragments()[name]
    except KeyError:
        msg = f"no query fragment {name!r}"
        raise QueryError(msg) from None
    generator = form.get("sparql_from_model")
    if generator is None:
        return form
    from policykg.ontology.model import current_model
    from policykg.queries.direct_links import GENERATORS

    return {**form, "sparql": GENERATORS[str(generator)](current_model())}
