"""What ``policykg show`` says about an entity: its facts grouped by kind, in words.

Each section is a list of rows with plain values: who and what by name, roles, dates, amounts
with their currency, and the sources. The IRI of each fact stays in its ``iri`` column for
``--format json``; tables leave it out. Funding and the names come from the ``profile`` query
(its display names and stages); the other kinds from one generated query each.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rdflib import URIRef

from policykg.graph.store import Store
from policykg.lookup import local_name
from policykg.ontology.model import PKG_NS
from policykg.queries import run_query
from policykg.queries.values import plain_value

__all__ = ["SECTIONS", "describe"]

#: Each section's columns, in the order ``show`` prints the sections.
SECTIONS: dict[str, tuple[str, ...]] = {
    "about": ("field", "value", "sources"),
    "details": ("property", "value", "sources"),
    "memberships": ("organization", "role", "start", "end", "sources", "iri"),
    "members": ("member", "role", "start", "end", "sources", "iri"),
    "funding": ("direction", "counterpart", "program", "amount", "currency", "stage", "date",
                "sources", "iri"),
    "statements": ("speaker", "about", "kind", "text", "date", "sources", "iri"),
    "relationships": ("from", "relation", "to", "date", "start", "end", "description",
                      "sources", "iri"),
    "observations": ("measure", "qualifier", "value", "unit", "period", "sources", "iri"),
    "events": ("event", "date", "start", "location", "sources", "iri"),
}

#: How a section names the entity shown.
THIS = "(this actor)"
_ABOUT = ("name", "alias", "type", "description", "jurisdiction", "part of", "has part")


@dataclass(frozen=True)
class _Kind:
    """Facts ``?f`` of one kind: the patterns tying them to ``?actor`` (by the part the actor
    plays; ``?with`` the other party) and the properties read as columns."""

    anchors: Mapping[str, str]
    properties: Mapping[str, str]
    shape: Callable[[dict[str, Any]], dict[str, Any]]


def _words(value: Any) -> Any:
    """A vocabulary IRI in words: ``...#cooperatesWith`` → ``cooperates with``."""
    if not isinstance(value, str) or not value.startswith(("http://", "https://")):
        return value
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", local_name(value)).lower()


def _relationship(row: dict[str, Any]) -> dict[str, Any]:
    ends = (THIS, row["with"]) if row["part"] == "subject" else (row["with"], THIS)
    return {"from": ends[0], "relation": _words(row["type"]) or "related to", "to": ends[1],
            **{k: row[k] for k in ("date", "start", "end", "description")}}


def _statement(row: dict[str, Any]) -> dict[str, Any]:
    speaker, about = (THIS, row["with"]) if row["part"] == "speaker" else (row["with"], THIS)
    return {"speaker": speaker, "about": about, "kind": _words(row["kind"]),
            "text": row["text"], "date": row["date"]}


_MEMBERSHIP = {"role": "pkg:role", "start": "schema:startDate", "end": "schema:endDate"}
_KINDS: dict[str, _Kind] = {
    "memberships": _Kind(
        {"member": "?f a pkg:Membership ; org:member ?actor ; org:organization ?with"},
        _MEMBERSHIP, lambda r: {"organization": r["with"], "role": r["role"],
                                "start": r["start"], "end": r["end"]}),
    "members": _Kind(
        {"organization": "?f a pkg:Membership ; org:organization ?actor ; org:member ?with"},
        _MEMBERSHIP, lambda r: {"member": r["with"], "role": r["role"], "start": r["start"],
                                "end": r["end"]}),
    "statements": _Kind(
        {"speaker": "?f a pkg:Statement ; pkg:speaker ?actor OPTIONAL { ?f pkg:about ?with }",
         "about": "?f a pkg:Statement ; pkg:about ?actor ; pkg:speaker ?with"},
        {"text": "pkg:text", "kind": "pkg:statementKind", "date": "pkg:date"}, _statement),
    "relationships": _Kind(
        {"subject": "?f a pkg:Relationship ; pkg:relSubject ?actor ; pkg:relObject ?with",
         "object": "?f a pkg:Relationship ; pkg:relObject ?actor ; pkg:relSubject ?with"},
        {"type": "pkg:relationType", "date": "pkg:date", "start": "schema:startDate",
         "end": "schema:endDate", "description": "schema:description"}, _relationship),
    "observations": _Kind(
        {"subject": "?f a pkg:Observation ; pkg:subject ?actor"},
        {"measure": "pkg:measure", "qualifier": "pkg:qualifier", "value": "pkg:value",
         "unit": "pkg:unit", "period": "pkg:period"}, dict),
    "events": _Kind(
        {"participant": "?f pkg:participant ?actor"},
        {"event": "skos:prefLabel", "date": "pkg:date", "start": "schema:startDate",
         "location": "pkg:location"}, dict),
}


