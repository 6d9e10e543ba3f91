"""How long a listing takes to render: a table that fits the terminal against ``--wide`` and CSV.

Rows shaped like ``query funding`` on open data (names, an IRI, amounts, sources), rendered by
:func:`policykg.output.render`, the formatter every listing uses. Prints seconds per format and
the ratio of the fitted table to CSV, which does no layout at all.

    python bench/table_render.py --rows 20000 --width 100
"""

from __future__ import annotations

import argparse
import random
import time

from policykg.output import render

WORDS = ("Department", "of", "State", "Homeland", "Security", "Mérida", "Initiative", "Mexico",
         "Enterprise", "Non", "United", "States", "Other", "programme", "border", "training")


def rows(count: int, seed: int = 17) -> list[dict[str, object]]:
    """``count`` funding-like rows, the same for every run with one seed."""
    pick = random.Random(seed)

    def name(n: int) -> str:
        return " ".join(pick.choice(WORDS) for _ in range(n))

    return [{"date": f"20{pick.randint(10, 24)}-{pick.randint(1, 12):02d}",
             "funder_name": name(pick.randint(2, 8)), "recipient_name": name(pick.randint(1, 6)),
             "program_name": name(pick.randint(2, 12)), "amount": pick.randint(-10**6, 10**8),
             "currency": "USD", "stage": "Disbursed",
             "sources": ["usg-state-mexico.iati.xml.gz"],
             "flow": f"https://w3id.org/policykg/id/funding/{pick.getrandbits(80):020x}"}
            for _ in range(count)]


def timed(label: str, function: object) -> float:
    start = time.perf_counter()
    text = function()  # type: ignore[operator]
    seconds = time.perf_counter() - start
    print(f"{label:<22} {seconds:8.3f} s  {len(text.splitlines()):>8} lines")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--width", type=int, default=100)
    args = parser.parse_args()
    data = rows(args.rows)
    print(f"rows: {args.rows}, terminal width: {args.width}")
    csv_seconds = timed("csv", lambda: render(data, "csv"))
    timed("json", lambda: render(data, "json"))
    timed("table --wide", lambda: render(data, "table", wide=True))
    fitted = timed(f"table (width {args.width})", lambda: render(data, "table",
                                                                 width=args.width))
    print(f"fitted table / csv: {fitted / csv_seconds:.1f}x")


if __name__ == "__main__":
    main()
