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
import shutil
import sys
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rdflib import Literal, URIRef

__all__ = ["FORMATS", "Totals", "render", "table", "wrap", "fit_widths", "terminal_width",
           "text_width", "plain", "csv_cell", "csv_text", "terminal_text"]

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


@dataclass(frozen=True)
class Totals:
    """How a listing marks its total rows and which columns they show.

    A row whose ``column`` holds ``value`` is a total; ``columns`` are the totals' columns and
    ``row_columns`` the other rows' (the marker column and total-only columns left out).
    """

    column: str
    value: str
    columns: tuple[str, ...]
    row_columns: tuple[str, ...]

    def split(self, rows: Sequence[Mapping[str, Any]]
              ) -> tuple[list[Mapping[str, Any]], list[Mapping[str, Any]]]:
        """The rows and the totals, each in its order."""
        totals = [row for row in rows if row.get(self.column) == self.value]
        others = [row for row in rows if row.get(self.column) != self.value]
        return others, totals


def render(
    rows: Sequence[Mapping[str, Any]],
    fmt: str,
    columns: Sequence[str] | None = None,
    *,
    totals: Totals | None = None,
    csv_totals: bool = False,
    width: int | None = None,
    wide: bool = False,
) -> str:
    """Render rows in ``fmt`` (table, json or csv) with the given column order.

    With ``totals``, the total rows are kept apart: JSON is ``{"rows": [...], "totals": [...]}``,
    a table gets a footer table, and CSV holds the other rows only (``csv_totals``: every row,
    totals included and marked, as the query gives them). A table fits ``width`` columns
    (the terminal's by default), wrapping cells; ``wide`` keeps each row on one line.
    """
    if columns is None:
        columns = _columns_of(rows)
    if fmt not in FORMATS:
        msg = f"unknown output format {fmt!r}"
        raise ValueError(msg)
    if totals is None or (fmt == "csv" and csv_totals):
        return _render_section(rows, fmt, columns, width, wide)
    body, sums = totals.split(rows)
    if fmt == "json":
        return json.dumps({"rows": [_json_row(row, totals.row_columns) for row in body],
                           "totals": [_json_row(row, totals.columns) for row in sums]},
                          ensure_ascii=False, indent=2)
    text = _render_section(body, fmt, totals.row_columns, width, wide)
    if fmt == "csv" or not sums:
        return text
    return text + "\n\nTotals\n" + _render_section(sums, fmt, totals.columns, width, wide)


