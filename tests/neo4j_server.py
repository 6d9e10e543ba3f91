"""Start/stop a throwaway Neo4j 5.26 Community server for the test suite.

Thin wrapper around ``scripts/neo4j-test-server`` (see docs/neo4j-test-server.md).
Stdlib only; the script itself uses the ``neo4j`` driver for its readiness check.

Typical use in ``conftest.py``::

    info = start_server(tmp_path_factory.mktemp("neo4j"))
    driver = neo4j.GraphDatabase.driver(info["uri"], auth=driver_auth(info))
    ...
    stop_server(info["dir"])
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

__all__ = [
    "DEFAULT_PASSWORD",
    "SCRIPT",
    "Neo4jServerError",
    "driver_auth",
    "kill_server",
    "server_status",
    "start_server",
    "stop_server",
]

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "neo4j-test-server"
DEFAULT_PASSWORD = "policykg-test-pw"


class Neo4jServerError(RuntimeError):
    """The helper script failed; the message includes its stderr (log tail)."""


def _password() -> str:
    return os.environ.get("NEO4J_TEST_PASSWORD") or DEFAULT_PASSWORD


def _run(args: list[str], *, timeout: float, ok_codes: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess:
    # sys.executable: the script's readiness check imports the neo4j driver of
    # the interpreter running the tests.
    cmd = [sys.executable, str(SCRIPT), *args]
    try:
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise Neo4jServerError(f"{' '.join(cmd)} timed out after {timeout:.0f}s") from e
    if proc.stderr:
        sys.stderr.write(proc.stderr)
    if proc.returncode not in ok_codes:
        raise Neo4jServerError(f"{' '.join(cmd)} failed with exit code {proc.returncode}:\n{proc.stderr}")
    return proc


def start_server(directory: Path, *, auth: bool = False, port: int | None = None, timeout: float = 600) -> dict:
    """Start (or reuse the running) server for ``directory`` and wait until it answers ``RETURN 1``.

    Returns ``{"uri", "pid", "dir", "auth", "user"}``, plus ``"password"`` when
    ``auth`` is true (``$NEO4J_TEST_PASSWORD`` or ``DEFAULT_PASSWORD``).
    Restarting on a directory that was stopped or killed reuses its data and,
    unless ``port`` is given, its previous Bolt port. ``timeout`` covers a
    first-time jar download plus the server's own 180 s startup limit.
    Raises ``Neo4jServerError`` on failure.
    """
    args = ["start", "--dir", str(directory), "--auth" if auth else "--no-auth"]
    if port is not None:
        args += ["--port", str(port)]
    proc = _run(args, timeout=timeout)
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    if not lines:
        raise Neo4jServerError(f"neo4j-test-server start printed nothing:\n{proc.stderr}")
    info = json.loads(lines[-1])
    if info.get("auth"):
        info["password"] = _password()
    return info


def stop_server(directory: Path) -> None:
    """Graceful stop (SIGTERM, SIGKILL after 30 s). No-op if nothing is running."""
    _run(["stop", "--dir", str(directory)], timeout=90)


def kill_server(directory: Path) -> None:
    """SIGKILL the server now (crash simulation). ``start_server`` on the same
    directory afterwards recovers the store. No-op if nothing is running."""
    _run(["kill", "--dir", str(directory)], timeout=30)


def server_status(directory: Path) -> dict:
    """Contents of DIR/run/server.json plus ``"running": bool``."""
    proc = _run(["status", "--dir", str(directory)], timeout=30, ok_codes=(0, 3))
    return json.loads(proc.stdout)


def driver_auth(info: dict) -> tuple[str, str] | None:
    """``auth=`` argument for ``neo4j.GraphDatabase.driver`` from a ``start_server`` result."""
    return (info["user"], info["password"]) if info.get("auth") else None
