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

__all__ = ["cli", "COMMAND_MODULES"]

#: Modules that add commands; each has ``register(group)``.
COMMAND_MODULES = (
    "policykg.cli.core",
    "policykg.cli.mirror",
    "policykg.cli.queries",
    "policykg.cli.articles",
    "policykg.cli.resolution",
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
    "store_path",
    # A string, not a click.Path: a URL must keep its "//".
    type=str,
    envvar="POLICYKG_STORE",
    default=".policykg",
    show_default=True,
    help="Folder of the embedded store, or a SPARQL server URL (or set POLICYKG_STORE).",
)
@click.pass_context
def cli(ctx: click.Context, store_path: str) -> None:
    """policykg: a knowledge graph of political actors and policies, with evidence.

    \b
    Example:
        policykg load examples/
        policykg query profile "Jorge Bustamante"
    """
    ctx.ensure_object(dict)
    if store_path.lower().startswith(("http://", "https://")):
        ctx.obj["store_url"] = store_path
    ctx.obj["store_path"] = Path(store_path)


for _module_name in COMMAND_MODULES:
    try:
        _module = importlib.import_module(_module_name)
    except ModuleNotFoundError as _exc:
        if _exc.name != _module_name:  # a real import error inside the module
            raise
        continue
    _module.register(cli)