def _columns_of(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    seen: dict[str, None] = {}
    for row in rows:
        for key in row:
            seen.setdefault(key, None)
    return list(seen)


def _json_row(row: Mapping[str, Any], columns: Sequence[str]) -> dict[str, Any]:
    return {c: plain(row.get(c)) for c in columns}


def _render_section(rows: Sequence[Mapping[str, Any]], fmt: str, columns: Sequence[str],
                    width: int | None, wide: bool) -> str:
    if fmt == "json":
        return json.dumps([_json_row(row, columns) for row in rows], ensure_ascii=False,
                          indent=2)
    if fmt == "csv":
        header = [csv_cell(str(c)) for c in columns]
        body = ([_csv_value(row.get(c)) for c in columns] for row in rows)
        return csv_text(itertools.chain([header], body)).rstrip("\n")
    if not rows:
        return "(no rows)"
    cells = [[terminal_text(_cell(row.get(c))) for c in columns] for row in rows]
    return table([terminal_text(str(c)) for c in columns], cells,
                 None if wide else (width or terminal_width()))


# ---------------------------------------------------------------- tables that fit

#: Spaces between two table columns.
GAP = 2
#: No column is squeezed narrower than this (a wide character needs two).
MIN_COLUMN = 2


def terminal_width() -> int | None:
    """Columns of the terminal (``COLUMNS`` first); None in a pipe or a file, where a row stays
    on one line (for ``less -S``, ``grep`` and ``cut``) rather than being wrapped to a guess."""
    if not os.environ.get("COLUMNS", "").strip().isdigit() and not sys.stdout.isatty():
        return None
    return shutil.get_terminal_size((80, 24)).columns


def char_width(char: str) -> int:
    """Columns a character takes on a terminal: 2 for wide East Asian ones, 0 for marks."""
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def text_width(text: str) -> int:
    """Columns ``text`` takes on a terminal."""
    if text.isascii():
        return len(text)
    return sum(char_width(c) for c in text)


# A line may break after a space or after the punctuation that separates an IRI's parts.
_PIECES = re.compile(r"[^ /#?&=_\-]*[ /#?&=_\-]+|[^ /#?&=_\-]+")


def wrap(text: str, width: int) -> list[str]:
    """``text`` cut into lines of at most ``width`` columns, losing no character.

    Lines break after a space or after ``/ # ? & = _ -`` where one can, else anywhere, so an
    IRI is shown whole (its lines joined give it back). ``"".join(wrap(t, w)) == t``.

    Example:
        >>> wrap("https://w3id.org/policykg/id/person/jorge-bustamante", 20)
        ['https://w3id.org/', 'policykg/id/person/', 'jorge-bustamante']
        >>> wrap("", 5)
        ['']
    """
    if text_width(text) <= width:
        return [text]
    if width < MIN_COLUMN:
        msg = f"cannot wrap to fewer than {MIN_COLUMN} columns"
        raise ValueError(msg)
    lines: list[str] = []
    line, used = "", 0
    for piece in _PIECES.findall(text):
        size = text_width(piece)
        if used + size <= width:
            line, used = line + piece, used + size
            continue
        if line:  # the piece starts a line of its own
            lines.append(line)
            line, used = "", 0
        if size <= width:
            line, used = piece, size
            continue
        for char in piece:  # longer than a line: cut it where the line is full
            size = char_width(char)
            if used + size > width:
                lines.append(line)
                line, used = "", 0
            line, used = line + char, used + size
    lines.append(line)
    return lines


#: A word longer than this may be cut inside when the table is short of room.
LONG_WORD = 16
#: A cell never broken over lines: a number (amount, count, score) or an ISO date.
_ATOMIC = re.compile(r"[-+]?\d[\d,]*(?:\.\d+)?(?:[eE][-+]?\d+)?|\d{4}(?:-\d{2}){1,2}")


def longest_word(text: str) -> int:
    """Columns of the widest piece of ``text`` that :func:`wrap` would keep on one line."""
    return max((text_width(p.rstrip(" ")) for p in _PIECES.findall(text)), default=0)


def fit_widths(natural: Sequence[int], available: int,
               floors: Sequence[int] | None = None) -> list[int]:
    """Column widths within ``available`` columns (gaps excluded).

    Columns that fit keep their ``natural`` width; the widest share what is left equally.
    No column goes below its floor (its longest word, say) while the floors fit, nor below
    :data:`MIN_COLUMN`.
    """
    if sum(natural) <= available:
        return list(natural)
    least = [min(n, max(MIN_COLUMN, f)) for n, f in
             zip(natural, floors or [MIN_COLUMN] * len(natural), strict=True)]
    if sum(least) > available:  # the floors themselves are shared out
        return fit_widths(least, available)

    def widths_with(cap: int) -> list[int]:
        return [max(f, min(n, cap)) for n, f in zip(natural, least, strict=True)]

    low, high = MIN_COLUMN, max(natural)
    while low < high:  # the largest cap with which everything fits
        cap = (low + high + 1) // 2
        if sum(widths_with(cap)) <= available:
            low = cap
        else:
            high = cap - 1
    widths = widths_with(low)
    spare = available - sum(widths)
    for i, n in enumerate(natural):
        if spare <= 0:
            break
        if n > widths[i]:
            widths[i] += 1
            spare -= 1
    return widths


def _pad(text: str, width: int) -> str:
    return text + " " * (width - text_width(text))


def table(header: Sequence[str], cells: Sequence[Sequence[str]], width: int | None) -> str:
    """A text table; with ``width``, cells wrap so that each line fits in it (when
    :data:`MIN_COLUMN` per column allows), and wrapped rows are set apart by a blank line."""
    natural = [max(text_width(h), *(text_width(r[i]) for r in cells))
               for i, h in enumerate(header)]
    if width is None:
        widths = natural
    else:
        floors = [max(longest_word(h), *(min(longest_word(r[i]), LONG_WORD) for r in cells))
                  for i, h in enumerate(header)]
        # Columns of numbers and dates keep their width: "75000000" split over two lines
        # reads as two numbers. The other columns share what is left.
        whole = [bool(cells) and all(_ATOMIC.fullmatch(r[i]) for r in cells if r[i])
                 for i in range(len(header))]
        kept = sum(n for n, w in zip(natural, whole, strict=True) if w)
        shared = iter(fit_widths(
            [n for n, w in zip(natural, whole, strict=True) if not w] or [0],
            width - GAP * (len(header) - 1) - kept,
            [f for f, w in zip(floors, whole, strict=True) if not w] or [0]))
        widths = [n if w else next(shared) for n, w in zip(natural, whole, strict=True)]
    gap = " " * GAP

    def lines_of(row: Sequence[str]) -> list[str]:
        # a continuation line does not start with the space the break came after
        wrapped = [[w.lstrip(" ") if k else w for k, w in enumerate(wrap(c, size))]
                   if width is not None else [c] for c, size in zip(row, widths, strict=True)]
        height = max((len(w) for w in wrapped), default=1)  # a row may have no columns
        return [gap.join(_pad(w[k] if k < len(w) else "", size)
                         for w, size in zip(wrapped, widths, strict=True)).rstrip()
                for k in range(height)]

    out = lines_of(header)
    out.append(gap.join("-" * w for w in widths))
    rows = [lines_of(r) for r in cells]
    spaced = any(len(r) > 1 for r in rows)
    for i, row in enumerate(rows):
        if spaced and i:
            out.append("")
        out.extend(row)
    return "\n".join(out)
