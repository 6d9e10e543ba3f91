"""One writer per on-disk store: an advisory lock file that says who holds it.

The lock is ``fcntl.flock`` on a file beside the store, so the kernel releases it when its
holder dies: a lock left by a killed process is taken over by the next writer without any
check of its own. The file holds the owner (pid, command line, since when) only to explain a
refusal. Readers never take it: read-only opens run at any time (see ``OxigraphStore``).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import sys
import time
from pathlib import Path
from typing import IO

from policykg.exceptions import StoreBusyError

__all__ = ["StoreLock", "lock_path"]

_POLL_SECONDS = 0.1


def lock_path(store: Path) -> Path:
    """Where the writer lock of the store folder ``store`` lives (beside it, not inside)."""
    return store.parent / f".{store.name}.lock"


class StoreLock:
    """The writer lock of one store folder, held from :meth:`acquire` to :meth:`release`."""

    def __init__(self, store: Path) -> None:
        self.store = store
        self.path = lock_path(store)
        self._file: IO[str] | None = None

    def acquire(self, wait: float | None = None) -> None:
        """Take the lock, waiting up to ``wait`` seconds; raise StoreBusyError if it stays held."""
        deadline = time.monotonic() + (wait or 0)
        handle = self.path.open("a+", encoding="utf-8")
        try:
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise StoreBusyError(self._busy_message()) from None
                    time.sleep(_POLL_SECONDS)
            handle.seek(0)
            handle.truncate()
            handle.write(json.dumps(_owner()))
            handle.flush()
        except BaseException:
            handle.close()
            raise
        self._file = handle

    def release(self) -> None:
        if self._file is None:
            return
        # Emptied before unlocking: a reader of the file never sees a stale owner as current.
        self._file.seek(0)
        self._file.truncate()
        fcntl.flock(self._file, fcntl.LOCK_UN)
        self._file.close()
        self._file = None

    def _busy_message(self) -> str:
        try:
            owner = json.loads(self.path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            owner = {}
        if not isinstance(owner, dict) or "pid" not in owner:
            return f"store {self.store} is busy: another process is writing to it"
        return (f"store {self.store} is busy: held by pid {owner['pid']} "
                f"(command {owner.get('command', '?')}) since {owner.get('since', '?')}")


def _owner() -> dict[str, object]:
    command = " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]) if sys.argv else "python"
    since = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return {"pid": os.getpid(), "command": command[:200], "since": since}
