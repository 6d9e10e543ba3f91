"""Domain packs kept with a store, so that every load of articles into it uses them.

``policykg packs add DIR`` copies a pack's YAML files into the store's own bookkeeping: a
JSON-lines file ``packs.jsonl`` in an embedded store's folder, or the server-side log
``packs`` of a SPARQL store (beside the judgement log). The copy travels with the store:
another researcher, another folder or a CI job loading into the same store reads articles with
the same knowledge, without the pack's folder. Each line adds (or replaces) one pack, or
removes it; the last line about a pack wins, so the history stays readable.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policykg.exceptions import LoaderError
from policykg.graph.store import Store
from policykg.loaders.article.resources import Pack, pack_files, pack_from_texts, read_pack

__all__ = ["PACKS_FILE", "StoredPack", "stored_packs", "add_pack", "remove_pack", "pack_log",
           "append_pack_log"]

#: The file of an embedded store's folder that keeps its packs (RocksDB leaves it alone).
PACKS_FILE = "packs.jsonl"
_LOG = "packs"


@dataclass(frozen=True)
class StoredPack:
    """A pack as kept in a store: its name and the text of each of its files."""

    name: str
    files: dict[str, str]

    def pack(self, where: str) -> Pack:
        return pack_from_texts(self.name, self.files, f"{where}: pack {self.name}")


def _file_of(store: Store) -> Path | None:
    folder = Path(store.location)
    return folder / PACKS_FILE if store.backend != "sparql" and folder.is_dir() else None


def _server(store: Store) -> Any:
    """A SPARQL store's server-side logs (``log_lines``, ``append_log_lines``)."""
    return store


def _lines(store: Store) -> list[str]:
    if store.backend == "sparql":
        return list(_server(store).log_lines(_LOG))
    path = _file_of(store)
    if path is None or not path.exists():
        return []
    return path.read_text(encoding="utf-8").splitlines()


def pack_log(store: Store) -> list[str]:
    """The lines of the store's pack log, as kept (for backups)."""
    return _lines(store)


def append_pack_log(store: Store, lines: list[str]) -> None:
    """Append lines written by :func:`add_pack`/:func:`remove_pack` (a restored backup's)."""
    if not lines:
        return
    if store.backend == "sparql":
        _server(store).append_log_lines(_LOG, lines)
        return
    path = _file_of(store)
    if path is None:
        msg = f"the store {store.location} has no folder to keep packs in (use --resources)"
        raise LoaderError(msg)
    with path.open("a", encoding="utf-8") as out:
        out.writelines(line + "\n" for line in lines)


def _append(store: Store, entry: dict[str, object]) -> None:
    append_pack_log(store, [json.dumps(entry, ensure_ascii=False, sort_keys=True)])


def stored_packs(store: Store) -> list[StoredPack]:
    """The packs kept with ``store``, in the order they were first added.

    Raises:
        LoaderError: a line of the store's pack log is not what :func:`add_pack` writes.
    """
    packs: dict[str, StoredPack] = {}
    for number, line in enumerate(_lines(store), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            name = entry["pack"]
            if entry.get("removed"):
                packs.pop(name, None)
            else:
                files = {str(k): str(v) for k, v in entry["files"].items()}
                packs[name] = StoredPack(name, files)
        except (ValueError, KeyError, TypeError, AttributeError):
            msg = f"the pack log of {store.location}, line {number}: not a pack entry"
            raise LoaderError(msg) from None
    return list(packs.values())


def add_pack(store: Store, folder: Path, name: str | None = None) -> StoredPack:
    """Keep the pack in ``folder`` (or one YAML file) with ``store`` under ``name`` (default:
    the folder's name), replacing a pack of that name. The pack is read first, so a malformed
    one is refused with the error naming its file and nothing is kept.

    Raises:
        LoaderError: no such folder, or a malformed pack file.
    """
    read_pack(folder)  # refuse a bad pack before keeping anything
    base = folder if folder.is_dir() else folder.parent
    files = {path.relative_to(base).as_posix(): path.read_text(encoding="utf-8")
             for path in pack_files(folder)}
    kept = StoredPack(name or (folder.name if folder.is_dir() else folder.stem), files)
    _append(store, {"pack": kept.name, "files": kept.files})
    return kept


def remove_pack(store: Store, name: str) -> None:
    """Stop using the pack ``name`` for later loads into ``store``.

    Raises:
        LoaderError: the store keeps no pack of that name.
    """
    if name not in {p.name for p in stored_packs(store)}:
        known = ", ".join(p.name for p in stored_packs(store)) or "none"
        msg = f"the store {store.location} keeps no pack {name!r} (kept: {known})"
        raise LoaderError(msg)
    _append(store, {"pack": name, "removed": True})
