"""Synthetic policykg data of realistic shape, written as N-Triples, for the benchmarks.

The mix follows the example data: about 18% actors (persons, agencies, countries with names and
aliases), 20% memberships with dates, 17% funding flows, 25% statements, and evidence on every fact.
Deterministic for a given size (seeded), so runs compare like with like.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

__all__ = ["generate_lines", "write_ntriples"]

PKG = "https://w3id.org/policykg/ns#"
ID = "https://w3id.org/policykg/id/"
SRC = "https://w3id.org/policykg/source/synthetic"
ORG = "http://www.w3.org/ns/org#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SCHEMA = "https://schema.org/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"

FIRST = ["Ana", "Luis", "María", "José", "John", "Mary", "Jorge", "Duncan", "Elena", "Pedro",
         "Rosa", "Carlos", "Lucía", "Miguel", "Sofía", "David", "Laura", "Andrés"]
LAST = ["Pérez", "García", "Smith", "Johnson", "Bustamante", "Wood", "Castañeda", "López",
        "Hernández", "Martínez", "Brown", "Davis", "Ramírez", "Torres", "Flores", "Nieto"]
AGENCY = ["Department of", "Ministry of", "Institute for", "Office of", "Commission on"]
TOPIC = ["Migration", "Border Security", "Foreign Affairs", "Homeland Security", "Justice",
         "Development", "Refugees", "Customs", "Labor", "Public Safety"]
ROLES = ["Director", "Secretary", "Undersecretary", "Commissioner", "Adviser", "Spokesperson"]


def _lit(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _typed(text: str, datatype: str) -> str:
    return f'"{text}"^^<{XSD}{datatype}>'


def _date(rng: random.Random) -> str:
    return f"{rng.randint(1995, 2024):04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def generate_lines(target_triples: int, seed: int = 7) -> Iterator[str]:
    """Yield about ``target_triples`` N-Triples lines."""
    rng = random.Random(seed)
    n_people = max(10, target_triples // 60)
    n_orgs = max(5, target_triples // 300)
    emitted = 0

    def t(s: str, p: str, o: str) -> str:
        return f"<{s}> <{p}> {o} .\n"

    for i in range(n_orgs):
        org = f"{ID}org/agency-{i}"
        name = f"{rng.choice(AGENCY)} {rng.choice(TOPIC)} {i}"
        for line in (t(org, RDF_TYPE, f"<{PKG}GovernmentAgency>"),
                     t(org, f"{SKOS}prefLabel", _lit(name)),
                     t(org, f"{SKOS}altLabel", _lit(f"AG{i}"))):
            emitted += 1
            yield line
    fact = 0
    while emitted < target_triples:
        i = fact % n_people
        person = f"{ID}person/p-{i}"
        kind = fact % 4
        fact += 1
        lines: list[str] = []
        if fact <= n_people:
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}"
            lines += [t(person, RDF_TYPE, f"<{PKG}Person>"),
                      t(person, f"{SKOS}prefLabel", _lit(name)),
                      t(person, f"{SKOS}altLabel", _lit(name.split()[1] + f" {i}"))]
        org = f"{ID}org/agency-{rng.randrange(n_orgs)}"
        node = f"{ID}fact/{fact}"
        if kind == 0:
            start = _date(rng)
            lines += [t(node, RDF_TYPE, f"<{PKG}Membership>"),
                      t(node, f"{ORG}member", f"<{person}>"),
                      t(node, f"{ORG}organization", f"<{org}>"),
                      t(node, f"{PKG}role", _lit(rng.choice(ROLES))),
                      t(node, f"{SCHEMA}startDate", _typed(start, "date"))]
        elif kind == 1:
            lines += [t(node, RDF_TYPE, f"<{PKG}FundingFlow>"),
                      t(node, f"{PKG}funder", f"<{org}>"),
                      t(node, f"{PKG}recipient", f"<{ID}org/agency-{rng.randrange(n_orgs)}>"),
                      t(node, f"{PKG}amount", _typed(str(rng.randrange(10_000, 10**9)), "decimal")),
                      t(node, f"{PKG}currency", _lit("USD")),
                      t(node, f"{PKG}stage", f"<{PKG}Disbursed>"),
                      t(node, f"{PKG}date", _typed(_date(rng), "date"))]
        else:
            lines += [t(node, RDF_TYPE, f"<{PKG}Statement>"),
                      t(node, f"{PKG}speaker", f"<{person}>"),
                      t(node, f"{PKG}text", _lit(f"Statement number {fact} about {org[-8:]}.")),
                      t(node, f"{PKG}statementKind", f"<{PKG}DirectQuote>"),
                      t(node, f"{PKG}about", f"<{org}>"),
                      t(node, f"{PKG}date", _typed(_date(rng), "date"))]
        ev = f"{node}/ev"
        lines += [t(node, f"{PKG}evidence", f"<{ev}>"),
                  t(ev, RDF_TYPE, f"<{PKG}Evidence>"),
                  t(ev, f"{PKG}source", f"<{SRC}>"),
                  t(ev, f"{PKG}charStart", _typed(str(fact * 10), "integer")),
                  t(ev, f"{PKG}confidence", _typed("0.9", "decimal"))]
        emitted += len(lines)
        yield from lines


def write_ntriples(path: Path, target_triples: int) -> int:
    """Write the synthetic data to ``path``; return the number of lines written."""
    count = 0
    with path.open("w", encoding="utf-8") as fh:
        for line in generate_lines(target_triples):
            fh.write(line)
            count += 1
    return count
