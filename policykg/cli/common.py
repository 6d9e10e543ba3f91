"""Pieces shared by command modules: the store, output options, progress display."""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from policykg.graph.store import Store, open_store
from policykg.load import Project, project_of
from policykg.output import FORMATS, Totals, render

__all__ = [
    "get_store",
    "output_option",
    "WIDE_OPTION",
    "TOTALS_OPTION",
    "echo_rows",
    "progress",
    "write_output",
    "InPath",
    "OutPath",
    "project_folder",
    "stdin_file",
    "neo4j_connection",
    "parse_pairs",
]

F = TypeVar("F", bound=Callable[..., Any])

#: A readable file; ``-`` means standard input.
InPath = click.Path(dir_okay=False, readable=True, path_type=Path, allow_dash=True)
#: A writable file; ``-`` means standard output.
OutPath = click.Path(dir_okay=False, writable=True, path_type=Path, allow_dash=True)


def get_store(ctx: click.Context, *, read_only: bool = False) -> Store:
    """Open the store once per command and close it when the command ends.

    Read-only opens run beside any other process; a writer waits ``--wait`` seconds for
    another writer, then fails with a line naming it.
    """
    root = ctx.find_root()
    obj = root.obj
    if "store" not in obj:
        store = open_store(obj["store_location"], read_only=read_only,
                           wait=obj.get("store_wait") or None)
        obj["store"] = store
        root.call_on_close(store.close)
    store_obj: Store = obj["store"]
    return store_obj


def project_folder(ctx: click.Context) -> Project:
    """What source keys are relative to: the folder holding the store, or for a SPARQL store
    (which has no folder) each file's project folder (:func:`policykg.load.project_of`)."""
    store_path = ctx.find_root().obj["store_path"]
    if store_path is None:
        return project_of
    return Path(store_path).resolve().parent


@contextmanager
def stdin_file(name: str) -> Iterator[Path]:
    """Standard input copied to a temporary file called ``name`` (loaders read files)."""
    folder = Path(tempfile.mkdtemp(prefix="policykg-stdin-"))
    try:
        path = folder / Path(name).name
        with path.open("wb") as fh:
            shutil.copyfileobj(sys.stdin.buffer, fh)
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


_WIDE = "policykg.wide"
_CSV_TOTALS = "policykg.csv_totals"


def _remember(key: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> None:
        ctx.meta[key] = value
    return callback


#: ``--wide``: table rows on one line each, however wide (for ``less -S`` or a file).
WIDE_OPTION = click.option(
    "--wide", is_flag=True, expose_value=False, callback=_remember(_WIDE),
    help="Tables: every row on one line, nothing wrapped (default: fit the terminal).")
#: ``--totals``: the total rows inside the CSV data, marked by their kind column.
TOTALS_OPTION = click.option(
    "--totals", is_flag=True, expose_value=False, callback=_remember(_CSV_TOTALS),
    help="CSV: keep the total rows among the data rows (marked by kind); tables and JSON "
         "always show totals apart.")


def output_option(default: str = "table") -> Callable[[F], F]:
    """``--format table|json|csv`` and ``--wide``, the output options of every listing."""
    def decorate(func: F) -> F:
        func = WIDE_OPTION(func)
        return click.option(
            "--format",
            "fmt",
            type=click.Choice(FORMATS),
            default=default,
            show_default=True,
            help="Output format.",
        )(func)
    return decorate


def echo_rows(
    rows: Sequence[Mapping[str, Any]], fmt: str, columns: Sequence[str] | None = None,
    *, totals: Totals | None = None,
) -> None:
    """Print rows in the chosen format, honouring ``--wide`` and ``--totals``."""
    meta = click.get_current_context().meta
    click.echo(render(rows, fmt, columns, totals=totals, wide=bool(meta.get(_WIDE)),
                      csv_totals=bool(meta.get(_CSV_TOTALS))))


@contextmanager
def progress(label: str, length: int | None = None) -> Iterator[Callable[[int], None]]:
    """Yield ``advance(n)``: drives a bar on a terminal, does nothing in pipes."""
    if not sys.stderr.isatty():
        yield lambda n: None
        return
    with click.progressbar(length=length or 0, label=label, file=sys.stderr,
                           show_pos=True) as bar:
        yield bar.update


def write_output(data: bytes, output: Path) -> None:
    """Write ``data`` to a file, or to standard output when ``output`` is ``-``."""
    if str(output) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        output.write_bytes(data)
        click.echo(f"wrote {output}", err=True)


def parse_pairs(pairs: Sequence[str], option: str = "--param") -> dict[str, Any]:
    """The ``key=value`` pairs of a repeatable option; a value is JSON when it parses, else text.

    Example:
        >>> parse_pairs(["limit=5", "name=Mexico", "ids=[1, 2]", "note=a=b"])
        {'limit': 5, 'name': 'Mexico', 'ids': [1, 2], 'note': 'a=b'}
        >>> parse_pairs(["limit"])
        Traceback (most recent call last):
        ...
        click.exceptions.BadParameter: expected key=value, got 'limit'
    """
    from policykg.queries.run import parse_param_value

    values: dict[str, Any] = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"expected key=value, got {pair!r}", param_hint=option)
        values[key.strip()] = parse_param_value(text)
    return values


@contextmanager
def neo4j_connection(uri: str | None = None, user: str | None = None,
                     database: str | None = None, doing: str = "") -> Iterator[tuple[Any, Any]]:
    """A connected Neo4j driver and its :class:`~policykg.graph.neo4j.Neo4jConfig`, closed after.

    Settings not given come from NEO4J_URI, NEO4J_USERNAME, NEO4J_DATABASE; the password only
    from NEO4J_PASSWORD. With ``doing``, a driver error inside the block becomes one
    :class:`~policykg.exceptions.Neo4jUnavailable` line saying what was being done.
    """
    from policykg.graph.neo4j import Neo4jConfig, connect, driver_errors, unavailable

    config = Neo4jConfig.from_env(uri=uri, user=user, database=database)
    driver = connect(config)
    translated = driver_errors if doing else ()
    try:
        yield driver, config
    except translated as exc:
        raise unavailable(config, exc, doing) from None
    finally:
        driver.close()
