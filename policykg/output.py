"""Rendering rows as a table, JSON or CSV: every listing command uses this one function.

Outputs are safe to open: a CSV text cell that a spreadsheet would run as a formula (it starts
with ``=``, ``+``, ``-``, ``@``, tab or carriage return) is prefixed with ``'``, numbers are
left as numbers, and ``POLICYKG_RAW_CSV=1`` turns this off (every CSV, listings and exports).
Table cells lose the control characters a terminal would obey (escape sequences, ``\r``).
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from rdflib import Literal, URIRef

__all__ = ["FORMATS", "render", "plain", "csv_cell", "csv_text", "terminal_text"]

FORMATS = ("table", "json", "csv")

#: Set to ``1`` to write CSV text cells exactly as they are (no formula neutralizing).
RAW_CSV_ENV = "POLICYKG_RAW_CSV"

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """``value`` for a CSV writer: text a spreadsheet would run as a formula gets a ``'``.

    Numbers (int, float, Decimal) pass untouched, so ``-52134`` stays a number; text such as
    ``=HYPERLINK(...)``, ``@SUM(...)`` or ``-1+2`` becomes ``'=HYPERLINK(...)`` and so on,
    which spreadsheets show as that text. ``POLICYKG_RAW_CSV=1`` disables it.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _raw_csv():
        return "'" + value
    return value


def csv_text(rows: Iterable[Sequence[Any]]) -> str:
    """CSV text, each row ended by a newline; a field holding CR or LF is always quoted.

    With a newline row ending the csv module leaves a lone CR unquoted, and readers then split
    the row there: each row is written with CRLF, which quotes both, and its ending swapped.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    lines = []
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(row)
        lines.append(buffer.getvalue()[:-2])
    return "".join(line + "\n" for line in lines)


def _raw_csv() -> bool:
    return os.environ.get(RAW_CSV_ENV, "").strip().lower() in ("1", "true", "yes")


# Line and paragraph breaks of every kind become a space; other control and bidirectional
# formatting characters (ESC, OSC/CSI introducers, BEL, DEL, C1, overrides) are dropped.
_BREAKS = re.compile("[\n\r\t\v\f\x85\u2028\u2029]")
_INVISIBLE_FORMAT = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                        "\u2066\u2067\u2068\u2069")


def terminal_text(text: str) -> str:
    """``text`` with nothing a terminal would act on: one line, no control characters."""
    text = _BREAKS.sub(" ", text)
    if text.isprintable():
        return text
    return "".join(c for c in text if unicodedata.category(c) != "Cc"
                   and c not in _INVISIBLE_FORMAT)


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


def _csv_value(value: Any) -> Any:
    """A listing value for the CSV writer: numbers as numbers, text neutralized."""
    value = plain(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return csv_cell(_cell(value))


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
        header = [csv_cell(str(c)) for c in columns]
        body = ([_csv_value(row.get(c)) for c in columns] for row in rows)
        return csv_text(itertools.chain([header], body)).rstrip("\n")
    if fmt != "table":
        msg = f"unknown output format {fmt!r}"
        raise ValueError(msg)
    if not rows:
        return "(no rows)"
    cells = [[terminal_text(_cell(row.get(c))) for c in columns] for row in rows]
    columns = [terminal_text(str(c)) for c in columns]
    cells = [[c if len(c) <= max_width else c[: max_width - 1] + "…" for c in r] for r in cells]
    widths = [max(len(str(col)), *(len(r[i]) for r in cells)) for i, col in enumerate(columns)]
    lines = ["  ".join(str(col).ljust(w) for col, w in zip(columns, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
              for r in cells]
    return "\n".join(lines)
