"""The one place loaders are registered.

Built-in loaders are named by dotted path and imported on first use, so ``policykg --help`` does not
import every parser. Other packages add loaders through the ``policykg.loaders`` entry-point group.
Detection tries loaders in registration order: specific formats before general ones.
"""

from __future__ import annotations

import gzip
import importlib
from importlib.metadata import entry_points
from pathlib import Path

from policykg.exceptions import LoaderError, UnknownFormat
from policykg.loaders.base import Loader

__all__ = ["register", "get_loader", "loader_names", "detect_loader", "read_head"]

_REGISTRY: dict[str, str] = {}
_INSTANCES: dict[str, Loader] = {}
_ENTRY_POINTS_LOADED = False


def register(name: str, target: str) -> None:
    """Register a loader class under ``name``, given as ``"package.module:ClassName"``."""
    _REGISTRY[name] = target
    _INSTANCES.pop(name, None)


# Order matters for detection: formats recognised by content come before catch-alls.
register("ftm", "policykg.loaders.ftm:FtMLoader")
register("popolo", "policykg.loaders.popolo:PopoloLoader")
register("wikidata", "policykg.loaders.wikidata:WikidataLoader")
register("iati", "policykg.loaders.iati:IATILoader")
register("gdelt", "policykg.loaders.gdelt:GDELTLoader")
register("rdf", "policykg.loaders.rdf:RDFLoader")
register("curated", "policykg.loaders.curated:CuratedLoader")
register("article", "policykg.loaders.article.loader:ArticleLoader")


def _load_entry_points() -> None:
    global _ENTRY_POINTS_LOADED
    if _ENTRY_POINTS_LOADED:
        return
    _ENTRY_POINTS_LOADED = True
    for ep in entry_points(group="policykg.loaders"):
        if ep.name not in _REGISTRY:
            _REGISTRY[ep.name] = ep.value


def loader_names() -> list[str]:
    """Names of all registered loaders whose module can be imported."""
    _load_entry_points()
    names = []
    for name in _REGISTRY:
        try:
            get_loader(name)
        except LoaderError:
            continue
        names.append(name)
    return names


def get_loader(name: str) -> Loader:
    """The loader registered as ``name``."""
    _load_entry_points()
    if name in _INSTANCES:
        return _INSTANCES[name]
    target = _REGISTRY.get(name)
    if target is None:
        msg = f"no loader named {name!r} (known: {', '.join(_REGISTRY)})"
        raise UnknownFormat(msg)
    module_name, _, class_name = target.partition(":")
    try:
        cls = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as exc:
        msg = f"loader {name!r} is not available: {exc}"
        raise UnknownFormat(msg) from exc
    instance: Loader = cls()
    _INSTANCES[name] = instance
    return instance


def read_head(path: Path, size: int = 4096) -> bytes:
    """The first bytes of a file, decompressed if it is gzip."""
    with path.open("rb") as fh:
        head = fh.read(size)
    if head[:2] == b"\x1f\x8b":
        try:
            with gzip.open(path, "rb") as gz:
                return gz.read(size)
        except OSError:
            return head
    return head


def detect_loader(path: Path) -> Loader:
    """The first registered loader that claims ``path``."""
    try:
        head = read_head(path)
    except OSError as exc:
        raise LoaderError(f"cannot read file: {exc.strerror}", path=str(path)) from exc
    for name in loader_names():
        loader = get_loader(name)
        if loader.sniff(path, head):
            return loader
    raise UnknownFormat(
        "no loader recognises this file; use --format to choose one "
        f"({', '.join(loader_names())})",
        path=str(path),
    )
