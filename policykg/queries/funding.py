"""The Python half of ``funding``: flows and totals per funder and recipient."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from policykg.queries.names import display_names

if TYPE_CHECKING:
    from policykg.queries import QueryContext

def _exact_sum(amounts: Iterable[int | float]) -> int | float:
    total = sum((Decimal(str(a)) for a in amounts), Decimal(0))
    return int(total) if total == total.to_integral_value() else float(total)


def _joined(names: Iterable[str | None]) -> str | None:
    present = sorted({n for n in names if n})
    return "; ".join(present) if present else None


def _funding_per_flow(rows: Sequence[Mapping[str, Any]], ctx: QueryContext
                      ) -> list[dict[str, Any]]:
    """``profile``'s funding given and received: one row per flow, named as in ``funding``."""
    by_flow: dict[tuple[Any, Any], list[Mapping[str, Any]]] = defaultdict(list)
    for row in rows:
        by_flow[(row.get("field"), row["fact"])].append(row)
    names = display_names(ctx, {r.get(k) for r in rows for k in ("other", "prog")})
    out = []
    for (_, _), group in sorted(by_flow.items(), key=lambda kv: json.dumps(kv[0], default=str)):
        first = dict(min(group, key=lambda r: json.dumps(r, sort_keys=True, default=str)))
        first["value"] = _joined(names.get(r["other"], r["other"]) for r in group
                                 if r.get("other") is not None)
        first["detail"] = _joined(names.get(r["prog"], r["prog"]) for r in group
                                  if r.get("prog") is not None)
        first["sources"] = sorted({s for r in group for s in r.get("sources") or []})
        out.append(first)
    return out


def funding_totals(ctx: QueryContext) -> list[dict[str, Any]]:
    """``funding``: one row per flow, then one total row per currency and stage.

    A flow with several funders, recipients or programs (an article naming two recipients)
    stays one row, the display names joined with "; ". Totals never add stages together.
    """
    fetched = ctx.fetch()
    by_flow: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in fetched:
        by_flow[str(row["flow"])].append(row)
    actors = {row.get(k) for row in fetched
              for k in ("funder_uri", "recipient_uri", "program_uri", "country_uri")}
    names = display_names(ctx, actors)

    def named(rows: list[dict[str, Any]], key: str) -> str | None:
        return _joined(names.get(r[key], r[key]) for r in rows if r.get(key) is not None)

    flows: list[dict[str, Any]] = []
    for flow, rows in sorted(by_flow.items()):
        first = min(rows, key=lambda r: json.dumps(r, sort_keys=True, default=str))
        flows.append({
            "kind": "flow", "flow": flow, "date": first.get("date"),
            "funder_name": named(rows, "funder_uri"),
            "recipient_name": named(rows, "recipient_uri"),
            "country_name": named(rows, "country_uri"),
            "program_name": named(rows, "program_uri"),
            "amount": first.get("amount"), "currency": first.get("currency"),
            "stage": first.get("stage_name"), "verification": first.get("verification_name"),
            "flows": None,
            "sources": sorted({s for r in rows for s in r.get("sources") or []}),
        })
    totals: dict[tuple[Any, Any], list[dict[str, Any]]] = defaultdict(list)
    for row in flows:
        if isinstance(row["amount"], int | float) and not isinstance(row["amount"], bool):
            totals[(row["currency"], row["stage"])].append(row)
    for (currency, stage), rows in totals.items():
        flows.append({"kind": "total", "currency": currency, "stage": stage,
                      "amount": _exact_sum(r["amount"] for r in rows), "flows": len(rows),
                      "sources": sorted({s for r in rows for s in r["sources"]})})
    return flows
