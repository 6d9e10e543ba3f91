"""Peak memory of each whole-store command at a given size, each in a process of its own.

For each size, synthetic data (bench/synthetic.py) is written as N-Triples and loaded into a
fresh on-disk store with ``policykg load``; then ``validate``, ``export`` (N-Triples and
Turtle), ``query central`` and, with ``--neo4j``, ``mirror`` run on that store. Every command
is the real CLI in a child process; its peak RSS comes from ``wait4`` on that child alone, so
the figures do not include this script or each other. The issue's target is under 2 GB each.

Run: ``python bench/memory.py --sizes 1000000 3000000 10000000``
(``--neo4j`` starts a throw-away Neo4j server, as the tests do, and adds ``mirror``;
``--work DIR`` keeps each size's data and store in ``DIR/SIZE`` and reuses them, so one command
can be measured again after a change: ``--work /tmp/m --sizes 10000000 --only validate``;
``--parallel`` runs the read-only commands at once after the load, each still in its own
process with its own peak: on a busy machine the wall time is what suffers, not the peaks).
A command stopped by ``--timeout`` shows exit -9; its peak is the one reached until then.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
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
    parser.add_argument("--only", nargs="*", default=[], help="commands to run (default: all)")
    parser.add_argument("--work", type=Path, help="keep and reuse data and stores here")
    parser.add_argument("--parallel", action="store_true",
                        help="run the read-only commands at once, after the load")
    args = parser.parse_args()

    from synthetic import write_ntriples

    server: Path | None = None
    base_env = {**os.environ, "PYTHONPATH": str(ROOT)}
    tmp_root = Path(tempfile.mkdtemp(prefix="policykg-memory-"))
    work_root = args.work or tmp_root
    try:
        if args.neo4j:
            sys.path.insert(0, str(ROOT / "tests"))
            from neo4j_server import start_server

            server = tmp_root / "neo4j"
            base_env["NEO4J_URI"] = start_server(server)["uri"]  # a server without auth
        print(f"{'triples':>10} {'command':<14} {'seconds':>8} {'peak RSS MB':>11} "
              f"{'exit':>4} {'vs 2 GB':>8}  load average (1 min) at the end", flush=True)
        for size in args.sizes:
            work = work_root / str(size)
            work.mkdir(parents=True, exist_ok=True)
            data = work / "data.nt"
            if not data.exists():
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
            chosen = {name: command for name, command in commands.items()
                      if name not in args.skip and (not args.only or name in args.only)}

            def measure(name: str, size: int = size, env: dict[str, str] = env,
                        chosen: dict[str, list[str]] = chosen) -> None:
                seconds, rss, code = run(chosen[name], env, args.timeout)
                print(f"{size:>10} {name:<14} {seconds:>8.1f} {rss:>11.0f} {code:>4} "
                      f"{rss / TARGET_MB:>7.2f}x  load {os.getloadavg()[0]:.1f}", flush=True)

            if "load" in chosen:
                measure("load")
            readers = [name for name in chosen if name != "load"]
            if args.parallel:
                with ThreadPoolExecutor(max_workers=max(1, len(readers))) as pool:
                    list(pool.map(measure, readers))
            else:
                for name in readers:
                    measure(name)
            if args.work is None:
                shutil.rmtree(work)
    finally:
        if server is not None:
            from neo4j_server import stop_server

            stop_server(server)
        shutil.rmtree(tmp_root, ignore_errors=True)


if __name__ == "__main__":
    main()