def _kind_query(kind: _Kind) -> str:
    """The SELECT for one kind of fact, built from the constants above (nothing given by a
    user goes into it: the actor is a bound ``?actor``)."""
    names = ["with_name", *kind.properties]
    # The other party's name is looked up inside its own branch: outside, an unbound ?with
    # would match every name of the store.
    anchors = " UNION ".join(
        f'{{ {pattern} . BIND("{part}" AS ?part)'
        + (" OPTIONAL { ?with skos:prefLabel ?with_name }" if "?with" in pattern else "")
        + " }" for part, pattern in kind.anchors.items())
    optionals = "\n".join(f"  OPTIONAL {{ ?f {path} ?{name} }}"
                          for name, path in kind.properties.items())
    grouped = " ".join(f"?{n}" for n in ["actor", "f", "part", "with", *names])
    return (f'SELECT {grouped} (GROUP_CONCAT(DISTINCT ?rec; separator="\\u001F") AS ?sources)\n'
            f"WHERE {{\n  {anchors}\n{optionals}\n"
            "  OPTIONAL { ?f pkg:evidence/pkg:source/pkg:record ?rec }\n}\n"
            f"GROUP BY {grouped}")


def describe(store: Store, iri: str) -> dict[str, list[dict[str, Any]]]:
    """The facts about ``iri`` by section (see :data:`SECTIONS`); empty sections left out."""
    sections: dict[str, list[dict[str, Any]]] = {name: [] for name in SECTIONS}
    for row in run_query(store, "profile", actor=iri):
        field = row["field"]
        if field in _ABOUT:
            sections["about"].append({"field": field, "value": row["value"],
                                      "sources": row["sources"]})
        elif field in ("funds", "funded by"):
            sections["funding"].append({
                "direction": "gives to" if field == "funds" else "receives from",
                "counterpart": row["value"], "program": row["detail"], "amount": row["amount"],
                "currency": row["currency"], "stage": row["stage"], "date": row["start"],
                "sources": row["sources"], "iri": row["fact"]})
    sections["about"].sort(key=lambda r: (_ABOUT.index(r["field"]), str(r["value"])))
    for name, kind in _KINDS.items():
        for found in store.select(_kind_query(kind), {"actor": URIRef(iri)}):
            row = {k: plain_value(found[k]) if k in found else None
                   for k in ["part", "with", "with_name", *kind.properties]}
            row["with"] = row.pop("with_name") or row["with"]
            sources = str(found["sources"]) if "sources" in found else ""
            sections[name].append({**kind.shape(row),
                                   "sources": sorted({s for s in sources.split("\u001f") if s}),
                                   "iri": str(found["f"])})
        sections[name] = _one_row_per_fact(sections[name])
        sections[name].sort(key=lambda r: [str(v) for v in r.values()])
    sections["details"] = _details(store, iri)
    return {name: rows for name, rows in sections.items() if rows}


def _one_row_per_fact(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of one fact joined: a statement about two actors is one row naming both."""
    joined: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        key = (row["iri"], str(row.get("speaker") == THIS))
        if key not in joined:
            joined[key] = row
            continue
        first = joined[key]
        for column, value in row.items():
            if column == "sources":
                first[column] = sorted({*first[column], *value})
            elif value != first[column] and value is not None:
                parts = [p for p in str(first[column] or "").split(", ") if p]
                first[column] = ", ".join(sorted({*parts, str(value)}))
    return list(joined.values())


#: Own properties that the other sections already say, or that are plumbing.
_NOT_DETAILS = {"rdf:type", "skos:prefLabel", "skos:altLabel", "schema:description",
                "pkg:evidence"}


def _details(store: Store, iri: str) -> list[dict[str, Any]]:
    """The entity's other own properties in words (a fact's funder, amount, stage...)."""
    from policykg.stats import entity_facts

    rows = []
    for fact in entity_facts(store, URIRef(iri)):
        if fact["direction"] != "out" or fact["predicate"] in _NOT_DETAILS:
            continue
        prop = _words("https://x/#" + fact["predicate"].split(":", 1)[-1])
        value = fact["value"]
        if _is_term(value):
            value = _words(value)
        elif value.startswith(("http://", "https://")):
            value = fact["label"] or _label(store, value) or value
        rows.append({"property": prop, "value": value, "sources": fact["sources"]})
    return rows


def _label(store: Store, iri: str) -> str | None:
    """A preferred name of ``iri`` from any source (the smallest, so that it is stable)."""
    found = store.select("SELECT (MIN(STR(?name)) AS ?label) ?s WHERE { ?s skos:prefLabel ?name }"
                         " GROUP BY ?s", {"s": URIRef(iri)})
    return str(found[0]["label"]) if found and "label" in found[0] else None


def _is_term(value: str) -> bool:
    """A vocabulary term (``...ns#Appropriated``), said in words; other IRIs stay whole."""
    return value.startswith(PKG_NS)
