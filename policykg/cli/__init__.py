"""The ``policykg`` command line: one click group; commands live in modules of this package.

Each command module defines ``register(cli)``; :data:`COMMAND_MODULES` lists them. Commands are
thin: parse options, call the library, render the result. Library errors become one clean
``Error: ...`` line and exit status 1, here and only here.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import click

from policykg.exceptions import PolicyKGError
from policykg.graph.store import backend_name

__all__ = ["cli", "COMMAND_MODULES"]

#: Modules that add commands; each has ``register(group)``.
COMMAND_MODULES = (
    "policykg.cli.core",
    "policykg.cli.mirror",
    "policykg.cli.queries",
    "policykg.cli.articles",
    "policykg.cli.packs",
    "policykg.cli.resolution",
    "policykg.cli.judgements",
    "policykg.cli.subgraph",
)


class PolicyKGGroup(click.Group):
    """A group that turns library errors into clean messages (no traceback)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PolicyKGError as exc:
            raise click.ClickException(str(exc)) from exc
        except BrokenPipeError:
            raise click.Abort() from None


@click.group(cls=PolicyKGGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="policykg")
@click.option(
    "--store",
    "store_location",
    envvar="POLICYKG_STORE",
    default=".policykg",
    show_default=True,
    help="Folder of the embedded store, or a SPARQL server's URL (or set POLICYKG_STORE).",
)
@click.option(
    "--wait",
    "wait_seconds",
    type=click.FloatRange(min=0),
    default=0,
    metavar="SECONDS",
    help="When another process is writing to the store, wait this long for it (default: fail).",
)
@click.pass_context
def cli(ctx: click.Context, store_location: str, wait_seconds: float) -> None:
    """policykg: a knowledge graph of political actors and policies, with evidence.

    \b
    Example:
        policykg load examples/
        policykg query profile "Jorge Bustamante"
    """
    ctx.ensure_object(dict)
    ctx.obj["store_location"] = store_location
    # A server's URL is no folder: source keys go by each file's project folder and the
    # judgement log lives on the server (see load.project_of, judgements.ServerLog).
    is_folder = backend_name(store_location) == "oxigraph"
    ctx.obj["store_path"] = Path(store_location) if is_folder else None
    ctx.obj["store_wait"] = wait_seconds


for _module_name in COMMAND_MODULES:
    try:
        _module = importlib.import_module(_module_name)
    except ModuleNotFoundError as _exc:
        if _exc.name != _module_name:  # a real import error inside the module
            raise
        continue
    _module.register(cli)
