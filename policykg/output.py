"""Rendering rows as a table, JSON or CSV: every listing command uses this one function."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from rdflib import Literal, URIRef

__all__ = ["FORMATS", "render", "plain"]

FORMATS = ("table", "json", "csv")


def plain(value: Any) -> Any:
    """Turn RDF terms and other values into JSON-friendly Python values."""
    if isinstance(value, Literal):
        python = value.toPython()
        if isinstance(python, Decimal):
            return float(python) if python != python.to_integral_value() else int(python)
        if isinstance(python, int | float | bool | str):
            return python
        return str(value)
    if isinstance(value, URIRef):
        return str(value)
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def _cell(value: Any) -> str:
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def render(
    rows: Sequence[Mapping[str, Any]],
    fmt: str,
    columns: Sequence[str] | None = None,
    *,
    max_width: int = 60,
) -> str:
    """Render rows in ``fmt`` (table, json or csv) with the given column order."""
    if columns is None:
        seen: dict[str, None] = {}
        for row in rows:
            for key in row:
                seen.setdefault(key, None)
        columns = list(seen)
    if fmt == "json":
        return json.dumps([{c: plain(row.get(c)) for c in columns} for row in rows],
                          ensure_ascii=False, indent=2)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(c)) for c in columns])
        return buffer.getvalue().rstrip("\n")
    if fmt != "table":
        msg = f"unknown output format {fmt!r}"
        raise ValueError(msg)
    if not rows:
        return "(no rows)"
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    cells = [[c if len(c) <= max_width else c[: max_width - 1] + "…" for c in r] for r in cells]
    widths = [max(len(str(col)), *(len(r[i]) for r in cells)) for i, col in enumerate(columns)]
    lines = ["  ".join(str(col).ljust(w) for col, w in zip(columns, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
              for r in cells]
    return "\n".join(lines)
