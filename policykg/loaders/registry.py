"""The one place loaders are registered.

Built-in loaders are named by dotted path and imported on first use, so ``policykg --help`` does not
import every parser. Other packages add loaders through the ``policykg.loaders`` entry-point group.
Detection tries loaders in registration order: specific formats before general ones.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from policykg.exceptions import FormatMismatch, LoaderError, PluginUnavailable, UnknownFormat
from policykg.graph.terms import Triple
from policykg.loaders.base import BOM, LoadContext, Loader
from policykg.ontology.namespace import PKG
from policykg.plugins import entry_point_targets, load_object

__all__ = [
    "register",
    "get_loader",
    "loader_names",
    "detect_loader",
    "read_head",
    "check_file_name",
    "checked_forced_format",
]

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
    for name, target in entry_point_targets("policykg.loaders").items():
        _REGISTRY.setdefault(name, target)


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
    try:
        cls = load_object(target)
    except PluginUnavailable as exc:
        msg = f"loader {name!r} is not available: {exc}"
        raise UnknownFormat(msg) from exc
    instance: Loader = cls()
    _INSTANCES[name] = instance
    return instance


def read_head(path: Path, size: int = 4096) -> bytes:
    """The first bytes of a file, decompressed if it is gzip, without a leading UTF-8 BOM.

    Damaged gzip yields what decompresses before the damage (the loader reports the damage).
    """
    with path.open("rb") as fh:
        head = fh.read(size)
    if head[:2] == b"\x1f\x8b":
        with gzip.open(path, "rb") as gz:
            chunks: list[bytes] = []
            try:
                while sum(map(len, chunks)) < size:
                    chunk = gz.read1(size)
                    if not chunk:
                        break
                    chunks.append(chunk)
            except (OSError, EOFError, zlib.error):
                pass
            head = b"".join(chunks)[:size]
    return head.removeprefix(BOM)


def detect_loader(path: Path) -> Loader:
    """The first registered loader that claims ``path``."""
    try:
        head = read_head(path)
    except OSError as exc:
        raise LoaderError(f"cannot read file: {exc.strerror}", path=str(path)) from exc
    for name in loader_names():
        loader = get_loader(name)
        try:
            claimed = loader.sniff(path, head)
        except (ValueError, RecursionError):  # a head no parser can read is not this format
            claimed = False
        if claimed:
            return loader
    raise UnknownFormat(
        "no loader recognises this file; use --format to choose one "
        f"({', '.join(loader_names())})",
        path=str(path),
    )


def check_file_name(path: Path) -> None:
    """Refuse a file name that is not valid UTF-8 (it could not be recorded as a source key)."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        msg = "the file name is not valid UTF-8; rename the file"
        raise LoaderError(msg, path=str(path)) from None


def checked_forced_format(triples: Iterable[Triple], context: LoadContext, loader: Loader,
                          path: Path) -> Iterator[Triple]:
    """Pass ``triples`` through; at the end, raise :class:`FormatMismatch` when more records
    were skipped than facts loaded (a fact is counted by its evidence link): a format forced with
    ``--format`` that does not fit the file must not report it "loaded"."""
    evidence = PKG.evidence
    facts = 0
    for triple in triples:
        if triple[1] == evidence:
            facts += 1
        yield triple
    failed = sum(context.skipped.values())
    if failed > facts:
        reasons = ", ".join(f"{n} {reason}" for reason, n in
                            sorted(context.skipped.items(), key=lambda item: -item[1])[:3])
        raise FormatMismatch(
            f"--format {loader.name}: {failed} record(s) failed and {facts} fact(s) loaded "
            f"({reasons}); is this really a {loader.name} file?", path=str(path))
