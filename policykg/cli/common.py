"""Pieces shared by command modules: the store, output options, progress display."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from policykg.graph.store import OxigraphStore, Store
from policykg.graph.store_remote import SparqlStore
from policykg.output import FORMATS, render

__all__ = [
    "get_store",
    "output_option",
    "echo_rows",
    "progress",
    "write_output",
    "InPath",
    "OutPath",
]

F = TypeVar("F", bound=Callable[..., Any])

#: A readable file; ``-`` means standard input.
InPath = click.Path(dir_okay=False, readable=True, path_type=Path, allow_dash=True)
#: A writable file; ``-`` means standard output.
OutPath = click.Path(dir_okay=False, writable=True, path_type=Path, allow_dash=True)


def get_store(ctx: click.Context) -> Store:
    """Open the store once per command and close it when the command ends."""
    root = ctx.find_root()
    obj = root.obj
    if "store" not in obj:
        store = (SparqlStore(obj["store_url"]) if "store_url" in obj
                 else OxigraphStore(obj["store_path"]))
        obj["store"] = store
        root.call_on_close(store.close)
    store_obj: Store = obj["store"]
    return store_obj


def output_option(default: str = "table") -> Callable[[F], F]:
    """The ``--format table|json|csv`` option of every listing command."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default=default,
        show_default=True,
        help="Output format.",
    )


def echo_rows(
    rows: Sequence[Mapping[str, Any]], fmt: str, columns: Sequence[str] | None = None
) -> None:
    """Print rows in the chosen format."""
    click.echo(render(rows, fmt, columns))


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
