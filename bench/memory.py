"""Peak memory of each whole-store command at a given size, each in a process of its own.

For each size, synthetic data (bench/synthetic.py) is written as N-Triples and loaded into a
fresh on-disk store with ``policykg load``; then ``validate``, ``export`` (N-Triples and
Turtle), ``query central`` and, with ``--neo4j``, ``mirror`` run on that store. Every command
is the real CLI in a child process; its peak RSS comes from ``wait4`` on that child alone, so
the figures do not include this script or each other. The issue's target is under 2 GB each.

Run: ``python bench/memory.py --sizes 1000000 3000000 10000000``
(``--neo4j`` starts a throw-away Neo4j server, as the tests do, and adds ``mirror``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

TARGET_MB = 2048


def run(args: list[str], env: dict[str, str], timeout: float) -> tuple[float, float, int]:
    """Run the CLI with ``args``; return its seconds, peak RSS in MB and exit status."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "policykg.cli", *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = start + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.05)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1) and proc.stderr is not None:  # validate exits 1 on findings
        sys.stderr.write(proc.stderr.read().decode("utf-8", "replace")[-2000:])
    return time.perf_counter() - start, usage.ru_maxrss / 1024, proc.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--neo4j", action="store_true", help="also measure mirror")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per command")
    parser.add_argument("--skip", nargs="*", default=[], help="commands to leave out")
    args = parser.parse_args()

    from synthetic import write_ntriples

    server: Path | None = None
    base_env = {**os.environ, "PYTHONPATH": str(ROOT)}
    tmp_root = Path(tempfile.mkdtemp(prefix="policykg-memory-"))
    try:
        if args.neo4j:
            sys.path.insert(0, str(ROOT / "tests"))
            from neo4j_server import start_server

            server = tmp_root / "neo4j"
            base_env["NEO4J_URI"] = start_server(server)["uri"]  # a server without auth
        print(f"{'triples':>10} {'command':<14} {'seconds':>8} {'peak RSS MB':>11} "
              f"{'exit':>4} {'vs 2 GB':>8}", flush=True)
        for size in args.sizes:
            work = tmp_root / str(size)
            work.mkdir()
            data = work / "data.nt"
            write_ntriples(data, size)
            env = {**base_env, "POLICYKG_STORE": str(work / "store")}
            commands = {
                "load": ["load", str(data)],
                "export-nt": ["export", "--format", "nt", "-o", str(work / "out.nt")],
                "export-ttl": ["export", "--format", "ttl", "-o", str(work / "out.ttl")],
                "central": ["query", "central"],
                "validate": ["validate"],
            }
            if args.neo4j:
                commands["mirror"] = ["mirror"]
            for name, command in commands.items():
                if name in args.skip:
                    continue
                seconds, rss, code = run(command, env, args.timeout)
                print(f"{size:>10} {name:<14} {seconds:>8.1f} {rss:>11.0f} {code:>4} "
                      f"{rss / TARGET_MB:>7.2f}x", flush=True)
            shutil.rmtree(work)
    finally:
        if server is not None:
            from neo4j_server import stop_server

            stop_server(server)
        shutil.rmtree(tmp_root, ignore_errors=True)


if __name__ == "__main__":
    main()
