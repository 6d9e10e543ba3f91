"""One lazy importer for everything registered by name: loaders, export formats, query
functions and store backends.

A registry keeps a ``"package.module:Name"`` reference and imports it on first use, so
``policykg --help`` imports no parser, writer or driver. Other packages add entries through an
entry-point group; :func:`entry_point_targets` reads one as the same kind of reference.

Example:
    >>> load_object("json:dumps")([1, 2])
    '[1, 2]'
    >>> load_object("json.dumps")
    Traceback (most recent call last):
    ...
    policykg.exceptions.PluginUnavailable: bad reference 'json.dumps': use 'module:Name'
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from typing import Any

from policykg.exceptions import PluginUnavailable

__all__ = ["load_object", "entry_point_targets"]


def load_object(target: str) -> Any:
    """The object ``target`` names as ``"package.module:Name"`` (``Name`` may be dotted).

    Raises:
        PluginUnavailable: the reference is malformed, the module does not import or lacks
            the name. Registries catch it to say which loader, format or query it was.
    """
    module_name, colon, attribute = target.partition(":")
    if not colon or not module_name or not attribute:
        msg = f"bad reference {target!r}: use 'module:Name'"
        raise PluginUnavailable(msg)
    try:
        found: Any = importlib.import_module(module_name)
        for part in attribute.split("."):
            found = getattr(found, part)
    except (ImportError, AttributeError) as exc:
        msg = f"cannot import {target!r}: {exc}"
        raise PluginUnavailable(msg) from exc
    return found


def entry_point_targets(group: str) -> dict[str, str]:
    """The ``name: "package.module:Name"`` references installed packages declare in ``group``."""
    return {ep.name: ep.value for ep in entry_points(group=group)}
