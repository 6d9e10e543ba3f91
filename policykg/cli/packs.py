"""``policykg packs``: domain packs kept with the store, used by every later load of articles."""

from __future__ import annotations

from pathlib import Path

import click

from policykg.cli.common import echo_rows, get_store, output_option
from policykg.loaders.article.stored_packs import add_pack, remove_pack, stored_packs

__all__ = ["register"]


@click.group("packs")
def packs_group() -> None:
    """Keep domain packs (folders of YAML files) with the store.

    A kept pack is used by every later `load` of articles into this store, from any folder
    and by anyone who loads into it, as if `--resources DIR` had been given. The store keeps
    a copy of the files: later edits of the folder need another `packs add`. Articles loaded
    before are not re-read.

    \b
    Example:
        policykg packs add my-health-pack/
        policykg packs list
        policykg packs remove my-health-pack
    """


@packs_group.command("add")
@click.argument("folder", type=click.Path(exists=True, path_type=Path))
@click.option("--name", help="Name to keep it under (default: the folder's name).")
@click.pass_context
def add_command(ctx: click.Context, folder: Path, name: str | None) -> None:
    """Keep the pack in FOLDER (or one YAML file) with the store, replacing one of that name.

    \b
    Example:
        policykg packs add my-health-pack/
    """
    kept = add_pack(get_store(ctx), folder, name)
    click.echo(f"kept pack {kept.name!r} ({len(kept.files)} file(s)); later article loads "
               "use it")


@packs_group.command("list")
@output_option()
@click.pass_context
def list_command(ctx: click.Context, fmt: str) -> None:
    """The packs kept with the store, with their files.

    \b
    Example:
        policykg packs list --format json
    """
    store = get_store(ctx, read_only=True)
    rows = [{"pack": p.name, "files": len(p.files), "names": ", ".join(sorted(p.files))}
            for p in stored_packs(store)]
    echo_rows(rows, fmt, ["pack", "files", "names"])


@packs_group.command("remove")
@click.argument("name")
@click.pass_context
def remove_command(ctx: click.Context, name: str) -> None:
    """Stop using the kept pack NAME for later loads.

    \b
    Example:
        policykg packs remove my-health-pack
    """
    remove_pack(get_store(ctx), name)
    click.echo(f"removed pack {name!r}")


def register(cli: click.Group) -> None:
    """Add the ``packs`` group to the ``policykg`` group."""
    cli.add_command(packs_group)
