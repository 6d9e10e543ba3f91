"""Values in and out of a query: parameters coerced to their types, rows made plain Python."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from policykg.exceptions import QueryError
from policykg.queries.definitions import CannedQuery, Param

LIST_SEP = "\u001f"
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


# ---------------------------------------------------------------- values


def _number(value: float | Decimal) -> int | float:
    if isinstance(value, float) and not math.isfinite(value):
        return value
    if value == int(value):
        return int(value)
    return float(value)


def plain_value(value: Any) -> Any:
    """One value from either backend as a plain Python value.

    IRIs become strings, dates ISO strings (partial dates stay ``2015`` / ``2017-01``), integral
    numbers ``int`` and other numbers ``float``.

    Example:
        >>> from decimal import Decimal
        >>> from rdflib import Literal, URIRef
        >>> plain_value(URIRef("https://w3id.org/policykg/id/org/dhs"))
        'https://w3id.org/policykg/id/org/dhs'
        >>> plain_value(Literal("2017-03-01", datatype=XSD.date))
        '2017-03-01'
        >>> plain_value(Literal("2017", datatype=XSD.gYear))
        '2017'
        >>> plain_value(Decimal("12.0")), plain_value(Decimal("2.5"))
        (12, 2.5)
    """
    if isinstance(value, URIRef | BNode):
        return str(value)
    if isinstance(value, Literal):
        if value.datatype is None or value.datatype == XSD.string:
            return str(value)
        if value.datatype == XSD.boolean:
            return value.toPython() is True
        python = value.toPython()
        if isinstance(python, bool):
            return python
        if isinstance(python, int | float | Decimal):
            return _number(python)
        return str(value)
    if value is None or isinstance(value, bool | str | int):
        return value
    if isinstance(value, float | Decimal):
        return _number(value)
    if isinstance(value, list | tuple):
        return [plain_value(v) for v in value]
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    iso = getattr(value, "iso_format", None)  # neo4j.time.Date, DateTime, Duration
    if callable(iso):
        return str(iso())
    return str(value)


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, "")
    if isinstance(value, bool):
        return (1, value)
    if isinstance(value, int | float):
        return (2, value)
    if isinstance(value, str):
        return (3, value)
    return (4, json.dumps(value, sort_keys=True, ensure_ascii=False, default=str))


def _list_value(value: Any) -> list[Any]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        items: list[Any] = value.split(LIST_SEP)
    elif isinstance(value, list):
        items = value
    else:
        items = [value]
    unique = {json.dumps(v, sort_keys=True, default=str): v for v in items if v is not None}
    return sorted(unique.values(), key=_sort_key)


def normalize_fetched(rows: Iterable[Mapping[str, Any]], lists: frozenset[str] | set[str]
                      ) -> list[dict[str, Any]]:
    """Plain values for every column; list columns split, deduplicated and sorted."""
    return list(normalized_rows(rows, lists))


def normalized_rows(rows: Iterable[Mapping[str, Any]], lists: frozenset[str] | set[str]
                    ) -> Iterator[dict[str, Any]]:
    """:func:`normalize_fetched` one row at a time."""
    for row in rows:
        clean = {k: plain_value(v) for k, v in row.items()}
        for column in lists:
            clean[column] = _list_value(clean.get(column))
        yield clean


def normalize_rows(rows: Sequence[Mapping[str, Any]], columns: Sequence[str],
                   order_by: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Keep ``columns`` (in order), drop duplicate rows and sort deterministically."""
    projected = [{c: row.get(c) for c in columns} for row in rows]
    unique = {json.dumps(r, sort_keys=True, default=str): r for r in projected}
    keys = list(order_by) + [c for c in columns if c not in order_by]
    return sorted(unique.values(), key=lambda r: [_sort_key(r.get(k)) for k in keys])


# ---------------------------------------------------------------- parameters


def _date_bounds(text: str) -> tuple[str, str, str]:
    match = _DATE.match(text.strip())
    if not match:
        msg = f"not a date: {text!r} (use YYYY-MM-DD, YYYY-MM or YYYY)"
        raise QueryError(msg)
    year, month, day = match.groups()
    try:
        if day:
            dt.date(int(year), int(month), int(day))
            return text.strip(), text.strip(), text.strip()
        if month:
            first = dt.date(int(year), int(month), 1)
            nxt = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
            last = nxt - dt.timedelta(days=1)
            return text.strip(), first.isoformat(), last.isoformat()
    except ValueError as exc:
        msg = f"not a date: {text!r} ({exc})"
        raise QueryError(msg) from exc
    return year, f"{year}-01-01", f"{year}-12-31"


def coerce_params(query: CannedQuery, values: Mapping[str, Any]) -> dict[str, Any]:
    """Check and type the parameters of a canned query (actors are resolved later).

    Unknown names, missing required values, bad numbers, dates and choices raise
    :class:`QueryError`. A date parameter ``d`` also yields ``d_lo`` and ``d_hi``, the first and
    last day it covers. :func:`run_query` adds ``<name>_set`` (true when given).
    """
    known = {p.name for p in query.params}
    unknown = sorted(set(values) - known)
    if unknown:
        msg = (f"query {query.name!r} has no parameter {unknown[0]!r}; "
               f"parameters: {', '.join(sorted(known)) or '(none)'}")
        raise QueryError(msg)
    out: dict[str, Any] = {}
    for p in query.params:
        raw = values.get(p.name)
        if raw is None or raw == "":
            raw = p.default
        if raw is None:
            if p.required:
                msg = f"query {query.name!r} needs {p.name!r}"
                raise QueryError(msg)
            out[p.name] = None
            if p.type == "date":
                out[p.name + "_lo"] = out[p.name + "_hi"] = None
            continue
        out.update(_coerce_one(query, p, raw))
    return out


def _coerce_one(query: CannedQuery, p: Param, raw: Any) -> dict[str, Any]:
    label = f"{query.name} {p.name}"
    if p.type in ("actor", "string"):
        return {p.name: str(raw)}
    if p.type == "choice":
        if str(raw) not in p.choices:
            msg = f"{label}: {raw!r} is not one of {', '.join(p.choices)}"
            raise QueryError(msg)
        return {p.name: str(raw)}
    if p.type == "date":
        given, lo, hi = _date_bounds(str(raw))
        return {p.name: given, p.name + "_lo": lo, p.name + "_hi": hi}
    number: int | float
    try:
        if isinstance(raw, bool):
            raise ValueError(raw)
        number = int(raw) if p.type == "int" else float(raw)
    except (TypeError, ValueError):
        msg = f"{label}: {raw!r} is not {'an integer' if p.type == 'int' else 'a number'}"
        raise QueryError(msg) from None
    if (p.min is not None and number < p.min) or (p.max is not None and number > p.max):
        msg = f"{label}: {number} is outside {p.min}..{p.max}"
        raise QueryError(msg)
    return {p.name: number}
