"""The fuzz invariant, shared by the mutation fuzzer and the per-loader strategies.

Loading any input ends in one of two ways: a valid result, or a :class:`PolicyKGError` whose
message is one printable line naming the file, with the store exactly as it was (compared as a
sorted dump of every quad). Anything else (another exception, a traceback, a load slower than
:data:`MAX_SECONDS`) fails the test. Limits are small so that the limit paths are reached cheaply.
"""

from __future__ import annotations

import time
from pathlib import Path

from policykg.exceptions import PolicyKGError, printable
from policykg.graph.store import OxigraphStore
from policykg.load import load_paths
from policykg.loaders.base import Limits

#: Small caps, so a mutation reaches each limit without writing gigabytes.
LIMITS = Limits(max_bytes=8 << 20, max_line=256 << 10, max_depth=64)
#: A load that takes longer than this counts as a hang (the machine is shared and slow).
MAX_SECONDS = 30.0

BASELINE = """\
source: {title: Fuzz baseline, publisher: policykg tests, date: 2020-01-01}
entities:
  - {id: fuzz-agency, type: GovernmentAgency, name: Fuzz Agency, aliases: [FA]}
  - {id: fuzz-person, type: Person, name: Fuzz Person}
memberships:
  - {member: fuzz-person, organization: fuzz-agency, role: director, start: 2019-01-01}
"""


def dump(store: OxigraphStore) -> list[str]:
    """Every quad of the store, as sorted text."""
    return sorted(" ".join(str(term) for term in quad) for quad in store.quads())


def baseline_store(folder: Path) -> OxigraphStore:
    """An in-memory store holding one small curated source, so 'unchanged' means something."""
    path = folder / "baseline.yaml"
    path.write_text(BASELINE, encoding="utf-8")
    store = OxigraphStore()
    load_paths(store, [path])
    return store


def check_load(store: OxigraphStore, path: Path, *, format_name: str | None = None,
               strict: bool = False) -> str:
    """Load ``path`` and check the invariant; return "ok" or "error".

    A successful load is removed again, so the store stays small between runs.
    """
    before = dump(store)
    started = time.monotonic()
    try:
        results = load_paths(store, [path], format_name=format_name, strict=strict, force=True,
                             limits=LIMITS)
    except PolicyKGError as exc:
        message = str(exc)
        assert "\n" not in message and "\r" not in message, message
        assert len(message) < 2000, message[:300]
        assert printable(path.name) in message, message
        assert dump(store) == before, f"store changed by a failed load: {message}"
        outcome = "error"
    else:
        for result in results:
            store.remove_graph(result.source)
        outcome = "ok"
    elapsed = time.monotonic() - started
    assert elapsed < MAX_SECONDS, f"{path.name} took {elapsed:.1f} s"
    return outcome
